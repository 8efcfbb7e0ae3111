from datetime import date
from fractions import Fraction

from showroom.core.months import add_months, month_weeks, week_of
from showroom.targets.periods import period_weights
from showroom.targets.selectors import allocate, weekly_spread


def test_october_2026_weeks_are_iso_weeks_clipped_to_the_month():
    # 2026-10-01 is a Thursday.
    assert month_weeks(date(2026, 10, 1)) == [
        (date(2026, 10, 1), date(2026, 10, 4)),
        (date(2026, 10, 5), date(2026, 10, 11)),
        (date(2026, 10, 12), date(2026, 10, 18)),
        (date(2026, 10, 19), date(2026, 10, 25)),
        (date(2026, 10, 26), date(2026, 10, 31)),
    ]
    assert week_of(date(2026, 10, 14)) == (date(2026, 10, 12), date(2026, 10, 18))


def test_a_month_starting_on_monday_and_february():
    # 2027-02-01 is a Monday: four whole weeks.
    weeks = month_weeks(date(2027, 2, 1))
    assert weeks[0] == (date(2027, 2, 1), date(2027, 2, 7))
    assert weeks[-1] == (date(2027, 2, 22), date(2027, 2, 28))
    assert len(weeks) == 4


def test_add_months_across_years():
    assert add_months(date(2026, 11, 1), 3) == date(2027, 2, 1)
    assert add_months(date(2026, 2, 1), -3) == date(2025, 11, 1)


def test_period_weights():
    assert period_weights(date(2026, 10, 1), date(2026, 10, 31)) == {date(2026, 10, 1): 1}
    assert period_weights(date(2026, 10, 17), date(2026, 11, 15)) == {
        date(2026, 10, 1): Fraction(15, 31),
        date(2026, 11, 1): Fraction(15, 30),
    }


def test_allocate_largest_remainder():
    assert allocate(10, [6, 3, 1]) == [6, 3, 1]
    assert allocate(10, [1, 1, 1]) == [4, 3, 3]  # ties go to the earlier line
    assert allocate(7, [0, 0]) == [4, 3]  # no history: equal shares
    assert allocate(5, [2, 1]) == [3, 2]
    assert allocate(0, [3, 1]) == [0, 0]
    assert allocate(3, []) == []


def test_weekly_spread_follows_the_days_of_the_weeks():
    # October 2026's weeks have 4, 7, 7, 7 and 6 days.
    assert weekly_spread(12, date(2026, 10, 1)) == [1, 3, 3, 3, 2]
    assert weekly_spread(8, date(2026, 10, 1)) == [1, 2, 2, 2, 1]
    assert weekly_spread(31, date(2026, 10, 1)) == [4, 7, 7, 7, 6]


def test_median_of_counted_values():
    from showroom.targets.forecast import _median

    assert _median([(5, 1), (20, 1), (8, 1)]) == 8.0
    assert _median([(3, 2), (10, 2)]) == 6.5  # 3, 3, 10, 10
    assert _median([]) is None


def test_prior_windows():
    from showroom.targets.forecast import PRIORS

    h, a = PRIORS["H"], PRIORS["A"]
    assert (h.within(0), h.within(3), h.within(7), h.within(30)) == (0.0, 3 / 7, 1.0, 1.0)
    assert (a.within(7), a.within(10), a.within(30)) == (0.0, 3 / 23, 1.0)
