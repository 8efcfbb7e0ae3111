"""The grade's follow-up cadence: when the next contact is due, and which next date a
contact may set."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils.translation import gettext as _

from showroom.customers.choices import CADENCE_DAYS
from showroom.organization.models import Store


def cadence_days(store: Store | None) -> dict[str, int]:
    """Days to the next contact per grade: the store's own, else the defaults."""
    if store is None:
        return dict(CADENCE_DAYS)
    from showroom.customers.models import FollowUpSettings

    return FollowUpSettings.for_store(store).cadence()


def cadence_date(grade: str, day: date, *, store: Store | None = None) -> date | None:
    """When the next contact is due after a contact on `day` at `grade`, by `store`'s
    cadence (CADENCE_DAYS without a store)."""
    days = cadence_days(store).get(grade)
    return day + timedelta(days=days) if days is not None else None


def next_date_error(
    *,
    grade: str,
    day: date,
    next_date: date | None,
    later_reason: str,
    store: Store | None = None,
) -> str | None:
    """Why `next_date` cannot be accepted, or None: earlier than the cadence is fine, later
    only with a reason, and never before the contact itself."""
    if next_date is None:
        return None
    if next_date < day:
        return _("The next follow-up cannot be before the contact.")
    due = cadence_date(grade, day, store=store)
    if due is not None and next_date > due and not later_reason.strip():
        return _(
            "Grade %(grade)s is followed up by %(due)s at the latest; give a reason for a "
            "later date."
        ) % {"grade": grade, "due": due.isoformat()}
    return None
