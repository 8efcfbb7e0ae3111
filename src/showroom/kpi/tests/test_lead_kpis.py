"""Lead KPIs (docs/contracts.md) on October 2026 at BJ01 (Asia/Shanghai, UTC+8).

Leads (created, store-local; channel; assigned; first contact after; appointment):
  L1  10-01 04:00 (09-30 20:00 UTC) internet   zhang  12 min      10-05  walk-in 10-06
  L2  10-03 10:00                   oem        zhang  31 min      10-10  walk-in 10-14 (+4)
  L3  10-08 09:00                   internet   li     45 min 30 s —
  L4  10-12 14:00                   internet   li     never       10-20  walk-in 10-23 (+3)
  L5  10-20 11:00                   exhibition li     5 min       11-02
  L6  10-31 23:30                   internet   —      90 min      —      (answered on 11-01)
  L7  11-01 01:00 (10-31 17:00 UTC) internet   zhang  1 min       —      November's
  L8  09-20 10:00                   internet   zhang  600 min     10-03  walk-in 09-25
  L9  09-10 10:00                   internet   li     never       10-15  walk-in 09-05 only
  L10 10-15 10:00                   media      li     22 min      10-16  walk-in at SH01 only
SH01: L11 10-05 10:00 internet, 100 min.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from showroom.kpi.registry import REGISTRY
from showroom.kpi.selectors import compute_kpis
from showroom.kpi.tests.test_funnel_kpis import OCT, d
from showroom.organization.models import Store
from showroom.traffic.models import Lead
from tests import factories as f

pytestmark = pytest.mark.django_db

LEAD_CODES = ["leads", "lead_response_minutes", "appointment_rate", "show_rate"]
SHANGHAI = ZoneInfo("Asia/Shanghai")


def lead(
    store: Store,
    n: int,
    created: str,
    channel: str,
    agent: Any,
    answered_after: dt.timedelta | None,
    appointment: str | None,
) -> Lead:
    day, time = created.split()
    at = dt.datetime.combine(d(day), dt.time.fromisoformat(time), tzinfo=SHANGHAI)
    return Lead.objects.create(
        store=store,
        created_at=at,
        channel=f.source(channel),
        phone=f"137{n:08d}",
        assigned_to=agent,
        first_contact_at=at + answered_after if answered_after else None,
        appointment_date=d(appointment) if appointment else None,
    )


def walk_in(store: Store, n: int, day: str, consultant: Any) -> None:
    f.WalkInFactory(store=store, date=d(day), phone=f"137{n:08d}", consultant=consultant)


def minutes(m: float) -> dt.timedelta:
    return dt.timedelta(minutes=m)


@pytest.fixture
def leads(store, other_store, consultant, consultant2):  # type: ignore[no-untyped-def]
    zhang, li = consultant, consultant2
    lead(store, 1, "10-01 04:00", "internet", zhang, minutes(12), "10-05")
    walk_in(store, 1, "10-06", zhang)
    lead(store, 2, "10-03 10:00", "oem", zhang, minutes(31), "10-10")
    walk_in(store, 2, "10-14", zhang)
    lead(store, 3, "10-08 09:00", "internet", li, minutes(45.5), None)
    lead(store, 4, "10-12 14:00", "internet", li, None, "10-20")
    walk_in(store, 4, "10-23", li)
    lead(store, 5, "10-20 11:00", "exhibition", li, minutes(5), "11-02")
    lead(store, 6, "10-31 23:30", "internet", None, minutes(90), None)
    lead(store, 7, "11-01 01:00", "internet", zhang, minutes(1), None)
    lead(store, 8, "09-20 10:00", "internet", zhang, minutes(600), "10-03")
    walk_in(store, 8, "09-25", zhang)
    lead(store, 9, "09-10 10:00", "internet", li, None, "10-15")
    walk_in(store, 9, "09-05", li)
    lead(store, 10, "10-15 10:00", "media", li, minutes(22), "10-16")
    liu = f.StaffFactory(username="liu", full_name="刘洋", store=other_store)
    walk_in(other_store, 10, "10-16", liu)
    lead(other_store, 11, "10-05 10:00", "internet", liu, minutes(100), None)


BJ01_LEADS = {
    # L1 (10-01 local, 09-30 in UTC) L2 L3 L4 L5 L6 (23:30 on 10-31) L10. Not L7 (11-01
    # local), L8 L9 (September).
    "leads": 7,
    # October's leads answered: L5 5, L1 12, L10 22, L2 31, L3 45.5, L6 90 (even count):
    # (22 + 31) / 2. L4 never answered; L8's 600 minutes belong to September.
    "lead_response_minutes": 26.5,
    "appointment_rate": 5 / 7,  # L1 L2 L4 L5 L10 (L5's appointment is in November: still set)
    # Appointments dated in October: L1 L2 L4 L8 L9 L10 (L5's is 11-02) = 6. Walked in from
    # the lead's date to the appointment + 3 days: L1 (10-06), L4 (10-23, the third day),
    # L8 (09-25, early). Not L2 (10-14, the fourth day), L9 (only before it was a lead),
    # L10 (only at SH01).
    "show_rate": 3 / 6,
}


def test_leads_of_the_month(leads, store):
    assert compute_kpis(stores=[store], start=OCT[0], end=OCT[1], codes=LEAD_CODES) == BJ01_LEADS


def test_leads_by_agent(leads, store, django_assert_num_queries):
    with django_assert_num_queries(1):
        result = compute_kpis(
            stores=[store], start=OCT[0], end=OCT[1], by="consultant", codes=LEAD_CODES
        )
    assert result == {
        # L1 L2: 12 and 31 minutes (even count) → 21.5; appointments L1 L2; shows L1 L8 of
        # L1 L2 L8.
        "张伟": {
            "leads": 2,
            "lead_response_minutes": 21.5,
            "appointment_rate": 1.0,
            "show_rate": 2 / 3,
        },
        # L3 L4 L5 L10: 5, 22, 45.5 (odd count; L4 unanswered) → 22; appointments L4 L5 L10;
        # shows L4 of L4 L9 L10.
        "李娜": {
            "leads": 4,
            "lead_response_minutes": 22.0,
            "appointment_rate": 3 / 4,
            "show_rate": 1 / 3,
        },
        # L6, assigned to nobody.
        "(none)": {
            "leads": 1,
            "lead_response_minutes": 90.0,
            "appointment_rate": 0.0,
            "show_rate": None,
        },
    }


def test_leads_by_channel(leads, store):
    result = compute_kpis(stores=[store], start=OCT[0], end=OCT[1], by="source", codes=LEAD_CODES)
    assert list(result) == ["exhibition", "internet", "media", "oem"]
    # internet: October's L1 L3 L4 L6; answered 12, 45.5, 90 (odd) → 45.5; appointments L1
    # L4; appointments in October L1 L4 L8 L9, shown L1 L4 L8.
    assert result["internet"] == {
        "leads": 4,
        "lead_response_minutes": 45.5,
        "appointment_rate": 2 / 4,
        "show_rate": 3 / 4,
    }
    assert result["exhibition"] == {
        "leads": 1,
        "lead_response_minutes": 5.0,
        "appointment_rate": 1.0,
        "show_rate": None,  # L5's appointment is in November
    }


def test_november(leads, store):
    nov = (d("11-01"), d("11-30"))
    assert compute_kpis(stores=[store], start=nov[0], end=nov[1], codes=LEAD_CODES) == {
        "leads": 1,  # L7
        "lead_response_minutes": 1.0,
        "appointment_rate": 0.0,
        "show_rate": 0 / 1,  # L5: appointment 11-02, no walk-in
    }


def test_stores(leads, store, other_store):
    sh = compute_kpis(stores=[other_store], start=OCT[0], end=OCT[1], codes=LEAD_CODES)
    assert sh == {
        "leads": 1,
        "lead_response_minutes": 100.0,
        "appointment_rate": 0.0,
        "show_rate": None,
    }
    both = compute_kpis(stores=Store.objects.all(), start=OCT[0], end=OCT[1], codes=LEAD_CODES)
    # 5, 12, 22, 31, 45.5, 90, 100 (odd count) → 31.
    assert both == {
        "leads": 8,
        "lead_response_minutes": 31.0,
        "appointment_rate": 5 / 8,
        "show_rate": 3 / 6,
    }


def test_no_leads(store):
    assert compute_kpis(stores=[store], start=OCT[0], end=OCT[1], codes=LEAD_CODES) == {
        "leads": 0,
        "lead_response_minutes": None,
        "appointment_rate": None,
        "show_rate": None,
    }


def test_response_time_is_rounded_to_a_tenth(store, consultant):
    at = dt.datetime(2026, 10, 2, 10, 0, tzinfo=SHANGHAI)
    for seconds in (61, 125):  # 1.0166… and 2.0833… minutes: median 93 s = 1.55 min, exact
        Lead.objects.create(
            store=store, created_at=at, channel=f.source("internet"), phone="13700000001",
            first_contact_at=at + dt.timedelta(seconds=seconds),
        )  # fmt: skip
    result = compute_kpis(stores=[store], start=OCT[0], end=OCT[1], codes=LEAD_CODES)
    assert result["lead_response_minutes"] == 93 / 60
    assert REGISTRY["lead_response_minutes"].format(result["lead_response_minutes"]) == "1.6"


def test_response_time_is_kept_to_the_second_on_every_database(store, consultant):
    # A lead's times are kept to the second, as the lead form exports them, so that SQLite
    # and PostgreSQL agree and an export imported again gives the same median.
    # Created at 10:00:00.25, contacted 3054.4 s and 3059.9 s later: kept as 10:00:00, and
    # 3054 s and 3060 s later; median 3057 s = 50.95 min.
    at = dt.datetime(2026, 10, 2, 10, 0, 0, 250_000, tzinfo=SHANGHAI)
    for n, seconds in enumerate((3054.4, 3059.9)):
        Lead.objects.create(
            store=store, created_at=at, channel=f.source("internet"), phone=f"1370000001{n}",
            first_contact_at=at + dt.timedelta(seconds=seconds),
        )  # fmt: skip
    assert {lead.created_at.microsecond for lead in Lead.objects.all()} == {0}
    result = compute_kpis(stores=[store], start=OCT[0], end=OCT[1], codes=LEAD_CODES)
    assert result["lead_response_minutes"] == pytest.approx(3057 / 60, abs=1e-9)
    assert REGISTRY["lead_response_minutes"].format(result["lead_response_minutes"]) == "51.0"
