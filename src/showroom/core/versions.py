"""Optimistic locking: a save first claims the row's version with one
`UPDATE … SET version = version + 1 WHERE id = … AND version = n`. Of two people saving the same
version, the second claims nothing and is told, so no edit overwrites another silently."""

from __future__ import annotations

from django.db.models import F, Model


def claim(model: type[Model], pk: int, expected_version: int, **where: object) -> int | None:
    """The row's new version if it was still at `expected_version` (and matches `where`),
    None if someone else saved it in between. Call it inside the saving transaction."""
    claimed = model._default_manager.filter(pk=pk, version=expected_version, **where).update(
        version=F("version") + 1
    )
    return expected_version + 1 if claimed else None
