"""Targets, progress, forecast and funnel refill (SPEC §4.6; seed 000 销售目标管理, 补充漏斗).

Every function runs a constant number of queries, whatever the number of consultants,
prospects or days. They compute a store's numbers; views decide who may see which rows
(`showroom.organization.access`).

Dates: `today` / `on` are the store's local dates. Achieved deliveries are orders (not
cancelled) with a delivery date in the month up to and including that day, counted for the
order's consultant.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.core.cache import cache
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from showroom.customers.models import Customer
from showroom.kpi.expressions import DaysBetween
from showroom.kpi.selectors import PAST_CACHE_SECONDS, compute_kpis
from showroom.organization.models import Staff, Store
from showroom.sales.funnel import awaiting_delivery, grade_on, open_on
from showroom.sales.models import Order
from showroom.targets.models import ConsultantTarget, StoreTarget, WeeklyTarget
from showroom.targets.periods import (
    add_months,
    first_of_month,
    last_of_month,
    month_weeks,
    target_for,
    week_of,
)

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

GRADES = ("O", "H", "A", "B")
# Month-ends looked back at for the store's own conversion (see `forecast`).
HISTORY_MONTHS = 6
# Fewer prospects of a grade than this over those month-ends: the grade's prior is used.
MIN_HISTORY = 5
# Months of deliveries a default split is proposed from.
SPLIT_HISTORY_MONTHS = 3
# Months of funnel rates the refill calculator uses.
REFILL_MONTHS = 3


# --- results -----------------------------------------------------------------------------


@dataclass(frozen=True)
class GradeForecast:
    grade: str
    prospects: int  # in the pipeline at the end of `on` (O: ordered, not delivered)
    from_history: bool  # False: the SPEC §3 prior (too few prospects of the grade in history)
    cohort: int  # prospects of the grade at the history month-ends (0 with the prior)
    # Share of them delivered within the following month, and the median days from the
    # month-end to those deliveries (with the prior: its rate and the middle of its window).
    conversion: float | None
    median_days: float | None
    rate: float  # share expected to deliver within `horizon_days` days
    expected: float  # prospects × rate


@dataclass(frozen=True)
class Forecast:
    on: date
    month: date
    horizon_days: int  # days after `on` to the month's end (today's deliveries are made)
    delivered: int  # deliveries of the month up to and including `on`
    pipeline: float  # expected deliveries after `on`, from the pipeline
    expected: float  # delivered + pipeline
    low: float
    high: float
    history_months: int  # history month-ends with any prospect (0: priors only)
    grades: tuple[GradeForecast, ...]


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


def _round1(value: float | Fraction) -> float:
    return float(Decimal(str(float(value))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _ceil(value: Fraction | float) -> int:
    return math.ceil(value) if isinstance(value, Fraction) else math.ceil(value - 1e-9)


# --- split proposal ----------------------------------------------------------------------


def proposed_split(*, store: Store, month: date, total: int) -> list[SplitLine]:
    """The default split of `total`: each active consultant's share of the store's deliveries
    over the 3 months before `month` (equal shares when none of them delivered). Two queries."""
    consultants = list(Staff.objects.consultants(store).order_by("rotation_order", "username"))
    start = add_months(month, -SPLIT_HISTORY_MONTHS)
    delivered = dict(
        Order.objects.filter(
            store=store,
            cancelled=False,
            delivery_date__range=(start, month - timedelta(days=1)),
            consultant__in=consultants,
        )
        .order_by()
        .values_list("consultant_id")
        .annotate(n=Count("pk"))
    )
    history = [delivered.get(c.pk, 0) for c in consultants]
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
    The forecast is given while the month runs (today within it). 7 queries at most.
    """
    return _progress(store=store, month=first_of_month(month), today=today, with_forecast=True)


def consultant_board(*, store: Store, today: date) -> Board:
    """Month target against achieved per consultant for `today`'s month (see `Board`).
    5 queries."""
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
        counts: dict[str, Any] = {"n": Count("pk")}
        if week is not None:
            counts["week"] = Count("pk", filter=Q(delivery_date__range=week))
        rows: Iterable[Mapping[str, Any]] = (
            Order.objects.filter(
                store=store, cancelled=False, delivery_date__range=(month, min(today, end))
            )
            .order_by()
            .values("consultant_id")
            .annotate(**counts)
        )
        achieved_by = {r["consultant_id"]: (r["n"], r.get("week", 0)) for r in rows}
    achieved = sum(n for n, _w in achieved_by.values())

    ids = set(splits) | {i for i in achieved_by if i is not None}
    people = Staff.objects.filter(
        Q(pk__in=ids) | Q(pk__in=Staff.objects.consultants(store).values("pk"))
    ).order_by("rotation_order", "username")
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


@dataclass(frozen=True)
class Prior:
    """A grade's prior when the store has too little history (SPEC §3's meaning of the grade):
    the share that delivers (`rate`, with a `low`–`high` band) and a delivery spread evenly
    between `earliest` and `latest` days from now."""

    rate: float
    low: float
    high: float
    earliest: int
    latest: int

    def within(self, days: int) -> float:
        """The share of the time-to-close window that has passed after `days` days."""
        if days <= self.earliest:
            return 0.0
        if days >= self.latest:
            return 1.0
        return (days - self.earliest) / (self.latest - self.earliest)


# O: ordered, delivered within two weeks; H: within 7 days; A: 7 days to a month; B: one to
# three months. The shares are what these grades mean to a sales manager, not measured.
PRIORS: dict[str, Prior] = {
    "O": Prior(0.95, 0.90, 1.00, 0, 14),
    "H": Prior(0.75, 0.60, 0.90, 0, 7),
    "A": Prior(0.45, 0.30, 0.60, 7, 30),
    "B": Prior(0.20, 0.10, 0.30, 30, 90),
}


def forecast(*, store: Store, on: date) -> Forecast:
    """Expected deliveries of `on`'s month: those already made plus today's pipeline × the
    store's own conversion per grade and time to close. 3 queries.

    Pipeline at the end of `on` (`sales.funnel`): O = cards with an order not yet delivered
    (`awaiting_delivery`), H/A/B = open prospects by their grade then (`open_prospects`'s
    `grade_on`). C is left out (over three months away).

    History: the month-ends of the 6 months before the last one (for a forecast in
    November: the ends of September back to April), so that every one of them has a
    complete following month to be judged by, all before `on`. At each month-end E the
    store's cards are taken by the same definition (O, H, A, B at E); for each, the days
    from E to its first delivery after E within the following month. A grade's rate for
    the `horizon_days` days after `on` to the month's end is the share of those prospects
    (pooled over the month-ends) delivered within `horizon_days` days of E — conversion and
    time to close in one: a prospect converting later than that does not land this month.
    `conversion` (delivered within the following month) and `median_days` (days to close)
    are shown beside it.

    A grade with fewer than MIN_HISTORY prospects over those month-ends uses its prior
    (`PRIORS`, from SPEC §3: e.g. H closes within 7 days), rate = prior rate × the share of
    its closing window that `horizon_days` covers.

    Range: the pipeline as each history month would have converted it (its own rates; the
    pooled rate for a grade it had no prospects of); low/high are the smallest and largest
    of those (and never above/below the point value), plus the prior grades at their band's
    low/high rates. All values rounded to one decimal.
    """
    month = first_of_month(on)
    delivered = Order.objects.filter(
        store=store, cancelled=False, delivery_date__range=(month, on)
    ).count()
    return _forecast(store, on, delivered)


def _graded(store: Store, day: date) -> QuerySet[Customer]:
    """The store's O, H, A, B cards at the end of `day`, annotated with `g` (their grade)."""
    return (
        Customer.objects.filter(store=store)
        .filter(open_on(day) | awaiting_delivery(day))
        .annotate(graded=grade_on(day))
        .annotate(
            g=Case(
                When(awaiting_delivery(day), then=Value("O")),
                When(graded__in=["H", "A", "B"], then=F("graded")),
                default=Value(""),
                output_field=CharField(),
            )
        )
        .filter(g__in=GRADES)
    )


def _history(store: Store, on: date) -> list[Mapping[str, Any]]:
    """Rows (k, g, days, n): at the k-th month-end, n prospects of grade g delivered `days`
    after it (None: not within the following month). One query (a UNION)."""
    month = first_of_month(on)
    parts = []
    for k in range(HISTORY_MONTHS):
        following = add_months(month, -1 - k)
        cohort_end = following - timedelta(days=1)
        first = (
            Order.objects.filter(
                customer=OuterRef("pk"),
                cancelled=False,
                delivery_date__gt=cohort_end,
                delivery_date__lte=last_of_month(following),
            )
            .order_by("delivery_date")
            .values("delivery_date")[:1]
        )
        parts.append(
            _graded(store, cohort_end)
            .annotate(
                k=Value(k, output_field=IntegerField()),
                days=DaysBetween(Subquery(first), Value(cohort_end, output_field=DateField())),
            )
            .order_by()
            .values("k", "g", "days")
            .annotate(n=Count("pk"))
        )
    rows: Iterable[Mapping[str, Any]] = parts[0].union(*parts[1:], all=True)
    return list(rows)


def _median(pairs: list[tuple[int, int]]) -> float | None:
    """The median of values given as (value, count) pairs."""
    total = sum(n for _v, n in pairs)
    if not total:
        return None
    values = sorted(pairs)

    def nth(i: int) -> int:
        for value, n in values:
            if i < n:
                return value
            i -= n
        raise IndexError(i)

    return (nth((total - 1) // 2) + nth(total // 2)) / 2


def _forecast(store: Store, on: date, delivered: int) -> Forecast:
    month = first_of_month(on)
    horizon = (last_of_month(on) - on).days
    counted = _graded(store, on).order_by().values_list("g").annotate(n=Count("pk"))  # type: ignore[misc]
    pipeline: dict[str, int] = dict(counted)
    # The cohorts are months long over: their conversions are cached for a while.
    key = f"targets:history:{store.pk}:{month:%Y-%m}"
    history = cache.get(key)
    if history is None:
        history = _history(store, on)
        cache.set(key, history, PAST_CACHE_SECONDS)

    # cohort[g][k] = prospects; landed[g][k] = delivered within the horizon; closed[g] = [(days, n)]
    cohort: dict[str, dict[int, int]] = {g: {} for g in GRADES}
    landed: dict[str, dict[int, int]] = {g: {} for g in GRADES}
    closed: dict[str, list[tuple[int, int]]] = {g: [] for g in GRADES}
    for row in history:
        g, k, n, days = row["g"], row["k"], row["n"], row["days"]
        cohort[g][k] = cohort[g].get(k, 0) + n
        if days is not None:
            closed[g].append((days, n))
            if days <= horizon:
                landed[g][k] = landed[g].get(k, 0) + n

    grades = []
    months_seen: set[int] = set()
    pooled: dict[str, Fraction] = {}
    prior_low = prior_high = 0.0
    for g in GRADES:
        count = pipeline.get(g, 0)
        size = sum(cohort[g].values())
        if size >= MIN_HISTORY:
            months_seen |= set(cohort[g])
            rate = Fraction(sum(landed[g].values()), size)
            pooled[g] = rate
            converted = sum(n for _d, n in closed[g])
            grades.append(
                GradeForecast(
                    grade=g,
                    prospects=count,
                    from_history=True,
                    cohort=size,
                    conversion=converted / size,
                    median_days=_median(closed[g]),
                    rate=float(rate),
                    expected=_round1(count * rate),
                )
            )
        else:
            prior = PRIORS[g]
            share = prior.within(horizon)
            prior_low += count * prior.low * share
            prior_high += count * prior.high * share
            grades.append(
                GradeForecast(
                    grade=g,
                    prospects=count,
                    from_history=False,
                    cohort=0,
                    conversion=prior.rate,
                    median_days=(prior.earliest + prior.latest) / 2,
                    rate=prior.rate * share,
                    expected=_round1(count * prior.rate * share),
                )
            )

    point = sum(float(pipeline.get(g, 0) * pooled[g]) for g in pooled) + sum(
        pipeline.get(gf.grade, 0) * gf.rate for gf in grades if not gf.from_history
    )
    scenarios = [
        sum(
            float(
                pipeline.get(g, 0)
                * (Fraction(landed[g].get(k, 0), cohort[g][k]) if cohort[g].get(k) else pooled[g])
            )
            for g in pooled
        )
        for k in sorted(months_seen)
    ]
    hist_point = sum(float(pipeline.get(g, 0) * pooled[g]) for g in pooled)
    # The point value lies within the range even when the months' mixes of grades differ.
    low = min([*scenarios, hist_point]) + prior_low
    high = max([*scenarios, hist_point]) + prior_high
    return Forecast(
        on=on,
        month=month,
        horizon_days=horizon,
        delivered=delivered,
        pipeline=_round1(point),
        expected=_round1(delivered + point),
        low=_round1(delivered + low),
        high=_round1(delivered + high),
        history_months=len(months_seen),
        grades=tuple(grades),
    )


# --- refill ------------------------------------------------------------------------------


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


def history_basis(*, store: Store, month: date) -> int | None:
    """Average monthly deliveries of the 3 months before `month`, rounded (None without any):
    where a new target usually starts from. One query."""
    start = add_months(first_of_month(month), -SPLIT_HISTORY_MONTHS)
    n = Order.objects.filter(
        store=store, cancelled=False, delivery_date__range=(start, month - timedelta(days=1))
    ).count()
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
