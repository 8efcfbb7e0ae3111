"""Value and lifetime on a small hand-built October 2026 at BJ01.

Deliveries of October (not cancelled):
  c1 10-05  insurance, finance, accessories 3000, extended warranty
  c2 10-10  insurance, accessories 1000
  c3 10-20  trade-in
  c4 10-25  nothing
Not counted in October: c5 (delivered 10-28 with insurance, cancelled), c6 (ordered 10-29, not
delivered), c7 (delivered 09-30 with insurance), c8 (delivered 2025-10-31 with finance).
The 12 months 2025-11-01..2026-10-31 add c7: 5 deliveries, 3 insured, the same others.

Owners at 10-31: c1 c2 c3 c4 c7 c8 = 6. Service visits 2025-11-01..2026-10-31 of owners:
c1 10-15 2000, c7 03-01 1000 and 06-01 3000, c8 01-10 1000 = 7000 (3 owners came back).
Not: c8's 2025-10-15 5000 (before the window), c2's 11-02 4000 (after it), c9's 05-01 8000
(c9 bought elsewhere: no order here).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from showroom.kpi.models import StoreMargins
from showroom.kpi.selectors import compute_kpis
from showroom.kpi.tests.test_funnel_kpis import card, d, order
from showroom.kpi.value.selectors import group_value, margins_for, store_values, trailing_year
from showroom.organization.models import Store
from showroom.owners.choices import ServiceKind
from showroom.owners.models import ServiceVisit

pytestmark = pytest.mark.django_db

OCT = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))


@pytest.fixture(autouse=True)
def _frozen(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(dt.datetime(2026, 11, 15, 9, 0, tzinfo=dt.UTC), tick=False)


def visit(customer, day: str, amount: int) -> None:  # type: ignore[no-untyped-def]
    ServiceVisit.objects.create(
        store=customer.store,
        customer=customer,
        date=d(day),
        kind=ServiceKind.choices[0][0],
        amount=Decimal(amount),
    )


def build_value_month(store: Store, zhang) -> dict[str, object]:  # type: ignore[no-untyped-def]
    c = {n: card(store, n, "2026-08-01", zhang, grade="O") for n in range(1, 10)}
    order(c[1], "10-01", zhang, delivery_date="10-05", insurance=True, finance=True,
          accessories=Decimal("3000"), extended_warranty=True)  # fmt: skip
    order(c[2], "10-02", zhang, delivery_date="10-10", insurance=True, accessories=Decimal("1000"))
    order(c[3], "10-03", zhang, delivery_date="10-20", trade_in=True)
    order(c[4], "10-04", zhang, delivery_date="10-25")
    order(c[5], "10-05", zhang, delivery_date="10-28", insurance=True, cancelled=True)
    order(c[6], "10-29", zhang)
    order(c[7], "09-01", zhang, delivery_date="09-30", insurance=True)
    order(c[8], "2025-10-01", zhang, delivery_date="2025-10-31", finance=True)
    visit(c[1], "10-15", 2000)
    visit(c[7], "03-01", 1000)
    visit(c[7], "06-01", 3000)
    visit(c[8], "01-10", 1000)
    visit(c[8], "2025-10-15", 5000)
    visit(c[2], "11-02", 4000)
    visit(c[9], "05-01", 8000)
    return c


@pytest.fixture
def value_month(store, consultant):  # type: ignore[no-untyped-def]
    return build_value_month(store, consultant)


def test_margins_default_without_a_row(store):
    m = margins_for(stores=[store])[store.pk]
    assert m.pk is None
    assert (m.vehicle, m.insurance, m.finance, m.extended_warranty, m.trade_in) == (
        Decimal("3000"),
        Decimal("1000"),
        Decimal("2000"),
        Decimal("1600"),
        Decimal("2000"),
    )
    assert (m.accessories_share, m.aftersales_share, m.horizon_years) == (
        Decimal("0.40"),
        Decimal("0.50"),
        5,
    )


def test_profit_per_delivery_breakdown(value_month, store):
    v = store_values(stores=[store], start=OCT[0], end=OCT[1])[0]
    month = v.month
    assert month.deliveries == 4
    rows = {
        i.code: (i.penetration, i.units, i.unit_margin, i.per_delivery, i.margin, i.point_worth)
        for i in month.items
    }
    D = Decimal
    assert rows == {
        "vehicle": (1.0, 4, D("3000.00"), D("3000.00"), D("12000.00"), None),
        # 2 of 4 insured × 1000; one more point = 1% × 4 deliveries × 1000 = 40.
        "insurance": (0.5, 2, D("1000.00"), D("500.00"), D("2000.00"), D("40.00")),
        "finance": (0.25, 1, D("2000.00"), D("500.00"), D("2000.00"), D("80.00")),
        # (3000 + 1000) × 40% = 1600 over 2 buyers: 800 each.
        "accessories": (0.5, 2, D("800.00"), D("400.00"), D("1600.00"), D("32.00")),
        "extended_warranty": (0.25, 1, D("1600.00"), D("400.00"), D("1600.00"), D("64.00")),
        "trade_in": (0.25, 1, D("2000.00"), D("500.00"), D("2000.00"), D("80.00")),
    }
    assert month.margin == D("21200.00")
    assert month.per_delivery == D("5300.00")


def test_penetrations_are_the_kpis(value_month, store):
    v = store_values(stores=[store], start=OCT[0], end=OCT[1])[0]
    kpis = compute_kpis(stores=[store], start=OCT[0], end=OCT[1])
    by_code = {i.code: i.penetration for i in v.month.items}
    assert by_code["insurance"] == kpis["insurance_penetration"]
    assert by_code["finance"] == kpis["finance_penetration"]
    assert by_code["accessories"] == kpis["accessory_penetration"]
    assert by_code["trade_in"] == kpis["tradein_penetration"]
    assert v.aftersales.owners == kpis["owners"]
    assert v.aftersales.owner_retention_rate == kpis["owner_retention_rate"]


def test_aftersales_and_lifetime(value_month, store):
    v = store_values(stores=[store], start=OCT[0], end=OCT[1])[0]
    a = v.aftersales
    assert (a.start, a.end) == (dt.date(2025, 11, 1), dt.date(2026, 10, 31))
    assert a.owners == 6
    assert a.service_amount == Decimal("7000.00")
    assert a.margin == Decimal("3500.00")  # × 50%
    assert a.per_owner == Decimal("583.33")  # 3500 ÷ 6
    assert a.returning_owners == 3  # c1 c7 c8
    assert a.per_returning_owner == Decimal("1166.67")  # 3500 ÷ 3
    # The 12 months: 5 deliveries; 15000 + 3 × 1000 + 2000 + 1600 + 1600 + 2000 = 25200.
    assert v.year.deliveries == 5
    assert v.year.per_delivery == Decimal("5040.00")
    life = v.lifetime
    assert life.horizon_years == 5
    assert life.aftersales == Decimal("5833.35")  # 1166.67 × 5
    assert life.purchase == Decimal("5040.00")
    assert life.value == Decimal("10873.35")


def test_store_override(value_month, store):
    StoreMargins.objects.create(
        store=store,
        vehicle=Decimal("5000"),
        insurance=Decimal("800"),
        finance=Decimal("1000"),
        accessories_share=Decimal("0.25"),
        extended_warranty=Decimal("0"),
        trade_in=Decimal("-400"),
        aftersales_share=Decimal("0.40"),
        horizon_years=3,
    )
    v = store_values(stores=[store], start=OCT[0], end=OCT[1])[0]
    # 4 × 5000 + 2 × 800 + 1 × 1000 + 4000 × 25% + 0 + 1 × (−400) = 23200 → 5800 each.
    assert v.month.margin == Decimal("23200.00")
    assert v.month.per_delivery == Decimal("5800.00")
    # 7000 × 40% = 2800: 466.67 per owner, 933.33 per returning owner, × 3 years = 2799.99.
    assert v.aftersales.per_owner == Decimal("466.67")
    assert v.lifetime.aftersales == Decimal("2799.99")
    # The year: 5 × 5000 + 3 × 800 + 1000 + 1000 − 400 = 29000 → 5800.
    assert v.lifetime.value == Decimal("2799.99") + Decimal("5800.00")


def test_a_store_without_deliveries(store):
    v = store_values(stores=[store], start=OCT[0], end=OCT[1])[0]
    assert v.month.deliveries == 0
    assert v.month.per_delivery is None
    assert all(i.penetration is None and i.margin == 0 for i in v.month.items)
    assert v.aftersales.per_owner is None
    assert v.lifetime.value is None


def test_stores_side_by_side_and_together(value_month, store, other_store, make_staff):
    wang = make_staff("wang", "consultant", store=other_store)
    c = card(other_store, 50, "2026-08-01", wang, grade="O")
    order(c, "10-01", wang, delivery_date="10-02", insurance=True)
    StoreMargins.objects.create(store=other_store, vehicle=Decimal("1000"))
    values = store_values(stores=[store, other_store], start=OCT[0], end=OCT[1])
    assert [v.store for v in values] == [store, other_store]
    assert values[1].month.deliveries == 1
    assert values[1].month.per_delivery == Decimal("2000.00")  # 1000 + 1000 insurance
    total = group_value(values)
    assert total is not None and total.store is None
    assert total.month.deliveries == 5
    assert total.month.margin == Decimal("23200.00")  # 21200 + 2000
    assert total.month.per_delivery == Decimal("4640.00")
    insurance = next(i for i in total.month.items if i.code == "insurance")
    assert (insurance.units, insurance.penetration) == (3, 3 / 5)


def test_constant_number_of_queries(value_month, store, other_store):
    def count(stores: list[Store]) -> int:
        with CaptureQueriesContext(connection) as queries:
            store_values(stores=stores, start=OCT[0], end=OCT[1])
        return len(queries)

    assert count([store]) == count([store, other_store]) == 7


def test_trailing_year():
    assert trailing_year(dt.date(2026, 10, 31)) == (dt.date(2025, 11, 1), dt.date(2026, 10, 31))
    assert trailing_year(dt.date(2026, 1, 31)) == (dt.date(2025, 2, 1), dt.date(2026, 1, 31))
