"""What a screen reads from its request: the staff member asking, the store asked for, and the
page of this site to go back to."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.middleware import HtmxDetails

from showroom.organization import access
from showroom.organization.models import Staff, Store


class Request(HttpRequest):
    """What the screen permission middleware guarantees: a staff member, django-htmx details."""

    user: Staff
    htmx: HtmxDetails


def requested_store(request: Request) -> Store:
    """?store=CODE or a posted `store`; the user's own store without one."""
    code = request.GET.get("store") or request.POST.get("store") or None
    return access.store_for(request.user, code)


def asked_store(request: Request) -> Store:
    """?store=CODE only (a posted form names its store through the row it saves); the
    user's own store without one."""
    return access.store_for(request.user, request.GET.get("store") or None)


def next_url(request: Request, default: str) -> str:
    """The `next` posted or asked for when it is a page of this site, else `default`."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return default
