"""The rows before (and just after) an export's range that the range's KPIs read.

"A month's KPIs need what is carried into it" (docs/contracts.md): an export imported into
an empty database must give the same KPIs for every month of its range, the first one too.
Besides the whole history of cards, orders, losses, re-activations and service visits and
each card's last graded activity before the range, the export adds:
- calls: the first-time calls of the month before the range (call_invitation_rate of the
  first month is over them);
- leads: the leads with an appointment date in the range, whenever made (show_rate);
- walk-ins: those of the same phone, on or after such a call or lead, before the range, and
  those up to SHOW_GRACE_DAYS after it of a lead appointed in the range (a lead "shows" up to
  that many days after its appointment);
- activities: the owner-care contacts of the RETENTION_DAYS before the range (an owner is
  retained by a care contact in the 180 days up to a period's end).
Each function returns the extra rows of `rows` (a form's rows of the exported stores); rows
of the range itself are added by the caller.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Exists, Min, OuterRef, Q, QuerySet

from showroom.core.months import previous_month_range
from showroom.kpi.funnel_kpis import RETENTION_DAYS
from showroom.kpi.lead_kpis import SHOW_GRACE_DAYS
from showroom.sales.choices import ActivityKind
from showroom.traffic.choices import CallType
from showroom.traffic.models import Call, Lead


def _first_calls(start: date) -> QuerySet[Call]:
    prev_start, prev_end = previous_month_range(start)
    return Call.objects.filter(
        date__range=(prev_start, prev_end), call_type=CallType.FIRST
    ).exclude(phone_norm="")


def calls(rows: QuerySet[Any], start: date, end: date) -> QuerySet[Any]:
    prev_start, prev_end = previous_month_range(start)
    return rows.filter(date__range=(prev_start, prev_end), call_type=CallType.FIRST).exclude(
        phone_norm=""
    )


def leads(rows: QuerySet[Any], start: date, end: date) -> QuerySet[Any]:
    return rows.filter(appointment_date__range=(start, end)).exclude(date__range=(start, end))


def walk_ins(rows: QuerySet[Any], start: date, end: date) -> QuerySet[Any]:
    called = _first_calls(start).filter(
        store=OuterRef("store"), phone_norm=OuterRef("phone_norm"), date__lte=OuterRef("date")
    )
    appointed = Lead.objects.filter(
        store=OuterRef("store"),
        phone_norm=OuterRef("phone_norm"),
        appointment_date__range=(start, end),
        date__lte=OuterRef("date"),
    )
    after = (end + timedelta(days=1), end + timedelta(days=SHOW_GRACE_DAYS))
    # No walk-in before the earliest such call or lead can count: a bound for the index, so
    # that the lookups run for a few weeks of walk-ins rather than the store's whole history.
    made = Lead.objects.filter(appointment_date__range=(start, end)).aggregate(first=Min("date"))
    since = min(previous_month_range(start)[0], made["first"] or start)
    return rows.exclude(phone_norm="").filter(
        (
            Q(date__range=(since, start - timedelta(days=1)))
            & (Q(Exists(called)) | Q(Exists(appointed)))
        )
        | (Q(date__range=after) & Q(Exists(appointed)))
    )


def activities(rows: QuerySet[Any], start: date, end: date) -> QuerySet[Any]:
    return rows.filter(
        kind=ActivityKind.OWNER_CARE,
        date__range=(start - timedelta(days=RETENTION_DAYS), start - timedelta(days=1)),
    )
