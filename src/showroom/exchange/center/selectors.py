"""What the import center reads: the imports a user may see."""

from __future__ import annotations

from django.db.models import QuerySet

from showroom.exchange.models import ImportBatch
from showroom.organization import access
from showroom.organization.models import Staff, Store


def import_batches(*, user: Staff, store: Store | None = None) -> QuerySet[ImportBatch]:
    """The uploads of the stores `user` sees (of `store` alone when given), newest first;
    without their undo journals (`changes`: tens of megabytes for a year of walk-ins), which
    only the undo reads."""
    batches = access.store_rows(
        ImportBatch.objects.select_related("store", "user").defer("changes"), user
    )
    if store is not None:
        batches = batches.filter(store=store)
    return batches
