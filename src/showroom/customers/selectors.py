"""Reads of customer cards that need nothing but the card: the cards a user may see, the
models already entered. Every query that shows rows goes through
`organization.access.customer_rows`."""

from __future__ import annotations

from django.db.models import QuerySet

from showroom.customers.models import Customer
from showroom.organization import access
from showroom.organization.models import Staff, Store


def visible_customers(*, user: Staff, store: Store) -> QuerySet[Customer]:
    return access.customer_rows(Customer.objects.filter(store=store), user)


def model_suggestions(*, store: Store, limit: int = 50) -> list[str]:
    """Intended models already used in the store, for the model box's suggestions."""
    return list(
        Customer.objects.filter(store=store)
        .exclude(model="")
        .order_by("model")
        .values_list("model", flat=True)
        .distinct()[:limit]
    )
