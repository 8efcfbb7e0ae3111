"""Month progress, the wall board's consultant rows and a prior-only forecast, October 2026."""

from datetime import date

import pytest
from django.core.cache import cache

from showroom.organization.choices import Role
from showroom.targets.selectors import consultant_board, month_progress
from showroom.targets.tests.builders import card, delivery, order, target
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = date(2026, 10, 14)  # a Wednesday, in the week 10-12 – 10-18


@pytest.fixture
def wang(make_staff, store):  # type: ignore[no-untyped-def]
    return make_staff("wang", Role.CONSULTANT, store=store, full_name="王强", staff_code="C003")


@pytest.fixture
def october(store, other_store, consultant, consultant2, wang):  # type: ignore[no-untyped-def]
    zhang, li = consultant, consultant2
    target(store, "2026-10-01", 20, {zhang: (12, [1, 3, 3, 3, 2]), li: (8, [1, 2, 2, 2, 1])})
    for day in ("2026-10-02", "2026-10-06", "2026-10-12", "2026-10-14"):
        delivery(store, zhang, day)
    delivery(store, zhang, "2026-10-13", cancelled=True)  # cancelled: never counts
    late = card(store, zhang, "2026-10-03", grade="H")
    order(late, "2026-10-10", "2026-10-15")  # delivered after today: grade O today
    old = card(store, zhang, "2026-09-01")
    order(old, "2026-09-20", "2026-09-30")  # September's
    for day in ("2026-10-08", "2026-10-13"):
        delivery(store, li, day)
    delivery(store, wang, "2026-10-10")  # wang has no split line
    other = f.StaffFactory(store=other_store, username="sh-c", roles=Role.CONSULTANT)
    delivery(other_store, other, "2026-10-05")


def test_month_progress(october, store, consultant, consultant2, wang):
    p = month_progress(store=store, month=date(2026, 10, 1), today=TODAY)
    assert (p.target_deliveries, p.achieved, p.remaining) == (20, 7, 13)
    assert p.attainment == 7 / 20
    assert (p.days_in_month, p.days_elapsed, p.days_left) == (31, 13, 18)
    assert p.daily_pace == 13 / 18
    assert p.week == (date(2026, 10, 12), date(2026, 10, 18))
    assert p.split_total == 20
    rows = {
        r.name: (r.target, r.achieved, r.remaining, r.attainment, r.week_target, r.week_achieved)
        for r in p.consultants
    }
    assert rows == {
        "张伟": (12, 4, 8, 4 / 12, 3, 2),
        "李娜": (8, 2, 6, 2 / 8, 2, 1),
        "王强": (None, 1, None, None, None, 0),
    }
    # Ordered like the rotation (all 0 here), then by login name.
    assert [r.name for r in p.consultants] == ["李娜", "王强", "张伟"]


def test_forecast_with_priors_only(october, store):
    # No history: O (the card delivered on 10-15) lands with the prior 0.95 (band 0.9–1.0)
    # within 17 days; the cancelled order's card is an open B, 30+ days away: 0.
    fc = month_progress(store=store, month=date(2026, 10, 1), today=TODAY).forecast
    assert fc is not None
    assert (fc.delivered, fc.horizon_days, fc.history_months) == (7, 17, 0)
    assert [(g.grade, g.prospects, g.from_history, g.rate) for g in fc.grades] == [
        ("O", 1, False, 0.95),
        ("H", 0, False, 0.75),
        ("A", 0, False, 0.45 * (10 / 23)),  # 17 days: 10 of A's 23-day window (7–30)
        ("B", 1, False, 0.0),
    ]
    assert (fc.pipeline, fc.expected, fc.low, fc.high) == (1.0, 8.0, 7.9, 8.0)


def test_past_and_future_months(october, store):
    past = month_progress(store=store, month=date(2026, 10, 1), today=date(2026, 11, 3))
    assert (past.achieved, past.remaining, past.days_left, past.daily_pace) == (8, 12, 0, None)
    assert past.forecast is None and past.week is None
    assert {r.name: r.week_target for r in past.consultants} == {
        "李娜": None,
        "王强": None,
        "张伟": None,
    }
    future = month_progress(store=store, month=date(2026, 11, 1), today=TODAY)
    assert (future.target_deliveries, future.achieved, future.days_left) == (None, 0, 30)
    assert future.forecast is None


def test_first_day_of_the_month(october, store):
    p = month_progress(store=store, month=date(2026, 10, 1), today=date(2026, 10, 1))
    assert (p.achieved, p.days_elapsed, p.days_left, p.daily_pace) == (0, 0, 31, 20 / 31)
    assert p.week == (date(2026, 10, 1), date(2026, 10, 4))
    assert {r.name: r.week_target for r in p.consultants}["张伟"] == 1


def test_consultant_board(october, store):
    board = consultant_board(store=store, today=TODAY)
    assert (board.month, board.target, board.achieved) == (date(2026, 10, 1), 20, 7)
    assert [(r.name, r.target, r.achieved) for r in board.consultants] == [
        ("李娜", 8, 2),
        ("王强", None, 1),
        ("张伟", 12, 4),
    ]


def test_constant_queries(october, store, django_assert_num_queries):
    # target, split, weeks, deliveries of the month and of the week, staff, forecast 2
    with django_assert_num_queries(8):
        month_progress(store=store, month=date(2026, 10, 1), today=TODAY)
    for n in range(6):
        person = f.StaffFactory(store=store, username=f"extra{n}", roles=Role.CONSULTANT)
        delivery(store, person, f"2026-10-{n + 1:02d}")
        card(store, person, "2026-10-01", grade="H")
    cache.clear()  # the forecast's history is cached: count the queries cold
    with django_assert_num_queries(8):
        p = month_progress(store=store, month=date(2026, 10, 1), today=TODAY)
    assert len(p.consultants) == 9
    cache.clear()
    with django_assert_num_queries(6):
        consultant_board(store=store, today=TODAY)
