"""Month arithmetic shared by every screen and report: the first and last day of a month,
months counted forwards and backwards, a `YYYY-MM` text as its days, and the days or month
pieces of a period."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def last_of_month(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` away from `day`'s month (negative: before)."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_range(month: str) -> tuple[date, date]:
    """'2026-10' -> (2026-10-01, 2026-10-31). ValueError for anything else."""
    match = _MONTH.match(month.strip())
    if not match:
        raise ValueError(f"not a month (YYYY-MM): {month!r}")
    year, number = int(match[1]), int(match[2])
    if not (1 <= number <= 12 and year >= 1):
        raise ValueError(f"not a month (YYYY-MM): {month!r}")
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


def previous_month_range(day: date) -> tuple[date, date]:
    """The calendar month before `day`'s month."""
    last = day.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def days_between(start: date, end: date) -> list[date]:
    """Every day from `start` to `end`, both included."""
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def month_pieces(start: date, end: date) -> list[tuple[date, date]]:
    """start..end cut at month ends: one (first, last) day pair per month it touches."""
    pieces = []
    month = first_of_month(start)
    while month <= end:
        pieces.append((max(start, month), min(end, last_of_month(month))))
        month = add_months(month, 1)
    return pieces


def month_weeks(month: date) -> list[tuple[date, date]]:
    """The month's weeks: ISO weeks (Monday–Sunday) clipped to the month, in order.

    October 2026 starts on a Thursday: (10-01, 10-04), (10-05, 10-11), …, (10-26, 10-31).
    """
    start, end = first_of_month(month), last_of_month(month)
    weeks = []
    day = start
    while day <= end:
        sunday = day + timedelta(days=6 - day.weekday())
        weeks.append((day, min(sunday, end)))
        day = sunday + timedelta(days=1)
    return weeks


def week_of(day: date) -> tuple[date, date]:
    """The clipped week of its month that contains `day`."""
    return next(w for w in month_weeks(day) if w[0] <= day <= w[1])
