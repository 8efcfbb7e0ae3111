"""The monthly traffic statistics: 展厅来店统计表(月) and 展厅来电统计表(月) (SPEC §4.1).

Both are produced from the registers, never typed again. Each report is a fixed handful of
grouped SQL queries (day × hour slot, day, consultant, month), whatever the number of days
or consultants. Callers that show rows to a user pass `rows` already scoped through
`showroom.organization.access`; without it the whole register of the store is counted
(exports and commands).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, time
from functools import reduce
from operator import or_
from typing import Any, Generic, Literal, TypeVar

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import ExtractHour, TruncMonth
from django.utils.translation import pgettext_lazy

from showroom.core.months import add_months, days_between, first_of_month, last_of_month
from showroom.core.numbers import rate
from showroom.customers.choices import Grade
from showroom.organization.models import Store
from showroom.sales.choices import Channel
from showroom.sales.models import Order
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
    """One hour of opening time; the first also takes earlier arrivals, the last later ones."""

    hour: int

    @property
    def label(self) -> str:
        return f"{self.hour}-{self.hour + 1}"


SLOTS: tuple[Slot, ...] = tuple(Slot(h) for h in range(OPENING_HOUR, CLOSING_HOUR))


def slot_expression(time_field: str) -> Case:
    """The hour slot of a register time, folded into the opening hours, computed in SQL."""
    first, last = SLOTS[0].hour, SLOTS[-1].hour
    return Case(
        When(**{f"{time_field}__lt": time(first + 1)}, then=Value(first)),
        When(**{f"{time_field}__gte": time(last)}, then=Value(last)),
        default=ExtractHour(time_field),
        output_field=IntegerField(),
    )


# --- the counted lines ----------------------------------------------------------------


def _grades(values: dict[str, Any]) -> dict[str, int]:
    return {g: values.get(f"grade_{g}") or 0 for g in PROSPECT_GRADES}


def _sum_grades(lines: Iterable[dict[str, int]]) -> dict[str, int]:
    total = dict.fromkeys(PROSPECT_GRADES, 0)
    for grades in lines:
        for g in PROSPECT_GRADES:
            total[g] += grades[g]
    return total


@dataclass
class WalkInCounts:
    """One line of the walk-in statistics: a day, a consultant or a month."""

    first: int = 0
    repeat: int = 0
    total: int = 0
    people: int = 0
    kept: int = 0  # first visits with contact kept (是否留档)
    grades: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PROSPECT_GRADES, 0))
    invited: int = 0
    test_drives: int = 0
    quotes: int = 0
    deals: int = 0

    @property
    def retention_rate(self) -> float | None:
        return rate(self.kept, self.first)

    @property
    def test_drive_rate(self) -> float | None:
        return rate(self.test_drives, self.total)

    @property
    def quote_rate(self) -> float | None:
        return rate(self.quotes, self.total)

    @property
    def close_rate(self) -> float | None:
        return rate(self.deals, self.first)

    @property
    def grade_list(self) -> list[int]:
        return [self.grades[g] for g in PROSPECT_GRADES]

    @classmethod
    def from_values(cls, values: dict[str, Any], deals: int = 0) -> WalkInCounts:
        return cls(
            first=values["first"],
            repeat=values["repeat"],
            total=values["total"],
            people=values["people"] or 0,
            kept=values["kept"],
            grades=_grades(values),
            invited=values["invited"],
            test_drives=values["test_drives"],
            quotes=values["quotes"],
            deals=deals,
        )

    @classmethod
    def sum(cls, lines: Iterable[WalkInCounts]) -> WalkInCounts:
        lines = list(lines)
        return cls(
            first=sum(c.first for c in lines),
            repeat=sum(c.repeat for c in lines),
            total=sum(c.total for c in lines),
            people=sum(c.people for c in lines),
            kept=sum(c.kept for c in lines),
            grades=_sum_grades(c.grades for c in lines),
            invited=sum(c.invited for c in lines),
            test_drives=sum(c.test_drives for c in lines),
            quotes=sum(c.quotes for c in lines),
            deals=sum(c.deals for c in lines),
        )


@dataclass
class CallCounts:
    """One line of the call statistics: a day, a consultant or a month."""

    first: int = 0
    repeat: int = 0
    total: int = 0
    kept: int = 0  # first calls with contact kept
    grades: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PROSPECT_GRADES, 0))
    appointments: int = 0  # calls with an appointment date (预约到店)

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
    def from_values(cls, values: dict[str, Any], deals: int = 0) -> CallCounts:
        return cls(
            first=values["first"],
            repeat=values["repeat"],
            total=values["total"],
            kept=values["kept"],
            grades=_grades(values),
            appointments=values["appointments"],
        )

    @classmethod
    def sum(cls, lines: Iterable[CallCounts]) -> CallCounts:
        lines = list(lines)
        return cls(
            first=sum(c.first for c in lines),
            repeat=sum(c.repeat for c in lines),
            total=sum(c.total for c in lines),
            kept=sum(c.kept for c in lines),
            grades=_sum_grades(c.grades for c in lines),
            appointments=sum(c.appointments for c in lines),
        )


C = TypeVar("C", WalkInCounts, CallCounts)


@dataclass
class DayRow(Generic[C]):
    date: date
    slots: list[int]  # first visits (calls) per hour slot, in the order of SLOTS
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
        "first": Count("pk", filter=FIRST_VISIT),
        "repeat": Count("pk", filter=Q(visit_type=VisitType.REPEAT)),
        "total": Count("pk"),
        "people": Sum("party_size"),
        "kept": Count("pk", filter=KEPT_FIRST_VISIT),
        "invited": Count("pk", filter=Q(invited=True)),
        "test_drives": Count("pk", filter=Q(test_drive=True)),
        "quotes": Count("pk", filter=Q(quoted=True)),
    }
    for g in PROSPECT_GRADES:
        aggregates[f"grade_{g}"] = Count("pk", filter=KEPT_FIRST_VISIT & Q(grade=g))
    return aggregates


def showroom_deals(
    orders: QuerySet[Order], *, by: Literal["date", "consultant", "month"]
) -> dict[Any, int]:
    """展厅成交: orders with channel showroom (not cancelled) among `orders`, counted per order
    day, consultant or month — the numerator of the close_rate KPI (SPEC §5)."""
    deals = orders.filter(channel=Channel.SHOWROOM, cancelled=False).order_by()
    if by == "date":
        grouped = deals.values(key=F("order_date"))
    elif by == "consultant":
        grouped = deals.values(key=F("consultant_id"))
    else:
        grouped = deals.values(key=TruncMonth("order_date"))
    return {row["key"]: row["n"] for row in grouped.annotate(n=Count("pk"))}


# --- calls ----------------------------------------------------------------------------

FIRST_CALL = Q(call_type=CallType.FIRST)
KEPT_FIRST_CALL = FIRST_CALL & CONTACT_KEPT


def _call_aggregates() -> dict[str, Any]:
    aggregates: dict[str, Any] = {
        "first": Count("pk", filter=FIRST_CALL),
        "repeat": Count("pk", filter=Q(call_type=CallType.REPEAT)),
        "total": Count("pk"),
        "kept": Count("pk", filter=KEPT_FIRST_CALL),
        "appointments": Count("pk", filter=Q(appointment_date__isnull=False)),
    }
    for g in PROSPECT_GRADES:
        aggregates[f"grade_{g}"] = Count("pk", filter=KEPT_FIRST_CALL & Q(grade=g))
    return aggregates


# --- the reports ----------------------------------------------------------------------

Deals = Callable[..., dict[Any, int]] | None


def walkin_month_report(
    *,
    store: Store,
    month_start: date,
    month_end: date,
    rows: QuerySet[WalkIn] | None = None,
    orders: QuerySet[Order] | None = None,
) -> WalkInMonthReport:
    """展厅来店统计表(月) of `store` for the days month_start..month_end (both included).

    `rows` and `orders` are what the reader may see (default: the whole store); the deals
    are the showroom orders among `orders`."""
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
            deals=showroom_deals,
            orders=Order.objects.all() if orders is None else orders,
        )
    )


def call_month_report(
    *,
    store: Store,
    month_start: date,
    month_end: date,
    rows: QuerySet[Call] | None = None,
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
            deals=None,
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
    deals: Deals,
    orders: QuerySet[Order] | None = None,
) -> dict[str, Any]:
    """The fields of a month report, from four grouped queries (and one per grouping of deals)."""
    base = rows.filter(store=store).order_by()
    period = base.filter(date__gte=month_start, date__lte=month_end)
    order_base = (orders if orders is not None else Order.objects.none()).filter(store=store)

    def counts(values: dict[str, Any] | None, deal_count: int) -> C:
        return counts_class.from_values(values, deal_count) if values else counts_class()

    def deals_by(days: Q, by: str) -> dict[Any, int]:
        return deals(order_base.filter(days), by=by) if deals else {}

    in_period = Q(order_date__gte=month_start, order_date__lte=month_end)

    # 1. first visits (calls) per day and hour slot
    days = {
        d: DayRow(date=d, slots=[0] * len(SLOTS), counts=counts_class())
        for d in days_between(month_start, month_end)
    }
    slot_index = {slot.hour: i for i, slot in enumerate(SLOTS)}
    grid = (
        period.filter(first)
        .values("date", slot=slot_expression(time_field))
        .annotate(n=Count("pk"))
    )
    for row in grid:
        days[row["date"]].slots[slot_index[int(row["slot"])]] += row["n"]

    # 2. per day
    daily_deals = deals_by(in_period, "date")
    for row in period.values("date").annotate(**aggregates):
        days[row["date"]].counts = counts(row, daily_deals.get(row["date"], 0))
    day_rows = list(days.values())
    totals = counts_class.sum(day.counts for day in day_rows)

    # 3. per consultant
    consultant_deals = deals_by(in_period, "consultant")
    consultants = [
        ConsultantRow(
            consultant_id=row["consultant_id"],
            name=row["consultant__full_name"] or row["consultant__username"],
            code=row["consultant__staff_code"],
            counts=counts(row, consultant_deals.get(row["consultant_id"], 0)),
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

    # 4. earlier months, in one query over the months compared
    months = comparison_months(month_start)
    earlier = base.filter(reduce(or_, (Q(date__gte=m, date__lte=last_of_month(m)) for m in months)))
    earlier_days = reduce(
        or_, (Q(order_date__gte=m, order_date__lte=last_of_month(m)) for m in months)
    )
    monthly = {
        row["month"]: row for row in earlier.values(month=TruncMonth("date")).annotate(**aggregates)
    }
    monthly_deals = deals_by(earlier_days, "month")
    comparison = [MonthRow(month=first_of_month(month_start), offset=0, counts=totals)]
    comparison += [
        MonthRow(month=m, offset=offset, counts=counts(monthly.get(m), monthly_deals.get(m, 0)))
        for offset, m in zip(COMPARISON_OFFSETS, months, strict=True)
    ]

    return {
        "store": store,
        "month_start": month_start,
        "month_end": month_end,
        "days": day_rows,
        "slot_totals": [sum(day.slots[i] for day in day_rows) for i in range(len(SLOTS))],
        "totals": totals,
        "consultants": consultants,
        "comparison": comparison,
    }
