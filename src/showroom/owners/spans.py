"""Keeping the owner spans (`OwnerSpan`: owner, retained, churned) current.

The owners' KPIs (owners, owner_retention_rate, owner_churn_rate; docs/contracts.md) at a
period's end D ask, of every card with a delivered vehicle by D, whether it had an owner-care
contact or a service visit in the 180 days up to D, and a service visit or a delivery in the
365 days up to D. Those answers change only with the card's deliveries, visits and care, so
they are kept as spans of days (`owner_spans`), and the KPIs count the spans covering D: an
index range per store instead of a handful of probes per owner of the whole history.

A card's spans depend on its orders (delivery date, cancellation), service visits and
owner-care activities. Every save or delete of one of those through the ORM derives the
card's spans again (signals, connected in OwnersConfig.ready); bulk writes (the generator, the
import, an import's undo) reach `refresh` through `sales.spans.refresh`, which calls it with
the prospect spans', as does `showroom rebuild_kpi_state` (and its `--check`,
`differences`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet
from django.db.models.signals import post_delete, post_init, post_save

from showroom.customers.models import Customer
from showroom.organization.models import Store
from showroom.owners.models import OwnerSpan, ServiceVisit
from showroom.sales import spans as prospect_spans
from showroom.sales.choices import ActivityKind
from showroom.sales.funnel import OPEN_END
from showroom.sales.models import Activity, Order

TABLE = OwnerSpan._meta.db_table
CHUNK = prospect_spans.CHUNK

# Kept in touch within this many days up to a day (retention), and lost after more than
# this many days without a service visit or a delivery (churn): kpi.funnel_kpis says the same.
RETENTION_DAYS = 180
CHURN_DAYS = 365

# The fields of each model the spans depend on; a save that changes none of them keeps them.
_WATCHED: dict[type[models.Model], tuple[str, ...]] = {
    Customer: ("store_id",),
    Order: ("customer_id", "delivery_date", "cancelled_on"),
    ServiceVisit: ("customer_id", "date"),
    Activity: ("customer_id", "date", "kind"),
}

# (kind, started on, ended on)
Piece = tuple[str, date, date]
# (store id, card id, kind, started on, ended on)
Span = tuple[int, int, str, date, date]


def _after(day: date, days: int) -> date:
    try:
        return min(day + timedelta(days=days), OPEN_END)
    except OverflowError:
        return OPEN_END


def _union(spans: Iterable[tuple[date, date]], since: date) -> list[tuple[date, date]]:
    """The union of [start, end) spans, from `since` on, as disjoint sorted spans."""
    merged: list[tuple[date, date]] = []
    for start, end in sorted((max(s, since), e) for s, e in spans):
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def owner_spans(
    *, deliveries: Iterable[date], care: Iterable[date], visits: Iterable[date]
) -> list[Piece]:
    """A card's spans [started_on, ended_on) of days as an owner, a retained owner and a
    churned owner, from the delivery dates of its orders not cancelled, its owner-care
    contacts' dates and its service visits' dates: the owners' KPIs decided for every day at
    once. On day D the card is an owner when delivered on or before D; retained when an owner
    with a contact or a visit in [D - 179, D], that is D in [contact, contact + 180); churned
    when an owner with neither a visit nor a delivery in [D - 365, D]."""
    delivered = sorted(deliveries)
    if not delivered:
        return []
    since = delivered[0]
    visited = list(visits)
    pieces: list[Piece] = [(OwnerSpan.OWNER, since, OPEN_END)]
    contacts = [(d, _after(d, RETENTION_DAYS)) for d in [*care, *visited]]
    pieces += [(OwnerSpan.RETAINED, s, e) for s, e in _union(contacts, since)]
    in_touch = _union([(d, _after(d, CHURN_DAYS + 1)) for d in [*visited, *delivered]], since)
    # Churned: the owner's days outside every span in touch.
    day = since
    for start, end in in_touch:
        if start > day:
            pieces.append((OwnerSpan.CHURNED, day, start))
        day = max(day, end)
    if day < OPEN_END:
        pieces.append((OwnerSpan.CHURNED, day, OPEN_END))
    return pieces


def refresh(
    *, customers: Iterable[int] | None = None, stores: Iterable[Store | int] | None = None
) -> int:
    """Derive again the owner spans of the cards `customers` (ids), or of every card of
    `stores`, or of every card when given neither; returns the spans written."""
    return prospect_spans.rederive(OwnerSpan, _derive, customers=customers, stores=stores)


def _derive(cards_q: Q, events_q: Q) -> int:
    spans = [
        OwnerSpan(store_id=store_id, customer_id=pk, kind=kind, started_on=started, ended_on=ended)
        for store_id, pk, kind, started, ended in _derived(cards_q, events_q)
    ]
    OwnerSpan.objects.bulk_create(spans, batch_size=CHUNK)
    return len(spans)


def differences(
    *, stores: Iterable[Store | int] | None = None
) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    """(derived but not kept, kept but not derived) owner spans of `stores` (default all)."""
    query = Q() if stores is None else Q(store_id__in=[getattr(s, "pk", s) for s in stores])
    derived: set[tuple[Any, ...]] = set(_derived(query, query))
    kept: set[tuple[Any, ...]] = set(
        OwnerSpan.objects.filter(query).values_list(
            "store_id", "customer_id", "kind", "started_on", "ended_on"
        )
    )
    return derived - kept, kept - derived


def _derived(cards_q: Q, events_q: Q) -> Iterator[Span]:
    deliveries: dict[int, list[date]] = defaultdict(list)
    delivered = Order.objects.filter(events_q, cancelled=False, delivery_date__isnull=False)
    for customer_id, day in delivered.values_list("customer_id", "delivery_date"):
        if day is not None:
            deliveries[customer_id].append(day)
    if not deliveries:
        return
    care: dict[int, list[date]] = defaultdict(list)
    cared = Activity.objects.filter(events_q, kind=ActivityKind.OWNER_CARE)
    for customer_id, day in cared.values_list("customer_id", "date"):
        care[customer_id].append(day)
    visits: dict[int, list[date]] = defaultdict(list)
    for customer_id, day in ServiceVisit.objects.filter(events_q).values_list(
        "customer_id", "date"
    ):
        visits[customer_id].append(day)
    cards = Customer.objects.filter(cards_q).values_list("pk", "store_id")
    for pk, store_id in cards.iterator(chunk_size=CHUNK):
        if pk not in deliveries:
            continue
        for kind, started, ended in owner_spans(
            deliveries=deliveries[pk], care=care.get(pk, ()), visits=visits.get(pk, ())
        ):
            yield store_id, pk, kind, started, ended


# --- signals ---------------------------------------------------------------------------


def _seen(instance: models.Model) -> tuple[Any, ...]:
    # From __dict__: a deferred field must not cost a query (None: not loaded).
    return tuple(instance.__dict__.get(name) for name in _WATCHED[type(instance)])


def _remember(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    instance._owner_spans_seen = _seen(instance)  # type: ignore[attr-defined]


def _matters(instance: models.Model, seen: tuple[Any, ...] | None) -> bool:
    """Whether the row, as now or as `seen` before, is one the spans depend on: every order
    and visit, only the activities of owner care (a follow-up costs nothing)."""
    if not isinstance(instance, Activity):
        return True
    was_care = seen is not None and seen[2] == ActivityKind.OWNER_CARE
    return instance.kind == ActivityKind.OWNER_CARE or was_care


def _saved(
    sender: type[models.Model], instance: models.Model, created: bool, **kwargs: Any
) -> None:
    before = getattr(instance, "_owner_spans_seen", None)
    now = _seen(instance)
    instance._owner_spans_seen = now  # type: ignore[attr-defined]
    if not created and before == now:
        return
    if isinstance(instance, Customer):
        if not created:  # a new card has no deliveries yet; a moved card takes its spans along
            _refresh_now(instance.pk)
        return
    if not _matters(instance, before):
        return
    card = instance.customer_id  # type: ignore[attr-defined]
    moved_from = None if before is None else before[0]  # a row moved between cards
    _refresh_now(card, moved_from if moved_from != card else None)


def _deleted(
    sender: type[models.Model], instance: models.Model, origin: Any = None, **kwargs: Any
) -> None:
    # Deleting the card (or its store) deletes its spans along with its rows.
    model = origin.model if isinstance(origin, QuerySet) else type(origin)
    if model in (Customer, Store) or not _matters(instance, None):
        return
    _refresh_now(instance.customer_id)  # type: ignore[attr-defined]


def _refresh_now(*cards: int | None) -> None:
    """Refresh the cards' owner spans, or within `sales.spans.deferred()` note them for its end
    (which refreshes these spans along with the prospect spans)."""
    if prospect_spans.later(*cards):
        return
    refresh(customers=[c for c in cards if c is not None])


def _table() -> str:
    return TABLE


def _sources() -> tuple[str, ...]:
    return tuple(model._meta.db_table for model in _WATCHED)


def connect() -> None:
    for model in _WATCHED:
        post_init.connect(
            _remember, sender=model, dispatch_uid=f"owner-spans-init-{model.__name__}"
        )
        post_save.connect(_saved, sender=model, dispatch_uid=f"owner-spans-save-{model.__name__}")
        if model is not Customer:
            post_delete.connect(
                _deleted, sender=model, dispatch_uid=f"owner-spans-delete-{model.__name__}"
            )
    prospect_spans.kept_refresh.register(refresh)
    prospect_spans.kept_differences.register(differences)
    prospect_spans.kept_tables.register(_table)
    prospect_spans.kept_sources.register(_sources)
