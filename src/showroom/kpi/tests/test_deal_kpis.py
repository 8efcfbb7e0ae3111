"""Deal KPIs (docs/contracts.md: orders, deliveries and the rates over them) on the month of
test_funnel_kpis (its docstring lists the rows), plus the query-count guarantees of the whole
report."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from showroom.customers.models import Customer
from showroom.kpi.registry import REGISTRY, implemented_codes
from showroom.kpi.selectors import compute_kpis
from showroom.kpi.tests.test_funnel_kpis import OCT, build_month, card, d, order
from showroom.organization.models import Store
from showroom.sales.choices import Channel, LossKind, LossReason, LossStatus
from showroom.sales.models import LossReport
from showroom.traffic.models import Lead
from tests import factories as f

pytestmark = pytest.mark.django_db

DEAL_CODES = [code for code, kpi in REGISTRY.items() if kpi.area == "deals" and kpi.implemented] + [
    "owner_referral_rate"
]


@pytest.fixture(autouse=True)
def _frozen(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(dt.datetime(2026, 11, 15, 9, 0, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def month(store, other_store, consultant, consultant2):  # type: ignore[no-untyped-def]
    return build_month(store, other_store, consultant, consultant2)


BJ01_DEALS = {
    # Not cancelled, dated 10-01..10-31: P1 10-08, P7 10-12, P10 10-15, P11 10-18, P18 10-20.
    # Not P12 (cancelled), P6 and P19 (September), the owners' old orders.
    "orders": 5,
    "cancelled_orders": 1,  # P12 (cancelled as of its order date, 10-09)
    "orders_from_carried_over": 2,  # P1 P11 (open on 10-01)
    "orders_from_new": 3,  # P7 P10 P18 (cards of October)
    # Delivered 10-01..10-31: P6 10-03 (a September order), P1 10-20, P11 10-26, P10 10-31.
    # Not P18 (11-02).
    "deliveries": 4,
    # Showroom orders P1 P7 P18 (P10 fleet, P11 secondary) ÷ first visits W1 W2 W4 W5 W7 W8
    # W10 (W3 W6 W11 are repeats, W9 is September).
    "close_rate": 3 / 7,
    # Phones with a test drive in October: P7 P8 P1 P12 P9 P6 P11 (W4 has no phone) = 7.
    # Ordered on or after the test drive by 10-31: P7 (10-03 → 10-12), P1 (10-08 → same day).
    # Not P12 (cancelled), P6 (ordered 09-20, before W10), P11 (ordered 10-18, before W11).
    "test_drive_close_rate": 2 / 7,
    "order_rate": 5 / 13,  # ÷ (7 carried over + 6 new)
    "lost_rate": 1 / 13,  # P2 (10-11); P15's loss is September's, P16's was sent back
    "out_of_control_rate": 1 / 13,  # P5 (10-05); P4's request is still waiting
    "order_delivery_rate": 4 / 5,
    # Over the 4 deliveries P6 P1 P11 P10:
    "showroom_sales_ratio": 2 / 4,  # P6 P1 (P11 secondary, P10 fleet)
    "delivery_ceremony_rate": 2 / 4,  # P1 P11
    "insurance_penetration": 3 / 4,  # P6 P1 P11
    "finance_penetration": 2 / 4,  # P1 P11
    "accessory_penetration": 2 / 4,  # P1 2000, P11 500
    "tradein_penetration": 1 / 4,  # P6
    # P6 03→06 (3 days), P1 20→22 (2), P10 31→11-01 (1) on time; P11 26→31 (5) late.
    "call_3day_rate": 3 / 4,
    # P6 03→10 (7 days), P11 26→11-01 (6) on time; P1 20→30 (10) late; P10 none.
    "letter_7day_rate": 2 / 4,
    # Deliveries by order's source: P6 owner_referral (its card says internet), P1 internet,
    # P10 fleet, P11 none.
    "source_mix": {"fleet": 0.25, "internet": 0.25, "owner_referral": 0.25, "(none)": 0.25},
    # Phones on October walk-ins: P7 P8 P1 P18 P12 P9 P6 P11 = 8 (W4 anonymous). With an
    # order in October: P7 P1 P18 P11 = 4 (P12 cancelled, P6 ordered in September; P10
    # ordered but never walked in at BJ01).
    "unique_close_rate": 4 / 8,
    "owner_referral_rate": 1 / 4,  # P6's order
}


def test_deals_of_the_month(month, store):
    result = compute_kpis(stores=[store], start=OCT[0], end=OCT[1], codes=DEAL_CODES)
    assert result == BJ01_DEALS
    assert list(result) == [c for c in REGISTRY if c in BJ01_DEALS]


def test_deals_by_consultant(month, store):
    result = compute_kpis(
        stores=[store], start=OCT[0], end=OCT[1], by="consultant", codes=DEAL_CODES
    )
    # Orders and deliveries by the order's consultant (P6's card is zhang's, its order li's);
    # walk-ins by the walk-in row's; prospects by the card's; losses by the record's.
    assert result == {
        "张伟": {
            "orders": 3,  # P1 P7 P10
            "cancelled_orders": 1,  # P12
            "orders_from_carried_over": 1,  # P1
            "orders_from_new": 2,  # P7 P10
            "deliveries": 2,  # P1 P10
            "close_rate": 2 / 4,  # P1 P7 ÷ W1 W4 W7 W10
            "test_drive_close_rate": 2 / 4,  # P7 P1 of P7 P1 P12 P6
            "order_rate": 3 / 6,  # ÷ (3 carried over + 3 new cards of zhang's)
            "lost_rate": 0 / 6,
            "out_of_control_rate": 0 / 6,
            "order_delivery_rate": 2 / 3,
            "showroom_sales_ratio": 1 / 2,  # P1 (P10 fleet)
            "delivery_ceremony_rate": 1 / 2,
            "insurance_penetration": 1 / 2,
            "finance_penetration": 1 / 2,
            "accessory_penetration": 1 / 2,
            "tradein_penetration": 0 / 2,
            "call_3day_rate": 2 / 2,  # P1 2 days, P10 1 day
            "letter_7day_rate": 0 / 2,  # P1 late, P10 none
            "source_mix": {"fleet": 0.5, "internet": 0.5},
            "unique_close_rate": 2 / 4,  # P7 P1 of P7 P1 P12 P6
            "owner_referral_rate": 0 / 2,
        },
        "李娜": {
            "orders": 2,  # P11 P18
            "cancelled_orders": 0,
            "orders_from_carried_over": 1,  # P11
            "orders_from_new": 1,  # P18
            "deliveries": 2,  # P6 P11
            "close_rate": 1 / 3,  # P18 ÷ W2 W5 W8
            "test_drive_close_rate": 0 / 3,  # P8 P9 P11
            "order_rate": 2 / 7,  # ÷ (4 + 3)
            "lost_rate": 1 / 7,  # P2
            "out_of_control_rate": 1 / 7,  # P5
            "order_delivery_rate": 2 / 2,
            "showroom_sales_ratio": 1 / 2,  # P6
            "delivery_ceremony_rate": 1 / 2,  # P11
            "insurance_penetration": 2 / 2,
            "finance_penetration": 1 / 2,  # P11
            "accessory_penetration": 1 / 2,  # P11
            "tradein_penetration": 1 / 2,  # P6
            "call_3day_rate": 1 / 2,  # P6 on time, P11 late
            "letter_7day_rate": 2 / 2,  # P6 7 days, P11 6 days
            "source_mix": {"owner_referral": 0.5, "(none)": 0.5},
            "unique_close_rate": 2 / 4,  # P18 P11 of P8 P18 P9 P11
            "owner_referral_rate": 1 / 2,  # P6
        },
    }


def test_deals_by_source(month, store):
    result = compute_kpis(stores=[store], start=OCT[0], end=OCT[1], by="source", codes=DEAL_CODES)
    # The order's source. owner_referral: order P7 (of a new card, P7's card source is
    # owner_referral too), delivery P6.
    expected = {
        "orders": 1,
        "orders_from_new": 1,
        "deliveries": 1,
        "order_rate": 1.0,  # P7 ÷ the one prospect with that card source (P7, new)
        "owner_referral_rate": 1.0,
        "source_mix": {"owner_referral": 1.0},
        "close_rate": None,  # no walk-in row names a source
    }
    assert {k: result["owner_referral"][k] for k in expected} == expected
    # (none): P11's order and delivery, and every walk-in row (none names a source).
    none = result["(none)"]
    assert (none["orders"], none["orders_from_carried_over"], none["deliveries"]) == (1, 1, 1)
    assert none["order_rate"] is None  # every prospect card has a source
    assert none["close_rate"] == 0 / 7  # P11 is a secondary-dealer order
    assert (none["test_drive_close_rate"], none["unique_close_rate"]) == (2 / 7, 4 / 8)
    assert none["source_mix"] == {"(none)": 1.0}
    # Every group has deliveries from its own source only.
    for key, values in result.items():
        assert values["source_mix"] in ({}, {key: 1.0}), key


def test_other_store_and_stores_together(month, store, other_store):
    sh = compute_kpis(stores=[other_store], start=OCT[0], end=OCT[1], codes=DEAL_CODES)
    # S1: new card, showroom order 10-10 delivered 10-15; walk-in 10-05 first with a test drive.
    assert sh["orders"] == sh["deliveries"] == sh["orders_from_new"] == 1
    assert sh["close_rate"] == sh["test_drive_close_rate"] == sh["unique_close_rate"] == 1.0
    assert sh["order_rate"] == 1.0 and sh["source_mix"] == {"internet": 1.0}
    both = compute_kpis(stores=[store, other_store], start=OCT[0], end=OCT[1], codes=DEAL_CODES)
    assert both["orders"] == 6 and both["deliveries"] == 5
    assert both["close_rate"] == 4 / 8  # (3 + 1) ÷ (7 + 1)
    # S1's phone is P10's: at BJ01 P10 never walked in, so it is one more person, not a merge.
    assert both["unique_close_rate"] == 5 / 9
    assert both["source_mix"] == {
        "fleet": 0.2, "internet": 0.4, "owner_referral": 0.2, "(none)": 0.2,
    }  # fmt: skip


def test_after_delivery_contacts_within_the_days(store, consultant):
    # Delivered 10-10 unless said otherwise; (call_3day, letter_7day):
    cases = [
        ("10-10", "10-17", "10-10"),  # same day (0) and 7 days: both on time
        ("10-13", "10-18", "10-10"),  # 3 days on time; 8 days late
        ("10-14", "10-16", "10-10"),  # 4 days late; 6 days on time
        ("10-09", "10-09", "10-10"),  # before the delivery: not a follow-up of it
        (None, None, "10-10"),  # never done
        ("11-02", "11-06", "10-30"),  # across the month's end: 3 and 7 days, on time
    ]
    for n, (call, letter, delivered) in enumerate(cases):
        c = card(store, n, "09-01", consultant)
        extra = {k: v for k, v in (("call_3day", call), ("letter_7day", letter)) if v}
        order(c, "09-20", consultant, delivery_date=delivered, **extra)
    codes = ["deliveries", "call_3day_rate", "letter_7day_rate"]
    assert compute_kpis(stores=[store], start=OCT[0], end=OCT[1], codes=codes) == {
        "deliveries": 6,
        "call_3day_rate": 3 / 6,  # 10-10, 10-13, 11-02
        "letter_7day_rate": 3 / 6,  # 10-17, 10-16, 11-06
    }


def test_cancelled_orders_count_nowhere(store, consultant):
    c = card(store, 1, "10-02", consultant, grade="B")
    order(c, "10-05", consultant, delivery_date="10-08", cancelled=True)
    f.WalkInFactory(store=store, consultant=consultant, phone=c.phone, test_drive=True)
    codes = ["orders", "deliveries", "close_rate", "test_drive_close_rate", "unique_close_rate",
             "order_rate", "prospects_B", "prospects_O", "owners", "source_mix"]  # fmt: skip
    assert compute_kpis(stores=[store], start=OCT[0], end=OCT[1], codes=codes) == {
        "prospects_B": 1,  # still open: a cancelled order does not close the prospect
        "prospects_O": 0,
        "orders": 0,
        "deliveries": 0,
        "close_rate": 0.0,
        "test_drive_close_rate": 0.0,
        "order_rate": 0.0,
        "owners": 0,
        "source_mix": {},
        "unique_close_rate": 0.0,
    }


def test_nulls_without_denominators(store):
    result = compute_kpis(stores=[store], start=OCT[0], end=OCT[1], codes=DEAL_CODES)
    assert result == {
        code: (0 if REGISTRY[code].kind == "count" else {} if code == "source_mix" else None)
        for code in result
    }


# --- queries ---------------------------------------------------------------------------

# Walk-ins, calls, cards, owner spans, orders, loss records, leads, targets: one query each
# (targets only by store or consultant; sources and models have none).
TABLES = 8


@pytest.mark.parametrize("by", [None, "store", "consultant", "source", "model"])
def test_one_query_per_table(month, store, other_store, by, django_assert_num_queries):
    # Stores given as a query are read once more by the card query (funnel_kpis.store_ids).
    tables = TABLES if by in (None, "store", "consultant") else TABLES - 1
    with django_assert_num_queries(tables + 1):
        result = compute_kpis(stores=Store.objects.all(), start=OCT[0], end=OCT[1], by=by)
    assert result


def test_query_count_does_not_grow_with_consultants(month, store, django_assert_max_num_queries):
    for n in range(40):
        staff = f.StaffFactory(store=store, username=f"extra{n}")
        day = dt.date(2026, 10, 1 + n % 31)
        c = Customer.objects.create(
            store=store, name=f"x{n}", phone=f"1370000{n:04d}", created=day, consultant=staff
        )
        order(c, str(day), staff, delivery_date=str(day), channel=Channel.SHOWROOM)
        LossReport.objects.create(
            store=store, customer=c, consultant=staff, date=day, kind=LossKind.LOST,
            reason=LossReason.PRICE, status=LossStatus.CONFIRMED,
        )  # fmt: skip
        f.WalkInFactory(store=store, consultant=staff, date=day, phone=c.phone, test_drive=True)
        f.CallFactory(store=store, consultant=staff, date=day)
        Lead.objects.create(
            store=store, channel=f.source("internet"), phone=c.phone, assigned_to=staff,
            created_at=dt.datetime(2026, 10, 1 + n % 31, 3, tzinfo=dt.UTC),
            first_contact_at=dt.datetime(2026, 10, 1 + n % 31, 4, tzinfo=dt.UTC),
        )  # fmt: skip
    with django_assert_max_num_queries(TABLES):
        result = compute_kpis(stores=[store], start=OCT[0], end=OCT[1], by="consultant")
    assert len(result) == 2 + 40 + 1  # zhang, li, the 40, and Q4's "(none)" (an owner)
    extra = next(v for k, v in result.items() if k not in ("张伟", "李娜", "(none)"))
    # Each: one card (new), its order delivered the same day, a confirmed loss, a lead
    # answered after an hour.
    assert (extra["orders"], extra["deliveries"], extra["lost_rate"]) == (1, 1, 1.0)
    assert (extra["leads"], extra["lead_response_minutes"]) == (1, 60.0)


@pytest.mark.parametrize(
    ("codes", "queries"),
    [
        (["orders"], 1),
        (["source_mix", "deliveries"], 1),
        (["lost_rate"], 2),  # loss records ÷ cards
        (["order_rate"], 2),  # orders ÷ cards
        (["close_rate"], 2),  # orders ÷ walk-ins
        (["test_drive_close_rate", "unique_close_rate"], 1),  # walk-ins (orders inside)
        (["owners", "prospects_H", "new_prospects"], 2),  # owner spans, cards
        (["owners", "owner_churn_rate"], 1),  # owner spans alone
        (["prospects_H", "new_prospects"], 1),
        (["leads", "show_rate", "lead_response_minutes"], 1),
    ],
)
def test_only_the_tables_needed_are_read(month, store, codes, queries, django_assert_num_queries):
    with django_assert_num_queries(queries):
        compute_kpis(stores=[store], start=OCT[0], end=OCT[1], codes=codes)


def test_no_stores_no_queries(django_assert_num_queries, db):
    with django_assert_num_queries(0):  # an empty IN () is known to match nothing
        result = compute_kpis(stores=[], start=OCT[0], end=OCT[1])
    assert list(result) == implemented_codes()
    assert result["orders"] == 0 and result["source_mix"] == {} and result["close_rate"] is None


def test_a_month_without_deliveries_has_an_empty_source_mix(month, store):
    nov = (d("11-01"), d("11-30"))
    result = compute_kpis(stores=[store], start=nov[0], end=nov[1], codes=["source_mix"])
    assert result == {"source_mix": {"friend": 1.0}}  # P18, delivered 11-02
    dec = (d("12-01"), d("12-31"))
    assert compute_kpis(stores=[store], start=dec[0], end=dec[1], codes=["source_mix"]) == {
        "source_mix": {}
    }
