"""Which store a CRM screen is about, and the stores to choose from."""

from __future__ import annotations

from django.http import HttpRequest

from showroom.organization import access
from showroom.organization.models import Staff, Store


def store_of(request: HttpRequest) -> tuple[Store, list[Store]]:
    """The store asked for (?store=CODE) and the stores to choose from (only when several)."""
    user: Staff = request.user  # type: ignore[assignment]
    store = access.store_for(user, request.GET.get("store") or None)
    stores = list(access.visible_stores(user).order_by("code"))
    return store, stores if len(stores) > 1 else []
