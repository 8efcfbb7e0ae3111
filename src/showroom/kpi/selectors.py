"""The registry's KPIs computed as SQL aggregates: the entry point `compute_kpis`.

A constant number of queries per report, whatever the number of days, rows, stores or groups:
at most one per table family involved, each by conditional aggregation
(`Count(..., filter=Q(...))`), with `Exists`/`Subquery` for what depends on other tables —
walk-ins and calls (`traffic_kpis`; calls also cover the previous month, for
call_invitation_rate), cards (prospects and owners), orders, loss records and leads
(`funnel_kpis`, `lead_kpis`), and
the delivery targets (`showroom.kpi.hooks.delivery_targets`, for target_attainment: a rate
that can exceed 1, by store and consultant only). A report reads only the tables its KPIs
need.

Values, as the contract says: counts are ints; rates are exact fractions in [0, 1] (the
division of two integer counts, not rounded — presentation rounds, `KPI.format`), None when
the denominator is 0; receptions_per_consultant is likewise an exact float (None without
first visits); avg_stay_minutes and lead_response_minutes are exact too (a mean, a median:
presentation rounds), None without rows; source_mix is {source code: share of deliveries}
over the sources that delivered, NONE_KEY for deliveries without a source, {} without deliveries.

Several stores are computed together as one: counts add up, rates are pooled, and people
(unique_visitors, call_invitation_rate, test_drive_close_rate, unique_close_rate, show_rate)
are matched by normalized phone within a store — customer data belongs to the store, so the
same phone at two stores is two customers, and the stores' unique_visitors add up to that of
the stores together.

Grouping (`by`): every row counts in its own group — walk-in and call rows by their
consultant, source and model; cards by the card's; orders and deliveries by the order's;
loss records by the record's consultant and the card's source and model; leads by the
assigned agent, the channel and the model. A rate across two tables (close_rate, order_rate,
lost_rate, …) divides within the group.

By month or day, each row counts in the month (day) of its own date: a walk-in, call, loss
record or lead by its date, an order by its order date, a delivery by its delivery date;
every month (day) of the period is a group, in order, even without rows. Only the KPIs that
are sums over dated rows can be grouped so (TIME_CODES): a KPI that looks at the period's
start or end (prospects carried over, grades and owners at the end, call_invitation_rate,
orders from carried-over or new prospects, the rates over all prospects, test-drive and
unique close rates, target_attainment, show_rate) is computed for each period on its own.

`consultant` (a staff id) counts only that consultant's rows, as grouping by consultant
would: what a consultant who sees only their own rows is shown.

These selectors count whole registers (or one consultant's rows of them): the numbers of a
store are the store's, whoever asks. Callers decide which stores a user may see
(`showroom.organization.access`).
"""

from __future__ import annotations

import contextvars
import hashlib
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from showroom.core.months import days_between, month_range, previous_month_range
from showroom.core.numbers import rate as _rate
from showroom.core.writes import wrote_since
from showroom.kpi.freshness import versions
from showroom.kpi.funnel_kpis import (
    CARD_CODES,
    LOSS_CODES,
    ORDER_CODES,
    card_rows,
    loss_rows,
    order_rows,
)
from showroom.kpi.grouping import (
    GROUPINGS,
    NONE_KEY,
    TIME_GROUPINGS,
    group_key,
    is_group_column,
    period_label,
    unique_labels,
)
from showroom.kpi.hooks import target_rows
from showroom.kpi.lead_kpis import LEAD_CODES, lead_rows
from showroom.kpi.registry import REGISTRY
from showroom.kpi.traffic_kpis import (
    CALL_CODES,
    WALKIN_CODES,
    WALKIN_DEAL_CODES,
    call_rows,
    walkin_rows,
)
from showroom.organization.models import Store

__all__ = [
    "GROUPINGS",
    "NONE_KEY",
    "SHOWROOM_ORDERS",
    "TIME_CODES",
    "TIME_GROUPINGS",
    "Dated",
    "compute_kpis",
    "kpis_by_id",
    "month_range",
    "pooled_kpis",
    "previous_month_range",
    "running_figures",
    "stores_side_by_side",
]

# Deliveries (the order query) ÷ the period's delivery target (`showroom.targets`).
TARGET_CODES = frozenset({"target_attainment"})
# The KPIs that can be grouped by month or day: sums over rows dated in the group.
TIME_CODES = frozenset(
    {
        *(WALKIN_CODES - WALKIN_DEAL_CODES),
        "call_batches",
        "first_call_batches",
        *(ORDER_CODES - {"order_rate", "orders_from_carried_over", "orders_from_new"}),
        "leads",
        "lead_response_minutes",
        "appointment_rate",
    }
)


# --- periods --------------------------------------------------------------------------


# --- the computation ------------------------------------------------------------------

StoresArg = Sequence[Store] | QuerySet[Store]
_Query = Callable[..., list[dict[str, Any]]]


def compute_kpis(
    *,
    stores: StoresArg,
    start: date,
    end: date,
    by: str | None = None,
    codes: Iterable[str] | None = None,
    consultant: int | None = None,
) -> dict[str, Any]:
    """The implemented KPIs of `stores` (together) for rows dated start..end inclusive.

    Without `by`: {code: value}, in registry order. With `by` (one of GROUPINGS):
    {group key: {code: value}}, keys being the store code, the consultant's name (made
    unique with store and staff code when two consultants share it), the source code or the
    model, NONE_KEY for rows without consultant, source or model (see the module's
    docstring for which row's consultant, source and model), the month ("2026-10") or the
    day ("2026-10-05"). Each row counts in its own group; for call_invitation_rate that is
    the group of the previous month's call. `codes` limits the KPIs computed (and the
    queries run); unknown codes raise ValueError, codes of the registry not implemented yet
    raise NotImplementedError, and by month or day codes outside TIME_CODES ValueError
    (without `codes`, by month or day computes TIME_CODES).
    """
    if by in TIME_GROUPINGS and codes is None:
        codes = TIME_CODES
    groups, labels, wanted = _grouped_counts(stores, start, end, by, codes, consultant)
    if by is None:
        return _values(groups.get(None, {}), wanted)
    names = unique_labels(labels)
    if by in TIME_GROUPINGS:
        ordered = sorted(groups)
    else:
        ordered = sorted(groups, key=lambda ident: (names[ident] == NONE_KEY, names[ident]))
    return {names[ident]: _values(groups[ident], wanted) for ident in ordered}


# The key kpis_by_id adds for the showroom orders when asked.
SHOWROOM_ORDERS = "showroom_orders"


def kpis_by_id(
    *,
    stores: StoresArg,
    start: date,
    end: date,
    by: str | None,
    codes: Iterable[str],
    consultant: int | None = None,
    with_showroom_orders: bool = False,
) -> dict[Any, dict[str, Any]]:
    """compute_kpis grouped `by`, keyed by what identifies a group rather than its label:
    a staff id, a store code, a source code, a model, a month's first day or a day (None for
    rows without consultant, source or model; without `by`, the one group None). Groups with
    nothing counted are left out, except months and days: every one of the period is there.

    `with_showroom_orders` adds SHOWROOM_ORDERS to each group: 展厅成交, the numerator of
    close_rate (an int), counted by the same order query."""
    if with_showroom_orders:
        codes = {*codes, "close_rate"}
    groups, _labels, wanted = _grouped_counts(stores, start, end, by, codes, consultant)
    if by is None:
        groups.setdefault(None, {})
    found = {ident: _values(groups[ident], wanted) for ident in groups}
    if with_showroom_orders:
        for ident, values in found.items():
            values[SHOWROOM_ORDERS] = _n(groups[ident], "o_showroom")
    return found


def _grouped_counts(
    stores: StoresArg,
    start: date,
    end: date,
    by: str | None,
    codes: Iterable[str] | None,
    consultant: int | None,
) -> tuple[dict[Any, dict[str, Any]], dict[Any, tuple[str, str]], frozenset[str]]:
    """The counts of each group (one group, None, without `by`) and its label."""
    wanted = _wanted(codes)
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    if by is not None and by not in GROUPINGS:
        raise ValueError(f"unknown grouping {by!r}; expected one of {', '.join(GROUPINGS)}")
    if by in TIME_GROUPINGS and (other := sorted(wanted - TIME_CODES)):
        raise ValueError(f"KPIs not computed by {by}: {', '.join(other)}")
    if consultant is not None and wanted & TARGET_CODES:
        raise ValueError("target_attainment is not computed for one consultant's rows")

    calls: list[Callable[[], list[dict[str, Any]]]] = []
    for table_codes, query in _QUERIES:
        if wanted & table_codes:
            if query is target_rows:
                calls.append(partial(query, stores, start, end, by, wanted))
            else:
                calls.append(partial(query, stores, start, end, by, wanted, consultant=consultant))
    rows = [row for found in _side_by_side(calls, stores) for row in found]

    groups: dict[Any, dict[str, Any]] = {}
    labels: dict[Any, tuple[str, str]] = {}
    if by in TIME_GROUPINGS:
        for day in _period_days(by, start, end):
            groups[day] = {}
            labels[day] = (period_label(by, day), "")
    for counts in rows:
        if by is None:
            groups.setdefault(None, {}).update(counts)
            continue
        ident, label, qualifier = group_key(by, counts)
        into = groups.setdefault(ident, {})
        for name, value in counts.items():
            # By month or day, orders and deliveries come from two queries of one group.
            if name not in into or value:
                into[name] = value
        labels[ident] = (label, qualifier)
    return groups, labels, wanted


# From this many stores on, the table families' queries run side by side (`_side_by_side`); a
# few stores' month takes tens of milliseconds, less than the threads' connections.
SIDE_BY_SIDE_STORES = 20


def _side_by_side(
    calls: list[Callable[[], list[dict[str, Any]]]], stores: StoresArg
) -> list[list[dict[str, Any]]]:
    """The table families' queries, in threads of their own when many stores are asked on
    PostgreSQL: each family is one query, and two cores answer two at a time (the group's
    month: the cards' query beside all the others). Each thread has its own connection,
    which sees only what is committed: inside a transaction (a request's own writes, a
    test) the queries run one after the other, as they do on SQLite and for a few stores."""
    threads = settings.SHOWROOM_KPI_THREADS
    if (
        threads < 2
        or len(calls) < 2
        or connection.vendor != "postgresql"
        or connection.in_atomic_block
        or (stores.count() if isinstance(stores, QuerySet) else len(stores)) < SIDE_BY_SIDE_STORES
    ):
        return [call() for call in calls]

    def run(call: Callable[[], list[dict[str, Any]]]) -> list[dict[str, Any]]:
        try:
            return call()
        finally:
            connections.close_all()  # this thread's own

    # The cards' query first: the longest, the others share the other thread meanwhile.
    order = sorted(
        range(len(calls)), key=lambda i: getattr(calls[i], "func", None) is not card_rows
    )
    with ThreadPoolExecutor(max_workers=threads) as pool:
        # Each thread reads from the database the caller reads from (replica or primary).
        futures = {i: pool.submit(contextvars.copy_context().run, run, calls[i]) for i in order}
        return [futures[i].result() for i in range(len(calls))]


def _period_days(by: str, start: date, end: date) -> list[date]:
    days = days_between(start, end)
    if by == "day":
        return days
    return sorted({d.replace(day=1) for d in days})


# How long the figures of a period already over are kept (see past_kpis).
PAST_CACHE_SECONDS = 600


def past_kpis(
    *,
    stores: StoresArg,
    start: date,
    end: date,
    today: date,
    by: str | None = None,
    codes: Iterable[str] | None = None,
) -> dict[str, Any]:
    """compute_kpis for a period that ended before `today`, kept for PAST_CACHE_SECONDS.

    The dashboard, the evening meeting and the diagnostics compare the running month with
    earlier periods on every page; those figures change only when old rows are corrected or
    imported, and such a write moves the store's data version (`kpi.freshness`), part of the
    key: the next request computes them again. The running month is always computed afresh."""
    if end >= today:
        return compute_kpis(stores=stores, start=start, end=end, by=by, codes=codes)
    wanted = sorted(codes) if codes is not None else None
    ids = sorted(s.pk for s in stores)
    ident = repr((ids, versions(ids), start, end, by, wanted, get_language()))
    key = "kpi:past:" + hashlib.sha256(ident.encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = compute_kpis(stores=stores, start=start, end=end, by=by, codes=codes)
        cache.set(key, found, PAST_CACHE_SECONDS)
    return found  # type: ignore[no-any-return]


# How long the figures of a running period are reused by a page that says as of when (the
# dashboard, the diagnostics): a store's managers compare the month so far, not the last
# minute's walk-in, and a dozen visits a minute need not count it a dozen times.
RUNNING_FIGURES_SECONDS = 60

T = TypeVar("T")


@dataclass(frozen=True)
class Dated(Generic[T]):
    """Figures and when they were counted (the start of their computation)."""

    value: T
    computed_at: datetime


def running_figures(
    *,
    name: str,
    stores: StoresArg,
    key: tuple[Any, ...],
    end: date,
    today: date,
    user_id: int | None,
    compute: Callable[[], T],
) -> Dated[T]:
    """`compute()`, the figures `name` of `stores` (`key`: what else they depend on), reused
    from the cache: for PAST_CACHE_SECONDS when their period ended before `today` (exact: the
    key holds the stores' data versions, as `past_kpis`'s), for RUNNING_FIGURES_SECONDS while
    it runs — the caller shows `computed_at`. Figures counted before the user's own last
    write are counted again (`core.writes`): what they have just saved shows at once."""
    ids = sorted({s.pk for s in stores})
    ident = repr((name, ids, versions(ids), key, today, get_language()))
    cache_key = "kpi:figures:" + hashlib.sha256(ident.encode()).hexdigest()
    found: Dated[T] | None = cache.get(cache_key)
    if found is not None and not wrote_since(user_id, found.computed_at):
        return found
    computed_at = timezone.now()
    found = Dated(value=compute(), computed_at=computed_at)
    cache.set(cache_key, found, PAST_CACHE_SECONDS if end < today else RUNNING_FIGURES_SECONDS)
    return found


# Counts that do not add up over stores: a median needs the values themselves. Every other
# count does: a person, a consultant and a source's deliveries belong to one store.
NOT_SUMMED_OVER_STORES = frozenset({"lead_response_minutes"})
# How long the stores side by side of a running period are reused: read by a few people at the
# group, who compare the month so far, not the last minute's walk-in.
RUNNING_SIDE_BY_SIDE_SECONDS = 60


@dataclass(frozen=True)
class SideBySide:
    by_store: dict[str, dict[str, Any]]
    total: dict[str, Any]
    computed_at: datetime


def stores_side_by_side(
    *,
    stores: StoresArg,
    start: date,
    end: date,
    codes: Iterable[str],
    today: date,
    user_id: int | None = None,
) -> SideBySide:
    """compute_kpis by store and for the stores together, from one computation by store (the
    total adds the stores' counts up; a median is computed for the stores together on its
    own). A period over by `today` is cached as by `past_kpis`; a running one for
    RUNNING_SIDE_BY_SIDE_SECONDS, and `computed_at` says when its figures were counted;
    counted again for a user who has written since (`core.writes`)."""
    stores = list(stores)
    wanted = _wanted(codes)
    ids = sorted(s.pk for s in stores)
    ident = repr((ids, versions(ids), start, end, sorted(wanted), get_language()))
    key = "kpi:side-by-side:" + hashlib.sha256(ident.encode()).hexdigest()
    found: SideBySide | None = cache.get(key)
    if found is not None and not wrote_since(user_id, found.computed_at):
        return found
    computed_at = timezone.now()
    groups, labels, _wanted_codes = _grouped_counts(stores, start, end, "store", wanted, None)
    names = unique_labels(labels)
    by_store = {names[ident]: _values(groups[ident], wanted) for ident in groups}
    summed: dict[str, Any] = {}
    for counts in groups.values():
        for name, value in counts.items():
            if is_group_column(name) or value is None:
                continue
            if isinstance(value, dict):  # deliveries by source
                into = summed.setdefault(name, {})
                for part, n in value.items():
                    into[part] = into.get(part, 0) + n
            else:
                summed[name] = summed.get(name, 0) + value
    total = _values(summed, wanted - NOT_SUMMED_OVER_STORES)
    if apart := wanted & NOT_SUMMED_OVER_STORES:
        total.update(compute_kpis(stores=stores, start=start, end=end, codes=apart))
    found = SideBySide(
        by_store=by_store,
        total={code: total[code] for code in REGISTRY if code in total},
        computed_at=computed_at,
    )
    seconds = PAST_CACHE_SECONDS if end < today else RUNNING_SIDE_BY_SIDE_SECONDS
    cache.set(key, found, seconds)
    return found


# Not additive over spans: medians, distinct people or consultants, shares of a whole.
UNPOOLED = frozenset(
    {
        "lead_response_minutes",
        "receptions_per_consultant",
        "unique_visitors",
        "unique_close_rate",
        "test_drive_close_rate",
        "call_invitation_rate",
        "source_mix",
    }
)


def pooled_kpis(
    *,
    stores: StoresArg,
    spans: Sequence[tuple[date, date]],
    codes: Iterable[str],
    today: date,
) -> dict[str, Any]:
    """`codes` over several spans counted together as one period: the rows of every span
    added up, so that a rate divides the spans' numerators by their denominators and a mean
    is over all their rows. A count is the spans' sum, a stock (prospects carried over,
    grades and owners at a period's end) too: divide by the number of spans for its mean.
    Spans already over are kept for PAST_CACHE_SECONDS, as by `past_kpis`."""
    wanted = _wanted(codes)
    if other := sorted(wanted & UNPOOLED):
        raise ValueError(f"KPIs not pooled over spans: {', '.join(other)}")
    key = ""
    if spans and all(end < today for _start, end in spans):
        ids = sorted(s.pk for s in stores)
        ident = repr((ids, versions(ids), list(spans), sorted(wanted)))
        key = "kpi:pooled:" + hashlib.sha256(ident.encode()).hexdigest()
        if (found := cache.get(key)) is not None:
            return found  # type: ignore[no-any-return]
    total: dict[str, Any] = {}
    for start, end in spans:
        groups, _labels, _codes = _grouped_counts(stores, start, end, None, wanted, None)
        for name, value in groups.get(None, {}).items():
            if isinstance(value, int | float | Decimal):
                total[name] = total.get(name, 0) + value
    found = _values(total, wanted)
    if key:
        cache.set(key, found, PAST_CACHE_SECONDS)
    return found


def _wanted(codes: Iterable[str] | None) -> frozenset[str]:
    if codes is None:
        return frozenset(code for code, kpi in REGISTRY.items() if kpi.implemented)
    wanted = frozenset(codes)
    if unknown := sorted(wanted - REGISTRY.keys()):
        raise ValueError(f"unknown KPI codes: {', '.join(unknown)}")
    if missing := [c for c in REGISTRY if c in wanted and not REGISTRY[c].implemented]:
        raise NotImplementedError(f"KPIs not computed yet: {', '.join(missing)}")
    return wanted


def _order_counts(
    stores: StoresArg,
    start: date,
    end: date,
    by: str | None,
    wanted: frozenset[str],
    *,
    consultant: int | None = None,
) -> list[dict[str, Any]]:
    if wanted & TARGET_CODES:
        wanted = wanted | {"deliveries"}  # counted for the attainment, shown only if asked
    return order_rows(stores, start, end, by, wanted, consultant=consultant)


# Each table family's KPIs and its one query, in the order they run.
_QUERIES: tuple[tuple[frozenset[str], _Query], ...] = (
    (WALKIN_CODES, walkin_rows),
    (CALL_CODES, call_rows),
    (CARD_CODES, card_rows),
    (ORDER_CODES | TARGET_CODES, _order_counts),
    (LOSS_CODES, loss_rows),
    (LEAD_CODES, lead_rows),
    (TARGET_CODES, target_rows),
)


# --- from counts to values ------------------------------------------------------------


def _exact(value: float | Decimal | None) -> float | None:
    return None if value is None else float(value)


def _avg_minutes(total: int | None, rows: int | None) -> float | None:
    return (total or 0) / rows if rows else None


def _n(counts: dict[str, Any], name: str) -> int:
    return counts.get(name) or 0


def _prospects(c: dict[str, Any]) -> int:
    """Carried over + new: the base of order_rate, lost_rate and out_of_control_rate."""
    return _n(c, "p_carried") + _n(c, "p_new")


def _per_delivery(name: str) -> Callable[[dict[str, Any]], float | None]:
    return lambda c: _rate(c.get(name), c.get("d_deliveries"))


def _source_mix(c: dict[str, Any]) -> dict[str, float]:
    deliveries = _n(c, "d_deliveries")
    by_source: dict[str, int] = c.get("d_by_source") or {}
    keys = sorted(by_source, key=lambda k: (k == NONE_KEY, k))
    return {k: by_source[k] / deliveries for k in keys} if deliveries else {}


_FORMULAS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "walkin_batches": lambda c: _n(c, "w_rows"),
    "first_visit_batches": lambda c: _n(c, "w_first"),
    "repeat_visit_batches": lambda c: _n(c, "w_repeat"),
    "invited_visit_batches": lambda c: _n(c, "w_invited"),
    "call_batches": lambda c: _n(c, "c_rows"),
    "first_call_batches": lambda c: _n(c, "c_first"),
    "avg_stay_minutes": lambda c: _avg_minutes(c.get("w_stay_sum"), c.get("w_stay_rows")),
    "retention_rate": lambda c: _rate(c.get("w_first_kept"), c.get("w_first")),
    "receptions_per_consultant": lambda c: _rate(c.get("w_first"), c.get("w_first_consultants")),
    "call_invitation_rate": lambda c: _rate(c.get("c_invited"), c.get("c_invitable")),
    "new_prospects": lambda c: _n(c, "p_new"),
    "carried_over_prospects": lambda c: _n(c, "p_carried"),
    "prospects_H": lambda c: _n(c, "p_H"),
    "prospects_A": lambda c: _n(c, "p_A"),
    "prospects_B": lambda c: _n(c, "p_B"),
    "prospects_C": lambda c: _n(c, "p_C"),
    "prospects_O": lambda c: _n(c, "p_O"),
    "active_prospects": lambda c: _n(c, "p_H") + _n(c, "p_A") + _n(c, "p_B"),
    "test_drive_rate": lambda c: _rate(c.get("w_test_drives"), c.get("w_rows")),
    "quote_rate": lambda c: _rate(c.get("w_quotes"), c.get("w_rows")),
    "orders": lambda c: _n(c, "o_orders"),
    "cancelled_orders": lambda c: _n(c, "c_cancelled"),
    "orders_from_carried_over": lambda c: _n(c, "o_from_carried"),
    "orders_from_new": lambda c: _n(c, "o_from_new"),
    "deliveries": lambda c: _n(c, "d_deliveries"),
    "close_rate": lambda c: _rate(c.get("o_showroom"), c.get("w_first")),
    "test_drive_close_rate": lambda c: _rate(c.get("w_td_closed"), c.get("w_td_phones")),
    "order_rate": lambda c: _rate(c.get("o_orders"), _prospects(c)),
    "lost_rate": lambda c: _rate(c.get("l_lost"), _prospects(c)),
    "out_of_control_rate": lambda c: _rate(c.get("l_out_of_control"), _prospects(c)),
    "order_delivery_rate": lambda c: _rate(c.get("d_deliveries"), c.get("o_orders")),
    "showroom_sales_ratio": _per_delivery("d_showroom"),
    "delivery_ceremony_rate": _per_delivery("d_ceremony"),
    "insurance_penetration": _per_delivery("d_insurance"),
    "finance_penetration": _per_delivery("d_finance"),
    "accessory_penetration": _per_delivery("d_accessories"),
    "tradein_penetration": _per_delivery("d_tradein"),
    "call_3day_rate": _per_delivery("d_call_3day"),
    "letter_7day_rate": _per_delivery("d_letter_7day"),
    "owner_referral_rate": _per_delivery("d_referral"),
    "owners": lambda c: _n(c, "ow_owners"),
    "owner_retention_rate": lambda c: _rate(c.get("ow_retained"), c.get("ow_owners")),
    "owner_churn_rate": lambda c: _rate(c.get("ow_churned"), c.get("ow_owners")),
    "target_attainment": lambda c: _rate(c.get("d_deliveries"), c.get("t_target")),
    "source_mix": _source_mix,
    "unique_visitors": lambda c: _n(c, "w_phones") + _n(c, "w_no_phone"),
    "unique_close_rate": lambda c: _rate(c.get("w_closed"), c.get("w_phones")),
    "leads": lambda c: _n(c, "ld_leads"),
    "lead_response_minutes": lambda c: _exact(c.get("ld_response_minutes")),
    "appointment_rate": lambda c: _rate(c.get("ld_appointments"), c.get("ld_leads")),
    "show_rate": lambda c: _rate(c.get("ld_shown"), c.get("ld_appointed")),
}


def _values(counts: dict[str, Any], wanted: frozenset[str]) -> dict[str, Any]:
    return {code: _FORMULAS[code](counts) for code in REGISTRY if code in wanted}
