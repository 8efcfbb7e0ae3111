"""What the import center reads: the imports a user may see."""

from __future__ import annotations

from django.db.models import QuerySet

from showroom.exchange.models import ImportBatch
from showroom.organization import access
from showroom.organization.models import Staff, Store


def import_batches(*, user: Staff, store: Store | None = None) -> QuerySet[ImportBatch]:
    """The uploads of the stores `user` sees (of `store` alone when given), newest first."""
    batches = access.store_rows(ImportBatch.objects.select_related("store", "user"), user)
    if store is not None:
        batches = batches.filter(store=store)
    return batches
