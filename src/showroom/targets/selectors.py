"""Targets, progress and funnel refill (销售目标管理, 补充漏斗); the forecast
lives in targets/forecast.py and is re-exported here.

Every function runs a constant number of queries, whatever the number of consultants,
prospects or days. They compute a store's numbers; views decide who may see which rows
(`showroom.organization.access`).

Dates: `today` / `on` are the store's local dates. Achieved deliveries are orders (not
cancelled) with a delivery date in the month up to and including that day, counted for the
order's consultant.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from showroom.core.months import add_months, first_of_month, last_of_month, month_weeks, week_of
from showroom.kpi.selectors import compute_kpis, kpis_by_id
from showroom.organization.models import Staff, Store
from showroom.targets.forecast import (  # noqa: F401  (forecast is part of this module's interface)
    Forecast,
    GradeForecast,
    _forecast,
    _round1,
    forecast,
)
from showroom.targets.models import ConsultantTarget, StoreTarget, WeeklyTarget
from showroom.targets.periods import target_for

__all__ = [
    "Board",
    "ConsultantProgress",
    "Forecast",
    "GradeForecast",
    "MonthProgress",
    "Refill",
    "SplitLine",
    "allocate",
    "consultant_board",
    "forecast",
    "history_basis",
    "month_progress",
    "proposed_split",
    "refill",
    "split_weeks",
    "target_for",
    "weekly_spread",
]

# Months of deliveries a default split is proposed from.
SPLIT_HISTORY_MONTHS = 3
# Months of funnel rates the refill calculator uses.
REFILL_MONTHS = 3


# --- results -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsultantProgress:
    consultant_id: int
    name: str
    target: int | None  # None: no split line for this consultant
    achieved: int
    remaining: int | None
    attainment: float | None  # achieved ÷ target
    week_target: int | None
    week_achieved: int


@dataclass(frozen=True)
class MonthProgress:
    month: date
    today: date
    target: StoreTarget | None
    target_deliveries: int | None
    achieved: int
    remaining: int | None  # never below 0
    attainment: float | None
    days_in_month: int
    days_elapsed: int  # days of the month before `today`
    days_left: int  # `today` and the days after it in the month
    daily_pace: float | None  # remaining ÷ days_left
    week: tuple[date, date] | None  # the clipped week containing `today`
    forecast: Forecast | None  # only while the month is running
    split_total: int  # sum of the consultant targets
    consultants: tuple[ConsultantProgress, ...]


@dataclass(frozen=True)
class Board:
    """For the wall board: each consultant's month target against achieved deliveries.

    `consultants` holds every active consultant of the store and anyone with a target or a
    delivery this month, ordered like the rotation; each `ConsultantProgress` has
    consultant_id, name, target (None without a split line), achieved, remaining,
    attainment (achieved ÷ target, None without a target), week_target, week_achieved.
    """

    month: date
    today: date
    target: int | None
    achieved: int
    consultants: tuple[ConsultantProgress, ...]


@dataclass(frozen=True)
class Refill:
    month: date
    target: int | None
    achieved: int
    pipeline: float  # expected from today's pipeline (the forecast's point value)
    gap: int | None  # deliveries neither achieved nor expected (rounded up); None: no target
    retention_rate: float | None  # walk-in (first visit) → contact kept (new prospect)
    order_rate: float | None  # prospect → order
    delivery_rate: float | None  # order → delivery, at most 1
    prospects_needed: int | None  # None: a rate is unknown (and something is needed)
    walk_ins_needed: int | None
    days_left: int  # `on` and the days after it


@dataclass(frozen=True)
class SplitLine:
    consultant: Staff
    deliveries: int
    history: int  # deliveries in the months the proposal looked at


# --- arithmetic --------------------------------------------------------------------------


def allocate(total: int, weights: Sequence[int | Fraction]) -> list[int]:
    """`total` split in proportion to `weights` (largest remainder; all equal when all 0)."""
    if not weights:
        return []
    if sum(weights) <= 0:
        weights = [1] * len(weights)
    whole = sum(weights)
    quotas = [Fraction(total) * Fraction(w) / whole for w in weights]
    shares = [math.floor(q) for q in quotas]
    # Earlier lines win ties, so that the split is stable.
    by_remainder = sorted(range(len(quotas)), key=lambda i: (-(quotas[i] - shares[i]), i))
    for i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    return shares


def weekly_spread(total: int, month: date) -> list[int]:
    """A monthly target over the month's clipped weeks, in proportion to their days."""
    return allocate(total, [(end - start).days + 1 for start, end in month_weeks(month)])


def _ceil(value: Fraction | float) -> int:
    return math.ceil(value) if isinstance(value, Fraction) else math.ceil(value - 1e-9)


# --- split proposal ----------------------------------------------------------------------


def proposed_split(*, store: Store, month: date, total: int) -> list[SplitLine]:
    """The default split of `total`: each active consultant's share of the store's deliveries
    over the 3 months before `month` (equal shares when none of them delivered). Two queries."""
    consultants = list(Staff.objects.consultants(store).order_by("rotation_order", "username"))
    start = add_months(month, -SPLIT_HISTORY_MONTHS)
    delivered = kpis_by_id(
        stores=[store],
        start=start,
        end=month - timedelta(days=1),
        by="consultant",
        codes=["deliveries"],
    )
    history = [delivered.get(c.pk, {}).get("deliveries", 0) for c in consultants]
    shares = allocate(total, history)
    return [
        SplitLine(consultant=c, deliveries=n, history=h)
        for c, n, h in zip(consultants, shares, history, strict=True)
    ]


# --- progress ----------------------------------------------------------------------------


def month_progress(*, store: Store, month: date, today: date) -> MonthProgress:
    """The month's target, achieved, remaining, days and pace, forecast, and per consultant.

    Days: `days_elapsed` are the month's days before `today`, `days_left` are `today` and
    the days after it (today's deliveries count as achieved, and today still counts as a
    day to sell): 0 once the month is over, the whole month before it starts.
    `daily_pace` = remaining ÷ days_left (None when no day is left or without a target).
    The forecast is given while the month runs (today within it). 8 queries at most.
    """
    return _progress(store=store, month=first_of_month(month), today=today, with_forecast=True)


def consultant_board(*, store: Store, today: date) -> Board:
    """Month target against achieved per consultant for `today`'s month (see `Board`).
    6 queries."""
    progress = _progress(store=store, month=first_of_month(today), today=today, with_forecast=False)
    return Board(
        month=progress.month,
        today=today,
        target=progress.target_deliveries,
        achieved=progress.achieved,
        consultants=progress.consultants,
    )


def _progress(*, store: Store, month: date, today: date, with_forecast: bool) -> MonthProgress:
    end = last_of_month(month)
    days_in_month = end.day
    if today < month:
        elapsed = 0
    elif today > end:
        elapsed = days_in_month
    else:
        elapsed = (today - month).days
    days_left = days_in_month - elapsed
    running = month <= today <= end
    week = week_of(today) if running else None

    target = StoreTarget.objects.select_related("set_by").filter(store=store, month=month).first()
    splits: dict[int, int] = {}
    week_targets: dict[int, int] = {}
    if target is not None:
        splits = dict(
            ConsultantTarget.objects.filter(target=target).values_list(
                "consultant_id", "deliveries"
            )
        )
        if week is not None:
            week_targets = dict(
                WeeklyTarget.objects.filter(split__target=target, week_start=week[0]).values_list(
                    "split__consultant_id", "deliveries"
                )
            )

    achieved_by: dict[int | None, tuple[int, int]] = {}
    if today >= month:

        def deliveries(start: date, end: date) -> dict[Any, int]:
            found = kpis_by_id(
                stores=[store], start=start, end=end, by="consultant", codes=["deliveries"]
            )
            return {pk: values["deliveries"] for pk, values in found.items()}

        to_date = deliveries(month, min(today, end))
        in_week = deliveries(max(week[0], month), today) if week is not None else {}
        achieved_by = {pk: (n, in_week.get(pk, 0)) for pk, n in to_date.items()}
    achieved = sum(n for n, _w in achieved_by.values())

    ids = set(splits) | {i for i in achieved_by if i is not None}
    people = Staff.objects.consultants_and(store, ids).order_by("rotation_order", "username")
    consultants = []
    for person in people:
        goal = splits.get(person.pk)
        done, done_week = achieved_by.get(person.pk, (0, 0))
        consultants.append(
            ConsultantProgress(
                consultant_id=person.pk,
                name=str(person),
                target=goal,
                achieved=done,
                remaining=None if goal is None else max(goal - done, 0),
                attainment=done / goal if goal else None,
                week_target=week_targets.get(person.pk),
                week_achieved=done_week,
            )
        )

    goal = target.deliveries if target else None
    remaining = None if goal is None else max(goal - achieved, 0)
    return MonthProgress(
        month=month,
        today=today,
        target=target,
        target_deliveries=goal,
        achieved=achieved,
        remaining=remaining,
        attainment=achieved / goal if goal else None,
        days_in_month=days_in_month,
        days_elapsed=elapsed,
        days_left=days_left,
        daily_pace=remaining / days_left if remaining is not None and days_left else None,
        week=week,
        forecast=_forecast(store, today, achieved) if with_forecast and running else None,
        split_total=sum(splits.values()),
        consultants=tuple(consultants),
    )


# --- forecast ----------------------------------------------------------------------------


def refill(*, store: Store, on: date) -> Refill:
    """补充漏斗: how many new prospects, and walk-ins, are still needed this month.

    gap = target − deliveries so far − the forecast's pipeline value (rounded up, at least 0).
    The store's rates over the 3 full months before `on`'s month, from `compute_kpis`:
    order_rate (prospect → order), order_delivery_rate (order → delivery, capped at 1) and
    retention_rate (first-visit walk-in → contact kept, i.e. a new prospect).
    prospects_needed = ⌈gap ÷ (order_rate × delivery_rate)⌉ and
    walk_ins_needed = ⌈prospects_needed ÷ retention_rate⌉: the first visits needed if the
    new prospects all came from the showroom. Both 0 when the pipeline covers the target;
    None when a rate is unknown or 0 and something is needed. 7 queries.
    """
    month = first_of_month(on)
    target = (
        StoreTarget.objects.filter(store=store, month=month)
        .values_list("deliveries", flat=True)
        .first()
    )
    outlook = forecast(store=store, on=on)
    rates = compute_kpis(
        stores=[store],
        start=add_months(month, -REFILL_MONTHS),
        end=month - timedelta(days=1),
        codes=["retention_rate", "order_rate", "order_delivery_rate"],
    )
    retention, order_rate = rates["retention_rate"], rates["order_rate"]
    delivery_rate = rates["order_delivery_rate"]
    if delivery_rate is not None:
        delivery_rate = min(delivery_rate, 1.0)

    gap: int | None = None
    prospects: int | None = None
    walk_ins: int | None = None
    if target is not None:
        uncovered = Fraction(target) - outlook.delivered - Fraction(str(outlook.pipeline))
        gap = max(_ceil(uncovered), 0)
        if gap == 0:
            prospects = walk_ins = 0
        elif order_rate and delivery_rate:
            prospects = _ceil(gap / (order_rate * delivery_rate))
            walk_ins = _ceil(prospects / retention) if retention else None
    return Refill(
        month=month,
        target=target,
        achieved=outlook.delivered,
        pipeline=outlook.pipeline,
        gap=gap,
        retention_rate=retention,
        order_rate=order_rate,
        delivery_rate=delivery_rate,
        prospects_needed=prospects,
        walk_ins_needed=walk_ins,
        days_left=outlook.horizon_days + 1,
    )


# --- for the screens ---------------------------------------------------------------------


def store_target(*, store: Store, month: date) -> StoreTarget | None:
    return StoreTarget.objects.filter(store=store, month=month).first()


def split_consultants(*, store: Store, target: StoreTarget) -> list[Staff]:
    """Whom the split names: the store's consultants and anyone the split already has."""
    current = target.splits.values("consultant_id")
    return list(
        Staff.objects.consultants_and(store, current).order_by("rotation_order", "username")
    )


def history_basis(*, store: Store, month: date) -> int | None:
    """Average monthly deliveries of the 3 months before `month`, rounded (None without any):
    where a new target usually starts from. One query."""
    start = add_months(first_of_month(month), -SPLIT_HISTORY_MONTHS)
    n = compute_kpis(
        stores=[store], start=start, end=month - timedelta(days=1), codes=["deliveries"]
    )["deliveries"]
    if not n:
        return None
    return int((Decimal(n) / SPLIT_HISTORY_MONTHS).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def split_weeks(*, target: StoreTarget) -> dict[int, list[int | None]]:
    """{consultant id: their target per week of the month (None: no row for that week)}.
    One query."""
    starts = [start for start, _end in month_weeks(target.month)]
    result: dict[int, list[int | None]] = {}
    for consultant_id, start, n in WeeklyTarget.objects.filter(split__target=target).values_list(
        "split__consultant_id", "week_start", "deliveries"
    ):
        row = result.setdefault(consultant_id, [None] * len(starts))
        if start in starts:
            row[starts.index(start)] = n
    return result
