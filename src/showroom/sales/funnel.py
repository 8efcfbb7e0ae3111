"""A prospect's state at a moment, computed from dated events, never from today's status.

A prospect is any card that entered this store's sales funnel (every card except owners recorded
without a sale here). It is open from its card date until its first order, confirmed loss or
confirmed out-of-control record, whichever comes first; a request still waiting for the manager
leaves it open. A re-activation (客户激活, `Reactivation`) makes it a new prospect from its
date: the order or loss that closed it before no longer counts from that day on.
An order counts from its date until its cancellation (退订): from the cancellation date the
card is open again unless something else closes it; a day before it, the order still counts.
Its grade on a day is the last grade change on or before that day (or the card's grade when
it has no logged change, as imported cards may not).

These are queryset builders, so that reports and KPIs compose them into one SQL query each.

The same definition is also kept as state: `open_spans` turns a card's dated events into the
spans of days it is open, stored as `ProspectSpan` rows by every write that closes or reopens a
card (`showroom.sales.spans`). With `kept=True`, `open_on` and `carried_over_into` read those
rows instead of deciding from every order, loss and re-activation of the card's history: the
same answer (rebuilding the spans from the events must give the rows the writes kept), read
from an index of open cards rather than from every card a store ever had.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from django.db.models import Exists, F, Manager, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from showroom.customers.choices import OwnerKind
from showroom.customers.models import Customer, GradeChange
from showroom.organization.models import Store
from showroom.sales.choices import LossStatus
from showroom.sales.models import LossReport, Order, ProspectSpan, Reactivation

PROSPECT = Q(owner_kind=OwnerKind.NONE)


# The stores of the cards (or their ids), if known; None: any store.
Stores = QuerySet[Store] | Sequence[Store] | Sequence[int] | None


def of_stores(events: Manager[Any] | QuerySet[Any], stores: Stores) -> QuerySet[Any]:
    """`events` of `stores` only (a card's orders, losses and visits are its store's). Cheap
    for one store and exact either way: PostgreSQL may hash a correlated EXISTS into one scan
    of the whole table, every store's rows, unless the subquery names the stores itself."""
    rows = events.all()
    return rows if stores is None else rows.filter(store__in=stores)


def order_standing(day: date) -> Q:
    """Orders dated on or before `day` and not cancelled on or before it."""
    return Q(order_date__lte=day) & (Q(cancelled_on__isnull=True) | Q(cancelled_on__gt=day))


def closed_by(day: date, *, outer: str = "pk", stores: Stores = None) -> Q:
    """The card at OuterRef(`outer`) had an order or a confirmed loss on or before `day`,
    not followed by a re-activation on or before `day`. `stores`: the cards' stores, if known."""
    ordered = of_stores(Order.objects, stores).filter(order_standing(day), customer=OuterRef(outer))
    lost = of_stores(LossReport.objects, stores).filter(
        customer=OuterRef(outer), status=LossStatus.CONFIRMED, date__lte=day
    )
    return Q(Exists(not_reactivated(ordered, "order_date", day))) | Q(
        Exists(not_reactivated(lost, "date", day))
    )


def not_reactivated(events: QuerySet, field: str, day: date) -> QuerySet:  # type: ignore[type-arg]
    """Closing `events` that no re-activation after them (and by `day`) has undone. An event
    on the re-activation's own day (an order the day he came back) still closes."""
    undone = Reactivation.objects.filter(
        customer=OuterRef("customer_id"), date__gt=OuterRef(field), date__lte=day
    )
    return events.filter(~Exists(undone))


def reactivated_within(start: date, end: date, *, outer: str = "pk") -> Q:
    """The card at OuterRef(`outer`) was re-activated in [start, end]: a new prospect then."""
    return Q(
        Exists(Reactivation.objects.filter(customer=OuterRef(outer), date__range=(start, end)))
    )


def open_on(day: date, *, stores: Stores = None, kept: bool = False, outer: str = "pk") -> Q:
    """Open at the end of `day`: created by then, not yet ordered, lost or out of control.
    `kept`: read from the kept spans (same answer)."""
    if kept:
        return Q(Exists(open_spans_on(day, stores=stores).filter(customer=OuterRef(outer))))
    return PROSPECT & Q(created__lte=day) & ~closed_by(day, stores=stores)


def carried_over_into(start: date, *, stores: Stores = None, kept: bool = False) -> Q:
    """Open at the start of a period beginning on `start` (上月留存)."""
    before = start - timedelta(days=1)
    if kept:
        return open_on(before, stores=stores, kept=True)
    return PROSPECT & Q(created__lt=start) & ~closed_by(before, stores=stores)


# --- the kept form: spans of open days ---------------------------------------------------

# The closing day of a span still open.
OPEN_END = date(9999, 12, 31)


def open_spans_on(day: date, *, stores: Stores = None) -> QuerySet[ProspectSpan]:
    """The kept spans covering `day`: one per card open at its end."""
    return of_stores(ProspectSpan.objects, stores).filter(opened_on__lte=day, closed_on__gt=day)


def open_spans(
    *,
    created: date,
    prospect: bool,
    orders: Iterable[tuple[date, date | None]],
    losses: Iterable[date],
    reactivations: Iterable[date],
) -> list[tuple[date, date]]:
    """The spans [opened_on, closed_on) of days a card is open, from its card date, whether it
    is a prospect, its orders (order date, cancellation date), its confirmed losses' dates and
    its re-activations' dates: `open_on` above, decided for every day at once. The state can
    change only on one of those dates, so it is decided on each of them."""
    if not prospect:
        return []
    orders, losses, back = list(orders), list(losses), sorted(reactivations)

    def undone(event: date, day: date) -> bool:
        return any(event < r <= day for r in back)

    def closed(day: date) -> bool:
        return any(
            ordered <= day and (cancelled is None or cancelled > day) and not undone(ordered, day)
            for ordered, cancelled in orders
        ) or any(lost <= day and not undone(lost, day) for lost in losses)

    points = {created, *back, *losses}
    for ordered, cancelled in orders:
        points.add(ordered)
        if cancelled is not None:
            points.add(cancelled)
    spans: list[tuple[date, date]] = []
    opened: date | None = None
    for day in sorted(p for p in points if p >= created):
        if closed(day):
            if opened is not None:
                spans.append((opened, day))
                opened = None
        elif opened is None:
            opened = day
    if opened is not None:
        spans.append((opened, OPEN_END))
    return spans


def grade_on(
    day: date, *, outer: str = "pk", card_grade: QuerySet[Customer] | None = None
) -> Coalesce:
    """The card's grade at the end of `day`, as an expression to annotate with. The card's
    own grade is its field `grade`, or the `grade` of `card_grade` (the card, from rows that
    are not cards: looked up only when no change is logged by then)."""
    last = (
        GradeChange.objects.filter(customer=OuterRef(outer), date__lte=day)
        .order_by("-date", "-id")
        .values("new_grade")[:1]
    )
    own = F("grade") if card_grade is None else Subquery(card_grade.values("grade")[:1])
    return Coalesce(Subquery(last), own)


def open_prospects(*, stores: QuerySet | list, on: date) -> QuerySet[Customer]:  # type: ignore[type-arg]
    """Cards open at the end of `on`, each annotated with `grade_then`."""
    return (
        Customer.objects.filter(store__in=stores)
        .filter(open_on(on))
        .annotate(grade_then=grade_on(on))
    )


def awaiting_delivery(day: date, *, outer: str = "pk", stores: Stores = None) -> Q:
    """Grade O on `day`: an order on or before it and no delivery by then (prospects_O)."""
    pending = (
        of_stores(Order.objects, stores)
        .filter(order_standing(day), customer=OuterRef(outer))
        .filter(Q(delivery_date__isnull=True) | Q(delivery_date__gt=day))
    )
    return Q(Exists(pending))
