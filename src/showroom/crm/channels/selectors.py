from __future__ import annotations

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
