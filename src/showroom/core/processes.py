"""Work split over forked processes (a demo database's stores, a large export's parts)."""

from __future__ import annotations

from django.db import connections

_INHERITED: list[object] = []


def forget_inherited_connections() -> None:
    """In a forked process, leave the parent's open connections alone: using one would share
    its socket, and closing or even dropping one would end the parent's session. They are kept
    referenced, never used; the process opens its own."""
    for conn in connections.all(initialized_only=True):
        if conn.connection is not None:
            _INHERITED.append(conn.connection)
            conn.connection = None
