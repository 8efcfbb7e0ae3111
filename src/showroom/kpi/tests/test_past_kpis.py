"""past_kpis: the figures of a period already over are computed once and kept a while."""

from datetime import date, time

import pytest

from showroom.kpi.selectors import compute_kpis, past_kpis
from tests import factories as f

pytestmark = pytest.mark.django_db

SEPT = (date(2026, 9, 1), date(2026, 9, 30))


def _walk_in(store, consultant, day: date) -> None:  # type: ignore[no-untyped-def]
    f.WalkInFactory(
        store=store, consultant=consultant, date=day, arrived_at=time(10), visit_type="first"
    )


def test_a_past_period_is_computed_once(store, consultant, django_assert_num_queries):
    _walk_in(store, consultant, date(2026, 9, 3))
    args = {"stores": [store], "start": SEPT[0], "end": SEPT[1], "codes": ["walkin_batches"]}
    first = past_kpis(**args, today=date(2026, 10, 2))
    assert first == compute_kpis(**args) == {"walkin_batches": 1}
    _walk_in(store, consultant, date(2026, 9, 4))  # a late entry shows after the cache expires
    with django_assert_num_queries(0):
        assert past_kpis(**args, today=date(2026, 10, 2)) == {"walkin_batches": 1}
    # Another grouping or set of codes is another entry.
    assert past_kpis(**args, today=date(2026, 10, 2), by="consultant") == {
        "张伟": {"walkin_batches": 2}
    }


def test_the_running_period_is_always_computed(store, consultant):
    _walk_in(store, consultant, date(2026, 9, 3))
    args = {"stores": [store], "start": SEPT[0], "end": SEPT[1], "codes": ["walkin_batches"]}
    assert past_kpis(**args, today=date(2026, 9, 30)) == {"walkin_batches": 1}
    _walk_in(store, consultant, date(2026, 9, 30))
    assert past_kpis(**args, today=date(2026, 9, 30)) == {"walkin_batches": 2}
