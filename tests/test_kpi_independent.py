"""Every KPI that the CSV export carries equals an independent computation: three generated
stores × four months, exported with `showroom export`,
computed again by DuckDB SQL over the CSVs (bench/duckdb_kpis.py, written from the formulas,
importing nothing of ours) and compared with `compute_kpis` — per store and month, for the
stores together, and grouped by store, consultant, source and model.

Every KPI of the registry is compared, the owner KPIs (service visits, owner-care contacts)
and target_attainment (targets) too, over data with dated cancellations, loss requests the
manager sent back and re-activations (the generator makes all three).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection, transaction

from showroom.core.months import month_range
from showroom.customers.models import Customer
from showroom.demo.generator import generate
from showroom.exchange.exports import export
from showroom.kpi.registry import REGISTRY
from showroom.kpi.selectors import compute_kpis
from showroom.organization.models import Store
from showroom.sales.choices import LossStatus
from showroom.sales.funnel import open_on
from showroom.sales.models import LossReport, Order, Reactivation

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
duckdb_kpis = pytest.importorskip("duckdb_kpis", reason="needs duckdb (the test extra)")

# Also tells pytest-django that this module needs the test database (the module's fixture
# alone would not have it created).
pytestmark = pytest.mark.django_db

MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04"]
FIRST, LAST = month_range(MONTHS[0])[0], month_range(MONTHS[-1])[1]


@dataclass
class Data:
    stores: list[Store]
    each: dict[str, object]  # store code -> DuckKPIs over that store's own export
    together: object  # DuckKPIs over one export of the three stores


@pytest.fixture(scope="module")
def data(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Data]:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("independent")
    with django_db_blocker.unblock():
        with transaction.atomic():
            result = generate(stores=3, months=len(MONTHS), seed=11, start=FIRST, consultants=6)
            stores = [s.store for s in result.stores]
            each = {}
            for store in stores:
                export(folder / store.code, stores=[store], start=FIRST, end=LAST)
                each[store.code] = duckdb_kpis.DuckKPIs(folder / store.code, threads=1)
            export(folder / "all", stores=stores, start=FIRST, end=LAST)
            together = duckdb_kpis.DuckKPIs(folder / "all", threads=1)
            yield Data(stores, each, together)
            transaction.set_rollback(True)
        connection.close()


def ours(stores: list[Store], month: str, by: str | None = None) -> dict:
    start, end = month_range(month)
    return compute_kpis(stores=stores, start=start, end=end, by=by, codes=duckdb_kpis.COVERED)


def theirs(
    kpis: object, month: str, by: str | None = None, stores: list[str] | None = None
) -> dict:
    start, end = month_range(month)
    return kpis.compute(start=start, end=end, by=by, stores=stores)  # type: ignore[attr-defined]


def test_the_data_exercise_every_kpi(data: Data) -> None:
    """A comparison of zeros and nulls would prove nothing: the months have every kind of row."""
    assert set(duckdb_kpis.COVERED) == set(REGISTRY)
    assert duckdb_kpis.NOT_COVERED == {}
    pooled = ours(data.stores, MONTHS[-1])
    # Four months of data: no owner of a car sold here can have stayed away for a year yet.
    young = {"owner_churn_rate": 0.0}
    for code in duckdb_kpis.COVERED:
        assert pooled[code] not in (None, 0, {}) or pooled[code] == young.get(code), code
    assert len(pooled["source_mix"]) >= 4
    assert Reactivation.objects.filter(store__in=data.stores).count() >= 3
    assert LossReport.objects.filter(store__in=data.stores, status=LossStatus.RETURNED).exists()


@pytest.mark.parametrize("month", MONTHS)
def test_each_store_each_month(data: Data, month: str) -> None:
    found = []
    for store in data.stores:
        found += duckdb_kpis.differences(
            ours([store], month), theirs(data.each[store.code], month), label=f"{store.code} "
        )
    assert found == []


@pytest.mark.parametrize("by", ["consultant", "source", "model"])
@pytest.mark.parametrize("month", MONTHS[1:])
def test_each_store_grouped(data: Data, month: str, by: str) -> None:
    found = []
    for store in data.stores:
        mine = ours([store], month, by)
        assert len(mine) >= 3
        found += duckdb_kpis.grouped_differences(
            mine, theirs(data.each[store.code], month, by), label=f"{store.code} "
        )
    assert found == []


@pytest.mark.parametrize("by", [None, "store", "source", "model"])
@pytest.mark.parametrize("month", MONTHS[1:])
def test_stores_together(data: Data, month: str, by: str | None) -> None:
    """Pooled (people matched within a store) and the group roll-ups, from one export."""
    mine = ours(data.stores, month, by)
    other = theirs(data.together, month, by)
    if by is None:
        assert duckdb_kpis.differences(mine, other) == []
    else:
        assert duckdb_kpis.grouped_differences(mine, other) == []
    if by == "store":
        assert sorted(mine) == sorted(s.code for s in data.stores)


def test_a_subset_of_the_stores(data: Data) -> None:
    two = data.stores[:2]
    mine = ours(two, MONTHS[-1])
    assert (
        duckdb_kpis.differences(
            mine, theirs(data.together, MONTHS[-1], None, [s.code for s in two])
        )
        == []
    )
    assert mine != ours(data.stores, MONTHS[-1])


def test_the_comparison_sees_a_difference(data: Data) -> None:
    store = data.stores[0]
    other = theirs(data.each[store.code], MONTHS[-1])
    other["walkin_batches"] += 1
    other["source_mix"] = {**other["source_mix"], "other": 0.5}
    found = duckdb_kpis.differences(ours([store], MONTHS[-1]), other)
    assert [f.split(":")[0] for f in found] == ["walkin_batches", "source_mix"]


def test_the_data_hold_cancellations_across_a_month_end(data: Data) -> None:
    """Orders cancelled (退订) in a later month than their order: the months before keep the
    order, and the card is open again at a month end before its loss is confirmed."""
    cancelled = Order.objects.filter(store__in=data.stores, cancelled_on__isnull=False)
    assert all(o.order_date < o.cancelled_on <= LAST for o in cancelled)
    later = [o for o in cancelled if o.cancelled_on.month != o.order_date.month]
    assert later
    reopened = [
        o
        for o in cancelled
        if any(
            o.cancelled_on <= month_range(m)[1]
            and o.customer in Customer.objects.filter(open_on(month_range(m)[1]))
            for m in MONTHS
        )
    ]
    assert reopened
