"""Builders shared by the tests of interviews, profiles, surveys, channels and CRM reports."""

from __future__ import annotations

import datetime as dt
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

from showroom.customers.models import Customer
from showroom.organization.models import Staff, Store
from showroom.sales.models import Order
from showroom.traffic.models import Lead, WalkIn
from tests import factories as f

SHANGHAI = ZoneInfo("Asia/Shanghai")
OCT = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
_phones = count(1)


def d(text: str) -> dt.date:
    """'10-05' -> 2026-10-05; full ISO dates pass through."""
    return dt.date.fromisoformat(text if len(text) == 10 else f"2026-{text}")


def phone() -> str:
    return f"1370000{next(_phones):04d}"


def card(store: Store, consultant: Staff | None, created: str = "10-01", **kw: Any) -> Customer:
    if isinstance(kw.get("source"), str):
        kw["source"] = f.source(kw["source"])
    return f.CustomerFactory(  # type: ignore[return-value]
        store=store, consultant=consultant, created=d(created), phone=kw.pop("phone", phone()), **kw
    )


def order(customer: Customer, ordered: str, *, delivered: str | None = None, **kw: Any) -> Order:
    if isinstance(kw.get("source"), str):
        kw["source"] = f.source(kw["source"])
    return Order.objects.create(
        store=customer.store,
        customer=customer,
        consultant=kw.pop("consultant", customer.consultant),
        order_date=d(ordered),
        delivery_date=d(delivered) if delivered else None,
        model=kw.pop("model", customer.model or "途胜"),
        **kw,
    )


def lead(store: Store, day: str, channel: str, **kw: Any) -> Lead:
    created = dt.datetime.combine(d(day), dt.time(10, 0), tzinfo=SHANGHAI)
    return Lead.objects.create(
        store=store,
        created_at=created,
        channel=f.source(channel),
        phone=kw.pop("phone", phone()),
        **kw,
    )


def walk_in(store: Store, consultant: Staff, day: str, **kw: Any) -> WalkIn:
    if isinstance(kw.get("source"), str):
        kw["source"] = f.source(kw["source"])
    walk = f.WalkInFactory(store=store, consultant=consultant, date=d(day), **kw)
    return walk  # type: ignore[return-value]
