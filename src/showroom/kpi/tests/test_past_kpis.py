"""past_kpis: the figures of a period already over are computed once and kept a while."""

from datetime import date, time

import pytest
from django.utils import timezone

from showroom.kpi.selectors import compute_kpis, past_kpis
from showroom.traffic.models import WalkIn
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
    with django_assert_num_queries(0):
        assert past_kpis(**args, today=date(2026, 10, 2)) == {"walkin_batches": 1}
    # Another grouping or set of codes is another entry.
    assert past_kpis(**args, today=date(2026, 10, 2), by="consultant") == {
        "张伟": {"walkin_batches": 1}
    }


def test_a_back_dated_write_invalidates_the_past(store, consultant, django_assert_num_queries):
    _walk_in(store, consultant, date(2026, 9, 3))
    args = {"stores": [store], "start": SEPT[0], "end": SEPT[1], "codes": ["walkin_batches"]}
    assert past_kpis(**args, today=date(2026, 10, 2)) == {"walkin_batches": 1}
    # Today's rows cannot change a period already over: the figures stay cached.
    _walk_in(store, consultant, timezone.localdate())
    with django_assert_num_queries(0):
        assert past_kpis(**args, today=date(2026, 10, 2)) == {"walkin_batches": 1}
    # A late entry for September moves the store's data version: computed again at once.
    _walk_in(store, consultant, date(2026, 9, 4))
    assert past_kpis(**args, today=date(2026, 10, 2)) == {"walkin_batches": 2}
    # So does an edit that moves a row out of the period (its old date was in the past).
    row = WalkIn.objects.get(date=date(2026, 9, 4))
    row.date = timezone.localdate()
    row.save()
    assert past_kpis(**args, today=date(2026, 10, 2)) == {"walkin_batches": 1}
    # Another store's write leaves this store's figures cached.
    other = f.StoreFactory(code="SH01", name="上海一店")
    f.WalkInFactory(store=other, date=date(2026, 9, 5), arrived_at=time(10), visit_type="first")
    with django_assert_num_queries(0):
        assert past_kpis(**args, today=date(2026, 10, 2)) == {"walkin_batches": 1}


def test_the_running_period_is_always_computed(store, consultant):
    _walk_in(store, consultant, date(2026, 9, 3))
    args = {"stores": [store], "start": SEPT[0], "end": SEPT[1], "codes": ["walkin_batches"]}
    assert past_kpis(**args, today=date(2026, 9, 30)) == {"walkin_batches": 1}
    _walk_in(store, consultant, date(2026, 9, 30))
    assert past_kpis(**args, today=date(2026, 9, 30)) == {"walkin_batches": 2}
