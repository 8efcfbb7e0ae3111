"""The lines of the monthly traffic statistics and the columns that show them.

A line counts the walk-ins (calls) of a day, a consultant or a month; the columns are the
same on the screens and in the workbook. The queries that fill them are in
`showroom.kpi.statistics.selectors`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar, Generic, TypeVar

from django.utils.translation import pgettext_lazy

from showroom.core.numbers import rate
from showroom.customers.choices import Grade
from showroom.organization.models import Store
from showroom.traffic.choices import CLOSING_HOUR, OPENING_HOUR

# Grades of prospects counted by the statistics; O is a deal, counted on its own.
PROSPECT_GRADES: tuple[str, ...] = (Grade.H, Grade.A, Grade.B, Grade.C)


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
