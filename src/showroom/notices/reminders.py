"""Reminders: notices that come from the time of day, not from a save.

They are worked out when the bell is asked (`remind`), from what is due for the person, and
stored once by key (`notices.services.notify_new`), so that read stays read. A follow-up due
today, an appointment coming up, a call-list entry handed over and a cross-check exception
found by the nightly refresh (these two are written in bulk, without signals) are found here,
and a fresh lead assigned without a save that told its assignee.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.core.cache import cache

from showroom.crm.choices import ExceptionStatus
from showroom.crm.models import CallListEntry, CrosscheckException
from showroom.customers.models import Customer
from showroom.notices import links
from showroom.notices.models import Notice, NoticeKind
from showroom.notices.services import Draft, notify_new, unstored
from showroom.organization import access
from showroom.organization.choices import Role
from showroom.organization.models import Staff
from showroom.traffic.choices import AppointmentStatus
from showroom.traffic.models import Appointment, Call, Lead

# How many of each sort one look at the bell adds, newest first: a backlog stays on its
# own screen (My day, the cross-check), the bell is for what is new.
LIMIT = 20
# How long before an appointment's time its reminder shows.
SOON = timedelta(minutes=30)
# A lead assigned and not yet contacted is news for this long.
FRESH_LEAD = timedelta(days=2)


def remind(*, user: Staff, now: datetime) -> int:
    """Store the reminders due for `user` at `now` that they have not had yet; returns how
    many are new."""
    stored = notify_new(due(user=user, now=now))
    forget_pending([user.pk])
    return stored


def pending(*, user: Staff, now: datetime) -> int:
    """How many reminders are due for `user` and not stored yet: the bell's poll counts them
    without writing (the list stores them). Every page asks for the bell's count when it
    loads, and open pages every half minute: the count of a person's reminders, eight
    queries, is kept for PENDING_SECONDS (the stored notices are counted afresh each time)."""
    key = _pending_key(user.pk)
    found = cache.get(key)
    if found is None:
        found = len(unstored(due(user=user, now=now)))
        cache.set(key, found, PENDING_SECONDS)
    return int(found)


# How long the count of a person's reminders is kept: a reminder (a follow-up due today, an
# appointment within half an hour) shows at most this much later on the bell.
PENDING_SECONDS = 30


def _pending_key(user_id: int) -> str:
    return f"notices:pending:{user_id}"


def forget_pending(user_ids: Iterable[int]) -> None:
    """Their reminders were stored: counted as notices now, no longer as reminders."""
    cache.delete_many([_pending_key(i) for i in set(user_ids)])


def due(*, user: Staff, now: datetime) -> list[Draft]:
    """The reminders due for `user` at `now`, stored or not."""
    if not user.is_authenticated or user.store_id is None:
        return []
    store = user.store
    assert store is not None
    today = now.astimezone(store.tz).date()
    drafts: list[Draft] = []
    if user.has_role(Role.CONSULTANT):
        drafts += follow_ups_due(user=user, today=today)
        drafts += exceptions_found(user=user)
        drafts += entries_handed(user=user)
    if user.has_role(Role.CONSULTANT, Role.DCC):
        drafts += leads_waiting(user=user, now=now)
    if user.has_role(Role.CONSULTANT, Role.DCC, Role.RECEPTIONIST):
        drafts += appointments_due(user=user, now=now, today=today)
    return drafts


def leads_waiting(*, user: Staff, now: datetime) -> list[Draft]:
    """Recent leads assigned to `user` and not yet contacted. The save that assigns a lead
    tells its assignee at once (`notices.events`); this finds those assigned by a bulk
    update, under the same key, so a lead is never told twice."""
    leads = access.lead_rows(
        Lead.objects.filter(
            assigned_to=user, first_contact_at=None, created_at__gte=now - FRESH_LEAD
        ),
        user,
    ).order_by("-created_at", "-pk")[:LIMIT]
    return [links.lead_draft(lead, recipient_id=user.pk) for lead in leads]


def follow_ups_due(*, user: Staff, today: date) -> list[Draft]:
    cards = access.customer_rows(
        Customer.objects.filter(consultant=user, next_follow_up=today), user
    ).order_by("-pk")[:LIMIT]
    return [
        Draft(
            recipient_id=user.pk,
            store_id=card.store_id,
            kind=NoticeKind.FOLLOW_UP,
            key=f"follow_up:{card.pk}:{today.isoformat()}",
            text=card.name or "—",
            link_name="customers:card",
            link_pk=card.pk,
            customer_id=card.pk,
        )
        for card in cards
    ]


def exceptions_found(*, user: Staff) -> list[Draft]:
    """The user's open exceptions; the notices of those fixed, explained or now someone
    else's are taken back (the refresh writes in bulk: no signal tells of it)."""
    # All of them, to know which notices still stand: one consultant's open exceptions are
    # a handful (the refresh closes what was fixed).
    open_ = list(
        access.exception_rows(
            CrosscheckException.objects.filter(consultant=user, status=ExceptionStatus.OPEN), user
        ).order_by("-pk")
    )
    keys = {f"exception:{row.pk}" for row in open_}
    told = Notice.objects.filter(recipient=user, kind=NoticeKind.EXCEPTION).values_list("pk", "key")
    stale = [pk for pk, key in told if key not in keys]
    if stale:
        Notice.objects.filter(pk__in=stale).delete()
    found = open_[:LIMIT]
    return [
        Draft(
            recipient_id=user.pk,
            store_id=row.store_id,
            kind=NoticeKind.EXCEPTION,
            key=f"exception:{row.pk}",
            text=f"{row.get_code_display()} · {row.message}",
            link_name="crm:crosscheck",
        )
        for row in found
    ]


def entries_handed(*, user: Staff) -> list[Draft]:
    entries = (
        access.call_list_entry_rows(CallListEntry.objects.filter(assigned_to=user, result=""), user)
        .select_related("call_list")
        .order_by("-assigned_on", "-pk")[:LIMIT]
    )
    return [
        Draft(
            recipient_id=user.pk,
            store_id=entry.store_id,
            kind=NoticeKind.CALL_LIST,
            key=f"call_list:{entry.pk}:{entry.assigned_on or ''}",
            text=f"{entry.call_list.name} · {entry.name or '—'}",
            link_name="crm:entry",
            link_pk=entry.pk,
            # Handed over with its card: shown while the card is theirs.
            customer_id=entry.customer_id,
        )
        for entry in entries
    ]


def appointments_due(*, user: Staff, now: datetime, today: date) -> list[Draft]:
    """Appointments: one of the calendar starting within `SOON` for its consultant; and, for
    the days booked without a time, a lead's for the person it is assigned to and a call's
    for its consultant and the front desk, on the morning of the day."""
    leads = access.lead_rows(
        Lead.objects.filter(assigned_to=user, appointment_date=today), user
    ).order_by("-pk")[:LIMIT]
    drafts = [
        Draft(
            recipient_id=user.pk,
            store_id=lead.store_id,
            kind=NoticeKind.APPOINTMENT,
            key=f"appointment:lead:{lead.pk}:{today.isoformat()}",
            text=links.lead_text(lead),
            link_name=links.lead_link(lead)[0],
            link_pk=links.lead_link(lead)[1],
        )
        for lead in leads
    ]
    booked = Appointment.objects.filter(
        consultant=user,
        status=AppointmentStatus.BOOKED,
        starts_at__gte=now,
        starts_at__lte=now + SOON,
    )
    rows = access.appointment_rows(booked.select_related("store"), user)
    for appointment in rows.order_by("starts_at")[:LIMIT]:
        starts = appointment.starts_at.astimezone(appointment.store.tz)
        drafts.append(
            Draft(
                recipient_id=user.pk,
                store_id=appointment.store_id,
                kind=NoticeKind.APPOINTMENT,
                key=f"appointment:{appointment.pk}:{starts:%Y-%m-%dT%H:%M}",
                text=f"{starts:%H:%M} {appointment.name or appointment.phone}",
                link_name="traffic:calendar",
                link_pk=None,
            )
        )
    calls = Call.objects.filter(appointment_date=today)
    if not user.has_role(Role.RECEPTIONIST):
        calls = calls.filter(consultant=user)
    for call in access.front_desk_rows(calls, user).order_by("-pk")[:LIMIT]:
        drafts.append(
            Draft(
                recipient_id=user.pk,
                store_id=call.store_id,
                kind=NoticeKind.APPOINTMENT,
                key=f"appointment:call:{call.pk}:{today.isoformat()}",
                text=f"{call.name or '—'} · {call.model}" if call.model else call.name or "—",
                link_name="traffic:call_edit",
                link_pk=call.pk,
            )
        )
    return drafts
