"""Which store a CRM screen is about, and where a form sends the user back to."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from showroom.organization import access
from showroom.organization.models import Staff, Store


class Request(HttpRequest):
    user: Staff


def store_of(request: HttpRequest) -> tuple[Store, list[Store]]:
    """The store asked for (?store=CODE) and the stores to choose from (only when several)."""
    user: Staff = request.user  # type: ignore[assignment]
    store = access.store_for(user, request.GET.get("store") or None)
    stores = list(access.visible_stores(user).order_by("code"))
    return store, stores if len(stores) > 1 else []


def requested_store(request: Request) -> Store:
    """?store=CODE or a posted `store`; the user's own store without one."""
    code = request.GET.get("store") or request.POST.get("store") or None
    return access.store_for(request.user, code)


def next_url(request: Request, default: str) -> str:
    """The posted `next` when it is a page of this site, else `default`."""
    url = request.POST.get("next") or ""
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return default
