"""The rows behind a dashboard number (drill-down): for each KPI, the register rows, cards,
orders, deliveries, loss records or leads it counts, of one store and period, optionally of
one consultant, source or model (each row's own, as `compute_kpis` groups them), and for the
heatmap one weekday and hour slot.

For a rate, the rows are its denominator's and `hits` narrows them to its numerator's (the
funnel's contacts kept, test drives and quotes); a rate across two tables lists the rows of
its numerator and names the KPI of its denominator (`other`). Which rows a user may read is
decided by `showroom.organization.access` only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import ExtractIsoWeekDay
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from showroom.core.months import previous_month_range
from showroom.customers.models import Customer
from showroom.kpi.selectors import NONE_KEY
from showroom.kpi.statistics.selectors import slot_expression
from showroom.organization import access, permissions
from showroom.organization.models import Staff, Store
from showroom.sales.choices import Channel, LossKind, LossStatus
from showroom.sales.funnel import (
    PROSPECT,
    awaiting_delivery,
    carried_over_into,
    grade_on,
    open_on,
    order_standing,
)
from showroom.sales.models import LossReport, Order
from showroom.traffic.choices import CallType, VisitType
from showroom.traffic.models import CONTACT_KEPT, Call, Lead, WalkIn

Table = Literal["walkins", "calls", "cards", "orders", "deliveries", "losses", "leads"]
Period = Callable[[date, date], Q]


def _all(start: date, end: date) -> Q:
    return Q()


def _q(**lookups: Any) -> Period:
    return lambda start, end: Q(**lookups)


@dataclass(frozen=True)
class Drill:
    table: Table
    # Rows behind the KPI besides the table's own period (see `_period`).
    base: Period = _all
    # The numerator's rows among them, for a rate.
    hits: Period | None = None
    # For a rate across two tables: the KPI whose rows are its denominator.
    other: str | None = None
    # Cards at a date: grade at the end of the period (prospects_H …).
    grade: str | None = None


_FIRST = _q(visit_type=VisitType.FIRST)
_PHONE = ~Q(phone_norm="")


def _delivered(start: date, end: date) -> Q:
    """Owners at the end: a card with a delivery by then (cancelled orders never count)."""
    orders = Order.objects.filter(
        customer=OuterRef("pk"), cancelled_on__isnull=True, delivery_date__lte=end
    )
    return Q(Exists(orders))


DRILLS: dict[str, Drill] = {
    # walk-in register
    "walkin_batches": Drill("walkins"),
    "first_visit_batches": Drill("walkins", _FIRST),
    "repeat_visit_batches": Drill("walkins", _q(visit_type=VisitType.REPEAT)),
    "invited_visit_batches": Drill("walkins", _q(invited=True)),
    "avg_stay_minutes": Drill(
        "walkins", lambda s, e: Q(visit_type=VisitType.FIRST, stay_minutes__isnull=False)
    ),
    "retention_rate": Drill("walkins", _FIRST, hits=lambda s, e: CONTACT_KEPT),
    "receptions_per_consultant": Drill("walkins", _FIRST),
    "test_drive_rate": Drill("walkins", hits=_q(test_drive=True)),
    "quote_rate": Drill("walkins", hits=_q(quoted=True)),
    "unique_visitors": Drill("walkins"),
    "test_drive_close_rate": Drill("walkins", lambda s, e: Q(test_drive=True) & _PHONE),
    "unique_close_rate": Drill("walkins"),
    # call register
    "call_batches": Drill("calls"),
    "first_call_batches": Drill("calls", _q(call_type=CallType.FIRST)),
    "call_invitation_rate": Drill("calls", lambda s, e: Q(call_type=CallType.FIRST) & _PHONE),
    # cards
    "new_prospects": Drill("cards", lambda s, e: PROSPECT & Q(created__range=(s, e))),
    "carried_over_prospects": Drill("cards", lambda s, e: carried_over_into(s)),
    "prospects_H": Drill("cards", lambda s, e: open_on(e), grade="H"),
    "prospects_A": Drill("cards", lambda s, e: open_on(e), grade="A"),
    "prospects_B": Drill("cards", lambda s, e: open_on(e), grade="B"),
    "prospects_C": Drill("cards", lambda s, e: open_on(e), grade="C"),
    "active_prospects": Drill("cards", lambda s, e: open_on(e), grade="HAB"),
    "prospects_O": Drill("cards", lambda s, e: awaiting_delivery(e)),
    "owners": Drill("cards", _delivered),
    "owner_retention_rate": Drill("cards", _delivered),
    "owner_churn_rate": Drill("cards", _delivered),
    # orders dated in the period
    "orders": Drill("orders"),
    "cancelled_orders": Drill("orders"),
    "orders_from_carried_over": Drill(
        "orders",
        lambda s, e: Q(
            Exists(Customer.objects.filter(carried_over_into(s), pk=OuterRef("customer_id")))
        ),
    ),
    "orders_from_new": Drill(
        "orders",
        lambda s, e: Q(
            Exists(
                Customer.objects.filter(PROSPECT, pk=OuterRef("customer_id"), created__range=(s, e))
            )
        ),
    ),
    "close_rate": Drill("orders", _q(channel=Channel.SHOWROOM), other="first_visit_batches"),
    "order_rate": Drill("orders", other="carried_over_prospects"),
    # deliveries dated in the period
    "deliveries": Drill("deliveries"),
    "order_delivery_rate": Drill("deliveries", other="orders"),
    "showroom_sales_ratio": Drill("deliveries", hits=_q(channel=Channel.SHOWROOM)),
    "delivery_ceremony_rate": Drill("deliveries", hits=_q(ceremony=True)),
    "insurance_penetration": Drill("deliveries", hits=_q(insurance=True)),
    "finance_penetration": Drill("deliveries", hits=_q(finance=True)),
    "accessory_penetration": Drill("deliveries", hits=_q(accessories__gt=0)),
    "tradein_penetration": Drill("deliveries", hits=_q(trade_in=True)),
    "call_3day_rate": Drill("deliveries"),
    "letter_7day_rate": Drill("deliveries"),
    "owner_referral_rate": Drill("deliveries", hits=_q(source__code="owner_referral")),
    "source_mix": Drill("deliveries"),
    # confirmed loss records
    "lost_rate": Drill("losses", _q(kind=LossKind.LOST), other="carried_over_prospects"),
    "out_of_control_rate": Drill(
        "losses", _q(kind=LossKind.OUT_OF_CONTROL), other="carried_over_prospects"
    ),
    # leads
    "leads": Drill("leads"),
    "lead_response_minutes": Drill("leads", _q(first_contact_at__isnull=False)),
    "appointment_rate": Drill("leads", hits=_q(appointment_date__isnull=False)),
    "show_rate": Drill("leads"),
}

# Where each table's consultant, source and model are (as compute_kpis groups them).
_GROUP_FIELDS: dict[Table, tuple[str, str, str]] = {
    "walkins": ("consultant", "source", "model"),
    "calls": ("consultant", "source", "model"),
    "cards": ("consultant", "source", "model"),
    "orders": ("consultant", "source", "model"),
    "deliveries": ("consultant", "source", "model"),
    "losses": ("consultant", "customer__source", "customer__model"),
    "leads": ("assigned_to", "channel", "model"),
}
GROUPINGS = ("consultant", "source", "model")


def _period(drill: Drill, code: str, start: date, end: date) -> Q:
    """The table's own "dated in the period" (cards: none, their KPIs say it)."""
    if code == "call_invitation_rate":  # the previous month's first calls
        return Q(date__range=previous_month_range(start))
    if code == "show_rate":
        return Q(appointment_date__range=(start, end))
    if code == "cancelled_orders":
        return Q(cancelled_on__range=(start, end))
    if drill.table == "orders":
        return Q(order_date__range=(start, end)) & order_standing(end)
    if drill.table == "deliveries":
        return Q(delivery_date__range=(start, end), cancelled_on__isnull=True)
    if drill.table == "losses":
        return Q(date__range=(start, end), status=LossStatus.CONFIRMED)
    if drill.table == "cards":
        return Q()
    return Q(date__range=(start, end))


def _scoped(table: Table, user: Staff) -> QuerySet[Any]:
    if table == "walkins":
        return access.front_desk_rows(
            WalkIn.objects.select_related("consultant", "source", "customer"), user
        )
    if table == "calls":
        return access.front_desk_rows(
            Call.objects.select_related("consultant", "source", "customer"), user
        )
    if table == "cards":
        return access.customer_rows(Customer.objects.select_related("consultant", "source"), user)
    if table in ("orders", "deliveries"):
        orders = Order.objects.select_related("consultant", "source", "customer")
        return access.order_rows(orders, user)
    if table == "losses":
        return access.loss_rows(LossReport.objects.select_related("consultant", "customer"), user)
    return access.lead_rows(Lead.objects.select_related("assigned_to", "channel", "store"), user)


def drill_rows(
    *,
    user: Staff,
    store: Store,
    code: str,
    start: date,
    end: date,
    group_by: str | None = None,
    key: str | None = None,
    hits: bool = False,
    weekday: int | None = None,
    slot: int | None = None,
) -> QuerySet[Any]:
    """The rows behind `code` of `store` for start..end that `user` may read.

    `group_by`/`key`: a consultant (staff id), source (code) or model, NONE_KEY for rows
    without one. `hits`: only the rows a rate counts in its numerator. `weekday` (ISO, 1 =
    Monday) and `slot` (the hour of a slot, see kpi.statistics.selectors.SLOTS): walk-ins of
    the heatmap.
    KeyError for a code without rows behind it."""
    drill = DRILLS[code]
    qs = _scoped(drill.table, user).filter(store=store)
    qs = qs.filter(_period(drill, code, start, end) & drill.base(start, end))
    if hits and drill.hits is not None:
        qs = qs.filter(drill.hits(start, end))
    if drill.grade:
        qs = qs.annotate(grade_then=grade_on(end)).filter(grade_then__in=list(drill.grade))
    if group_by in GROUPINGS and key is not None:
        consultant, source, model = _GROUP_FIELDS[drill.table]
        if group_by == "consultant":
            qs = (
                qs.filter(**{f"{consultant}__isnull": True})
                if key == NONE_KEY
                else qs.filter(**{f"{consultant}_id": int(key) if key.isdigit() else 0})
            )
        elif group_by == "source":
            qs = (
                qs.filter(**{f"{source}__isnull": True})
                if key == NONE_KEY
                else qs.filter(**{f"{source}__code": key})
            )
        else:
            qs = qs.filter(**{model: "" if key == NONE_KEY else key})
    if drill.table == "walkins":
        if weekday is not None:
            qs = qs.annotate(weekday=ExtractIsoWeekDay("date")).filter(weekday=weekday)
        if slot is not None:
            qs = qs.annotate(slot=slot_expression("arrived_at")).filter(slot=slot)
    return qs.order_by(*_ORDER[drill.table])


_ORDER: dict[Table, tuple[str, ...]] = {
    "walkins": ("date", "arrived_at", "pk"),
    "calls": ("date", "called_at", "pk"),
    "cards": ("created", "pk"),
    "orders": ("order_date", "pk"),
    "deliveries": ("delivery_date", "pk"),
    "losses": ("date", "pk"),
    "leads": ("created_at", "pk"),
}


# --- the rows as a table ----------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    cells: list[str]
    url: str | None


def _yes(value: bool | None) -> str:
    return "✓" if value else ""


def _d(value: Any) -> str:
    return "" if value is None else f"{value:%Y-%m-%d}"


def _t(value: Any) -> str:
    return "" if value is None else f"{value:%H:%M}"


def _name(staff: Staff | None) -> str:
    return "" if staff is None else str(staff)


def _url(user: Staff, name: str, pk: int | None) -> str | None:
    """The row's screen, linked only for a user the screen table admits (marketing and the
    group read the rows but open no card, order or loss)."""
    if pk is None or not permissions.allows(user, name):
        return None
    return reverse(name, args=[pk])


HEADERS: dict[Table, tuple[Any, ...]] = {
    "walkins": (
        _("Date"),
        _("Arrival"),
        _("Customer"),
        _("Phone"),
        _("Visit"),
        _("Source"),
        _("Model"),
        _("Consultant"),
        _("Contact kept"),
        _("Test drive"),
        _("Quoted"),
    ),
    "calls": (
        _("Date"),
        _("Call time"),
        _("Customer"),
        _("Phone"),
        _("Call"),
        _("Source"),
        _("Model"),
        _("Consultant"),
    ),
    "cards": (
        _("Card date"),
        _("Customer"),
        _("Phone"),
        _("Grade"),
        _("Source"),
        _("Model"),
        _("Consultant"),
    ),
    "orders": (
        _("Order date"),
        _("Delivery date"),
        _("Customer"),
        _("Phone"),
        _("Model"),
        pgettext_lazy("sales channel", "Channel"),
        _("Source"),
        _("Consultant"),
    ),
    "deliveries": (
        _("Delivery date"),
        _("Order date"),
        _("Customer"),
        _("Phone"),
        _("Model"),
        pgettext_lazy("sales channel", "Channel"),
        _("Source"),
        _("Consultant"),
        _("Ceremony"),
        _("Insurance"),
        _("Finance"),
        _("Trade-in"),
        _("3-day call"),
        _("7-day letter"),
    ),
    "losses": (
        _("Date"),
        _("Type"),
        _("Customer"),
        _("Grade"),
        _("Reason"),
        _("Competitor"),
        _("Consultant"),
    ),
    "leads": (
        pgettext_lazy("created at", "Created"),
        _("Customer"),
        _("Phone"),
        pgettext_lazy("lead", "Channel"),
        _("Model"),
        _("Assigned to"),
        _("First contact"),
        _("Appointment"),
    ),
}


def line(table: Table, row: Any, user: Staff) -> Line:
    """One row for the drill-down table, phone numbers as `user` may see them."""

    def phone(number: str, owner_id: int | None) -> str:
        return access.shown_phone(user, number, owner_id=owner_id)

    if table == "walkins":
        return Line(
            [
                _d(row.date),
                _t(row.arrived_at),
                row.name,
                phone(row.phone, row.consultant_id),
                row.get_visit_type_display(),
                str(row.source or ""),
                row.model,
                _name(row.consultant),
                _yes(row.is_contact_kept),
                _yes(row.test_drive),
                _yes(row.quoted),
            ],
            _url(user, "customers:card", row.customer_id),
        )
    if table == "calls":
        return Line(
            [
                _d(row.date),
                _t(row.called_at),
                row.name,
                phone(row.phone, row.consultant_id),
                row.get_call_type_display(),
                str(row.source or ""),
                row.model,
                _name(row.consultant),
            ],
            _url(user, "customers:card", row.customer_id),
        )
    if table == "cards":
        return Line(
            [
                _d(row.created),
                row.name,
                phone(row.phone, row.consultant_id),
                getattr(row, "grade_then", None) or row.grade,
                str(row.source or ""),
                row.model,
                _name(row.consultant),
            ],
            _url(user, "customers:card", row.pk),
        )
    if table in ("orders", "deliveries"):
        dates = [_d(row.order_date), _d(row.delivery_date)]
        cells = [
            *(dates if table == "orders" else dates[::-1]),
            row.customer.name,
            phone(row.customer.phone, row.consultant_id),
            row.model,
            row.get_channel_display(),
            str(row.source or ""),
            _name(row.consultant),
        ]
        if table == "deliveries":
            cells += [
                _yes(row.ceremony),
                _yes(row.insurance),
                _yes(row.finance),
                _yes(row.trade_in),
                _d(row.call_3day),
                _d(row.letter_7day),
            ]
        return Line(cells, _url(user, "deals:order_detail", row.pk))
    if table == "losses":
        competitor = " ".join(filter(None, [row.competitor_brand, row.competitor_model]))
        return Line(
            [
                _d(row.date),
                row.get_kind_display(),
                row.customer.name,
                row.grade,
                row.get_reason_display(),
                competitor,
                _name(row.consultant),
            ],
            _url(user, "deals:loss_detail", row.pk),
        )
    local = row.created_at.astimezone(row.store.tz) if row.created_at else None
    return Line(
        [
            f"{local:%Y-%m-%d %H:%M}" if local else "",
            row.name,
            phone(row.phone, row.assigned_to_id),
            str(row.channel),
            row.model,
            _name(row.assigned_to),
            row.first_contact_at.astimezone(row.store.tz).strftime("%Y-%m-%d %H:%M")
            if row.first_contact_at
            else "",
            _d(row.appointment_date),
        ],
        _url(user, "customers:card", row.customer_id),
    )
