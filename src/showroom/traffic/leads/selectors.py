"""Reads of the lead desk: the inbox, a lead's page, the escalation list, the calendar,
today's expected arrivals and yesterday's no-shows. Rows are scoped through
organization.access (lead_rows, appointment_rows)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)

from showroom.organization import access
from showroom.organization.choices import Role
from showroom.organization.models import Staff, Store
from showroom.traffic.choices import AppointmentStatus, LeadStatus
from showroom.traffic.leads.services import desk_settings
from showroom.traffic.models import Appointment, Lead, LeadContact, LeadRoute, WalkIn

# The inbox's age filter: (code, upper bound in hours); "older" is anything past the last.
AGES = {"1h": 1, "24h": 24, "7d": 24 * 7}


def with_status(qs: QuerySet[Lead]) -> QuerySet[Lead]:
    """Each lead's stage, from its own rows: closed; visited (shown for an appointment, or its
    phone walked in since the lead came); appointment set; in progress (contacted); new."""
    shown = Appointment.objects.filter(lead=OuterRef("pk"), status=AppointmentStatus.SHOWN)
    # A lead's phone always has digits (the intake refuses one without), so its phone_norm
    # is never the empty one of anonymous walk-ins.
    walked_in = WalkIn.objects.filter(
        store=OuterRef("store"), phone_norm=OuterRef("phone_norm"), date__gte=OuterRef("date")
    )
    return qs.annotate(
        status=Case(
            When(closed_at__isnull=False, then=Value(LeadStatus.CLOSED.value)),
            When(Q(Exists(shown)) | Q(Exists(walked_in)), then=Value(LeadStatus.VISITED.value)),
            When(appointment_date__isnull=False, then=Value(LeadStatus.APPOINTMENT.value)),
            When(first_contact_at__isnull=False, then=Value(LeadStatus.IN_PROGRESS.value)),
            default=Value(LeadStatus.NEW.value),
            output_field=CharField(),
        )
    )


def inbox(
    *,
    user: Staff,
    store: Store,
    now: datetime,
    status: str = "",
    channel: int | None = None,
    model: str = "",
    age: str = "",
    owner: int | None = None,
    unassigned: bool = False,
) -> QuerySet[Lead]:
    """The leads `user` may work, newest first, filtered as the inbox asks."""
    qs = with_status(
        access.lead_rows(Lead.objects.filter(store=store), user).select_related(
            "channel", "assigned_to", "customer"
        )
    )
    if status:
        qs = qs.filter(status=status)  # type: ignore[misc]  # an annotation
    if channel:
        qs = qs.filter(channel_id=channel)
    if model:
        qs = qs.filter(model__icontains=model)
    if age in AGES:
        qs = qs.filter(created_at__gte=now - timedelta(hours=AGES[age]))
    elif age == "older":
        qs = qs.filter(created_at__lt=now - timedelta(hours=max(AGES.values())))
    if unassigned:
        qs = qs.filter(assigned_to=None)
    elif owner:
        qs = qs.filter(assigned_to_id=owner)
    return qs.order_by("-created_at", "-id")


def stage_counts(*, user: Staff, store: Store) -> dict[str, int]:
    """How many of the leads `user` may work stand at each stage (the inbox's tabs)."""
    leads = with_status(access.lead_rows(Lead.objects.filter(store=store), user))
    rows = leads.values("status").annotate(n=Count("pk")).order_by()  # type: ignore[misc]
    return {row["status"]: row["n"] for row in rows}


@dataclass(frozen=True)
class Clock:
    """The first-response clock of a lead: minutes waited (still running, or until the first
    contact) and its colour against the store's targets."""

    minutes: int
    running: bool
    colour: str  # "green", "amber" or "red"


def response_clock(lead: Lead, *, now: datetime, amber: int, red: int) -> Clock:
    end = lead.first_contact_at or now
    minutes = max(0, int((end - lead.created_at).total_seconds() // 60))
    colour = "red" if minutes >= red else "amber" if minutes >= amber else "green"
    return Clock(minutes=minutes, running=lead.first_contact_at is None, colour=colour)


def with_clocks(leads: list[Lead], *, store: Store, now: datetime) -> list[Lead]:
    settings = desk_settings(store)
    for lead in leads:
        lead.clock = response_clock(  # type: ignore[attr-defined]
            lead,
            now=now,
            amber=settings.response_amber_minutes,
            red=settings.response_red_minutes,
        )
    return leads


def escalations(*, user: Staff, store: Store, now: datetime) -> QuerySet[Lead]:
    """The manager's escalation list: open leads nobody has contacted (assigned or not) that
    came in more than the store's limit ago, oldest first."""
    limit = desk_settings(store).escalate_after_minutes
    return (
        access.lead_rows(Lead.objects.filter(store=store), user)
        .filter(
            closed_at=None,
            first_contact_at=None,
            created_at__lte=now - timedelta(minutes=limit),
        )
        .select_related("channel", "assigned_to")
        .order_by("created_at", "id")
    )


def waiting_for(*, user: Staff, store: Store, agent: Staff) -> QuerySet[Lead]:
    """Open leads assigned to `agent` that nobody has contacted yet, oldest first."""
    return (
        access.lead_rows(Lead.objects.filter(store=store), user)
        .filter(assigned_to=agent, first_contact_at=None, closed_at=None)
        .select_related("channel")
        .order_by("created_at", "id")
    )


def contacts(lead: Lead) -> QuerySet[LeadContact]:
    return lead.contacts.select_related("by").order_by("-at", "-id")


def misses(lead: Lead) -> int:
    """Calls that did not reach the person, for "no answer after N tries"."""
    return lead.contacts.filter(outcome__in=("no_answer", "busy")).count()


def lead_appointments(lead: Lead) -> QuerySet[Appointment]:
    return lead.appointments.select_related("consultant", "walk_in").order_by("-starts_at")


def calendar(
    *,
    user: Staff,
    store: Store,
    start: date,
    end: date,
    consultant: int | None = None,
    dcc: bool = False,
) -> QuerySet[Appointment]:
    """Appointments of the store from `start` to `end` (store-local days), cancelled ones
    left out; for one consultant, or those the DCC booked from leads."""
    qs = access.appointment_rows(
        Appointment.objects.filter(store=store, date__range=(start, end)), user
    ).exclude(status=AppointmentStatus.CANCELLED)
    if consultant:
        qs = qs.filter(consultant_id=consultant)
    if dcc:
        qs = qs.filter(lead__isnull=False)
    return qs.select_related("consultant", "lead", "customer", "booked_by").order_by(
        "starts_at", "id"
    )


def expected_today(*, user: Staff, store: Store, day: date) -> QuerySet[Appointment]:
    """The front desk's expected arrivals: today's appointments still booked."""
    return calendar(user=user, store=store, start=day, end=day).filter(
        status=AppointmentStatus.BOOKED
    )


def no_shows(*, user: Staff, store: Store, day: date) -> QuerySet[Appointment]:
    """The morning's follow-up list: appointments of the day before `day` (up to the last
    three days, for a weekend) whose person did not come, marked or still booked."""
    return calendar(
        user=user, store=store, start=day - timedelta(days=3), end=day - timedelta(days=1)
    ).filter(status__in=(AppointmentStatus.BOOKED, AppointmentStatus.NO_SHOW))


def routes(store: Store) -> QuerySet[LeadRoute]:
    """The lines of the store's by-channel or by-model routing rule."""
    return LeadRoute.objects.filter(store=store).select_related("channel", "agent")


def lead_agents(store: Store) -> QuerySet[Staff]:
    """Who a lead can be assigned to: the store's active DCC agents and consultants."""
    return Staff.objects.filter(store=store, is_active=True).filter(
        Q(roles__regex=rf"(^|,){Role.DCC}(,|$)") | Q(roles__regex=rf"(^|,){Role.CONSULTANT}(,|$)")
    )
