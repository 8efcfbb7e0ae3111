"""compute_kpis by month and by day equals compute_kpis of each month and day on its own, on
generated data, in a fixed number of queries; and a consultant's rows equal the consultant's
group."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from showroom.demo.generator import generate
from showroom.kpi.selectors import TIME_CODES, compute_kpis, kpis_by_id, month_range
from showroom.organization.models import Store

pytestmark = pytest.mark.django_db

MONTHS = ["2026-01", "2026-02", "2026-03"]
FIRST, LAST = month_range(MONTHS[0])[0], month_range(MONTHS[-1])[1]


@pytest.fixture(scope="module")
def stores(django_db_setup, django_db_blocker) -> Iterator[list[Store]]:  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        with transaction.atomic():
            result = generate(stores=2, months=len(MONTHS), seed=5, start=FIRST, consultants=4)
            yield [s.store for s in result.stores]
            transaction.set_rollback(True)


def test_by_month_equals_each_month(stores):  # type: ignore[no-untyped-def]
    by_month = compute_kpis(stores=stores, start=FIRST, end=LAST, by="month")
    assert list(by_month) == MONTHS
    for month in MONTHS:
        start, end = month_range(month)
        alone = compute_kpis(stores=stores, start=start, end=end, codes=TIME_CODES)
        assert by_month[month] == alone
    assert sum(v["walkin_batches"] for v in by_month.values()) > 100


def test_by_day_equals_each_day(stores):  # type: ignore[no-untyped-def]
    start, end = month_range(MONTHS[1])
    by_day = compute_kpis(stores=stores[:1], start=start, end=end, by="day")
    assert len(by_day) == 28
    day = start
    while day <= end:
        alone = compute_kpis(stores=stores[:1], start=day, end=day, codes=TIME_CODES)
        assert by_day[day.isoformat()] == alone, day
        day += timedelta(days=1)


def test_query_count_does_not_grow_with_months(stores):  # type: ignore[no-untyped-def]
    def queries(end) -> int:  # type: ignore[no-untyped-def]
        with CaptureQueriesContext(connection) as ctx:
            compute_kpis(stores=stores, start=FIRST, end=end, by="month")
            compute_kpis(stores=stores, start=FIRST, end=end, by="day")
        return len(ctx.captured_queries)

    assert queries(month_range(MONTHS[0])[1]) == queries(LAST)


def test_codes_outside_time_codes_are_refused(stores):  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="carried_over_prospects"):
        compute_kpis(
            stores=stores, start=FIRST, end=LAST, by="month", codes=["carried_over_prospects"]
        )


def test_one_consultants_rows_equal_the_consultants_group(stores):  # type: ignore[no-untyped-def]
    start, end = month_range(MONTHS[2])
    codes = sorted(TIME_CODES | {"new_prospects", "lost_rate", "order_rate"})
    groups = kpis_by_id(stores=stores[:1], start=start, end=end, by="consultant", codes=codes)
    staff_ids = [pk for pk in groups if pk is not None]
    assert len(staff_ids) >= 3
    for pk in staff_ids:
        alone = compute_kpis(stores=stores[:1], start=start, end=end, codes=codes, consultant=pk)
        assert alone == groups[pk]
