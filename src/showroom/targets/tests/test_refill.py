"""The funnel refill calculator (补充漏斗), on 2026-11-20.

August–October (the 3 months before): 10 first-visit walk-ins, 4 with contact kept
(retention 0.4); 10 new prospects, 4 orders (order rate 0.4), 2 of them delivered in those
months (order → delivery 0.5); the other two delivered in November (11-03, 11-10). The rest
are C prospects: no pipeline to forecast.
"""

from datetime import date

import pytest

from showroom.targets.selectors import refill
from showroom.targets.tests.builders import card, order, target
from tests import factories as f

pytestmark = pytest.mark.django_db

ON = date(2026, 11, 20)


@pytest.fixture
def autumn(store, consultant):  # type: ignore[no-untyped-def]
    for i in range(10):
        f.WalkInFactory(
            store=store, consultant=consultant, date=date(2026, 8 + i % 3, 10), contact_kept=i < 4
        )
    cards = [card(store, consultant, f"2026-{8 + i % 3:02d}-01", "C") for i in range(10)]
    order(cards[0], "2026-08-10", "2026-08-20")
    order(cards[1], "2026-09-05", "2026-09-15")
    order(cards[2], "2026-10-05", "2026-11-03")
    order(cards[3], "2026-10-12", "2026-11-10")


def test_refill_needs_prospects_and_walk_ins(autumn, store, django_assert_num_queries):
    target(store, "2026-11-01", 10)
    with django_assert_num_queries(7):  # target, forecast 3, walk-ins, cards, orders
        r = refill(store=store, on=ON)
    assert (r.target, r.achieved, r.pipeline, r.gap, r.days_left) == (10, 2, 0.0, 8, 11)
    assert (r.retention_rate, r.order_rate, r.delivery_rate) == (0.4, 0.4, 0.5)
    # 8 deliveries ÷ (0.4 × 0.5) = 40 new prospects; ÷ 0.4 = 100 first visits.
    assert (r.prospects_needed, r.walk_ins_needed) == (40, 100)


def test_refill_rounds_up(autumn, store):
    target(store, "2026-11-01", 5)
    r = refill(store=store, on=ON)
    assert (r.gap, r.prospects_needed, r.walk_ins_needed) == (3, 15, 38)  # 37.5 → 38


def test_pipeline_covers_the_target(autumn, store):
    target(store, "2026-11-01", 2)
    r = refill(store=store, on=ON)
    assert (r.gap, r.prospects_needed, r.walk_ins_needed) == (0, 0, 0)


def test_the_forecast_counts(autumn, store, consultant):
    # One H prospect and one order awaiting delivery: priors H 0.75 (10 days ≥ 7) and
    # O 0.95 × 10/14 → 0.75 + 0.6786 = 1.4 expected; 10 − 2 − 1.4 = 6.6 → 7 still needed.
    card(store, consultant, "2026-11-15", "H")
    order(card(store, consultant, "2026-11-02", "A"), "2026-11-12")
    target(store, "2026-11-01", 10)
    r = refill(store=store, on=ON)
    assert (r.pipeline, r.gap, r.prospects_needed, r.walk_ins_needed) == (1.4, 7, 35, 88)


def test_without_target_or_rates(autumn, store, other_store):
    r = refill(store=store, on=ON)
    assert (r.target, r.gap, r.prospects_needed, r.walk_ins_needed) == (None, None, None, None)
    target(other_store, "2026-11-01", 3)
    r = refill(store=other_store, on=ON)
    assert (r.gap, r.order_rate, r.prospects_needed, r.walk_ins_needed) == (3, None, None, None)
