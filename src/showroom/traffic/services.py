"""Writes of the front desk: logging a party or a call, saving a row without losing a
colleague's change, departure, linking to a customer card.

Every save of an existing row goes through `save_row`, which claims the row's version with
one `UPDATE … WHERE version = n` before writing: of two people saving the same version, the
second finds nothing to claim and is told so, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time

from django.db import transaction
from django.utils import timezone

from showroom.core.hooks import Hook
from showroom.core.versions import claim
from showroom.customers.models import Customer, Source
from showroom.customers.phones import normalize_phone
from showroom.customers.services import card_for_row, fill_blanks_from_row
from showroom.organization.models import Staff, Store
from showroom.traffic.models import Call, Lead, WalkIn
from showroom.traffic.rules import Errors, walk_in_errors
from showroom.traffic.selectors import customer_for_phone, next_hand_card

# Called with (row=, user=) inside the transaction that completes a row whose contact was
# kept, once the row has its card: the reception is a contact of the card (sales logs it).
row_completed: Hook[object] = Hook("traffic.row_completed")


def _minute(moment: datetime) -> time:
    # The registers keep HH:MM.
    return moment.time().replace(second=0, microsecond=0)


def log_walk_in(
    *,
    store: Store,
    user: Staff,
    consultant: Staff,
    visit_type: str,
    party_size: int = 1,
    arrived_at: time | None = None,
    name: str = "",
    phone: str = "",
    hand_card: str = "",
    invited: bool = False,
    source: Source | None = None,
    model: str = "",
    customer: Customer | None = None,
) -> WalkIn:
    """The receptionist's one tap: today's date and, unless given, the arrival time now, the
    day's next hand card number and the store's card of the phone."""
    now = store.now()
    row = WalkIn(
        store=store,
        date=now.date(),
        arrived_at=arrived_at or _minute(now),
        party_size=party_size,
        visit_type=visit_type,
        consultant=consultant,
        name=name,
        phone=phone,
        hand_card=hand_card or next_hand_card(store=store, day=now.date()),
        invited=invited,
        source=source,
        model=model,
        customer=customer or customer_for_phone(store=store, phone=phone),
    )
    row._history_user = user  # type: ignore[attr-defined]
    row.save()
    return row


def cancel_walk_in(row: WalkIn, *, reason: str, user: Staff, expected_version: int) -> bool:
    """Take a mis-tapped walk-in out of the register's counts, keeping it (and why) in its
    history. False if someone else saved the row in between, or it is already cancelled."""
    with transaction.atomic():
        version = claim(WalkIn, row.pk, expected_version)
        if version is None:
            return False
        row.version = version
        row.cancelled_at = timezone.now()
        row.cancel_reason = reason
        row._history_user = user  # type: ignore[attr-defined]
        row.save(update_fields=["cancelled_at", "cancel_reason", "version"])
    return True


def log_call(
    *,
    store: Store,
    user: Staff,
    consultant: Staff,
    call_type: str,
    called_at: time | None = None,
    name: str = "",
    phone: str = "",
) -> Call:
    now = store.now()
    row = Call(
        store=store,
        date=now.date(),
        called_at=called_at or _minute(now),
        call_type=call_type,
        consultant=consultant,
        name=name,
        phone=phone,
        customer=customer_for_phone(store=store, phone=phone),
    )
    row._history_user = user  # type: ignore[attr-defined]
    row.save()
    return row


def save_row(
    row: WalkIn | Call,
    *,
    fields: Iterable[str],
    expected_version: int,
    user: Staff,
    complete: bool = False,
) -> bool:
    """Write `fields` of `row` if it is still at `expected_version`; False if someone else
    saved it in between (nothing is written then).

    A phone that belongs to a customer card links the row to that card; completing a row
    whose contact was kept fills in a new card, or the blanks of the linked one, with the
    row's name, model, source, grade and consultant, the grade logged.
    """
    update = {*fields, "version"}
    with transaction.atomic():
        version = claim(type(row), row.pk, expected_version)
        if version is None:
            return False
        row.version = version
        if "phone" in update:
            _link_by_phone(row)
            update.add("customer")
        newly_completed = complete and not row.completed
        if complete:
            row.completed = True
            update.add("completed")
        row.phone_norm = normalize_phone(row.phone)
        if row.completed and row.customer_id is None and row.is_contact_kept and _has_contact(row):
            row.customer = card_for_row(row, user=user)
            update.add("customer")
        elif complete and row.customer is not None and row.is_contact_kept:
            fill_blanks_from_row(row.customer, row=row, user=user)
        row._history_user = user  # type: ignore[union-attr]
        row.save(update_fields=update)
        if newly_completed and row.customer_id is not None and row.is_contact_kept:
            for recorded in row_completed:
                recorded(row=row, user=user)
    return True


def departure_errors(row: WalkIn) -> Errors:
    """Why the "departed" tap cannot record now as the departure (a stay over 12 hours…)."""
    now = row.store.now()
    return walk_in_errors(day=row.date, arrived_at=row.arrived_at, left_at=_minute(now), now=now)


def mark_departed(row: WalkIn, *, user: Staff) -> bool:
    """The desk's "departed" tap: departure time now. False if already departed, or if now
    cannot be the departure (see departure_errors)."""
    if row.left_at is not None or departure_errors(row):
        return False
    row.left_at = _minute(row.store.now())
    return save_row(row, fields=["left_at"], expected_version=row.version, user=user)


def link_customer(
    row: WalkIn | Call, *, customer: Customer, user: Staff, expected_version: int
) -> bool:
    """Link an (often anonymous) row to a card found later. The row's own name and phone
    stay as the front desk recorded them: a party that left no contact did not leave one."""
    row.customer = customer
    return save_row(row, fields=["customer"], expected_version=expected_version, user=user)


def _has_contact(row: WalkIn | Call) -> bool:
    return bool(row.name.strip() and row.phone_norm)


def _link_by_phone(row: WalkIn | Call) -> None:
    norm = normalize_phone(row.phone)
    if not norm:
        return  # keep a link made by hand to an anonymous row
    match = customer_for_phone(store=row.store, phone=norm)
    if match is not None:
        row.customer = match
    elif row.customer is not None and row.customer.phone_norm != norm:
        row.customer = None


def link_leads(card: Customer, *, user: Staff) -> int:
    """A new card takes over the store's leads of the same number not yet linked to a card
    (a lead and a customer that are the same person are one)."""
    leads = list(
        Lead.objects.filter(store_id=card.store_id, phone_norm=card.phone_norm, customer=None)
    )
    for lead in leads:
        lead.customer = card
        lead._history_user = user  # type: ignore[attr-defined]
        lead.save(update_fields=["customer"])
    return len(leads)
