from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from showroom.kpi.models import StoreMargins
from showroom.organization.models import Staff, Store


def save_margins(
    *, store: Store, values: dict[str, Any], expected_version: int, user: Staff
) -> bool:
    """Write the store's margins if still at `expected_version` (0: no row yet); False when
    someone else saved them in between (nothing is written then)."""
    if expected_version == 0:
        try:
            with transaction.atomic():
                StoreMargins.objects.create(store=store, updated_by=user, **values)
        except IntegrityError:  # another manager created the row first
            return False
        return True
    claimed = StoreMargins.objects.filter(store=store, version=expected_version).update(
        **values, version=F("version") + 1, updated_by=user, updated_at=timezone.now()
    )
    return bool(claimed)
