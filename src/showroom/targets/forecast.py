"""The month's expected deliveries from today's pipeline (预测): the store's own
conversion and time to close per grade, with a range; see `forecast`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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
    QuerySet,
    Subquery,
    Value,
    When,
)

from showroom.core.months import add_months, first_of_month, last_of_month
from showroom.customers.models import Customer
from showroom.kpi.expressions import DaysBetween
from showroom.kpi.selectors import PAST_CACHE_SECONDS, compute_kpis
from showroom.organization.models import Store
from showroom.sales.funnel import awaiting_delivery, grade_on, open_on
from showroom.sales.models import Order

# Month-ends looked back at for the store's own conversion (see `forecast`).
HISTORY_MONTHS = 6
# Fewer prospects of a grade than this over those month-ends: the grade's prior is used.
MIN_HISTORY = 5
GRADES = ("O", "H", "A", "B")


def _round1(value: float | Fraction) -> float:
    return float(Decimal(str(float(value))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class GradeForecast:
    grade: str
    prospects: int  # in the pipeline at the end of `on` (O: ordered, not delivered)
    from_history: bool  # False: the grade's prior (too few prospects of the grade in history)
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
class Prior:
    """A grade's prior when the store has too little history (from what the grade means):
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
    (`PRIORS`, from the grade itself: e.g. H closes within 7 days), rate = prior rate × the share of
    its closing window that `horizon_days` covers.

    Range: the pipeline as each history month would have converted it (its own rates; the
    pooled rate for a grade it had no prospects of); low/high are the smallest and largest
    of those (and never above/below the point value), plus the prior grades at their band's
    low/high rates. All values rounded to one decimal.
    """
    month = first_of_month(on)
    delivered = compute_kpis(stores=[store], start=month, end=on, codes=["deliveries"])
    return _forecast(store, on, delivered["deliveries"])


def _graded(store: Store, day: date) -> QuerySet[Customer]:
    """The store's O, H, A, B cards at the end of `day`, annotated with `g` (their grade)."""
    return (
        Customer.objects.filter(store=store)
        .filter(open_on(day, kept=True) | awaiting_delivery(day))
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
