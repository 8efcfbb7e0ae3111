"""Reads of the customer card screens: the list, the back of the card (every contact and event,
newest first), the change history. Every query that shows rows goes through
`organization.access.customer_rows`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Count, F, Model, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from showroom.core.history import HistoryEntry, object_history
from showroom.core.hooks import Hook
from showroom.customers.choices import CustomerType, Grade
from showroom.customers.models import Customer, GradeChange
from showroom.customers.phones import normalize_phone
from showroom.customers.selectors import visible_customers
from showroom.customers.services import FRONT_FIELDS
from showroom.organization import access
from showroom.organization.models import Staff, Store
from showroom.sales.choices import ActivityKind
from showroom.sales.models import Activity, Handover, LossReport, Order, Quote, TestDrive
from showroom.sales.prospects.selectors import overdue_q, with_last_contact
from showroom.traffic.models import WalkIn

PAGE_SIZE = 50

# Called with (query=): a Q on Customer for the cards the text names some other way (an
# owner's plate); the app that keeps that registers.
card_search: Hook[Q] = Hook("sales.card_search")

# What the list's status column and filter show: the card's type, with a prospect graded O
# (ordered, not yet delivered) apart.
ORDERED = "O"
STATUSES: list[tuple[str, Any]] = [
    (CustomerType.PROSPECT, CustomerType.PROSPECT.label),
    (ORDERED, gettext_lazy("O (ordered)")),
    (CustomerType.OWNER, CustomerType.OWNER.label),
    (CustomerType.LOST, CustomerType.LOST.label),
    (CustomerType.OUT_OF_CONTROL, CustomerType.OUT_OF_CONTROL.label),
    (CustomerType.DORMANT, CustomerType.DORMANT.label),
]
# The list without a status chosen: the prospects still being worked, O included.
LIVE = "live"
ALL = "all"
STATUS_FILTERS: dict[str, Q] = {
    LIVE: Q(customer_type=CustomerType.PROSPECT),
    ALL: Q(),
    CustomerType.PROSPECT: Q(customer_type=CustomerType.PROSPECT) & ~Q(grade=Grade.O),
    ORDERED: Q(customer_type=CustomerType.PROSPECT, grade=Grade.O),
    **{
        kind: Q(customer_type=kind)
        for kind in (
            CustomerType.OWNER,
            CustomerType.LOST,
            CustomerType.OUT_OF_CONTROL,
            CustomerType.DORMANT,
        )
    },
}
# The list's sortable columns: the `sort` parameter (a leading "-" reverses) → ordering.
SORTS: dict[str, list[Any]] = {
    "name": ["name"],
    "status": ["customer_type", "grade"],
    "grade": ["grade"],
    "model": ["model"],
    "consultant": ["consultant__full_name"],
    "next_follow_up": [F("next_follow_up").asc(nulls_last=True)],
    "last_contact": [F("last_contact").asc(nulls_last=True)],
    "created": ["created"],
}
DEFAULT_SORT = "next_follow_up"


def status_of(customer: Customer) -> str:
    """The list's status of a card: its type, or O for a prospect graded O."""
    if customer.customer_type == CustomerType.PROSPECT and customer.grade == Grade.O:
        return ORDERED
    return customer.customer_type


def _ordering(sort: str) -> list[Any]:
    descending = sort.startswith("-")
    keys = SORTS.get(sort.lstrip("-"), SORTS[DEFAULT_SORT])
    if not descending:
        return [*keys, "name", "pk"]
    flipped = []
    for key in keys:
        if isinstance(key, str):
            flipped.append(f"-{key}")
        else:  # an OrderBy: the same expression, the other way, empties still last
            flipped.append(key.expression.desc(nulls_last=True))
    return [*flipped, "name", "pk"]


def customer_list(
    *,
    user: Staff,
    store: Store,
    today: date,
    query: str = "",
    grade: str = "",
    consultant: Staff | None = None,
    overdue: bool = False,
    status: str = LIVE,
    sort: str = DEFAULT_SORT,
) -> QuerySet[Customer]:
    """The cards of `store` that `user` may see, filtered; each with `last_contact`.

    The query matches a name, a phone however it is written (spaces, dashes, +86), or what
    another app matches (an owner's plate); `status` is one of STATUS_FILTERS."""
    qs = visible_customers(user=user, store=store)
    query = query.strip()
    if query:
        match = Q(name__icontains=query)
        digits = normalize_phone(query)
        if len(digits) >= 4:
            match |= Q(phone_norm__contains=digits)
        for other in card_search.results(query=query):
            match |= other
        qs = qs.filter(match)
    qs = qs.filter(STATUS_FILTERS.get(status, STATUS_FILTERS[LIVE]))
    if grade:
        qs = qs.filter(grade=grade)
    if consultant is not None:
        qs = qs.filter(consultant=consultant)
    if overdue:
        qs = qs.filter(overdue_q(today))
    return with_last_contact(qs.select_related("consultant", "source")).order_by(*_ordering(sort))


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
    "activity": 0, "walk_in": 0, "test_drive": 1, "quote": 2, "order": 3, "loss": 4,
    "handover": 5, "grade": 6,
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


def _walk_in_details(row: WalkIn) -> list[tuple[str, str]]:
    yes = _("yes")
    stay = row.arrived_at.strftime("%H:%M")
    if row.left_at is not None:
        stay += "–" + row.left_at.strftime("%H:%M")
    details = [(_("Arrival–departure"), stay), (_("People"), str(row.party_size))]
    if row.test_drive:
        details.append((_("Test drive"), yes))
    if row.quoted:
        details.append((_("Quoted"), yes))
    return details


def card_timeline(*, customer: Customer) -> list[TimelineItem]:
    """Every contact and event of the card, newest first (nine queries)."""
    activities = list(Activity.objects.filter(customer=customer))
    walk_ins = list(WalkIn.objects.filter(customer=customer))
    test_drives = list(TestDrive.objects.filter(customer=customer))
    quotes = list(Quote.objects.filter(customer=customer))
    orders = list(Order.objects.filter(customer=customer))
    losses = list(LossReport.objects.filter(customer=customer))
    grades = list(GradeChange.objects.filter(customer=customer))
    handovers = list(Handover.objects.filter(customer=customer))
    # The people named, read once rather than joined (their whole row) to each of the eight.
    ids = {
        *(a.consultant_id for a in activities),
        *(w.consultant_id for w in walk_ins),
        *(t.consultant_id for t in test_drives),
        *(q.consultant_id for q in quotes),
        *(o.consultant_id for o in orders),
        *(r.consultant_id for r in losses),
        *(g.changed_by_id for g in grades),
        *(i for h in handovers for i in (h.from_consultant_id, h.to_consultant_id, h.by_id)),
    }
    ids.discard(None)
    # (No query when nobody is named: Django answers an empty `in` by itself.)
    names = {
        pk: full_name or username
        for pk, full_name, username in Staff.objects.filter(pk__in=ids)
        .order_by()
        .values_list("pk", "full_name", "username")
    }

    def name(pk: int | None) -> str:
        return names.get(pk, "") if pk is not None else ""

    items: list[TimelineItem] = []
    receptions: dict[tuple[date, int | None], list[TimelineItem]] = {}
    for a in activities:
        item = TimelineItem(
            a.date, "activity", a.get_kind_display(), name(a.consultant_id), [], a, a.created_at
        )
        items.append(item)
        if a.kind == ActivityKind.RECEPTION:
            receptions.setdefault((a.date, a.consultant_id), []).append(item)
    # The register's visits: on the reception the consultant logged for it when there is
    # one, as a visit of their own otherwise (a row linked later, or not yet completed).
    for w in walk_ins:
        details = _walk_in_details(w)
        logged = receptions.get((w.date, w.consultant_id))
        if logged:
            logged.pop(0).details[:0] = details
            continue
        items.append(
            TimelineItem(
                w.date,
                "walk_in",
                _("Showroom visit (%(type)s)") % {"type": w.get_visit_type_display()},
                name(w.consultant_id),
                details,
                at=w.created_at,
            )
        )
    for t in test_drives:
        details = [(_("Vehicle model"), t.model)]
        if t.route:
            details.append((_("Route"), t.route))
        if t.duration_minutes:
            details.append((_("Minutes"), str(t.duration_minutes)))
        items.append(
            TimelineItem(
                t.date,
                "test_drive",
                _("Test drive"),
                name(t.consultant_id),
                details,
                at=t.created_at,
            )
        )
    for q in quotes:
        details = [(_("Vehicle model"), q.model)]
        if q.amount is not None:
            details.append((_("Price"), f"{q.amount:,.2f}"))
        if q.notes:
            details.append((_("Notes"), q.notes))
        items.append(
            TimelineItem(
                q.date, "quote", _("Quote"), name(q.consultant_id), details, at=q.created_at
            )
        )
    for o in orders:
        details = [(_("Vehicle model"), o.model)]
        if o.delivery_date:
            details.append((_("Delivered"), o.delivery_date.isoformat()))
        if o.cancelled:
            details.append((_("Status"), _("Cancelled")))
        items.append(
            TimelineItem(
                o.order_date, "order", _("Order"), name(o.consultant_id), details, at=o.created_at
            )
        )
    for r in losses:
        details = [(_("Reason"), r.get_reason_display()), (_("Status"), r.get_status_display())]
        if r.competitor_brand or r.competitor_model:
            details.append((_("Bought"), f"{r.competitor_brand} {r.competitor_model}".strip()))
        if r.description:
            details.append((_("Description"), r.description))
        items.append(
            TimelineItem(
                r.date,
                "loss",
                r.get_kind_display(),
                name(r.consultant_id),
                details,
                at=r.created_at,
            )
        )
    for g in grades:
        title = _("Grade %(old)s → %(new)s") % {
            "old": g.old_grade or "—",
            "new": g.new_grade or "—",
        }
        items.append(TimelineItem(g.date, "grade", title, name(g.changed_by_id), at=g.created_at))
    for h in handovers:
        title = _("Handed over: %(old)s → %(new)s") % {
            "old": name(h.from_consultant_id) or "—",
            "new": name(h.to_consultant_id),
        }
        details = [(_("Reason"), h.reason)] if h.reason else []
        items.append(TimelineItem(h.date, "handover", title, name(h.by_id), details))
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
