"""Impossible values in an imported row: the rules the screens apply, with the store's own
today and time. A form without rules here has only its cell and row checks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from showroom.organization.models import Store
from showroom.sales.rules import contact_date_error
from showroom.traffic.rules import call_errors, walk_in_errors


def impossible(
    form_name: str, values: dict[str, Any], store: Store, now: datetime | None = None
) -> list[tuple[str, str]]:
    """(column name, reason) for each value of the row that cannot be; `now` is the store's
    (an import reads it once for all its rows)."""
    if now is None:
        now = store.now()
    if form_name == "walk_ins":
        return walk_in_errors(
            day=values.get("date"),
            arrived_at=values.get("arrived_at"),
            left_at=values.get("left_at"),
            now=now,
        )
    if form_name == "calls":
        return call_errors(day=values.get("date"), called_at=values.get("called_at"), now=now)
    if form_name == "activities":
        reason = contact_date_error(
            day=values.get("date"), kind=values.get("kind", ""), today=now.date()
        )
        return [("date", reason)] if reason else []
    return []
