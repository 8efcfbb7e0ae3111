"""The monthly traffic statistics: 展厅来店统计表(月) and 展厅来电统计表(月).

Both are produced from the registers, never typed again. Each report is a fixed handful of
grouped SQL queries (day × hour slot, day, consultant, month), whatever the number of days
or consultants. Every number that is a KPI of the registry (batches, retention, test-drive,
quote and close rates, showroom deals) comes from `showroom.kpi.selectors.compute_kpis` by
day, consultant and month; the hour grid, people, contacts kept and the grades of the
register rows are this report's own counts. Callers that show rows to a user pass `rows`
already scoped through `showroom.organization.access`, and `consultant` when the reader
sees only their own rows; without them the whole register of the store is counted
(exports and commands).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractHour, TruncMonth

from showroom.core.months import add_months, days_between, first_of_month, last_of_month
from showroom.kpi.selectors import SHOWROOM_ORDERS, kpis_by_id
from showroom.kpi.statistics.lines import (
    PROSPECT_GRADES,
    C,
    CallCounts,
    CallMonthReport,
    ConsultantRow,
    DayRow,
    MonthRow,
    WalkInCounts,
    WalkInMonthReport,
    store_slots,
)
from showroom.organization.models import Store
from showroom.traffic.choices import CallType, VisitType
from showroom.traffic.models import CONTACT_KEPT, Call, WalkIn

# Earlier months shown beside the report's month: the three before it and a year before.
COMPARISON_OFFSETS: tuple[int, ...] = (-1, -2, -3, -12)


# --- months ---------------------------------------------------------------------------


def comparison_months(month_start: date) -> list[date]:
    return [add_months(month_start, offset) for offset in COMPARISON_OFFSETS]


def _first_day(month: date | datetime) -> date:
    """TruncMonth gives a date on SQLite and a datetime on PostgreSQL."""
    return month.date() if isinstance(month, datetime) else month


def slot_expression(time_field: str) -> ExtractHour:
    """The hour slot of a register time (its hour), computed in SQL."""
    return ExtractHour(time_field)


# --- walk-ins -------------------------------------------------------------------------

FIRST_VISIT = Q(visit_type=VisitType.FIRST)
KEPT_FIRST_VISIT = FIRST_VISIT & CONTACT_KEPT


def _walkin_aggregates() -> dict[str, Any]:
    aggregates: dict[str, Any] = {
        "people": Sum("party_size"),
        "kept": Count("pk", filter=KEPT_FIRST_VISIT),
        "test_drives": Count("pk", filter=Q(test_drive=True)),
        "quotes": Count("pk", filter=Q(quoted=True)),
    }
    for g in PROSPECT_GRADES:
        aggregates[f"grade_{g}"] = Count("pk", filter=KEPT_FIRST_VISIT & Q(grade=g))
    return aggregates


# --- calls ----------------------------------------------------------------------------

FIRST_CALL = Q(call_type=CallType.FIRST)
KEPT_FIRST_CALL = FIRST_CALL & CONTACT_KEPT


def _call_aggregates() -> dict[str, Any]:
    aggregates: dict[str, Any] = {
        "repeat": Count("pk", filter=Q(call_type=CallType.REPEAT)),
        "kept": Count("pk", filter=KEPT_FIRST_CALL),
        "appointments": Count("pk", filter=Q(appointment_date__isnull=False)),
    }
    for g in PROSPECT_GRADES:
        aggregates[f"grade_{g}"] = Count("pk", filter=KEPT_FIRST_CALL & Q(grade=g))
    return aggregates


# --- the reports ----------------------------------------------------------------------


def walkin_month_report(
    *,
    store: Store,
    month_start: date,
    month_end: date,
    rows: QuerySet[WalkIn] | None = None,
    consultant: int | None = None,
) -> WalkInMonthReport:
    """展厅来店统计表(月) of `store` for the days month_start..month_end (both included).

    `rows` are the register rows the reader may see (default: the whole store), `consultant`
    the reader's staff id when they see only their own rows (walk-ins and orders)."""
    return WalkInMonthReport(
        **_month_report(
            WalkInCounts,
            WalkIn.objects.all() if rows is None else rows,
            store=store,
            month_start=month_start,
            month_end=month_end,
            time_field="arrived_at",
            first=FIRST_VISIT,
            aggregates=_walkin_aggregates(),
            consultant=consultant,
        )
    )


def call_month_report(
    *,
    store: Store,
    month_start: date,
    month_end: date,
    rows: QuerySet[Call] | None = None,
    consultant: int | None = None,
) -> CallMonthReport:
    """展厅来电统计表(月) of `store` for the days month_start..month_end (both included)."""
    return CallMonthReport(
        **_month_report(
            CallCounts,
            Call.objects.all() if rows is None else rows,
            store=store,
            month_start=month_start,
            month_end=month_end,
            time_field="called_at",
            first=FIRST_CALL,
            aggregates=_call_aggregates(),
            consultant=consultant,
        )
    )


def _month_report(
    counts_class: type[C],
    rows: QuerySet[Any],
    *,
    store: Store,
    month_start: date,
    month_end: date,
    time_field: str,
    first: Q,
    aggregates: dict[str, Any],
    consultant: int | None,
) -> dict[str, Any]:
    """The fields of a month report: four grouped queries of its own, and compute_kpis (with
    the showroom deals for walk-ins) by day, consultant and month."""
    base = rows.filter(store=store).order_by()
    if consultant is not None:
        base = base.filter(consultant_id=consultant)
    period = base.filter(date__gte=month_start, date__lte=month_end)
    months: list[date] = comparison_months(month_start)
    kpi_fields = counts_class.KPI_FIELDS
    with_deals = counts_class is WalkInCounts

    def kpis(by: str | None, start: date, end: date) -> dict[Any, dict[str, Any]]:
        return kpis_by_id(
            stores=[store],
            start=start,
            end=end,
            by=by,
            codes=kpi_fields.values(),
            consultant=consultant,
            with_showroom_orders=with_deals,
        )

    def counts(values: dict[str, Any] | None, kpi_values: dict[str, Any] | None) -> C:
        line = counts_class.from_values(values) if values else counts_class()
        for name, code in kpi_fields.items():
            if kpi_values and code in kpi_values:
                setattr(line, name, kpi_values[code])
        if kpi_values and isinstance(line, WalkInCounts):
            line.deals = kpi_values[SHOWROOM_ORDERS]
        return line

    # 1. first visits (calls) per hour slot: the register rows the reader sees
    grid = list(
        period.filter(first)
        .values("date", slot=slot_expression(time_field))
        .annotate(n=Count("pk"))
    )
    slots = store_slots(store, (int(row["slot"]) for row in grid))
    slot_rows = {d: [0] * len(slots) for d in days_between(month_start, month_end)}
    slot_index = {slot.hour: i for i, slot in enumerate(slots)}
    for row in grid:
        slot_rows[row["date"]][slot_index[int(row["slot"])]] += row["n"]

    # 2. per day
    daily = {row["date"]: row for row in period.values("date").annotate(**aggregates)}
    daily_kpis = kpis("day", month_start, month_end)
    day_rows = [
        DayRow(date=d, slots=slots, counts=counts(daily.get(d), daily_kpis.get(d)))
        for d, slots in slot_rows.items()
    ]

    # 3. per consultant: those with register rows in the period
    consultant_kpis = kpis("consultant", month_start, month_end)
    consultants = [
        ConsultantRow(
            consultant_id=row["consultant_id"],
            name=row["consultant__full_name"] or row["consultant__username"],
            code=row["consultant__staff_code"],
            counts=counts(row, consultant_kpis.get(row["consultant_id"])),
        )
        for row in period.values(
            "consultant_id",
            "consultant__full_name",
            "consultant__username",
            "consultant__staff_code",
        )
        .annotate(**aggregates)
        .order_by("consultant__staff_code", "consultant__full_name", "consultant__username")
    ]

    # 4. the period and the earlier months, each by month over the months from the earliest
    this_month = first_of_month(month_start)
    whole_month = (month_start, month_end) == (this_month, last_of_month(month_start))
    shown = [*months, this_month] if whole_month else months
    in_months = reduce(or_, (Q(date__gte=m, date__lte=last_of_month(m)) for m in shown))
    monthly = {
        _first_day(row["month"]): row
        for row in base.filter(in_months).values(month=TruncMonth("date")).annotate(**aggregates)
    }
    monthly_kpis = kpis(
        "month", min(months), month_end if whole_month else this_month - timedelta(days=1)
    )
    if whole_month:
        totals = counts(monthly.get(this_month), monthly_kpis[this_month])
    else:
        # A part of a month (a longer export's first or last): its own totals.
        totals = counts(period.aggregate(**aggregates), kpis(None, month_start, month_end)[None])
    comparison = [MonthRow(month=this_month, offset=0, counts=totals)]
    comparison += [
        MonthRow(month=m, offset=offset, counts=counts(monthly.get(m), monthly_kpis.get(m)))
        for offset, m in zip(COMPARISON_OFFSETS, months, strict=True)
    ]

    return {
        "store": store,
        "month_start": month_start,
        "month_end": month_end,
        "days": day_rows,
        "slot_totals": [sum(day.slots[i] for day in day_rows) for i in range(len(slots))],
        "slots": slots,
        "totals": totals,
        "consultants": consultants,
        "comparison": comparison,
    }
