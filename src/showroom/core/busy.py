"""A database too busy to write now: SQLite has one writer, and a save that waited the
connection's timeout for another (a large import committing) fails with this error."""

from __future__ import annotations

from django.db import OperationalError


def database_busy(exc: BaseException) -> bool:
    """Whether `exc` says another writer held the database past the connection's timeout."""
    return isinstance(exc, OperationalError) and "database is locked" in str(exc)
