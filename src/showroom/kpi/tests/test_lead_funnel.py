"""The lead funnel of the dashboard: October's leads at BJ01 followed to the month's end."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from showroom.kpi.dashboard.funnel import lead_funnel
from showroom.kpi.lead_kpis import lead_funnel_cohort
from showroom.sales.models import Order
from showroom.traffic.models import Lead
from tests import factories as f

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
OCT1, OCT31 = dt.date(2026, 10, 1), dt.date(2026, 10, 31)


def came(store, consultant, day: int, n: int) -> None:  # type: ignore[no-untyped-def]
    f.WalkInFactory(
        store=store, consultant=consultant, date=dt.date(2026, 10, day), phone=f"1390000{n:04d}"
    )


def lead(store, n: int, day: int, **kw) -> Lead:  # type: ignore[no-untyped-def]
    return Lead.objects.create(
        store=store,
        created_at=dt.datetime(2026, 10, day, 10, 0, tzinfo=SHANGHAI),
        channel=f.source("internet"),
        phone=f"1390000{n:04d}",
        **kw,
    )


@pytest.fixture
def october(store, consultant):  # type: ignore[no-untyped-def]
    """Seven leads: 1 untouched; 2 contacted; 3 booked, no show; 4 booked and shown; 5 shown
    without an appointment and ordered; 6 walked in before its lead only; 7 a September lead
    that came in October (not of the cohort)."""
    contact = dt.datetime(2026, 10, 5, 10, 30, tzinfo=SHANGHAI)
    lead(store, 1, 5)
    lead(store, 2, 5, first_contact_at=contact)
    lead(store, 3, 5, first_contact_at=contact, appointment_date=dt.date(2026, 10, 8))
    lead(store, 4, 5, first_contact_at=contact, appointment_date=dt.date(2026, 10, 8))
    f.WalkInFactory(
        store=store, consultant=consultant, date=dt.date(2026, 10, 8), phone="13900000004"
    )
    lead(store, 5, 6)
    card = f.CustomerFactory(store=store, consultant=consultant, phone="13900000005")
    f.WalkInFactory(
        store=store, consultant=consultant, date=dt.date(2026, 10, 9), phone="13900000005"
    )
    Order.objects.create(
        store=store, customer=card, consultant=consultant, order_date=dt.date(2026, 10, 20),
        model="途胜",
    )  # fmt: skip
    lead(store, 6, 10)
    f.WalkInFactory(
        store=store, consultant=consultant, date=dt.date(2026, 10, 2), phone="13900000006"
    )
    Lead.objects.create(
        store=store, created_at=dt.datetime(2026, 9, 28, 10, tzinfo=SHANGHAI),
        channel=f.source("internet"), phone="13900000007",
    )  # fmt: skip
    f.WalkInFactory(
        store=store, consultant=consultant, date=dt.date(2026, 10, 3), phone="13900000007"
    )


def test_each_stage_counts_the_leads_that_reached_it_or_a_later_one(store, october) -> None:
    assert lead_funnel_cohort(stores=[store], start=OCT1, end=OCT31) == {
        "leads": 6,
        "contacted": 4,
        "appointment": 3,
        "shown": 2,
        "order": 1,
    }
    stages = lead_funnel(stores=[store], start=OCT1, end=OCT31)
    assert [(s.key, s.count, s.conversion) for s in stages] == [
        ("leads", 6, None),
        ("contacted", 4, 4 / 6),
        ("appointment", 3, 3 / 4),
        ("shown", 2, 2 / 3),
        ("order", 1, 1 / 2),
    ]


def test_the_dashboard_shows_the_lead_funnel(client, store, october, manager) -> None:
    client.force_login(manager)
    page = client.get(reverse("kpi:dashboard"), {"month": "2026-10"})
    html = page.content.decode()
    assert "线索漏斗" in html and "已联系" in html
    assert [(i["stage"].key, i["stage"].count) for i in page.context["lead_stages"]] == [
        ("leads", 6), ("contacted", 4), ("appointment", 3), ("shown", 2), ("order", 1),
    ]  # fmt: skip
