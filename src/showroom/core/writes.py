"""When a person last wrote: their own writes show on the next page they open.

Some figures are reused for a short while instead of being counted on every visit (the
running month's KPIs, `kpi.selectors.running_figures`); the page says as of when. A person
who has just saved something must see it at once, though: `OwnWritesMiddleware` notes the
moment of every write request (POST, PUT, PATCH, DELETE) of a signed-in user in the cache,
and figures counted before that moment are counted again for that person.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

# Longer than any figure is reused for.
REMEMBERED_SECONDS = 600
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def _key(user_id: int) -> str:
    return f"wrote:{user_id}"


def note_write(user_id: int) -> None:
    cache.set(_key(user_id), time.time(), REMEMBERED_SECONDS)


def wrote_since(user_id: int | None, moment: datetime) -> bool:
    """Whether the user has written since `moment` (an aware datetime)."""
    if user_id is None:
        return False
    last = cache.get(_key(user_id))
    return last is not None and last >= moment.timestamp()


class OwnWritesMiddleware:
    """Notes each write request's user (after the view: its rows are committed by then)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method not in SAFE_METHODS:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                note_write(user.pk)
        return response
