"""Reads of customer cards that need nothing but the card: the cards a user may see, the
models already entered, the sources by name. Every query that shows rows goes through
`organization.access.customer_rows`."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from showroom.core.text import fold
from showroom.customers.models import Customer, Source, VehicleModel
from showroom.customers.phones import normalize_phone
from showroom.organization import access
from showroom.organization.models import Staff, Store


def visible_customers(*, user: Staff, store: Store) -> QuerySet[Customer]:
    return access.customer_rows(Customer.objects.filter(store=store), user)


def name_or_phone(query: str) -> Q | None:
    """Cards whose name contains `query` or, with four digits or more, whose phone does; None
    for an empty query."""
    query = query.strip()
    if not query:
        return None
    match = Q(name__icontains=query)
    digits = normalize_phone(query)
    if len(digits) >= 4:
        match |= Q(phone_norm__contains=digits)
    return match


def card_for(*, user: Staff, pk: int) -> Customer:
    """The card if `user` may read it; 404 otherwise, so that others' cards stay unseen."""
    qs = Customer.objects.select_related("store", "consultant", "source", "referred_by")
    return get_object_or_404(access.customer_rows(qs, user), pk=pk)


def model_suggestions(*, store: Store, limit: int = 50) -> list[str]:
    """The model box's suggestions: the models the store offers (its settings); for a store
    that has set none yet, the intended models already entered on its cards."""
    offered = list(offered_models(store=store).values_list("name", flat=True))
    if offered:
        return offered
    return list(
        Customer.objects.filter(store=store)
        .exclude(model="")
        .order_by("model")
        .values_list("model", flat=True)
        .distinct()[:limit]
    )


def trim_suggestions(*, store: Store, model: str) -> list[str]:
    """The trim box's suggestions: the trims of `model` (as typed: spaces and case aside)
    among the models `store` offers; none for a model it does not offer."""
    name = model.strip()
    if not name:
        return []
    offered = offered_models(store=store).filter(name__iexact=name).first()
    return offered.trim_list() if offered else []


def offered_models(*, store: Store) -> QuerySet[VehicleModel]:
    """The vehicle models `store` sells, with their trims."""
    return VehicleModel.objects.filter(store=store, active=True).order_by("name")


def store_sources(*, store: Store) -> tuple[QuerySet[Source], QuerySet[Source]]:
    """The standard sources (every store has them) and `store`'s own, active or not."""
    standard = Source.objects.filter(store__isnull=True).order_by("id")
    return standard, Source.objects.filter(store=store).order_by("id")


def store_vehicle_models(*, store: Store) -> QuerySet[VehicleModel]:
    return VehicleModel.objects.filter(store=store).order_by("-active", "name")


def sources_by_name(store: Store) -> dict[str, Source]:
    """The sources `store` may use by their code, Chinese and English names, folded (see
    `core.text.fold`); a store not saved yet has the standard ones."""
    if store.pk:
        sources = Source.for_store(store)
    else:
        sources = Source.objects.filter(store__isnull=True, active=True)
    found: dict[str, Source] = {}
    # The store's own sources win over a standard one of the same name.
    for source in sorted(sources, key=lambda s: s.store_id is not None):
        for name in (source.code, source.name_zh, source.name_en):
            if name:
                found[fold(name)] = source
    return found
