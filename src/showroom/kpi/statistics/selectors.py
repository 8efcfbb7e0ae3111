"""The monthly traffic statistics: 展厅来店统计表(月) and 展厅来电统计表(月) (SPEC §4.1).

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

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import reduce
from operator import or_
from typing import Any, ClassVar, Generic, TypeVar

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractHour, TruncMonth
from django.utils.translation import pgettext_lazy

from showroom.core.months import add_months, days_between, first_of_month, last_of_month
from showroom.core.numbers import rate
from showroom.customers.choices import Grade
from showroom.kpi.selectors import SHOWROOM_ORDERS, kpis_by_id
from showroom.organization.models import Store
from showroom.traffic.choices import CLOSING_HOUR, OPENING_HOUR, CallType, VisitType
from showroom.traffic.models import CONTACT_KEPT, Call, WalkIn

# Grades of prospects counted by the statistics; O is a deal, counted on its own.
PROSPECT_GRADES: tuple[str, ...] = (Grade.H, Grade.A, Grade.B, Grade.C)
# Earlier months shown beside the report's month: the three before it and a year before.
COMPARISON_OFFSETS: tuple[int, ...] = (-1, -2, -3, -12)


# --- months ---------------------------------------------------------------------------


def comparison_months(month_start: date) -> list[date]:
    return [add_months(month_start, offset) for offset in COMPARISON_OFFSETS]


# --- hour slots -----------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """One hour of the day; `open` when the store is open for some of it."""

    hour: int
    open: bool = True

    @property
    def label(self) -> str:
        return f"{self.hour}-{self.hour + 1}"


# The hours of a store with the default opening hours and no visits outside them.
SLOTS: tuple[Slot, ...] = tuple(Slot(h) for h in range(OPENING_HOUR, CLOSING_HOUR))


def store_slots(store: Store, hours: Iterable[int] = ()) -> tuple[Slot, ...]:
    """The store's opening hours, one slot an hour, widened to every hour in `hours` (those
    with visits): an arrival before opening or after closing counts in its own hour."""
    opening = store.opening_time.hour
    closing = store.closing_time.hour + (1 if store.closing_time.minute else 0)
    seen = set(hours)
    first = min([opening, *seen])
    last = max([closing - 1, *seen])
    return tuple(Slot(h, open=opening <= h < closing) for h in range(first, last + 1))


def _first_day(month: date | datetime) -> date:
    """TruncMonth gives a date on SQLite and a datetime on PostgreSQL."""
    return month.date() if isinstance(month, datetime) else month


def slot_expression(time_field: str) -> ExtractHour:
    """The hour slot of a register time (its hour), computed in SQL."""
    return ExtractHour(time_field)


# --- the counted lines ----------------------------------------------------------------


def _grades(values: dict[str, Any]) -> dict[str, int]:
    return {g: values.get(f"grade_{g}") or 0 for g in PROSPECT_GRADES}


@dataclass
class WalkInCounts:
    """One line of the walk-in statistics: a day, a consultant or a month.

    The KPIs among them (`KPI_FIELDS`, and `deals`) are set from compute_kpis."""

    first: int = 0
    repeat: int = 0
    total: int = 0
    people: int = 0
    kept: int = 0  # first visits with contact kept (是否留档)
    grades: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PROSPECT_GRADES, 0))
    invited: int = 0
    test_drives: int = 0
    quotes: int = 0
    deals: int = 0  # 展厅成交: showroom orders, the numerator of close_rate
    retention_rate: float | None = None
    test_drive_rate: float | None = None
    quote_rate: float | None = None
    close_rate: float | None = None

    # Field → registry KPI.
    KPI_FIELDS: ClassVar[dict[str, str]] = {
        "first": "first_visit_batches",
        "repeat": "repeat_visit_batches",
        "total": "walkin_batches",
        "invited": "invited_visit_batches",
        "retention_rate": "retention_rate",
        "test_drive_rate": "test_drive_rate",
        "quote_rate": "quote_rate",
        "close_rate": "close_rate",
    }

    @property
    def grade_list(self) -> list[int]:
        return [self.grades[g] for g in PROSPECT_GRADES]

    @classmethod
    def from_values(cls, values: dict[str, Any]) -> WalkInCounts:
        return cls(
            people=values["people"] or 0,
            kept=values["kept"],
            grades=_grades(values),
            test_drives=values["test_drives"],
            quotes=values["quotes"],
        )


@dataclass
class CallCounts:
    """One line of the call statistics: a day, a consultant or a month.

    The KPIs among them (`KPI_FIELDS`) are set from compute_kpis; the retention and
    appointment rates of calls are this report's own (not KPIs of the registry)."""

    first: int = 0
    repeat: int = 0
    total: int = 0
    kept: int = 0  # first calls with contact kept
    grades: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PROSPECT_GRADES, 0))
    appointments: int = 0  # calls with an appointment date (预约到店)

    KPI_FIELDS: ClassVar[dict[str, str]] = {
        "first": "first_call_batches",
        "total": "call_batches",
    }

    @property
    def retention_rate(self) -> float | None:
        return rate(self.kept, self.first)

    @property
    def appointment_rate(self) -> float | None:
        return rate(self.appointments, self.total)

    @property
    def grade_list(self) -> list[int]:
        return [self.grades[g] for g in PROSPECT_GRADES]

    @classmethod
    def from_values(cls, values: dict[str, Any]) -> CallCounts:
        return cls(
            repeat=values["repeat"],
            kept=values["kept"],
            grades=_grades(values),
            appointments=values["appointments"],
        )


C = TypeVar("C", WalkInCounts, CallCounts)


@dataclass
class DayRow(Generic[C]):
    date: date
    slots: list[int]  # first visits (calls) per hour slot, in the order of the report's slots
    counts: C


@dataclass
class ConsultantRow(Generic[C]):
    consultant_id: int
    name: str
    code: str  # staff code
    counts: C


@dataclass
class MonthRow(Generic[C]):
    month: date  # its first day
    offset: int  # months from the report's month: 0, -1, -2, -3, -12
    counts: C


@dataclass
class MonthReport(Generic[C]):
    store: Store
    month_start: date
    month_end: date
    days: list[DayRow[C]]
    slot_totals: list[int]
    totals: C
    consultants: list[ConsultantRow[C]]
    comparison: list[MonthRow[C]]  # the report's month first, then the earlier ones
    slots: tuple[Slot, ...] = SLOTS

    @property
    def busiest_slot_count(self) -> int:
        return max((n for day in self.days for n in day.slots), default=0)


# --- the columns shown, the same on the screens and in the workbook --------------------


@dataclass(frozen=True)
class Column:
    label: Any  # a lazy translation
    attr: str  # attribute of the counts; "grades.H" for a grade
    group: Any = None  # a header spanning this and the neighbouring columns of the same group

    @property
    def is_rate(self) -> bool:
        return self.attr.endswith("_rate")

    def value(self, counts: WalkInCounts | CallCounts) -> int | float | None:
        if self.attr.startswith("grades."):
            return counts.grades[self.attr.removeprefix("grades.")]
        return getattr(counts, self.attr)


# Headings are translated in their own context: short words like "People" or "Invited"
# read differently in other apps' screens.
BY_GRADE = pgettext_lazy("monthly statistics", "Prospects by grade")
GRADE_COLUMNS = [Column(g, f"grades.{g}", BY_GRADE) for g in PROSPECT_GRADES]
KEPT = Column(pgettext_lazy("monthly statistics", "Contacts kept"), "kept")
RETENTION = Column(pgettext_lazy("monthly statistics", "Retention rate"), "retention_rate")

FIRST_VISITS = Column(pgettext_lazy("monthly statistics", "First visits"), "first")
REPEAT_VISITS = Column(pgettext_lazy("monthly statistics", "Repeat visits"), "repeat")
TOTAL_VISITS = Column(pgettext_lazy("monthly statistics", "Total visits"), "total")
PEOPLE = Column(pgettext_lazy("monthly statistics", "People"), "people")
INVITED = Column(pgettext_lazy("monthly statistics", "Invited"), "invited")
TEST_DRIVES = Column(pgettext_lazy("monthly statistics", "Test drives"), "test_drives")
TEST_DRIVE_RATE = Column(pgettext_lazy("monthly statistics", "Test-drive rate"), "test_drive_rate")
QUOTES = Column(pgettext_lazy("monthly statistics", "Quotes"), "quotes")
DEALS = Column(pgettext_lazy("monthly statistics", "Showroom deals"), "deals")
CLOSE_RATE = Column(pgettext_lazy("monthly statistics", "Close rate"), "close_rate")

FIRST_CALLS = Column(pgettext_lazy("monthly statistics", "First calls"), "first")
REPEAT_CALLS = Column(pgettext_lazy("monthly statistics", "Repeat calls"), "repeat")
TOTAL_CALLS = Column(pgettext_lazy("monthly statistics", "Total calls"), "total")
APPOINTMENTS = Column(pgettext_lazy("monthly statistics", "Appointments"), "appointments")
APPOINTMENT_RATE = Column(
    pgettext_lazy("monthly statistics", "Appointment rate"), "appointment_rate"
)


class WalkInMonthReport(MonthReport[WalkInCounts]):
    kind = "walkins"
    title = pgettext_lazy("monthly statistics", "Monthly showroom walk-in statistics")
    slot_group = pgettext_lazy("monthly statistics", "First visits per hour")
    day_columns = [
        FIRST_VISITS, REPEAT_VISITS, TOTAL_VISITS, PEOPLE, KEPT, RETENTION,
        *GRADE_COLUMNS, INVITED, TEST_DRIVES, QUOTES, DEALS,
    ]  # fmt: skip
    consultant_columns = [
        FIRST_VISITS, REPEAT_VISITS, TOTAL_VISITS, KEPT, RETENTION, TEST_DRIVES, TEST_DRIVE_RATE,
        QUOTES, *GRADE_COLUMNS, DEALS, CLOSE_RATE,
    ]  # fmt: skip
    month_columns = [
        FIRST_VISITS, REPEAT_VISITS, TOTAL_VISITS, PEOPLE, KEPT, RETENTION, *GRADE_COLUMNS,
        INVITED, TEST_DRIVES, TEST_DRIVE_RATE, QUOTES, DEALS, CLOSE_RATE,
    ]  # fmt: skip


class CallMonthReport(MonthReport[CallCounts]):
    kind = "calls"
    title = pgettext_lazy("monthly statistics", "Monthly showroom call statistics")
    slot_group = pgettext_lazy("monthly statistics", "First calls per hour")
    day_columns = [
        FIRST_CALLS,
        REPEAT_CALLS,
        TOTAL_CALLS,
        KEPT,
        RETENTION,
        *GRADE_COLUMNS,
        APPOINTMENTS,
    ]
    consultant_columns = [
        FIRST_CALLS, REPEAT_CALLS, TOTAL_CALLS, KEPT, RETENTION, *GRADE_COLUMNS,
        APPOINTMENTS, APPOINTMENT_RATE,
    ]  # fmt: skip
    month_columns = consultant_columns


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
