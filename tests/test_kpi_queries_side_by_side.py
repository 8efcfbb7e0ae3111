"""The KPIs of many stores on PostgreSQL run their table families' queries in threads, each
on a connection of its own: the same numbers as one query after the other, for every KPI and
grouping; inside a transaction (whose writes other connections cannot see) they do not."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

import pytest
from django.db import connection, transaction

from showroom.demo.generator import generate
from showroom.kpi import selectors
from showroom.kpi.selectors import compute_kpis
from showroom.organization.models import Store

pytestmark = pytest.mark.django_db(transaction=True)


class CountingPool(ThreadPoolExecutor):
    submitted = 0

    def submit(self, *args: Any, **kwargs: Any) -> Any:
        CountingPool.submitted += 1
        return super().submit(*args, **kwargs)


def test_many_stores_side_by_side_give_the_numbers_of_one_after_the_other(
    settings, monkeypatch
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("side by side on PostgreSQL only; SQLite runs one query after the other")
    generate(stores=3, months=2, seed=3, start=date(2026, 4, 1), consultants=3)
    monkeypatch.setattr(selectors, "SIDE_BY_SIDE_STORES", 2)
    monkeypatch.setattr(selectors, "ThreadPoolExecutor", CountingPool)
    start, end = date(2026, 5, 1), date(2026, 5, 31)
    found = {}
    for threads in (1, 2):
        settings.SHOWROOM_KPI_THREADS = threads
        CountingPool.submitted = 0
        found[threads] = [
            compute_kpis(stores=Store.objects.all(), start=start, end=end, by=by)
            for by in (None, "store", "consultant", "source", "model")
        ]
        # Seven table families each time: walk-ins, calls, cards (with the owners' spans),
        # orders, losses, leads, targets.
        assert CountingPool.submitted == (0 if threads == 1 else 5 * 7)
    assert json.dumps(found[2], sort_keys=True, default=str) == json.dumps(
        found[1], sort_keys=True, default=str
    )
    assert found[2][0]["walkin_batches"] > 0 and found[2][0]["owners"] > 0

    # Inside a transaction another connection would not see its writes: one after the other.
    CountingPool.submitted = 0
    with transaction.atomic():
        assert compute_kpis(stores=Store.objects.all(), start=start, end=end) == found[1][0]
    assert CountingPool.submitted == 0
