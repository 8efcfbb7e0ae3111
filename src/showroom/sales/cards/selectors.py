"""Reads of the customer card screens: the list, the back of the card (every contact and event,
newest first), the change history. Every query that shows rows goes through
`organization.access.customer_rows`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Model, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from showroom.core.history import HistoryEntry, object_history
from showroom.customers.models import Customer, GradeChange
from showroom.customers.phones import normalize_phone
from showroom.customers.selectors import visible_customers
from showroom.customers.services import FRONT_FIELDS
from showroom.organization import access
from showroom.organization.models import Staff, Store
from showroom.sales.models import Activity, Handover, LossReport, Order, Quote, TestDrive
from showroom.sales.prospects.selectors import overdue_q, with_last_contact

PAGE_SIZE = 50


def customer_list(
    *,
    user: Staff,
    store: Store,
    today: date,
    query: str = "",
    grade: str = "",
    consultant: Staff | None = None,
    overdue: bool = False,
) -> QuerySet[Customer]:
    """The cards of `store` that `user` may see, filtered; each with `last_contact`."""
    qs = visible_customers(user=user, store=store)
    query = query.strip()
    if query:
        match = Q(name__icontains=query)
        digits = normalize_phone(query)
        if len(digits) >= 4:
            match |= Q(phone_norm__contains=digits)
        qs = qs.filter(match)
    if grade:
        qs = qs.filter(grade=grade)
    if consultant is not None:
        qs = qs.filter(consultant=consultant)
    if overdue:
        qs = qs.filter(overdue_q(today))
    return with_last_contact(qs.select_related("consultant", "source")).order_by(
        "next_follow_up", "name", "pk"
    )


def cards_held(cards: QuerySet[Customer], *, consultant: Staff) -> QuerySet[Customer]:
    """The cards of `cards` that `consultant` holds, in the order they are handed over."""
    return cards.filter(consultant=consultant).order_by("next_follow_up", "pk")


def holder_counts(cards: QuerySet[Customer]) -> dict[int, int]:
    """How many cards each consultant holds, to show beside the "all customers of" choice."""
    rows = cards.exclude(consultant=None).values("consultant").order_by().annotate(n=Count("pk"))
    return {r["consultant"]: r["n"] for r in rows}


def overdue_ids(*, customer_ids: list[int], today: date) -> set[int]:
    """Which of these cards are overdue on `today` (for a badge on a page of the list)."""
    return set(
        Customer.objects.filter(pk__in=customer_ids)
        .filter(overdue_q(today))
        .values_list("pk", flat=True)
    )


# --- The back of the card ---------------------------------------------------------------------


TIMELINE_RANK = {
    "activity": 0, "test_drive": 1, "quote": 2, "order": 3, "loss": 4, "handover": 5, "grade": 6,
}  # fmt: skip


@dataclass
class TimelineItem:
    day: date
    kind: str  # activity, test_drive, quote, order, loss, grade, handover
    title: str
    who: str = ""
    details: list[tuple[str, str]] = field(default_factory=list)
    activity: Activity | None = None
    at: datetime | None = None  # for the order of several events of one day


def _name(staff: Any) -> str:
    return str(staff) if staff else ""


def card_timeline(*, customer: Customer) -> list[TimelineItem]:
    """Every contact and event of the card, newest first (seven queries)."""
    items: list[TimelineItem] = []
    for a in Activity.objects.filter(customer=customer).select_related("consultant"):
        items.append(
            TimelineItem(
                a.date, "activity", a.get_kind_display(), _name(a.consultant), [], a, a.created_at
            )
        )
    for t in TestDrive.objects.filter(customer=customer).select_related("consultant"):
        details = [(_("Vehicle model"), t.model)]
        if t.route:
            details.append((_("Route"), t.route))
        if t.duration_minutes:
            details.append((_("Minutes"), str(t.duration_minutes)))
        items.append(
            TimelineItem(
                t.date, "test_drive", _("Test drive"), _name(t.consultant), details, at=t.created_at
            )
        )
    for q in Quote.objects.filter(customer=customer).select_related("consultant"):
        details = [(_("Vehicle model"), q.model)]
        if q.amount is not None:
            details.append((_("Price"), f"{q.amount:,.2f}"))
        if q.notes:
            details.append((_("Notes"), q.notes))
        items.append(
            TimelineItem(q.date, "quote", _("Quote"), _name(q.consultant), details, at=q.created_at)
        )
    for o in Order.objects.filter(customer=customer).select_related("consultant"):
        details = [(_("Vehicle model"), o.model)]
        if o.delivery_date:
            details.append((_("Delivered"), o.delivery_date.isoformat()))
        if o.cancelled:
            details.append((_("Status"), _("Cancelled")))
        items.append(
            TimelineItem(
                o.order_date, "order", _("Order"), _name(o.consultant), details, at=o.created_at
            )
        )
    for r in LossReport.objects.filter(customer=customer).select_related("consultant"):
        details = [(_("Reason"), r.get_reason_display()), (_("Status"), r.get_status_display())]
        if r.competitor_brand or r.competitor_model:
            details.append((_("Bought"), f"{r.competitor_brand} {r.competitor_model}".strip()))
        if r.description:
            details.append((_("Description"), r.description))
        items.append(
            TimelineItem(
                r.date, "loss", r.get_kind_display(), _name(r.consultant), details, at=r.created_at
            )
        )
    for g in GradeChange.objects.filter(customer=customer).select_related("changed_by"):
        title = _("Grade %(old)s → %(new)s") % {
            "old": g.old_grade or "—",
            "new": g.new_grade or "—",
        }
        items.append(TimelineItem(g.date, "grade", title, _name(g.changed_by), at=g.created_at))
    for h in Handover.objects.filter(customer=customer).select_related(
        "from_consultant", "to_consultant", "by"
    ):
        title = _("Handed over: %(old)s → %(new)s") % {
            "old": _name(h.from_consultant) or "—",
            "new": _name(h.to_consultant),
        }
        details = [(_("Reason"), h.reason)] if h.reason else []
        items.append(TimelineItem(h.date, "handover", title, _name(h.by), details))
    # Newest first; within one moment, a grade change above the contact that caused it.
    epoch = timezone.make_aware(datetime(2000, 1, 1))
    items.sort(key=lambda i: (i.day, i.at or epoch, TIMELINE_RANK[i.kind]), reverse=True)
    return items


# --- History ------------------------------------------------------------------------------------

# Besides the front: what the system and the other screens change on a card.
CARD_HISTORY_FIELDS = [
    *FRONT_FIELDS, "consultant", "customer_type", "owner_kind", "next_follow_up", "created",
]  # fmt: skip
SKIPPED = {"id", "store", "customer", "version", "import_key", "created_at", "phone_norm"}


def _fields_of(model: type[Model]) -> list[str]:
    return [
        f.name
        for f in model._meta.concrete_fields
        if f.name not in SKIPPED and getattr(f, "editable", True)
    ]


@dataclass
class RelatedHistory:
    title: str
    entries: list[HistoryEntry]


def card_history(
    *, customer: Customer, user: Staff
) -> tuple[list[HistoryEntry], list[RelatedHistory]]:
    """The card's own history and that of its orders and loss reports."""
    tz = customer.store.tz
    own = object_history(
        customer, user=user, fields=CARD_HISTORY_FIELDS, tz=tz, show=access.shown_value
    )
    related: list[RelatedHistory] = []
    for order in Order.objects.filter(customer=customer).order_by("order_date", "pk"):
        title = _("Order of %(day)s · %(model)s") % {
            "day": order.order_date.isoformat(),
            "model": order.model,
        }
        related.append(
            RelatedHistory(
                title,
                object_history(
                    order,
                    user=user,
                    fields=_fields_of(Order),
                    tz=tz,
                    show=access.shown_value,
                ),
            )
        )
    for report in LossReport.objects.filter(customer=customer).order_by("date", "pk"):
        title = _("%(kind)s of %(day)s") % {
            "kind": report.get_kind_display(),
            "day": report.date.isoformat(),
        }
        related.append(
            RelatedHistory(
                title,
                object_history(
                    report,
                    user=user,
                    fields=_fields_of(LossReport),
                    tz=tz,
                    show=access.shown_value,
                ),
            )
        )
    return own, related
