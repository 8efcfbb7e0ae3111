"""The forecast from a small built history, computed by hand (forecast on 2026-11-20).

History month-ends for a November forecast: 09-30 (k=0, judged by October) back to 04-30.
H prospects at those month-ends (the card's grade, no logged changes):
- 08-31 (k=1): h1 (delivered 09-08: 8 days), h2 (never)          → 2, 1 within 10 days
- 09-30 (k=0): h2, h3 (delivered 10-05: 5 days), h4 (10-20: 20 days), h5 (never),
  h6 (lost 10-31)                                                   → 5, 1 within 10 days
H: 7 prospects, 3 delivered within the following month (3/7), days 8, 5, 20 (median 8);
within the 10 days left after 11-20: 2 of 7.
O at 09-30: o1 (delivered 10-03), o2 (delivered 11-05): 2 < MIN_HISTORY → the prior.
No A or B history → priors.
Pipeline at the end of 11-20: H = h2, h5; O = p1; A = a1; B = b1. Delivered in November by
then: o2 (11-05).
"""

from datetime import date

import pytest

from showroom.targets.forecast import MIN_HISTORY, forecast
from showroom.targets.tests.builders import card, lost, order

pytestmark = pytest.mark.django_db

ON = date(2026, 11, 20)


@pytest.fixture
def history(store, consultant, other_store, make_staff):  # type: ignore[no-untyped-def]
    c = consultant
    h1 = card(store, c, "2026-08-01", "H")
    order(h1, "2026-09-05", "2026-09-08")
    card(store, c, "2026-08-01", "H")  # h2
    h3 = card(store, c, "2026-09-01", "H")
    order(h3, "2026-10-02", "2026-10-05")
    h4 = card(store, c, "2026-09-01", "H")
    order(h4, "2026-10-10", "2026-10-20")
    card(store, c, "2026-09-01", "H")  # h5
    lost(card(store, c, "2026-09-01", "H"), "2026-10-31")  # h6
    order(card(store, c, "2026-09-01", "A"), "2026-09-25", "2026-10-03")  # o1
    order(card(store, c, "2026-09-01", "A"), "2026-09-28", "2026-11-05")  # o2
    order(card(store, c, "2026-11-01", "H"), "2026-11-10")  # p1, not delivered yet
    card(store, c, "2026-11-02", "A")  # a1
    card(store, c, "2026-11-03", "B")  # b1
    card(store, c, "2026-11-04", "C")  # C: never forecast
    # Another store's prospects change nothing.
    other = make_staff("sh", "consultant", store=other_store)
    for _ in range(3):
        order(card(other_store, other, "2026-09-01", "H"), "2026-10-01", "2026-10-02")


def test_forecast_from_history(history, store):
    assert MIN_HISTORY == 5
    fc = forecast(store=store, on=ON)
    assert (fc.month, fc.horizon_days, fc.delivered, fc.history_months) == (
        date(2026, 11, 1),
        10,
        1,
        2,
    )
    o, h, a, b = fc.grades
    assert (h.grade, h.prospects, h.from_history, h.cohort) == ("H", 2, True, 7)
    assert (h.conversion, h.median_days, h.rate, h.expected) == (3 / 7, 8.0, 2 / 7, 0.6)
    # Priors: O 0.95 over 10 of 14 days; A 0.45 over 3 of its 23-day window (7–30); B 0.
    assert (o.prospects, o.from_history, o.rate, o.expected) == (1, False, 0.95 * (10 / 14), 0.7)
    assert (a.prospects, a.from_history, a.rate, a.expected) == (1, False, 0.45 * (3 / 23), 0.1)
    assert (b.prospects, b.rate, b.expected) == (1, 0.0, 0.0)
    # 4/7 + 0.6786 + 0.0587 = 1.3087; plus the one delivered.
    assert (fc.pipeline, fc.expected) == (1.3, 2.3)
    # Range: H as September's month-end converted (1 of 5 → 2 × 0.2 = 0.4) and as August's
    # (1 of 2 → 1.0), plus O and A at their prior bands' low (0.90, 0.30) and high (1.0, 0.60):
    # 1 + 0.4 + 0.6429 + 0.0391 = 2.082; 1 + 1.0 + 0.7143 + 0.0783 = 2.793.
    assert (fc.low, fc.high) == (2.1, 2.8)


def test_forecast_queries_do_not_grow(history, store, django_assert_num_queries):
    with django_assert_num_queries(3):  # delivered, pipeline, history (one UNION)
        forecast(store=store, on=ON)


def test_forecast_without_anything(store):
    fc = forecast(store=store, on=date(2026, 11, 30))
    assert (fc.horizon_days, fc.delivered, fc.pipeline, fc.expected, fc.low, fc.high) == (
        0,
        0,
        0.0,
        0.0,
        0.0,
        0.0,
    )
    assert [g.rate for g in fc.grades] == [0.0, 0.0, 0.0, 0.0]  # nothing lands after the last day
