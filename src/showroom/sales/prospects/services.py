"""Writes of prospect promotion (意向客户促进管理): logging a contact with its grade and next
follow-up, logging grade changes, handing customers over to other consultants.

A contact changes the card (grade, next follow-up), so the card is re-read under a row lock
and its version raised: a colleague editing the front at the same time is told, not
overwritten (see customers.services.save_card).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from showroom.customers.grades import cadence_date, next_date_error
from showroom.customers.models import Customer
from showroom.customers.services import record_grade_change
from showroom.organization.choices import Role
from showroom.organization.models import Staff
from showroom.sales.choices import ActivityCategory, ActivityKind
from showroom.sales.models import Activity, Handover

# From coldest to hottest: a move to the right is a promotion (促进).
GRADE_ORDER = ["", "C", "B", "A", "H", "O"]


def is_promotion(old: str, new: str) -> bool:
    return new in GRADE_ORDER and GRADE_ORDER.index(new) > GRADE_ORDER.index(old or "")


def default_category(*, customer: Customer, day: date, old_grade: str, new_grade: str) -> str:
    """开拓 for the first contact of a card, 促进 when the grade goes up, else 管理."""
    earlier = Activity.objects.filter(customer=customer, date__lte=day).exists()
    if not earlier:
        return ActivityCategory.DEVELOPMENT
    if is_promotion(old_grade, new_grade):
        return ActivityCategory.PROMOTION
    return ActivityCategory.MANAGEMENT


def log_contact(
    *,
    customer: Customer,
    user: Staff,
    date: date,
    kind: str,
    category: str = "",
    grade_after: str,
    next_date: date | None = None,
    later_reason: str = "",
    notes: str = "",
    not_closed_reason: str = "",
) -> Activity:
    """One contact on the back of the card; the card takes its grade and next follow-up.

    Without `next_date` the grade's cadence sets it. An earlier date is allowed; a later one
    only with `later_reason` (ValidationError otherwise, nothing written).
    """
    day = date
    error = next_date_error(
        grade=grade_after,
        day=day,
        next_date=next_date,
        later_reason=later_reason,
        store=customer.store,
    )
    if error:
        raise ValidationError({"next_date": error})
    with transaction.atomic():
        card = Customer.objects.select_for_update().get(pk=customer.pk)
        old_grade = card.grade
        activity = Activity(
            store_id=card.store_id,
            customer=card,
            consultant=user,
            date=day,
            kind=kind,
            category=category
            or default_category(customer=card, day=day, old_grade=old_grade, new_grade=grade_after),
            grade_after=grade_after,
            next_date=next_date or cadence_date(grade_after, day, store=card.store),
            later_reason=later_reason.strip() if next_date else "",
            not_closed_reason=not_closed_reason,
            notes=notes,
        )
        activity._history_user = user  # type: ignore[attr-defined]
        activity.save()
        record_grade_change(customer=card, old=old_grade, new=grade_after, day=day, user=user)
        # A contact logged late (yesterday's call typed today) must not pull a plan made
        # since then back into the past.
        latest = (
            Activity.objects.filter(customer=card).order_by("-date", "-id").values("pk").first()
        )
        if latest and latest["pk"] == activity.pk:
            card.grade = grade_after
            card.next_follow_up = activity.next_date
            card.version += 1
            card._history_user = user  # type: ignore[attr-defined]
            card.save(update_fields=["grade", "next_follow_up", "version"])
        customer.grade, customer.next_follow_up, customer.version = (
            card.grade,
            card.next_follow_up,
            card.version,
        )
    return activity


def log_reception(*, row: Any, user: Staff) -> Activity:
    """A completed walk-in (来店接待) or call (电话跟进) whose contact was kept, as a contact of
    its card on the row's date, so that it is in the card's history and the daily report.

    It carries the card's grade as the completion left it: the row's grade when the row made
    the card or filled its blank grade (logged then); a card already graded keeps its grade,
    which moves only with a contact its consultant logs."""
    card = Customer.objects.get(pk=row.customer_id)
    kind = ActivityKind.RECEPTION if hasattr(row, "arrived_at") else ActivityKind.CALL
    activity = Activity(
        store_id=card.store_id,
        customer=card,
        consultant=row.consultant,
        date=row.date,
        kind=kind,
        category=default_category(
            customer=card, day=row.date, old_grade=card.grade, new_grade=card.grade
        ),
        grade_after=card.grade,
        next_date=card.next_follow_up,
        notes=row.notes,
    )
    activity._history_user = user  # type: ignore[attr-defined]
    activity.save()
    return activity


def hand_over(
    *,
    customers: Sequence[Customer],
    receivers: Sequence[Staff],
    by: Staff,
    day: date,
    reason: str = "",
) -> dict[int, int]:
    """Reassign `customers` to `receivers` in turn (round-robin), one Handover row per card;
    returns how many cards each receiver got. A receiver is skipped for a card that is
    already theirs; the card keeps its history (simple-history records the change)."""
    if not receivers:
        raise ValidationError(_("Choose at least one consultant to hand over to."))
    if any(Role.CRM in r.role_set for r in receivers):
        # The CRM department reads every customer of the store but does not sell.
        raise ValidationError(_("The CRM department does not take customers over."))
    stores = {c.store_id for c in customers} | {r.store_id for r in receivers}
    if len(stores) > 1 or (by.store_id is not None and stores - {by.store_id}):
        raise ValidationError(_("Customers are handed over only within one store."))
    counts = {r.pk: 0 for r in receivers}
    turn = 0
    with transaction.atomic():
        for customer in customers:
            card = Customer.objects.select_for_update().get(pk=customer.pk)
            candidates = [r for r in receivers if r.pk != card.consultant_id]
            if not candidates:
                continue
            # Keep the turn order of `receivers`, skipping the card's own consultant.
            while receivers[turn % len(receivers)].pk == card.consultant_id:
                turn += 1
            to = receivers[turn % len(receivers)]
            turn += 1
            Handover.objects.create(
                store_id=card.store_id,
                customer=card,
                from_consultant_id=card.consultant_id,
                to_consultant=to,
                date=day,
                by=by,
                reason=reason,
            )
            card.consultant = to
            card.version += 1
            card._history_user = by  # type: ignore[attr-defined]
            card.save(update_fields=["consultant", "version"])
            counts[to.pk] += 1
    return counts
