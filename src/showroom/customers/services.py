"""Writes of the customer card (客户信息卡): a new prospect, the card filled in from a register
row, an edit of the front that never overwrites a colleague's change silently.

One card per person per store (撞单): a number that is already a card's, or the same
name with a number that differs only in formatting, is that card, never a second one.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction

from showroom.core.hooks import Hook
from showroom.core.versions import claim
from showroom.customers.choices import STANDARD_SOURCES
from showroom.customers.grades import cadence_date
from showroom.customers.models import Customer, GradeChange, Source
from showroom.customers.phones import normalize_phone
from showroom.organization.models import Staff, Store

# The front of the card as the edit form shows it (the consultant changes by handover, the
# next follow-up by logging a contact).
FRONT_FIELDS = [
    "name", "phone", "gender", "region", "industry", "model", "configuration", "colour",
    "budget", "payment", "purchase_type", "purchase_timeframe", "competitor_models", "source",
    "grade", "vip", "referred_by", "notes",
]  # fmt: skip
# What a new prospect may carry besides name, phone, model and timeframe.
OPTIONAL_FIELDS = {
    "gender", "region", "industry", "configuration", "colour", "budget", "payment",
    "purchase_type", "competitor_models", "vip", "referred_by", "notes",
}  # fmt: skip


# Called with (card=, user=) inside the transaction that saves a new card, so that what
# belongs to the same person (the front desk's leads of the number) joins it.
card_created: Hook[object] = Hook("customers.card_created")


class DuplicateCustomer(Exception):
    """The person already has a card in this store."""

    def __init__(self, customer: Customer) -> None:
        super().__init__(customer.pk)
        self.customer = customer


def _trunk(norm: str) -> str:
    # A leading trunk 0 (0138…, 010-…) is formatting, not a different number.
    return norm.lstrip("0")


def ensure_standard_sources() -> None:
    """The group's standard sources (rows of a migration) made again where missing: a database
    emptied by hand, or by a test's flush, has none, and the generator looks them up by code."""
    for code, zh, en in STANDARD_SOURCES:
        Source.objects.get_or_create(store=None, code=code, defaults={"name_zh": zh, "name_en": en})


def find_duplicate(
    *, store: Store, phone: str, name: str = "", exclude_pk: int | None = None
) -> Customer | None:
    """The store's card of this person: same normalized phone, or the same name and a phone
    that differs only in formatting. Looked up store-wide on purpose: whose it is decides
    what the asking user is shown, not whether it counts."""
    norm = normalize_phone(phone)
    if not norm:
        return None
    cards = Customer.objects.filter(store=store).select_related("consultant")
    if exclude_pk is not None:
        cards = cards.exclude(pk=exclude_pk)
    same = cards.filter(phone_norm=norm).first()
    if same is not None or not name.strip():
        return same
    for card in cards.filter(name=name.strip()).exclude(phone_norm=""):
        if _trunk(card.phone_norm) == _trunk(norm):
            return card
    return None


def create_prospect(
    *,
    store: Store,
    user: Staff,
    consultant: Staff | None,
    name: str,
    phone: str,
    model: str,
    purchase_timeframe: str,
    grade: str = "",
    source: Source | None = None,
    created: date | None = None,
    **optional: Any,
) -> Customer:
    """A new prospect's card (at least name, phone, model, timeframe). Raises
    DuplicateCustomer with the existing card instead of making a second one. A grade is
    logged as a grade change and sets the next follow-up from its cadence."""
    unknown = set(optional) - OPTIONAL_FIELDS
    if unknown:
        raise TypeError(f"not card fields: {sorted(unknown)}")
    existing = find_duplicate(store=store, phone=phone, name=name)
    if existing is not None:
        raise DuplicateCustomer(existing)
    day = created or store.today()
    card = Customer(
        store=store,
        name=name.strip(),
        phone=phone.strip(),
        consultant=consultant,
        model=model.strip(),
        purchase_timeframe=purchase_timeframe.strip(),
        grade=grade,
        source=source,
        created=day,
        next_follow_up=cadence_date(grade, day, store=store),
        **optional,
    )
    card._history_user = user  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            card.save()
            record_grade_change(customer=card, old="", new=grade, day=day, user=user)
            for joined in card_created:
                joined(card=card, user=user)
    except IntegrityError as exc:  # a colleague saved the same number a moment ago
        existing = find_duplicate(store=store, phone=phone, name=name)
        if existing is None:
            raise
        raise DuplicateCustomer(existing) from exc
    return card


def card_for_row(row: Any, *, user: Staff) -> Customer:
    """The card a completed register row with contact kept belongs to:
    the existing one, its blanks filled in from the row, or a new one with the row's name,
    phone, model, source, grade and consultant, its grade logged."""
    existing = find_duplicate(store=row.store, phone=row.phone, name=row.name)
    if existing is not None:
        fill_blanks_from_row(existing, row=row, user=user)
        return existing
    grade = row.grade or ""
    card = Customer(
        store=row.store,
        name=row.name.strip(),
        phone=row.phone,
        consultant=row.consultant,
        grade=grade,
        source=row.source,
        model=row.model,
        created=row.date,
        next_follow_up=cadence_date(grade, row.date, store=row.store),
    )
    card._history_user = user  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            card.save()
            record_grade_change(customer=card, old="", new=grade, day=row.date, user=user)
            for joined in card_created:
                joined(card=card, user=user)
    except IntegrityError:  # a colleague created the same card a moment ago
        return Customer.objects.get(store=row.store, phone_norm=normalize_phone(row.phone))
    return card


def fill_blanks_from_row(card: Customer, *, row: Any, user: Staff) -> bool:
    """Merge a register row into an existing card: only fields the card leaves empty are
    taken (never overwriting what someone entered). False when nothing was missing or the
    card changed meanwhile."""
    changes: dict[str, Any] = {}
    if not card.model and row.model:
        changes["model"] = row.model
    if card.source_id is None and row.source_id is not None:
        changes["source_id"] = row.source_id
    if card.consultant_id is None:
        changes["consultant_id"] = row.consultant_id
    if not card.grade and row.grade:
        changes["grade"] = row.grade
        if card.next_follow_up is None:
            changes["next_follow_up"] = cadence_date(row.grade, row.date, store=card.store)
    if not changes:
        return False
    with transaction.atomic():
        version = claim(Customer, card.pk, card.version)
        if version is None:
            return False
        for name, value in changes.items():
            setattr(card, name, value)
        card.version = version
        card._history_user = user  # type: ignore[attr-defined]
        card.save(update_fields=[*changes, "version"])
        if "grade" in changes:
            record_grade_change(customer=card, old="", new=row.grade, day=row.date, user=user)
    return True


def save_card(customer: Customer, *, fields: list[str], expected_version: int, user: Staff) -> bool:
    """Write `fields` of the card if it is still at `expected_version`; False if someone
    else saved it in between (nothing is written then). A changed grade is logged, and may
    bring the next follow-up forward to its cadence (never push it later)."""
    update = {*fields, "version"}
    with transaction.atomic():
        version = claim(Customer, customer.pk, expected_version)
        if version is None:
            return False
        stored = Customer.objects.get(pk=customer.pk)
        customer.version = version
        if "grade" in update and stored.grade != customer.grade:
            today = customer.store.today()
            record_grade_change(
                customer=customer, old=stored.grade, new=customer.grade, day=today, user=user
            )
            due = cadence_date(customer.grade, today, store=customer.store)
            if due is not None and (stored.next_follow_up is None or due < stored.next_follow_up):
                customer.next_follow_up = due
                update.add("next_follow_up")
        customer._history_user = user  # type: ignore[attr-defined]
        customer.save(update_fields=update)
    return True


def record_grade_change(
    *, customer: Customer, old: str, new: str, day: date, user: Staff | None
) -> GradeChange | None:
    """Log a grade change (every change is logged); nothing when it is no change."""
    if (old or "") == (new or ""):
        return None
    return GradeChange.objects.create(
        store_id=customer.store_id,
        customer=customer,
        date=day,
        old_grade=old or "",
        new_grade=new or "",
        changed_by=user,
    )
