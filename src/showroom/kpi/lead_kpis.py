"""Lead KPIs of the registry: one query over the leads, whatever the number of leads or
groups, the median response time included (PostgreSQL computes it; SQLite, which has no
median, returns the group's response times in that same query and Python takes their median).

Grouping: a lead's assigned agent (consultant or DCC agent), its channel (a source code) and
its intended model.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from showroom.kpi.expressions import DaysBetween, SecondsBetween, median, median_value
from showroom.kpi.funnel_kpis import Stores
from showroom.kpi.grouping import group_columns, grouped
from showroom.organization.models import Store
from showroom.sales.funnel import order_standing
from showroom.sales.models import Order
from showroom.traffic.models import Lead, WalkIn

LEAD_CODES = frozenset({"leads", "lead_response_minutes", "appointment_rate", "show_rate"})

# A lead "shows" when its phone walks in at most this many days after the appointment date.
SHOW_GRACE_DAYS = 3


def lead_rows(
    stores: Stores,
    start: date,
    end: date,
    by: str | None,
    wanted: frozenset[str],
    *,
    consultant: int | None = None,
) -> list[dict[str, Any]]:
    """Leads created in the period, and leads with an appointment date in it (show_rate)."""
    created = Q(date__range=(start, end))
    appointed = Q(appointment_date__range=(start, end))
    # A walk-in of the same store and phone from the lead's date up to appointment + 3 days:
    # a visit before the lead existed is no show for that lead's appointment.
    visited = (
        WalkIn.objects.filter(
            store=OuterRef("store"), phone_norm=OuterRef("phone_norm"), date__gte=OuterRef("date")
        )
        .annotate(days_late=DaysBetween(F("date"), OuterRef("appointment_date")))
        .filter(days_late__lte=SHOW_GRACE_DAYS)
    )
    aggregates: dict[str, Any] = {}
    if wanted & {"leads", "appointment_rate"}:
        aggregates["ld_leads"] = Count("pk", filter=created)
    if "appointment_rate" in wanted:
        aggregates["ld_appointments"] = Count(
            "pk", filter=created & Q(appointment_date__isnull=False)
        )
    if "lead_response_minutes" in wanted:
        aggregates["ld_response"] = median(
            SecondsBetween(F("first_contact_at"), F("created_at")),
            vendor=connection.vendor,
            filter=created & Q(first_contact_at__isnull=False),
        )
    if "show_rate" in wanted:
        aggregates["ld_appointed"] = Count("pk", filter=appointed)
        aggregates["ld_shown"] = Count(
            "pk", filter=appointed & ~Q(phone_norm="") & Q(Exists(visited))
        )
    window = created | appointed if "show_rate" in wanted else created
    qs = Lead.objects.filter(window, store__in=stores)
    if consultant is not None:
        qs = qs.filter(assigned_to_id=consultant)
    columns = group_columns(by, consultant="assigned_to", source="channel") if by else None
    rows = grouped(qs, by, aggregates, columns)
    for row in rows:
        if "ld_response" in row:
            seconds = median_value(row.pop("ld_response"))
            row["ld_response_minutes"] = None if seconds is None else seconds / 60
    return rows


# The lead funnel's stages, top first (lead_funnel_cohort).
LEAD_STAGES: tuple[str, ...] = ("leads", "contacted", "appointment", "shown", "order")


def lead_funnel_cohort(
    *, stores: Sequence[Store] | QuerySet[Store], start: date, end: date
) -> dict[str, int]:
    """The leads created start..end followed to `end`, each stage "reached this stage or a
    later one" (so that no stage exceeds the one before), in one query: contacted (a first
    contact), appointment (an appointment date), shown (the lead's phone walked into the
    store from the lead's date on), order (a standing order of the store's card of that
    phone, from the lead's date on). The first stage is the `leads` KPI of the period."""
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    ordered = Q(
        Exists(
            Order.objects.filter(
                order_standing(end),
                store=OuterRef("store"),
                customer__phone_norm=OuterRef("phone_norm"),
                order_date__gte=OuterRef("date"),
            )
        )
    )
    shown = ordered | Q(
        Exists(
            WalkIn.objects.filter(
                store=OuterRef("store"),
                phone_norm=OuterRef("phone_norm"),
                date__gte=OuterRef("date"),
                date__lte=end,
            ).exclude(phone_norm="")
        )
    )
    appointed = shown | Q(appointment_date__isnull=False)
    contacted = appointed | Q(first_contact_at__isnull=False)
    counts = Lead.objects.filter(store__in=stores, date__range=(start, end)).aggregate(
        leads=Count("pk"),
        contacted=Count("pk", filter=contacted),
        appointment=Count("pk", filter=appointed),
        shown=Count("pk", filter=shown),
        order=Count("pk", filter=ordered),
    )
    return {stage: counts[stage] or 0 for stage in LEAD_STAGES}
