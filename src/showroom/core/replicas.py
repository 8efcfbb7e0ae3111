"""Reading reports from a PostgreSQL streaming replica.

When `DATABASE_REPLICA_URL` names a replica, the settings add it as the `replica` database and
install `ReplicaRouter` and `ReplicaReadsMiddleware`. A GET of a screen whose URL name starts
with one of `SHOWROOM_REPLICA_SCREENS` (the dashboards, statistics, reports and exports: reads
that scan many rows and tolerate a second of lag) reads from the replica; everything else, and
every write, stays on the primary.

A replica lags the primary by a moment. A person who has just saved something must see it, so
any write request (POST, PUT, PATCH, DELETE) pins that person's reads to the primary for
`SHOWROOM_REPLICA_PIN_SECONDS` (a session entry); the other users' report reads still go to the
replica.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
PINNED_UNTIL = "primary_until"

_reading_from_replica: ContextVar[bool] = ContextVar("reading_from_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def replica_reads() -> Iterator[None]:
    """Reads inside the block go to the replica (when there is one); writes never do."""
    token = _reading_from_replica.set(replica_configured())
    try:
        yield
    finally:
        _reading_from_replica.reset(token)


class ReplicaRouter:
    """Sends the reads of a `replica_reads()` block to the replica, everything else to default."""

    def db_for_read(self, model: type, **hints: Any) -> str | None:
        return REPLICA if _reading_from_replica.get() else "default"

    def db_for_write(self, model: type, **hints: Any) -> str | None:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # The replica holds the same rows as the primary.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        # The replica gets its schema by streaming from the primary.
        return db == "default"


def _report_screen(request: HttpRequest) -> bool:
    match = getattr(request, "resolver_match", None)
    name = match.view_name if match else ""
    return any(name.startswith(prefix) for prefix in settings.SHOWROOM_REPLICA_SCREENS)


class ReplicaReadsMiddleware:
    """Routes a report screen's GET to the replica unless its user has just written."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            response = self.get_response(request)
            if hasattr(request, "session"):
                request.session[PINNED_UNTIL] = time.time() + settings.SHOWROOM_REPLICA_PIN_SECONDS
            return response
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if request.method not in ("GET", "HEAD") or not _report_screen(request):
            return None
        session = getattr(request, "session", None)
        if session is not None and session.get(PINNED_UNTIL, 0) > time.time():
            return None
        with replica_reads():
            return view(request, *args, **kwargs)
