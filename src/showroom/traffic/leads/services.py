"""Writes of the lead desk: routing a new lead, recording contacts, booking appointments,
marking an arrival shown, converting a lead to a card, closing it.

Edits of an existing lead or appointment claim its version first (core.versions.claim): of
two people working the same lead at once, the second is told and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from showroom.core.versions import claim
from showroom.customers.models import Customer, Source
from showroom.customers.phones import normalize_phone
from showroom.customers.services import card_for_row
from showroom.organization.choices import Role
from showroom.organization.models import Staff, Store
from showroom.traffic.choices import (
    AppointmentPurpose,
    AppointmentStatus,
    RoutingRule,
    VisitType,
)
from showroom.traffic.models import Appointment, Lead, LeadContact, LeadDesk, LeadRoute, WalkIn
from showroom.traffic.selectors import customer_for_phone
from showroom.traffic.services import link_leads, save_row
from showroom.traffic.services import log_walk_in as log_walk_in_row


def desk_settings(store: Store) -> LeadDesk:
    """The store's settings; the defaults (unsaved) for a store that has none."""
    return LeadDesk.objects.filter(store=store).first() or LeadDesk(store=store)


def add_route(store: Store, *, channel: Source | None, model: str, agent: Staff) -> LeadRoute:
    return LeadRoute.objects.create(store=store, channel=channel, model=model, agent=agent)


def remove_route(store: Store, *, pk: int) -> None:
    LeadRoute.objects.filter(store=store, pk=pk).delete()


def on_duty_agents(store: Store) -> list[Staff]:
    """The store's DCC agents on duty, each with when they were last given a lead and which
    (`last_at`, `last_pk`: None if never), for the round robin."""
    given = (
        Lead.objects.filter(store=store, assigned_to=OuterRef("pk"))
        .exclude(assigned_at=None)
        .order_by("-assigned_at", "-pk")
    )
    return list(
        Staff.objects.with_role(Role.DCC)
        .on_duty()
        .filter(store=store, is_active=True)
        .annotate(
            last_at=Subquery(given.values("assigned_at")[:1]),
            last_pk=Subquery(given.values("pk")[:1]),
        )
    )


def route(lead: Lead) -> Staff | None:
    """Who a new lead goes to by the store's rule: the agent of the matching channel or model
    line when the rule says so and that agent is on duty, else the on-duty DCC agent who was
    given a lead longest ago (round robin). None when no DCC agent is on duty."""
    store = lead.store
    agents = on_duty_agents(store)
    if not agents:
        return None
    rule = desk_settings(store).routing
    if rule != RoutingRule.ROUND_ROBIN:
        routes = LeadRoute.objects.filter(store=store, agent__in=agents)
        if rule == RoutingRule.BY_CHANNEL:
            line = routes.filter(channel_id=lead.channel_id).first()
        else:
            line = routes.filter(model__iexact=lead.model.strip()).exclude(model="").first()
        if line is not None:
            return next(a for a in agents if a.pk == line.agent_id)
    # Never given a lead first (by the rotation order), then whoever was given one longest
    # ago; the lead's id breaks a tie of times to the second.
    return min(
        agents,
        key=lambda a: (
            a.last_at is not None,  # type: ignore[attr-defined]
            a.last_at or timezone.now(),  # type: ignore[attr-defined]
            a.last_pk or 0,  # type: ignore[attr-defined]
            a.rotation_order,
            a.pk,
        ),
    )


def assign_by_rule(lead: Lead) -> Staff | None:
    """Give a lead that arrived unassigned (API, ADF, import, screen) to the agent the store's
    rule names, before it is saved, so that it is created assigned. None: nobody on duty, the
    lead waits (and escalates past the store's limit)."""
    if lead.assigned_to_id is not None:
        return None
    agent = route(lead)
    if agent is not None:
        lead.assigned_to = agent
        lead.assigned_at = timezone.now()
    return agent


def route_new_lead(lead: Lead, *, user: Staff | None = None) -> Staff | None:
    """The same for a lead already saved unassigned (an imported sheet without owners)."""
    agent = assign_by_rule(lead)
    if agent is not None:
        if user is not None:
            lead._history_user = user  # type: ignore[attr-defined]
        lead.save(update_fields=["assigned_to", "assigned_at"])
    return agent


def _claimed(lead: Lead, expected_version: int) -> bool:
    version = claim(Lead, lead.pk, expected_version)
    if version is None:
        return False
    lead.version = version
    return True


def reassign(lead: Lead, *, agent: Staff, user: Staff, expected_version: int) -> bool:
    """The manager's reassign: the lead and its clock go to `agent`."""
    with transaction.atomic():
        if not _claimed(lead, expected_version):
            return False
        lead.assigned_to = agent
        lead.assigned_at = timezone.now()
        lead._history_user = user  # type: ignore[attr-defined]
        lead.save(update_fields=["assigned_to", "assigned_at", "version"])
    return True


def record_contact(
    lead: Lead,
    *,
    user: Staff,
    medium: str,
    outcome: str,
    next_step: str = "",
    at: datetime | None = None,
    expected_version: int,
) -> LeadContact | None:
    """One call or message. The first one recorded is the lead's first contact (the
    first-response clock stops): what counts is how fast the desk answered, reached or not.
    None when the lead changed meanwhile."""
    at = (at or timezone.now()).replace(microsecond=0)
    with transaction.atomic():
        if not _claimed(lead, expected_version):
            return None
        contact = LeadContact.objects.create(
            lead=lead, at=at, by=user, medium=medium, outcome=outcome, next_step=next_step
        )
        fields = ["version"]
        if lead.first_contact_at is None:
            lead.first_contact_at = at
            fields.append("first_contact_at")
        if lead.assigned_to_id is None:
            lead.assigned_to = user
            lead.assigned_at = at
            fields += ["assigned_to", "assigned_at"]
        lead._history_user = user  # type: ignore[attr-defined]
        lead.save(update_fields=fields)
    return contact


def book(
    *,
    store: Store,
    user: Staff,
    consultant: Staff,
    starts_at: datetime,
    purpose: str = AppointmentPurpose.VISIT,
    lead: Lead | None = None,
    customer: Customer | None = None,
    name: str = "",
    phone: str = "",
    notes: str = "",
    expected_version: int | None = None,
) -> Appointment | None:
    """Book a visit or test drive. A lead keeps one live appointment: a new one replaces
    (cancels) the one still booked, and the lead's appointment date follows it, so that the
    show rate counts exactly the appointments the calendar shows. Booked from a lead's page,
    the lead's version is claimed first: None when someone changed the lead meanwhile."""
    if lead is not None:
        customer = customer or lead.customer
        name = name or lead.name
        phone = phone or lead.phone
    elif customer is not None:
        name = name or customer.name
        phone = phone or customer.phone
    with transaction.atomic():
        if lead is not None and expected_version is not None:
            if not _claimed(lead, expected_version):
                return None
        appointment = Appointment(
            store=store,
            lead=lead,
            customer=customer,
            name=name,
            phone=phone,
            consultant=consultant,
            booked_by=user,
            starts_at=starts_at,
            purpose=purpose,
            notes=notes,
        )
        appointment.save()
        if lead is not None:
            Appointment.objects.filter(lead=lead, status=AppointmentStatus.BOOKED).exclude(
                pk=appointment.pk
            ).update(status=AppointmentStatus.CANCELLED)
            fields = ["appointment_date", "version"]
            lead.appointment_date = appointment.date
            if lead.first_contact_at is None:  # booking it was talking to the person
                lead.first_contact_at = timezone.now().replace(microsecond=0)
                fields.append("first_contact_at")
            lead._history_user = user  # type: ignore[attr-defined]
            lead.save(update_fields=fields)
    return appointment


def _claimed_appointment(appointment: Appointment, expected_version: int) -> bool:
    version = claim(Appointment, appointment.pk, expected_version)
    if version is None:
        return False
    appointment.version = version
    return True


@dataclass
class _CardRow:
    """What customers.services.card_for_row reads of a register row, taken from a lead."""

    store: Store
    name: str
    phone: str
    consultant: Staff
    consultant_id: int
    source: Source | None
    source_id: int | None
    model: str
    date: date
    grade: str = ""


def convert(lead: Lead, *, consultant: Staff, user: Staff) -> Customer:
    """The lead's card: the store's card of the same person (same phone, the duplicate check
    撞单 of docs/glossary.md), its blanks filled in from the lead, or a new prospect card for
    `consultant`."""
    if lead.customer is not None:
        return lead.customer
    row = _CardRow(
        store=lead.store,
        name=lead.name.strip() or lead.phone,
        phone=lead.phone,
        consultant=consultant,
        consultant_id=consultant.pk,
        source=lead.channel,
        source_id=lead.channel_id,
        model=lead.model,
        date=lead.store.today(),
    )
    with transaction.atomic():
        card = card_for_row(row, user=user)
        link_leads(card, user=user)
        lead.refresh_from_db(fields=["customer"])
        if lead.customer_id is None:  # a card of the same name and a formatting-only
            lead.customer = card  # different phone: link it by hand
            lead._history_user = user  # type: ignore[attr-defined]
            lead.save(update_fields=["customer"])
    return card


def close(lead: Lead, *, reason: str, user: Staff, expected_version: int) -> bool:
    with transaction.atomic():
        if not _claimed(lead, expected_version):
            return False
        lead.closed_at = timezone.now().replace(microsecond=0)
        lead.closed_reason = reason
        lead._history_user = user  # type: ignore[attr-defined]
        lead.save(update_fields=["closed_at", "closed_reason", "version"])
    return True


def reopen(lead: Lead, *, user: Staff, expected_version: int) -> bool:
    with transaction.atomic():
        if not _claimed(lead, expected_version):
            return False
        lead.closed_at = None
        lead.closed_reason = ""
        lead._history_user = user  # type: ignore[attr-defined]
        lead.save(update_fields=["closed_at", "closed_reason", "version"])
    return True


def expected_appointment(*, store: Store, phone: str, day: date) -> Appointment | None:
    """The store's appointment of `day` still booked for `phone` (the earliest), if any: the
    person the front desk expects."""
    norm = normalize_phone(phone)
    if not norm:
        return None
    booked = (
        Appointment.objects.filter(store=store, date=day, status=AppointmentStatus.BOOKED)
        .select_related("lead", "lead__channel", "customer", "customer__source", "consultant")
        .order_by("starts_at", "pk")
    )
    for appointment in booked:
        card = appointment.customer
        if normalize_phone(appointment.phone or (card.phone if card else "")) == norm:
            return appointment
    return None


def _shown_card(appointment: Appointment, *, user: Staff, phone: str) -> Customer | None:
    """The card of a booked person who came: the appointment's, its lead's (a lead without a
    card gets one, merged by phone), or the store's card of the phone."""
    card = appointment.customer
    if appointment.lead is not None:
        card = card or convert(appointment.lead, consultant=appointment.consultant, user=user)
    return card or customer_for_phone(store=appointment.store, phone=phone)


def _walk_in_facts(appointment: Appointment, card: Customer | None) -> dict[str, Any]:
    """What a booked person's walk-in takes from the lead or the card: invited, the source,
    the model, the card."""
    lead = appointment.lead
    return {
        "invited": True,
        "source": lead.channel if lead else (card.source if card else None),
        "model": lead.model if lead else (card.model if card else ""),
        "customer": card,
    }


def _set_shown(appointment: Appointment, *, walk_in: WalkIn, card: Customer | None) -> None:
    appointment.walk_in = walk_in
    appointment.customer = card
    appointment.status = AppointmentStatus.SHOWN
    appointment.save(update_fields=["walk_in", "customer", "status", "version"])


def mark_shown(appointment: Appointment, *, user: Staff, expected_version: int) -> WalkIn | None:
    """The receptionist's one tap when a booked person walks in: a walk-in row now, for the
    appointment's consultant, invited, linked to the appointment, its lead and the card (a
    lead without a card gets one, merged by phone). None when already handled meanwhile."""
    store = appointment.store
    now = store.now()
    with transaction.atomic():
        if appointment.status != AppointmentStatus.BOOKED or not _claimed_appointment(
            appointment, expected_version
        ):
            return None
        card = _shown_card(appointment, user=user, phone=appointment.phone)
        phone = appointment.phone or (card.phone if card else "")
        norm = normalize_phone(phone)
        been_before = bool(norm) and (
            WalkIn.objects.filter(store=store, phone_norm=norm, date__lt=now.date()).exists()
        )
        walk_in = WalkIn(
            store=store,
            date=now.date(),
            arrived_at=now.time().replace(second=0, microsecond=0),
            visit_type=VisitType.REPEAT if been_before else VisitType.FIRST,
            consultant=appointment.consultant,
            name=appointment.name or (card.name if card else ""),
            phone=phone,
            **_walk_in_facts(appointment, card),
        )
        walk_in._history_user = user  # type: ignore[attr-defined]
        walk_in.save()
        _set_shown(appointment, walk_in=walk_in, card=card)
    return walk_in


def log_walk_in(
    *, store: Store, user: Staff, phone: str = "", name: str = "", **fields: Any
) -> tuple[WalkIn, Appointment | None]:
    """The desk's walk-in form (traffic.services.log_walk_in), for whoever walks in. When the
    phone is of a person expected today, their appointment is marked shown with this row in
    the same transaction: the row is invited and linked to the appointment, its lead and card,
    as mark_shown's one tap would, and no second walk-in is made. The appointment is None
    when nobody of that phone was expected (or a colleague marked them shown meanwhile)."""
    with transaction.atomic():
        appointment = expected_appointment(store=store, phone=phone, day=store.today())
        if appointment is not None and not _claimed_appointment(appointment, appointment.version):
            appointment = None
        facts: dict[str, Any] = {}
        card: Customer | None = None
        if appointment is not None:
            card = _shown_card(appointment, user=user, phone=phone)
            facts = _walk_in_facts(appointment, card)
            name = name or appointment.name or (card.name if card else "")
        row = log_walk_in_row(store=store, user=user, phone=phone, name=name, **fields, **facts)
        if appointment is not None:
            _set_shown(appointment, walk_in=row, card=card)
    return row, appointment


def save_walk_in(
    row: WalkIn,
    *,
    fields: list[str],
    expected_version: int,
    user: Staff,
    complete: bool = False,
) -> tuple[bool, Appointment | None]:
    """A corrected walk-in row (traffic.services.save_row). When the correction gives the
    row the phone of a person booked for its day and not yet shown, their appointment is
    marked shown with this row in the same transaction, as the desk's form would have done
    had the phone been typed there: the row becomes invited and is linked to the
    appointment's card, and takes the lead's source and model where it has none."""
    with transaction.atomic():
        stored = WalkIn.objects.filter(pk=row.pk).values_list("phone", flat=True).first()
        appointment = None
        norm = normalize_phone(row.phone)
        if "phone" in fields and norm and norm != normalize_phone(stored or ""):
            appointment = expected_appointment(store=row.store, phone=row.phone, day=row.date)
            if appointment is not None and (
                Appointment.objects.filter(walk_in=row).exists()
                or not _claimed_appointment(appointment, appointment.version)
            ):
                appointment = None
        card: Customer | None = None
        extra: list[str] = []
        if appointment is not None:
            card = _shown_card(appointment, user=user, phone=row.phone)
            facts = _walk_in_facts(appointment, card)
            row.invited = True
            row.customer = card or row.customer
            row.source = row.source or facts["source"]
            row.model = row.model or facts["model"]
            extra = ["invited", "customer", "source", "model"]
        saved = save_row(
            row,
            fields=[*fields, *extra],
            expected_version=expected_version,
            user=user,
            complete=complete,
        )
        if not saved:
            transaction.set_rollback(True)  # the appointment's claim goes back too
            return False, None
        if appointment is not None:
            _set_shown(appointment, walk_in=row, card=card)
    return True, appointment


def set_status(
    appointment: Appointment, *, status: str, user: Staff, expected_version: int
) -> bool:
    """Cancel an appointment, or mark it a no-show (after the follow-up call)."""
    with transaction.atomic():
        if appointment.status != AppointmentStatus.BOOKED or not _claimed_appointment(
            appointment, expected_version
        ):
            return False
        appointment.status = status
        appointment.save(update_fields=["status", "version"])
        lead = appointment.lead
        if status == AppointmentStatus.CANCELLED and lead is not None:
            # A cancelled appointment is no appointment: the lead's date goes with it.
            lead.appointment_date = None
            lead._history_user = user  # type: ignore[attr-defined]
            lead.save(update_fields=["appointment_date"])
    return True
