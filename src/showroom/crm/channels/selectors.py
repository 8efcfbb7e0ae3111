from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from showroom.crm.models import MediaSpend
from showroom.organization.models import Store
from showroom.sales.models import Order


def models_sold(*, store: Store) -> list[str]:
    """The models the store has ordered, sorted: the suggestions of the spend table."""
    models = (
        Order.objects.filter(store=store)
        .exclude(model="")
        .order_by()
        .values_list("model", flat=True)
        .distinct()
    )
    return sorted(models)


def spend_of(*, store: Store, month: date) -> QuerySet[MediaSpend]:
    """The rows of the store's spend table for `month`."""
    return MediaSpend.objects.filter(store=store, month=month).select_related("source")
