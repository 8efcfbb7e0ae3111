"""The stores side by side (the group page): by store and the stores' total from one
computation by store, equal to compute_kpis by store and for the stores together, for every
KPI; the running month reused for a minute, and saying as of when."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection, transaction

from showroom.demo.generator import generate
from showroom.kpi.registry import REGISTRY
from showroom.kpi.selectors import compute_kpis, month_range, stores_side_by_side
from showroom.organization.models import Store
from tests import factories as f

pytestmark = pytest.mark.django_db

MONTHS = ["2026-04", "2026-05"]
CODES = [code for code, kpi in REGISTRY.items() if kpi.implemented]


@pytest.fixture(scope="module")
def stores(django_db_setup, django_db_blocker) -> Iterator[list[Store]]:  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        with transaction.atomic():
            first = month_range(MONTHS[0])[0]
            result = generate(stores=3, months=len(MONTHS), seed=5, start=first, consultants=4)
            yield [s.store for s in result.stores]
            transaction.set_rollback(True)
        connection.close()


@pytest.mark.parametrize("month", MONTHS)
def test_by_store_and_total_equal_compute_kpis_for_every_kpi(stores, month) -> None:
    cache.clear()
    start, end = month_range(month)
    found = stores_side_by_side(
        stores=stores, start=start, end=end, codes=CODES, today=dt.date(2026, 7, 1)
    )
    assert found.by_store == compute_kpis(stores=stores, start=start, end=end, by="store")
    total = compute_kpis(stores=stores, start=start, end=end)
    assert found.total == total
    assert list(found.total) == list(total)  # registry order
    # Not trivially equal: every store counted, and the rates are the pooled ones.
    assert found.total["walkin_batches"] == sum(
        v["walkin_batches"] for v in found.by_store.values()
    )
    assert found.total["walkin_batches"] > 0 and len(found.by_store) == 3


def test_the_running_month_is_reused_for_a_minute_and_says_as_of_when(stores) -> None:
    cache.clear()
    store = stores[0]
    consultant = store.staff.filter(roles__contains="consultant").first()
    start, end = month_range(MONTHS[-1])
    today = dt.date(2026, 5, 20)
    args = {"stores": stores, "start": start, "end": end, "codes": ["walkin_batches"]}
    noon = dt.datetime(2026, 5, 20, 4, 0, tzinfo=dt.UTC)
    with time_machine.travel(noon, tick=False):
        first = stores_side_by_side(**args, today=today)
        f.WalkInFactory(
            store=store,
            consultant=consultant,
            date=today,
            arrived_at=dt.time(11),
            visit_type="first",
        )
        again = stores_side_by_side(**args, today=today)
    assert again == first and again.computed_at == noon
    later = noon + dt.timedelta(seconds=61)
    with time_machine.travel(later, tick=False):
        fresh = stores_side_by_side(**args, today=today)
    assert fresh.total["walkin_batches"] == first.total["walkin_batches"] + 1
    assert fresh.by_store[store.code]["walkin_batches"] == (
        first.by_store[store.code]["walkin_batches"] + 1
    )
    assert fresh.computed_at == later
    # Someone who has written since counts again at once; the others keep the minute's.
    from showroom.core.writes import note_write

    with time_machine.travel(later + dt.timedelta(seconds=5), tick=False):
        f.WalkInFactory(
            store=store,
            consultant=consultant,
            date=today,
            arrived_at=dt.time(11, 30),
            visit_type="first",
        )
        note_write(consultant.pk)
        others = stores_side_by_side(**args, today=today, user_id=None)
        theirs = stores_side_by_side(**args, today=today, user_id=consultant.pk)
    assert others == fresh
    assert theirs.total["walkin_batches"] == fresh.total["walkin_batches"] + 1
