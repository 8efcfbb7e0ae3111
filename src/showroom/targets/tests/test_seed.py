"""seed_targets: plausible targets for generated data, idempotent, a fixed number of queries."""

from datetime import date

import pytest

from showroom.targets.models import ConsultantTarget, StoreTarget, WeeklyTarget
from showroom.targets.services import seed_targets
from showroom.targets.tests.builders import delivery, target

pytestmark = pytest.mark.django_db


@pytest.fixture
def summer(store, consultant, consultant2):  # type: ignore[no-untyped-def]
    # July–September: 张伟 2 a month, 李娜 1 a month.
    for month in (7, 8, 9):
        delivery(store, consultant, f"2026-{month:02d}-05")
        delivery(store, consultant, f"2026-{month:02d}-20")
        delivery(store, consultant2, f"2026-{month:02d}-12")


def _split(month: date) -> dict[str, tuple[int, list[int]]]:
    return {
        line.consultant.username: (
            line.deliveries,
            list(line.weeks.order_by("week_start").values_list("deliveries", flat=True)),
        )
        for line in ConsultantTarget.objects.filter(target__month=month)
    }


def test_seed_targets(summer, store, other_store, django_assert_num_queries):
    months = [date(2026, 10, 1), date(2026, 11, 1), date(2026, 1, 1)]
    with django_assert_num_queries(6):  # targets, deliveries, consultants; three inserts
        created = seed_targets(stores=[store, other_store], months=months)
    # October: 9 deliveries in 3 months = 3 a month × 1.05 × 1.1 (stretch) = 3.47 → 3;
    # November: 6 in August and September (October has none) = 3 a month → 3. January has
    # no history and no deliveries; SH01 has nothing: no targets.
    assert created == 2
    assert list(StoreTarget.objects.values_list("store__code", "month", "deliveries")) == [
        ("BJ01", date(2026, 10, 1), 3),
        ("BJ01", date(2026, 11, 1), 3),
    ]
    october = StoreTarget.objects.get(month=date(2026, 10, 1))
    assert (str(october.season_index), october.history_basis) == ("1.05", 3)
    # Split 3:6 (李娜 first in the rotation), weeks by their days (4, 7, 7, 7, 6).
    assert _split(date(2026, 10, 1)) == {"li": (1, [0, 1, 0, 0, 0]), "zhang": (2, [0, 1, 1, 0, 0])}
    # November (Sunday start, six weeks of 1, 7, 7, 7, 7 and 1 days): 3 split 2:4.
    assert _split(date(2026, 11, 1)) == {
        "li": (1, [0, 1, 0, 0, 0, 0]),
        "zhang": (2, [0, 1, 1, 0, 0, 0]),
    }


def test_seed_targets_is_idempotent_and_keeps_set_targets(summer, store, consultant):
    target(store, "2026-11-01", 9, {consultant: (9, [0, 2, 2, 2, 2, 1])})
    assert seed_targets(stores=[store], months=[date(2026, 10, 1), date(2026, 11, 1)]) == 1
    counts = (
        StoreTarget.objects.count(),
        ConsultantTarget.objects.count(),
        WeeklyTarget.objects.count(),
    )
    assert counts == (2, 3, 5 + 5 + 6)
    assert seed_targets(stores=[store], months=[date(2026, 10, 15), date(2026, 11, 1)]) == 0
    assert (StoreTarget.objects.count(), ConsultantTarget.objects.count()) == (2, 3)
    assert StoreTarget.objects.get(month=date(2026, 11, 1)).deliveries == 9


def test_seed_nothing(db):
    assert seed_targets(stores=[], months=[date(2026, 10, 1)]) == 0


def test_seed_from_the_months_that_have_data(store, consultant, consultant2):
    # Generated data starting in September: 张伟 3, 李娜 1.
    for day in ("02", "09", "16"):
        delivery(store, consultant, f"2026-09-{day}")
    delivery(store, consultant2, "2026-09-23")
    assert seed_targets(stores=[store], months=[date(2026, 9, 1), date(2026, 10, 1)]) == 2
    # September has no history: its own 4 × 1.05 × 1.1 (stretch) = 4.62 → 5, split equally
    # (the odd one to 李娜, first in the rotation). October: September's 4 (the only month of
    # the three with data) × 1.05 × 1.1 → 5, split 1:3 (1.25 : 3.75 → 1 : 4).
    assert dict(StoreTarget.objects.values_list("month", "deliveries")) == {
        date(2026, 9, 1): 5,
        date(2026, 10, 1): 5,
    }
    assert {k: v[0] for k, v in _split(date(2026, 9, 1)).items()} == {"li": 3, "zhang": 2}
    assert {k: v[0] for k, v in _split(date(2026, 10, 1)).items()} == {"li": 1, "zhang": 4}
