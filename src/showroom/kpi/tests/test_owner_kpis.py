"""Owner KPIs (docs/contracts.md) on the month of test_funnel_kpis (its docstring lists the rows).

October's end is 2026-10-31: the retention window is the 180 days 2026-05-05..10-31; an owner
is churned when neither a service visit nor a delivery falls in 2025-10-31..2026-10-31 (more
than 365 days before the end).
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from showroom.kpi.selectors import compute_kpis
from showroom.kpi.tests.test_funnel_kpis import OCT, build_month, card, d, order
from showroom.organization.models import Store
from showroom.owners.choices import ServiceKind
from showroom.owners.models import ServiceVisit
from showroom.sales.choices import ActivityKind
from showroom.sales.models import Activity

pytestmark = pytest.mark.django_db

OWNER_CODES = ["owners", "owner_retention_rate", "owner_churn_rate"]


@pytest.fixture(autouse=True)
def _frozen(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(dt.datetime(2026, 11, 15, 9, 0, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def month(store, other_store, consultant, consultant2):  # type: ignore[no-untyped-def]
    return build_month(store, other_store, consultant, consultant2)


def test_owners_at_the_end_of_october(month, store):
    assert compute_kpis(stores=[store], start=OCT[0], end=OCT[1], codes=OWNER_CODES) == {
        # Delivered by 10-31, not cancelled: P6 (10-03), P1 (10-20), P11 (10-26), P10 (10-31)
        # and Q1–Q6. Not P18 (11-02), P7 and P19 (not delivered), P12 and Q7 (cancelled),
        # P13 (bought elsewhere, though it comes to the workshop), SH01's S1.
        "owners": 10,
        # P1 (owner care 10-25), Q1 (service visit 05-05, the window's first day), Q3 (owner
        # care 09-01). Not Q5 (a plain call is no care contact; its visit 11-05 is after the
        # end), Q6 (visit 05-04, a day before the window), nor the rest (nothing recent).
        "owner_retention_rate": 3 / 10,
        # Q2 (last visit 2025-08-01), Q3 (no visit, delivered 2025-01-20), Q5 (last visit by
        # the end 2025-10-30: 366 days). Not Q4 (delivered 2025-10-31: exactly 365 days),
        # Q1, Q6 (visits in 2026), October's deliveries.
        "owner_churn_rate": 3 / 10,
    }


def test_owners_by_consultant(month, store):
    result = compute_kpis(
        stores=[store], start=OCT[0], end=OCT[1], by="consultant", codes=OWNER_CODES
    )
    # By the card's consultant (P6's order was li's, its card is zhang's).
    assert result == {
        # P1 P6 P10 Q1 Q2 Q5: retained P1 Q1, churned Q2 Q5.
        "张伟": {"owners": 6, "owner_retention_rate": 2 / 6, "owner_churn_rate": 2 / 6},
        # P11 Q3 Q6: retained Q3, churned Q3.
        "李娜": {"owners": 3, "owner_retention_rate": 1 / 3, "owner_churn_rate": 1 / 3},
        # Q4's card has no consultant.
        "(none)": {"owners": 1, "owner_retention_rate": 0.0, "owner_churn_rate": 0.0},
    }


def test_owners_at_the_end_of_september(month, store):
    sep = (d("09-01"), d("09-30"))
    assert compute_kpis(stores=[store], start=sep[0], end=sep[1], codes=OWNER_CODES) == {
        "owners": 6,  # Q1–Q6; P6 was delivered only on 10-03
        # Window 2026-04-04..09-30: Q1 (05-05), Q3 (care 09-01), Q6 (05-04).
        "owner_retention_rate": 3 / 6,
        # Nothing in 2025-09-30..2026-09-30: Q2 (2025-08-01), Q3 (delivered 2025-01-20).
        # Q5's visit 2025-10-30 and Q4's delivery 2025-10-31 are within the year.
        "owner_churn_rate": 2 / 6,
    }


def test_other_store_and_stores_together(month, store, other_store):
    # S1 delivered 10-15 at SH01: an owner there, recent.
    assert compute_kpis(stores=[other_store], start=OCT[0], end=OCT[1], codes=OWNER_CODES) == {
        "owners": 1,
        "owner_retention_rate": 0.0,
        "owner_churn_rate": 0.0,
    }
    assert compute_kpis(
        stores=Store.objects.all(), start=OCT[0], end=OCT[1], codes=OWNER_CODES
    ) == {"owners": 11, "owner_retention_rate": 3 / 11, "owner_churn_rate": 3 / 11}


def test_a_second_car_within_the_year_is_no_churn(store, consultant):
    owner = card(store, 1, "2024-01-01", consultant)
    order(owner, "2024-01-02", consultant, delivery_date="2024-01-10")
    ServiceVisit.objects.create(
        store=store, customer=owner, date=d("2024-06-01"), kind=ServiceKind.MAINTENANCE
    )
    assert compute_kpis(stores=[store], start=OCT[0], end=OCT[1], codes=OWNER_CODES) == {
        "owners": 1,
        "owner_retention_rate": 0.0,
        "owner_churn_rate": 1.0,  # last visit 2024-06-01
    }
    order(owner, "2026-02-20", consultant, delivery_date="2026-03-01")
    assert compute_kpis(stores=[store], start=OCT[0], end=OCT[1], codes=OWNER_CODES) == {
        "owners": 1,  # one customer, two cars
        "owner_retention_rate": 0.0,
        "owner_churn_rate": 0.0,  # bought again on 2026-03-01
    }


def test_care_by_anyone_of_the_store_counts(store, consultant, consultant2):
    owner = card(store, 1, "2025-01-01", consultant)
    order(owner, "2025-01-02", consultant, delivery_date="2025-01-10")
    Activity.objects.create(
        store=store, customer=owner, consultant=consultant2, date=d("10-31"),
        kind=ActivityKind.OWNER_CARE,
    )  # fmt: skip
    result = compute_kpis(stores=[store], start=OCT[0], end=OCT[1], codes=OWNER_CODES)
    # Kept in touch on the last day; still churned: care contacts are not service visits.
    assert result == {"owners": 1, "owner_retention_rate": 1.0, "owner_churn_rate": 1.0}


def test_no_owners_no_rates(store):
    assert compute_kpis(stores=[store], start=OCT[0], end=OCT[1], codes=OWNER_CODES) == {
        "owners": 0,
        "owner_retention_rate": None,
        "owner_churn_rate": None,
    }
