"""Keeping the prospect spans (`ProspectSpan`, the kept form of `sales.funnel.open_on`) current.

A card's spans depend on its card date, whether it is a prospect, and its orders (dates and
cancellation), confirmed losses and re-activations. Every save or delete of one of those
through the ORM derives the card's spans again (signals, connected in SalesConfig.ready), so
the services, the admin and the tests need do nothing. Bulk writes send no signals: the demo
generator and the import call `refresh` themselves once their rows are written.

`refresh` is also the rebuild (`showroom rebuild_kpi_state`): the same derivation from the
events, for every card of some stores or of all. A card's refresh locks the card's row, so two
writes of one card at once leave one set of spans; a store's rebuild does not lock its cards
(thousands of rows), so it is meant for a quiet moment, `--check` telling afterwards.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Q, QuerySet
from django.db.models.signals import post_delete, post_init, post_save

from showroom.core.hooks import Hook
from showroom.customers.choices import OwnerKind
from showroom.customers.models import Customer
from showroom.organization.models import Store
from showroom.sales.choices import LossStatus
from showroom.sales.funnel import OPEN_END, open_spans
from showroom.sales.models import LossReport, Order, ProspectSpan, Reactivation

TABLE = ProspectSpan._meta.db_table
# Cards derived per round of queries.
CHUNK = 2000

# The kept state of higher apps (the owners' spans, owners.spans), derived and checked along
# with the prospect spans by `refresh` and `differences` below: the generator, the import and
# `showroom rebuild_kpi_state` reach every kept state through them. Each function takes the
# keyword arguments of the function that calls it.
kept_refresh: Hook[int] = Hook("kept state refresh")
kept_differences: Hook[tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]] = Hook(
    "kept state differences"
)
# The tables of that kept state (`settle`): each function returns one table's name.
kept_tables: Hook[str] = Hook("kept state tables")
# The tables that kept state is derived from (`hold_writes`): each function returns some.
kept_sources: Hook[tuple[str, ...]] = Hook("kept state sources")

# The fields of each model the spans depend on; a save that changes none of them keeps them.
_WATCHED: dict[type[models.Model], tuple[str, ...]] = {
    Customer: ("created", "owner_kind", "store_id"),
    Order: ("customer_id", "order_date", "cancelled_on"),
    LossReport: ("customer_id", "date", "status"),
    Reactivation: ("customer_id", "date"),
}


def refresh(
    *, customers: Iterable[int] | None = None, stores: Iterable[Store | int] | None = None
) -> int:
    """Derive again the kept state (these spans and those of `kept_refresh`) of the cards
    `customers` (ids), or of every card of `stores`, or of every card when given neither;
    returns the spans written."""
    if customers is not None:
        customers = sorted(set(customers))
    if stores is not None:
        stores = [s.pk if isinstance(s, Store) else s for s in stores]
    written = _refresh(customers=customers, stores=stores)
    for function in kept_refresh:
        written += function(customers=customers, stores=stores) or 0
    return written


def hold_writes() -> None:
    """Inside the transaction of a rebuild, on PostgreSQL: wait for the writes under way to
    the tables the kept state is derived from, and hold new ones until it commits (reads go
    on). Otherwise a write committed while the rebuild reads would be derived by its own
    signal and then replaced by the rebuild's older reading. On SQLite every transaction
    takes the database's one write lock when it begins (settings: IMMEDIATE)."""
    if connection.vendor != "postgresql":
        return
    names = {model._meta.db_table for model in _WATCHED}
    for tables in kept_sources.results():
        names.update(tables)
    quoted = ", ".join(connection.ops.quote_name(name) for name in sorted(names))
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {quoted} IN SHARE MODE")


def settle() -> None:
    """After a bulk write of the kept state (the generator, `showroom rebuild_kpi_state`), on
    PostgreSQL: its tables' planner statistics, and, outside a transaction, their visibility
    map too (`VACUUM (ANALYZE)`), so that the KPIs read the spans by index alone instead of
    visiting each row's page; autovacuum, if it is on at all, comes round much later."""
    if connection.vendor != "postgresql":
        return
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for table in (TABLE, *kept_tables.results()):
            cursor.execute(f"{command} {connection.ops.quote_name(table)}")


def _refresh(
    *, customers: Iterable[int] | None = None, stores: Iterable[Store | int] | None = None
) -> int:
    """The prospect spans alone (`refresh`)."""
    return rederive(ProspectSpan, _derive, customers=customers, stores=stores)


def rederive(
    model: type[models.Model],
    derive: Callable[[Q, Q], int],
    *,
    customers: Iterable[int] | None = None,
    stores: Iterable[Store | int] | None = None,
) -> int:
    """Replace `model`'s kept rows (spans of one kind of kept state) of the cards `customers`
    (ids), or of every card of `stores`, or of every card, by what `derive(cards, events)`
    writes for those cards and their events; returns the rows written."""
    if customers is not None:
        ids = sorted(set(customers))
        written = 0
        for at in range(0, len(ids), CHUNK):
            chunk = ids[at : at + CHUNK]
            with transaction.atomic(savepoint=False):
                # Two writes of one card at once: the second waits, then reads the first's
                # events and replaces its spans (else both would insert theirs).
                locked = Customer.objects.select_for_update().filter(pk__in=chunk).order_by("pk")
                list(locked.values_list("pk", flat=True))
                model._default_manager.filter(customer_id__in=chunk).delete()
                written += derive(Q(pk__in=chunk), Q(customer_id__in=chunk))
        return written
    if stores is None:
        store_ids = list(Store.objects.values_list("pk", flat=True))
    else:
        store_ids = [s.pk if isinstance(s, Store) else s for s in stores]
    written = 0
    for store_id in store_ids:
        model._default_manager.filter(store_id=store_id).delete()
        written += derive(Q(store_id=store_id), Q(store_id=store_id))
    return written


def _derive(cards_q: Q, events_q: Q) -> int:
    spans = [
        ProspectSpan(store_id=store_id, customer_id=pk, opened_on=opened, closed_on=closed)
        for store_id, pk, opened, closed in _derived(cards_q, events_q)
    ]
    ProspectSpan.objects.bulk_create(spans, batch_size=CHUNK)
    return len(spans)


def differences(
    *, stores: Iterable[Store | int] | None = None
) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    """(derived but not kept, kept but not derived): the spans of `stores` (default all), of
    every kept state, that the writes did not keep as a rebuild would. Both empty when the
    kept state is current."""
    ids = None if stores is None else [getattr(s, "pk", s) for s in stores]
    query = Q() if ids is None else Q(store_id__in=ids)
    missing: set[tuple[Any, ...]] = set(_derived(query, query))
    extra: set[tuple[Any, ...]] = set(
        ProspectSpan.objects.filter(query).values_list(
            "store_id", "customer_id", "opened_on", "closed_on"
        )
    )
    missing, extra = missing - extra, extra - missing
    for more_missing, more_extra in kept_differences.results(stores=ids):
        missing |= more_missing
        extra |= more_extra
    return missing, extra


# (store id, card id, opened on, closed on)
Span = tuple[int, int, date, date]


def _derived(cards_q: Q, events_q: Q) -> Iterator[Span]:
    orders: dict[int, list[tuple[date, date | None]]] = defaultdict(list)
    for customer_id, ordered, cancelled in Order.objects.filter(events_q).values_list(
        "customer_id", "order_date", "cancelled_on"
    ):
        orders[customer_id].append((ordered, cancelled))
    losses: dict[int, list[date]] = defaultdict(list)
    confirmed = LossReport.objects.filter(events_q, status=LossStatus.CONFIRMED)
    for customer_id, day in confirmed.values_list("customer_id", "date"):
        losses[customer_id].append(day)
    back: dict[int, list[date]] = defaultdict(list)
    for customer_id, day in Reactivation.objects.filter(events_q).values_list(
        "customer_id", "date"
    ):
        back[customer_id].append(day)
    cards = Customer.objects.filter(cards_q).values_list("pk", "store_id", "created", "owner_kind")
    for pk, store_id, created, owner_kind in cards.iterator(chunk_size=CHUNK):
        for opened, closed in open_spans(
            created=created,
            prospect=owner_kind == OwnerKind.NONE,
            orders=orders.get(pk, ()),
            losses=losses.get(pk, ()),
            reactivations=back.get(pk, ()),
        ):
            yield store_id, pk, opened, closed


# --- signals ---------------------------------------------------------------------------

# Within `deferred()`: the cards written so far, derived once at its end.
_pending = threading.local()


@contextmanager
def deferred() -> Iterator[None]:
    """Bulk work through the ORM (an import's undo): the signals note the cards written, and
    their spans are derived once at the end, with the cards given to `note`, instead of once
    per row."""
    if getattr(_pending, "cards", None) is not None:  # already inside one
        yield
        return
    _pending.cards = set()
    try:
        yield
        cards = _pending.cards
    finally:
        _pending.cards = None
    refresh(customers=cards)


def note(cards: Iterable[int]) -> None:
    """Cards whose events a bulk write inside `deferred()` changed without signals."""
    if getattr(_pending, "cards", None) is None:
        refresh(customers=cards)
    else:
        _pending.cards.update(cards)


def later(*cards: int | None) -> bool:
    """Inside `deferred()`: note the cards and leave them for its end (which refreshes every
    kept state of theirs). Also for the signals of higher apps' kept state."""
    pending = getattr(_pending, "cards", None)
    if pending is None:
        return False
    pending.update(c for c in cards if c is not None)
    return True


def _seen(instance: models.Model) -> tuple[Any, ...]:
    # From __dict__: a deferred field must not cost a query (None: not loaded).
    return tuple(instance.__dict__.get(name) for name in _WATCHED[type(instance)])


def _remember(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    instance._spans_seen = _seen(instance)  # type: ignore[attr-defined]


def _saved(
    sender: type[models.Model], instance: models.Model, created: bool, **kwargs: Any
) -> None:
    before = getattr(instance, "_spans_seen", None)
    now = _seen(instance)
    instance._spans_seen = now  # type: ignore[attr-defined]
    if not created and before == now:
        return
    is_card = isinstance(instance, Customer)
    card = instance.pk if is_card else instance.customer_id  # type: ignore[attr-defined]
    moved_from = None if is_card or before is None else before[0]  # an event moved between cards
    if later(card, moved_from):
        return
    if isinstance(instance, Customer):
        if created:  # a new card has no events yet
            if instance.owner_kind == OwnerKind.NONE:
                ProspectSpan.objects.create(
                    store_id=instance.store_id,
                    customer_id=instance.pk,
                    opened_on=instance.created,
                    closed_on=OPEN_END,
                )
            return
        _refresh(customers=[instance.pk])
        return
    _refresh(customers={card} if moved_from is None else {card, moved_from})


def _deleted(
    sender: type[models.Model], instance: models.Model, origin: Any = None, **kwargs: Any
) -> None:
    # Deleting the card (or its store) deletes its spans along with its events.
    model = origin.model if isinstance(origin, QuerySet) else type(origin)
    if model in (Customer, Store) or later(instance.customer_id):  # type: ignore[attr-defined]
        return
    _refresh(customers=[instance.customer_id])  # type: ignore[attr-defined]


def connect() -> None:
    for model in _WATCHED:
        post_init.connect(_remember, sender=model, dispatch_uid=f"spans-init-{model.__name__}")
        post_save.connect(_saved, sender=model, dispatch_uid=f"spans-save-{model.__name__}")
        if model is not Customer:
            post_delete.connect(
                _deleted, sender=model, dispatch_uid=f"spans-delete-{model.__name__}"
            )
