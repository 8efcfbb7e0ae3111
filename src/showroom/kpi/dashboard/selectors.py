"""What the dashboards show besides the KPI cards (`cards`) and the funnel (`funnel`):
twelve months of trend, the consultant league, the source and model breakdowns, the hour ×
weekday traffic heatmap, today's board and the stores side by side.

Every KPI number comes from `showroom.kpi.selectors.compute_kpis` and is named, formatted and
judged (good direction) by the registry. Two things here are not KPIs of their own:
- the trend is compute_kpis by month over twelve months (one query per table, whatever the
  number of months);
- the heatmap counts walk-in rows per weekday and hour slot (the monthly report's slots).

A page is a fixed number of queries whatever the number of days, consultants, sources or
stores. These selectors count whole registers of the stores they are given; the views
decide which stores a user may see (`showroom.organization.access`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractIsoWeekDay
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.translation import pgettext_lazy

from showroom.core.months import add_months, last_of_month
from showroom.customers.models import Source
from showroom.kpi.dashboard.cards import (
    CARD_CODES,
    Card,
    Delta,
    MonthPack,
    delta,
    month_cards,
    month_pack,
    number,
    tone,
)
from showroom.kpi.dashboard.diagnostics import PERIOD_CODES
from showroom.kpi.dashboard.funnel import Stage, funnel, lead_funnel, numerator, traffic
from showroom.kpi.registry import REGISTRY
from showroom.kpi.selectors import (
    NONE_KEY,
    Dated,
    compute_kpis,
    kpis_by_id,
    running_figures,
    stores_side_by_side,
)
from showroom.kpi.statistics.selectors import slot_expression, store_slots
from showroom.organization.models import Staff, Store
from showroom.traffic.models import WalkIn

Stores = Sequence[Store] | QuerySet[Store]

# Read here by the dashboard's callers, defined in `cards` and `funnel`.
__all__ = [
    "CARD_CODES",
    "Card",
    "Delta",
    "MonthPack",
    "Stage",
    "delta",
    "funnel",
    "lead_funnel",
    "month_cards",
    "month_pack",
    "numerator",
    "tone",
    "traffic",
]

# The consultant league and the two breakdowns.
LEAGUE_CODES: tuple[str, ...] = (
    "walkin_batches",
    "retention_rate",
    "test_drive_rate",
    "quote_rate",
    "orders",
    "deliveries",
    "close_rate",
)
SOURCE_CODES: tuple[str, ...] = (
    "leads",
    "walkin_batches",
    "first_visit_batches",
    "retention_rate",
    "orders",
    "deliveries",
    "close_rate",
)
MODEL_CODES: tuple[str, ...] = (
    "walkin_batches",
    "test_drive_rate",
    "quote_rate",
    "orders",
    "deliveries",
)
# Counts of the trend chart: each is "rows dated in the period" of one table.
TREND_CODES: tuple[str, ...] = (
    "leads",
    "walkin_batches",
    "first_visit_batches",
    "orders",
    "deliveries",
)
TREND_MONTHS = 12
# Stores side by side: these columns beside the KPI ranked on.
GROUP_CODES: tuple[str, ...] = (
    "walkin_batches",
    "retention_rate",
    "test_drive_rate",
    "close_rate",
    "orders",
    "deliveries",
)


# --- trend ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Trend:
    months: list[date]
    # code → one count per month, in the order of `months`.
    series: dict[str, list[int]]


def trend(*, stores: Stores, last_month: date, months: int = TREND_MONTHS) -> Trend:
    """TREND_CODES for the `months` months ending with `last_month`'s, from compute_kpis by
    month (its walk-in, order and lead queries, whatever the number of months)."""
    first = add_months(last_month, -(months - 1))
    by_month = kpis_by_id(
        stores=stores, start=first, end=last_of_month(last_month), by="month", codes=TREND_CODES
    )
    labels = [add_months(first, i) for i in range(months)]
    series = {code: [by_month[m][code] for m in labels] for code in TREND_CODES}
    return Trend(months=labels, series=series)


# --- league and breakdowns ------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One group of a grouped `compute_kpis` result."""

    key: str
    label: str
    values: dict[str, Any]
    # What the drill-down page filters the group by (a staff id, a source or model code).
    drill_key: str | None


def consultant_ids(store: Store, labels: Iterable[str]) -> dict[str, int]:
    """The staff id behind each consultant label of a grouped result (one query).

    compute_kpis labels a consultant by name, or by "name (store/code)" when two share it."""
    wanted = set(labels)
    ids: dict[str, int] = {}
    for staff in Staff.objects.filter(store=store).select_related("store"):
        name = staff.full_name or staff.username
        qualified = f"{name} ({staff.store.code}/{staff.staff_code or staff.username})"
        for label in (name, qualified):
            if label in wanted:
                ids.setdefault(label, staff.pk)
    return ids


def league(*, store: Store, start: date, end: date) -> list[Row]:
    """LEAGUE_CODES per consultant (two queries: walk-ins, orders; one for the staff ids)."""
    grouped = compute_kpis(
        stores=[store], start=start, end=end, by="consultant", codes=LEAGUE_CODES
    )
    ids = consultant_ids(store, grouped)
    return [
        Row(
            key=label,
            label=str(pgettext_lazy("breakdown", "(not given)")) if label == NONE_KEY else label,
            values=values,
            drill_key=NONE_KEY if label == NONE_KEY else _str(ids.get(label)),
        )
        for label, values in grouped.items()
    ]


def _str(value: int | None) -> str | None:
    return None if value is None else str(value)


def source_names(store: Store) -> dict[str, str]:
    """Source code → name in the active language, the standard sources and the store's own."""
    sources = Source.objects.filter(Q(store__isnull=True) | Q(store=store)).order_by("store_id")
    return {s.code: str(s) for s in sources}


def staff_member(*, store: Store, pk: int) -> Staff | None:
    """A member of the store's staff by id (to name a consultant's group), None if not one."""
    return Staff.objects.filter(pk=pk, store=store).first()


def breakdown(*, store: Store, start: date, end: date, by: str) -> list[Row]:
    """SOURCE_CODES per source or MODEL_CODES per model, largest first."""
    codes = SOURCE_CODES if by == "source" else MODEL_CODES
    grouped = compute_kpis(stores=[store], start=start, end=end, by=by, codes=codes)
    names = source_names(store) if by == "source" else {}
    none = str(pgettext_lazy("breakdown", "(not given)"))
    rows = [
        Row(
            key=key,
            label=none if key == NONE_KEY else names.get(key, key),
            values=values,
            drill_key=key,
        )
        for key, values in grouped.items()
    ]
    volume = "walkin_batches"
    return sorted(rows, key=lambda r: (r.key == NONE_KEY, -(r.values.get(volume) or 0), r.label))


# --- heatmap --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Heatmap:
    slots: list[str]  # hour slot labels, "9-10" …
    slot_hours: list[int]
    weekdays: list[str]  # Monday first
    # cells[weekday index][slot index]: walk-in rows.
    cells: list[list[int]]

    @property
    def busiest(self) -> int:
        return max((n for row in self.cells for n in row), default=0)

    @property
    def total(self) -> int:
        return sum(n for row in self.cells for n in row)


def heatmap(*, store: Store, start: date, end: date) -> Heatmap:
    """Walk-in rows per ISO weekday and hour slot of arrival (the store's local date and
    time, as registered), one grouped query."""
    rows = list(
        WalkIn.objects.filter(store=store, date__range=(start, end))
        .order_by()
        .values(weekday=ExtractIsoWeekDay("date"), slot=slot_expression("arrived_at"))
        .annotate(n=Count("pk"))
    )
    slots = store_slots(store, (int(row["slot"]) for row in rows))
    slot_index = {slot.hour: i for i, slot in enumerate(slots)}
    cells = [[0] * len(slots) for _ in range(7)]
    for row in rows:
        cells[int(row["weekday"]) - 1][slot_index[int(row["slot"])]] += row["n"]
    return Heatmap(
        slots=[slot.label for slot in slots],
        slot_hours=[slot.hour for slot in slots],
        weekdays=[str(WEEKDAYS_ABBR[i]) for i in range(7)],
        cells=cells,
    )


def heatmap_weekday(iso_weekday: int) -> str:
    """The name of an ISO weekday (1 = Monday) in the active language."""
    return str(WEEKDAYS[(iso_weekday - 1) % 7])


# --- the dashboard's month ------------------------------------------------------------------


@dataclass(frozen=True)
class MonthFigures:
    """The numbers of the store dashboard's month, besides the diagnostics and the panels."""

    pack: MonthPack
    stages: list[Stage]
    lead_stages: list[Stage]
    trend: Trend
    heat: Heatmap
    league: list[Row]
    sources: list[Row]
    models: list[Row]


def _translated(stages: list[Stage]) -> list[Stage]:
    """The stages with their labels translated now, as they are kept: the cache's key holds
    the language, and a lazy translation read back from the cache is rebuilt, class and all,
    on every read."""
    return [replace(s, label=str(s.label)) for s in stages]


def month_figures(
    *, store: Store, month_start: date, month_end: date, today: date, user_id: int | None
) -> Dated[MonthFigures]:
    """The dashboard's month of `store`, reused as `running_figures` says: a month under way is
    counted up to `today` (the cards, the funnels), and counted again after a minute or after
    the user's own write; a month over is kept until a write dated in it."""
    started = month_start <= today
    counted_to = min(month_end, today) if started else month_end

    def compute() -> MonthFigures:
        # The month's numbers serve the diagnostics too (one computation instead of two).
        pack = month_pack(
            stores=[store],
            month_start=month_start,
            end=counted_to,
            extra_codes=PERIOD_CODES,
            today=today,
        )
        return MonthFigures(
            pack=pack,
            stages=_translated(funnel(stores=[store], start=month_start, end=counted_to)),
            lead_stages=_translated(lead_funnel(stores=[store], start=month_start, end=counted_to)),
            trend=trend(stores=[store], last_month=month_start),
            heat=heatmap(store=store, start=month_start, end=month_end),
            league=league(store=store, start=month_start, end=month_end),
            sources=breakdown(store=store, start=month_start, end=month_end, by="source"),
            models=breakdown(store=store, start=month_start, end=month_end, by="model"),
        )

    return running_figures(
        name="dashboard",
        stores=[store],
        key=(month_start, month_end),
        end=month_end,
        today=today,
        user_id=user_id,
        compute=compute,
    )


# --- the wall board -------------------------------------------------------------------------

TODAY_CODES: tuple[str, ...] = ("walkin_batches", "call_batches", "test_drive_rate", "orders")


@dataclass(frozen=True)
class Today:
    walk_ins: int
    in_showroom: int
    calls: int
    test_drives: int
    orders: int


def today_traffic(*, store: Store, today: date) -> Today:
    """Today's counts: compute_kpis for the day (walk-ins, calls, orders) and the parties
    still in the showroom (arrived today, no departure yet)."""
    kpis = compute_kpis(stores=[store], start=today, end=today, codes=TODAY_CODES)
    inside = WalkIn.objects.filter(store=store, date=today, left_at__isnull=True).count()
    return Today(
        walk_ins=kpis["walkin_batches"],
        in_showroom=inside,
        calls=kpis["call_batches"],
        test_drives=numerator(kpis["test_drive_rate"], kpis["walkin_batches"]),
        orders=kpis["orders"],
    )


@dataclass
class Progress:
    consultant_id: int | None
    name: str
    orders: int = 0
    deliveries: int = 0
    target: int | None = None

    @property
    def percent(self) -> int | None:
        """Deliveries against the target, in whole percent (None without a target)."""
        return round(self.deliveries * 100 / self.target) if self.target else None


def consultant_progress(
    *, store: Store, month_start: date, today: date, targets: Iterable[Any] = ()
) -> list[Progress]:
    """Month-to-date orders and deliveries of the store's active consultants and of anyone
    else who sold this month, most deliveries first: two compute_kpis queries and the staff.

    `targets`: the targets app's per-consultant progress (consultant_id, name, target,
    achieved); its consultants are listed too, with their target."""
    grouped = compute_kpis(
        stores=[store],
        start=month_start,
        end=today,
        by="consultant",
        codes=("orders", "deliveries"),
    )
    ids = consultant_ids(store, grouped)
    rows: dict[Any, Progress] = {}
    for staff in Staff.objects.consultants(store):
        rows[staff.pk] = Progress(consultant_id=staff.pk, name=staff.full_name or staff.username)
    for t in targets:
        row = rows.setdefault(t.consultant_id, Progress(consultant_id=t.consultant_id, name=t.name))
        row.target = t.target
    for label, values in grouped.items():
        if label == NONE_KEY:
            continue
        ident = ids.get(label, label)
        row = rows.setdefault(ident, Progress(consultant_id=ids.get(label), name=label))
        row.orders = values["orders"]
        row.deliveries = values["deliveries"]
    return sorted(rows.values(), key=lambda r: (-r.deliveries, -r.orders, r.name))


# --- stores side by side --------------------------------------------------------------------


@dataclass(frozen=True)
class StoreRow:
    store: Store
    values: dict[str, Any]
    rank: int | None


@dataclass(frozen=True)
class Ranking:
    code: str
    rows: list[StoreRow]
    total: dict[str, Any]
    codes: list[str]
    computed_at: datetime


def rankable_codes() -> list[str]:
    """KPIs a ranking can sort on: computed, with one value per store (not a mapping)."""
    return [c for c, k in REGISTRY.items() if k.implemented and k.kind != "mapping"]


def _empty(code: str) -> Any:
    """A store without rows: counts are 0, every other KPI has nothing to divide."""
    return 0 if REGISTRY[code].kind == "count" else None


def rank_key(good: str | None, value: Any) -> tuple[int, float]:
    """Sort key, best first: the registry's direction (up when it has none); None last."""
    if not number(value):
        return (1, 0.0)
    return (0, float(value) if good == "down" else -float(value))


def store_ranking(
    *,
    stores: Stores,
    start: date,
    end: date,
    code: str,
    today: date,
    user_id: int | None = None,
) -> Ranking:
    """Stores side by side, ranked on `code` best first (ties share a rank, stores without a
    value come last, unranked), with the stores' total: one computation by store
    (`stores_side_by_side`, reused for a minute while the month runs, except after the user's
    own write)."""
    stores = list(stores)
    codes = [*GROUP_CODES, *([code] if code not in GROUP_CODES else [])]
    found = stores_side_by_side(
        stores=stores, start=start, end=end, codes=codes, today=today, user_id=user_id
    )
    by_store, total = found.by_store, found.total
    good = REGISTRY[code].good
    values = {s.code: by_store.get(s.code) or {c: _empty(c) for c in codes} for s in stores}
    ordered = sorted(stores, key=lambda s: (rank_key(good, values[s.code][code]), s.code))
    rows: list[StoreRow] = []
    previous: tuple[int, float] | None = None
    rank = 0
    for position, s in enumerate(ordered, start=1):
        key = rank_key(good, values[s.code][code])
        if key != previous:
            rank = position
            previous = key
        rows.append(StoreRow(store=s, values=values[s.code], rank=rank if key[0] == 0 else None))
    return Ranking(code=code, rows=rows, total=total, codes=codes, computed_at=found.computed_at)
