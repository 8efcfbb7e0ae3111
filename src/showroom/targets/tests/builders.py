"""Builders for the targets tests (kept here: factories.py is shared and being appended to)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from showroom.core.months import month_weeks
from showroom.customers.models import Customer
from showroom.organization.models import Staff, Store
from showroom.sales.choices import LossKind, LossReason, LossStatus
from showroom.sales.models import LossReport, Order
from showroom.targets.models import ConsultantTarget, StoreTarget, WeeklyTarget

_phones = iter(range(10**6))


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def card(store: Store, consultant: Staff, created: str, grade: str = "B", **kw: Any) -> Customer:
    return Customer.objects.create(
        store=store,
        consultant=consultant,
        name=kw.pop("name", "客户"),
        phone=f"138{store.pk:02d}{next(_phones):06d}",
        created=d(created),
        grade=grade,
        model="途胜",
        **kw,
    )


def order(
    customer: Customer,
    ordered: str,
    delivered: str | None = None,
    *,
    consultant: Staff | None = None,
    cancelled: bool = False,
) -> Order:
    return Order.objects.create(
        store=customer.store,
        customer=customer,
        consultant=consultant or customer.consultant,
        order_date=d(ordered),
        delivery_date=d(delivered) if delivered else None,
        model="途胜",
        cancelled=cancelled,
    )


def delivery(store: Store, consultant: Staff, day: str, *, cancelled: bool = False) -> Order:
    """A card created and ordered the same day, delivered on `day`."""
    customer = card(store, consultant, day)
    return order(customer, day, day, cancelled=cancelled)


def lost(customer: Customer, day: str) -> LossReport:
    return LossReport.objects.create(
        store=customer.store,
        customer=customer,
        consultant=customer.consultant,
        date=d(day),
        kind=LossKind.LOST,
        reason=LossReason.PRICE,
        status=LossStatus.CONFIRMED,
    )


def target(
    store: Store,
    month: str,
    deliveries: int,
    split: dict[Staff, tuple[int, list[int]]] | None = None,
    **kw: Any,
) -> StoreTarget:
    """A store target with its split written directly: {consultant: (monthly, weeks)}."""
    t = StoreTarget.objects.create(store=store, month=d(month), deliveries=deliveries, **kw)
    weeks = month_weeks(t.month)
    for person, (monthly, per_week) in (split or {}).items():
        line = ConsultantTarget.objects.create(target=t, consultant=person, deliveries=monthly)
        for (start, end), n in zip(weeks, per_week, strict=True):
            WeeklyTarget.objects.create(split=line, week_start=start, week_end=end, deliveries=n)
    return t
