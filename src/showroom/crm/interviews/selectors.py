"""Reads of the delivery interviews: the deliveries a user may interview, the industries
suggested, and the models interviewed."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from showroom.crm.interviews.profiles import INDUSTRY_SUGGESTIONS
from showroom.crm.models import DeliveryInterview
from showroom.organization import access
from showroom.organization.models import Staff, Store
from showroom.sales.models import Order

DELIVERED = {"delivery_date__isnull": False, "cancelled": False}


def deliveries(*, user: Staff, store: Store) -> QuerySet[Order]:
    """The store's delivered orders the user may read."""
    return access.order_rows(Order.objects.filter(store=store, **DELIVERED), user).select_related(
        "customer", "consultant"
    )


def delivery_for(*, user: Staff, pk: int) -> Order:
    qs = access.order_rows(Order.objects.filter(**DELIVERED), user)
    return get_object_or_404(qs.select_related("customer", "store", "consultant"), pk=pk)


def interview_of(order: Order) -> DeliveryInterview | None:
    return DeliveryInterview.objects.filter(order=order).first()


def industries(*, store: Store) -> list[str]:
    """Suggestions: the store's industries so far, then the standard ones."""
    used = (
        DeliveryInterview.objects.filter(store=store)
        .exclude(industry="")
        .order_by()
        .values_list("industry", flat=True)
        .distinct()[:50]
    )
    return list(dict.fromkeys([*used, *(str(s) for s in INDUSTRY_SUGGESTIONS)]))


def interviewed_models(*, store: Store) -> list[str]:
    models = (
        DeliveryInterview.objects.filter(store=store)
        .order_by()
        .values_list("order__model", flat=True)
        .distinct()
    )
    return sorted(m for m in models if m)
