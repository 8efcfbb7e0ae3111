"""The month's sales reports: 意向客户接触状况表 and 销售促进战败(失控)分析表.

Selectors as in `showroom.reports.sales.selectors`: a fixed handful of queries per report
(four for the contact status sheet, seven for the loss analysis), scoped through
`showroom.organization.access`; prospect states and grades come from `showroom.sales.funnel`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from showroom.core.months import days_between
from showroom.core.numbers import percent, rate
from showroom.customers.choices import Grade
from showroom.customers.models import Customer
from showroom.organization import access
from showroom.organization.models import Staff, Store
from showroom.reports.sales.selectors import (
    CLOSE_LABELS,
    GRADE_RANK,
    KIND_MARKS,
    ORDERED,
    PLANNED_MARK,
)
from showroom.sales import funnel
from showroom.sales.choices import LossKind, LossReason, LossStatus
from showroom.sales.models import Activity, LossReport, Order

NOT_GIVEN = _("(not given)")

# The reasons' names in this report's own context: a bare "Price" means a quote's price
# elsewhere in the app, and gettext catalogues are shared by every app.
REASON_LABELS: dict[str, Any] = {
    LossReason.PRICE: pgettext_lazy("loss reason", "Price"),
    LossReason.PRODUCT: pgettext_lazy("loss reason", "Product"),
    LossReason.BRAND: pgettext_lazy("loss reason", "Brand"),
    LossReason.SERVICE: pgettext_lazy("loss reason", "Service"),
    LossReason.FINANCE: pgettext_lazy("loss reason", "Financing"),
    LossReason.DELIVERY_TIME: pgettext_lazy("loss reason", "Delivery time"),
    LossReason.TRADE_IN: pgettext_lazy("loss reason", "Trade-in value"),
    LossReason.LOCATION: pgettext_lazy("loss reason", "Location"),
    LossReason.OTHER: pgettext_lazy("loss reason", "Other"),
}


def reason_label(code: str) -> str:
    return str(REASON_LABELS.get(code, code))


# --- 意向客户接触状况表: the prospect contact status sheet -----------------------------


@dataclass
class StatusRow:
    """One prospect of the sheet: carried over (上月留存) or new in the month (本月新增)."""

    customer: Customer
    carried: bool
    grade_start: str  # carried over: the grade on the last day of the month before
    grade_end: str  # the grade at the end of the month (or of its last day shown)
    marks: list[list[str]]  # per day of the month: the kinds of contact made that day
    planned: list[bool]  # per day: a contact was planned for that day (*)
    close: str = ""  # "", "ordered", "lost" or "out_of_control"
    close_date: date | None = None
    orders: int = 0  # orders signed in the month

    @property
    def source(self) -> str:
        return str(self.customer.source) if self.customer.source_id else ""

    @property
    def close_label(self) -> str:
        return str(CLOSE_LABELS[self.close]) if self.close else ""

    def made(self, index: int) -> str:
        """The short marks of the contacts made on a day (电, 试, …)."""
        labels = [str(KIND_MARKS.get(kind, kind)) for kind in self.marks[index]]
        separator = "" if all(len(label) == 1 for label in labels) else "/"
        return separator.join(labels)

    def mark(self, index: int) -> str:
        """The text of a day's cell: the contacts made, then * if one was planned."""
        return self.made(index) + (PLANNED_MARK if self.planned[index] else "")

    @property
    def cells(self) -> list[dict[str, Any]]:
        return [{"made": self.made(i), "planned": self.planned[i]} for i in range(len(self.marks))]

    @property
    def contacts(self) -> int:
        return sum(len(kinds) for kinds in self.marks)


@dataclass
class GroupCounts:
    """Carried-over or new prospects of a sheet and how many of them closed in the month."""

    prospects: int = 0
    orders: int = 0
    lost: int = 0
    out_of_control: int = 0

    @property
    def close_ratio(self) -> float | None:
        """Orders in the month ÷ prospects (the 成交比例 of carried-over vs new)."""
        return rate(self.orders, self.prospects)

    def add(self, row: StatusRow) -> None:
        self.prospects += 1
        self.orders += row.orders
        self.lost += row.close == LossKind.LOST
        self.out_of_control += row.close == LossKind.OUT_OF_CONTROL

    def __add__(self, other: GroupCounts) -> GroupCounts:
        return GroupCounts(
            self.prospects + other.prospects,
            self.orders + other.orders,
            self.lost + other.lost,
            self.out_of_control + other.out_of_control,
        )


@dataclass
class ContactSheet:
    consultant: Staff
    rows: list[StatusRow] = field(default_factory=list)
    carried: GroupCounts = field(default_factory=GroupCounts)
    new: GroupCounts = field(default_factory=GroupCounts)

    @property
    def total(self) -> GroupCounts:
        return self.carried + self.new

    @property
    def sources(self) -> list[tuple[str, int, int]]:
        """(source, carried over, new) per source of the sheet's prospects."""
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for row in self.rows:
            counts[row.source or str(NOT_GIVEN)][0 if row.carried else 1] += 1
        return sorted(
            ((label, c, n) for label, (c, n) in counts.items()),
            key=lambda item: (-(item[1] + item[2]), item[0]),
        )

    @property
    def open_by_grade(self) -> dict[str, int]:
        """Prospects still open at the end of the month, by their grade then."""
        counts: dict[str, int] = {str(g): 0 for g in (Grade.H, Grade.A, Grade.B, Grade.C)}
        for row in self.rows:
            if not row.close and row.grade_end in counts:
                counts[row.grade_end] += 1
        return counts


@dataclass
class ContactStatusReport:
    store: Store
    month_start: date
    month_end: date
    sheets: list[ContactSheet]

    @property
    def days(self) -> list[date]:
        return days_between(self.month_start, self.month_end)


def _grade_order(grade: str) -> int:
    return -GRADE_RANK.get(grade, 0)


def contact_status(
    *,
    user: Staff,
    store: Store,
    month_start: date,
    month_end: date,
    consultants: Sequence[Staff],
) -> ContactStatusReport:
    """意向客户接触状况表 of each of `consultants` for month_start..month_end (4 queries).

    Rows: the prospects carried over into the month (sales.funnel.carried_over_into) with their
    grade on the day before it, highest grade first, then the prospects created (or
    re-activated) in the month in order of creation. Each day holds the contacts made and a *
    where one was planned (the next date of a contact, or the card's next follow-up). A
    prospect belongs to the sheet of the consultant its card is with now.
    """
    ids = [c.pk for c in consultants]
    day_before = month_start - timedelta(days=1)
    customers = (
        access.customer_rows(Customer.objects.all(), user)
        .filter(store=store, consultant__in=ids)
        .filter(
            funnel.carried_over_into(month_start)
            | (funnel.PROSPECT & Q(created__gte=month_start, created__lte=month_end))
            | (funnel.PROSPECT & funnel.reactivated_within(month_start, month_end))
        )
        .annotate(
            carried_in=ExpressionWrapper(
                funnel.carried_over_into(month_start), output_field=BooleanField()
            ),
            grade_start=funnel.grade_on(day_before),
            grade_end=funnel.grade_on(month_end),
        )
        .select_related("source")
        .order_by("created", "pk")
    )
    days = days_between(month_start, month_end)
    index = {day: i for i, day in enumerate(days)}
    rows: dict[int, StatusRow] = {}
    for customer in customers:
        # A card re-activated in the month is new in it, like one created then (docs/contracts.md).
        carried = bool(customer.carried_in)  # type: ignore[attr-defined]
        rows[customer.pk] = StatusRow(
            customer=customer,
            carried=carried,
            grade_start=customer.grade_start if carried else "",  # type: ignore[attr-defined]
            grade_end=customer.grade_end or "",  # type: ignore[attr-defined]
            marks=[[] for _day in days],
            planned=[False] * len(days),
        )
        if customer.next_follow_up in index:
            rows[customer.pk].planned[index[customer.next_follow_up]] = True

    of_sheet = Q(store=store, customer__consultant__in=ids)
    in_month = {"__gte": month_start, "__lte": month_end}
    activities = (
        access.activity_rows(Activity.objects.all(), user)
        .filter(of_sheet)
        .filter(
            Q(**{f"date{k}": v for k, v in in_month.items()})
            | Q(**{f"next_date{k}": v for k, v in in_month.items()})
        )
        .order_by("date", "pk")
        .values_list("customer_id", "date", "kind", "next_date")
    )
    for customer_id, day, kind, next_date in activities:
        row = rows.get(customer_id)
        if row is None:
            continue
        if day in index:
            row.marks[index[day]].append(kind)
        if next_date in index:
            row.planned[index[next_date]] = True

    closings: dict[int, tuple[date, str]] = {}

    def closed(customer_id: int, day: date, kind: str) -> None:
        if customer_id in rows and (customer_id not in closings or day < closings[customer_id][0]):
            closings[customer_id] = (day, kind)

    orders = (
        access.order_rows(Order.objects.all(), user)
        .filter(of_sheet, order_date__gte=month_start, order_date__lte=month_end)
        .filter(Q(cancelled_on__isnull=True) | Q(cancelled_on__gt=month_end))
        .values_list("customer_id", "order_date")
    )
    for customer_id, day in orders:
        if customer_id in rows:
            rows[customer_id].orders += 1
            closed(customer_id, day, ORDERED)
    losses = (
        access.loss_rows(LossReport.objects.all(), user)
        .filter(of_sheet, status=LossStatus.CONFIRMED, date__gte=month_start, date__lte=month_end)
        .values_list("customer_id", "date", "kind")
    )
    for customer_id, day, kind in losses:
        closed(customer_id, day, kind)
    for customer_id, (day, kind) in closings.items():
        rows[customer_id].close, rows[customer_id].close_date = kind, day

    sheets = {c.pk: ContactSheet(consultant=c) for c in consultants}
    ordered_rows = sorted(
        rows.values(),
        key=lambda r: (
            not r.carried,
            _grade_order(r.grade_start) if r.carried else 0,
            r.customer.created,
            r.customer.pk,
        ),
    )
    for row in ordered_rows:
        sheet = sheets[row.customer.consultant_id]  # type: ignore[index]
        sheet.rows.append(row)
        (sheet.carried if row.carried else sheet.new).add(row)
    return ContactStatusReport(
        store=store,
        month_start=month_start,
        month_end=month_end,
        sheets=[sheets[c.pk] for c in consultants],
    )


# --- 销售促进战败(失控)分析表: the lost / out-of-control analysis -------------------------


@dataclass
class SummaryLine:
    label: str
    key: Any = None
    lost: int = 0
    out_of_control: int = 0
    share: float | None = None  # of all confirmed records of the month

    @property
    def total(self) -> int:
        return self.lost + self.out_of_control

    @property
    def share_text(self) -> str:
        return percent(self.share)


@dataclass
class LossAnalysis:
    store: Store
    month_start: date
    month_end: date
    confirmed: list[LossReport]
    waiting: list[LossReport]
    by_reason: list[SummaryLine]
    by_model: list[SummaryLine]
    by_competitor: list[SummaryLine]
    by_consultant: list[SummaryLine]
    by_grade: list[SummaryLine]
    total: SummaryLine

    @property
    def summaries(self) -> list[tuple[Any, list[SummaryLine]]]:
        return [
            (_("By reason"), self.by_reason),
            (_("By intended model"), self.by_model),
            (_("By competitor bought"), self.by_competitor),
            (_("By consultant"), self.by_consultant),
            (_("By grade at the time"), self.by_grade),
        ]


KIND_COUNTS: dict[str, Any] = {
    "lost": Count("pk", filter=Q(kind=LossKind.LOST)),
    "out_of_control": Count("pk", filter=Q(kind=LossKind.OUT_OF_CONTROL)),
}


def _summary(
    qs: QuerySet[LossReport], keys: Sequence[str], label: Any, grand_total: int
) -> list[SummaryLine]:
    lines = []
    for row in qs.order_by().values(*keys).annotate(**KIND_COUNTS):
        line = SummaryLine(str(label(row)), row[keys[0]], row["lost"], row["out_of_control"])
        line.share = rate(line.total, grand_total)
        lines.append(line)
    return sorted(lines, key=lambda ln: (-ln.total, ln.label))


def loss_analysis(*, user: Staff, store: Store, month_start: date, month_end: date) -> LossAnalysis:
    """销售促进战败(失控)分析表 of `store` for month_start..month_end, as `user` may see it.

    Only confirmed records count, on their own date; requests still waiting for the manager
    are listed apart. Summaries by reason (every reason, in the form's order), by the
    customer's intended model, by competitor (brand and model), by consultant and by grade.
    """
    records = access.loss_rows(LossReport.objects.all(), user).filter(
        store=store, date__gte=month_start, date__lte=month_end
    )
    confirmed_qs = records.filter(status=LossStatus.CONFIRMED)
    related = ("customer", "consultant", "decided_by")
    confirmed = list(confirmed_qs.select_related(*related).order_by("date", "pk"))
    waiting = list(
        records.filter(status=LossStatus.REQUESTED).select_related(*related).order_by("date", "pk")
    )
    total = SummaryLine(
        str(_("Total")),
        None,
        sum(r.kind == LossKind.LOST for r in confirmed),
        sum(r.kind == LossKind.OUT_OF_CONTROL for r in confirmed),
    )
    n = total.total
    total.share = rate(n, n)

    reasons = {line.key: line for line in _summary(confirmed_qs, ["reason"], _reason, n)}
    by_reason = [
        reasons.pop(code, SummaryLine(reason_label(code), code, share=rate(0, n)))
        for code in LossReason.values
    ]
    by_reason += reasons.values()  # codes outside the choices, should any exist
    grades = {line.key: line for line in _summary(confirmed_qs, ["grade"], _grade, n)}
    by_grade = [grades[g] for g in [*Grade.values, ""] if g in grades]
    return LossAnalysis(
        store=store,
        month_start=month_start,
        month_end=month_end,
        confirmed=confirmed,
        waiting=waiting,
        by_reason=by_reason,
        by_model=_summary(confirmed_qs, ["customer__model"], _model, n),
        by_competitor=_summary(
            confirmed_qs, ["competitor_brand", "competitor_model"], _competitor, n
        ),
        by_consultant=_summary(
            confirmed_qs,
            ["consultant_id", "consultant__full_name", "consultant__username"],
            _consultant,
            n,
        ),
        by_grade=by_grade,
        total=total,
    )


def _reason(row: dict[str, Any]) -> str:
    return reason_label(row["reason"])


def _grade(row: dict[str, Any]) -> str:
    return row["grade"] or "—"


def _model(row: dict[str, Any]) -> str:
    return row["customer__model"] or str(NOT_GIVEN)


def _competitor(row: dict[str, Any]) -> str:
    text = " ".join(p for p in (row["competitor_brand"], row["competitor_model"]) if p)
    return text or str(NOT_GIVEN)


def _consultant(row: dict[str, Any]) -> str:
    return row["consultant__full_name"] or row["consultant__username"]
