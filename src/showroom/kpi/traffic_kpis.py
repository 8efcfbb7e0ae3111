"""Walk-in and call KPIs (defined in kpi/registry.py): one query over each register,
whatever the number of rows or groups (see `showroom.kpi.selectors` for the contract of the
values and the grouping).

Grouping: a row's consultant, source and model.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import BooleanField, Case, Count, Exists, OuterRef, Q, Sum, Value, When
from django.db.models.lookups import In

from showroom.core.months import previous_month_range
from showroom.kpi.funnel_kpis import Stores
from showroom.kpi.grouping import group_columns, grouped, person
from showroom.sales.funnel import order_standing
from showroom.sales.models import Order
from showroom.traffic.choices import CallType, VisitType
from showroom.traffic.models import CONTACT_KEPT, Call, WalkIn

# Walk-in counts that need the orders (an `Exists` per row): only when asked for.
WALKIN_DEAL_CODES = frozenset({"test_drive_close_rate", "unique_close_rate"})
WALKIN_CODES = frozenset(
    {
        "walkin_batches",
        "first_visit_batches",
        "repeat_visit_batches",
        "invited_visit_batches",
        "avg_stay_minutes",
        "retention_rate",
        "receptions_per_consultant",
        "test_drive_rate",
        "quote_rate",
        "unique_visitors",
        "close_rate",  # its denominator, first_visit_batches
        *WALKIN_DEAL_CODES,
    }
)
CALL_CODES = frozenset({"call_batches", "first_call_batches", "call_invitation_rate"})


def walkin_rows(
    stores: Stores,
    start: date,
    end: date,
    by: str | None,
    wanted: frozenset[str],
    *,
    consultant: int | None = None,
) -> list[dict[str, Any]]:
    """Counts of the walk-in rows dated in the period; with the test-drive or unique close
    rate, whether the person (their phone) ordered."""
    first = Q(visit_type=VisitType.FIRST)
    has_phone = ~Q(phone_norm="")
    qs = WalkIn.objects.filter(store__in=stores, date__range=(start, end))
    if consultant is not None:
        qs = qs.filter(consultant_id=consultant)
    aggregates: dict[str, Any] = {
        "w_rows": Count("pk"),
        "w_first": Count("pk", filter=first),
        "w_repeat": Count("pk", filter=Q(visit_type=VisitType.REPEAT)),
        "w_invited": Count("pk", filter=Q(invited=True)),
        # stay_minutes is set exactly when both arrival and departure are.
        "w_stay_sum": Sum("stay_minutes", filter=first),
        "w_stay_rows": Count("stay_minutes", filter=first),
        "w_first_kept": Count("pk", filter=first & CONTACT_KEPT),
        "w_first_consultants": Count("consultant", filter=first, distinct=True),
        "w_test_drives": Count("pk", filter=Q(test_drive=True)),
        "w_quotes": Count("pk", filter=Q(quoted=True)),
        "w_phones": Count(person(), filter=has_phone, distinct=True),
        "w_no_phone": Count("pk", filter=Q(phone_norm="")),
    }
    if wanted & WALKIN_DEAL_CODES:
        # The person's orders: same store, same phone on the order's card, not cancelled by
        # the period's end.
        orders = Order.objects.filter(
            store=OuterRef("store"),
            customer__phone_norm=OuterRef("phone_norm"),
        ).filter(order_standing(end))
        # The people with such an order dated in the period, as one set the database builds
        # once and looks each walk-in up in (a hashed subplan), instead of probing every
        # walk-in's orders: an order after a walk-in of the period is dated in the period.
        closed = (
            Order.objects.filter(order_standing(end), order_date__gte=start, store__in=stores)
            .exclude(customer__phone_norm="")
            .order_by()
            .values(key=person("customer__phone_norm"))
        )
        ordered = has_phone & Q(In(person(), closed))
        if "test_drive_close_rate" in wanted:
            tested = has_phone & Q(test_drive=True)
            after = orders.filter(order_date__gte=OuterRef("date"))
            aggregates["w_td_phones"] = Count(person(), filter=tested, distinct=True)
            # Only the test drives of people in that set have their orders read (CASE: the
            # database may evaluate the conditions of an AND in any order).
            closed_after = Case(
                When(ordered, then=Exists(after)), default=Value(False), output_field=BooleanField()
            )
            aggregates["w_td_closed"] = Count(
                person(), filter=tested & Q(closed_after), distinct=True
            )
        if "unique_close_rate" in wanted:
            aggregates["w_closed"] = Count(person(), filter=ordered, distinct=True)
    return grouped(qs, by, aggregates, group_columns(by) if by else None)


def call_rows(
    stores: Stores,
    start: date,
    end: date,
    by: str | None,
    wanted: frozenset[str],
    *,
    consultant: int | None = None,
) -> list[dict[str, Any]]:
    """Counts of the call rows dated in the period; with call_invitation_rate, also the
    previous month's first calls and whether the caller walked in afterwards."""
    in_period = Q(date__range=(start, end))
    aggregates: dict[str, Any] = {
        "c_rows": Count("pk", filter=in_period),
        "c_first": Count("pk", filter=in_period & Q(call_type=CallType.FIRST)),
    }
    window = in_period
    if "call_invitation_rate" in wanted:
        prev_start, prev_end = previous_month_range(start)
        invitable = Q(date__range=(prev_start, prev_end), call_type=CallType.FIRST) & ~Q(
            phone_norm=""
        )
        # A walk-in of the same store and phone strictly after the call (date, then time)
        # and on or before the period's end.
        visited = WalkIn.objects.filter(
            store=OuterRef("store"), phone_norm=OuterRef("phone_norm"), date__lte=end
        ).filter(
            Q(date__gt=OuterRef("date"))
            | Q(date=OuterRef("date"), arrived_at__gt=OuterRef("called_at"))
        )
        aggregates["c_invitable"] = Count(person(), filter=invitable, distinct=True)
        aggregates["c_invited"] = Count(
            person(), filter=invitable & Q(Exists(visited)), distinct=True
        )
        window = in_period | invitable
    qs = Call.objects.filter(window, store__in=stores)
    if consultant is not None:
        qs = qs.filter(consultant_id=consultant)
    return grouped(qs, by, aggregates, group_columns(by) if by else None)
