"""Impossible values in an imported row: the rules the screens apply, with the store's own
today and time. A form without rules here has only its cell and row checks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

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
    if form_name in ("reactivations", "service_visits"):
        day = values.get("date")
        if day is not None and day > now.date():
            params = {"day": day.isoformat(), "today": now.date().isoformat()}
            if form_name == "service_visits":
                reason = _("A service visit cannot be in the future (%(day)s; today is %(today)s).")
            else:
                reason = _("A re-activation cannot be in the future (%(day)s; today is %(today)s).")
            return [("date", reason % params)]
    return []


def impossible_rows(
    form_name: str, columns: dict[str, Sequence[Any]], store: Store, now: datetime
) -> bool:
    """Whether any of the rows given by column (`columns`: every value of the rows, by
    attribute) has an impossible value: `impossible` asked once per distinct combination of
    the values that decide it instead of once a row (the reasons are asked row by row when
    one is impossible)."""
    today = now.date()
    if form_name == "walk_ins":
        days = columns["date"]
        arrived, left = columns["arrived_at"], columns["left_at"]
        # A walk-in of another day than today is impossible by its day alone or by its times
        # alone (arrival and departure compared with each other, not with now).
        day_bad = {day: bool(impossible(form_name, {"date": day}, store, now)) for day in set(days)}
        if any(day_bad.values()):
            return True
        pairs: Iterable[tuple[Any, Any]] = zip(arrived, left, strict=True)
        if today in day_bad:
            for day, pair in zip(days, zip(arrived, left, strict=True), strict=True):
                values = {"date": day, "arrived_at": pair[0], "left_at": pair[1]}
                if day == today and impossible(form_name, values, store, now):
                    return True
            pairs = (
                p for d, p in zip(days, zip(arrived, left, strict=True), strict=True) if d != today
            )
        return any(
            impossible(form_name, {"date": None, "arrived_at": a, "left_at": b}, store, now)
            for a, b in set(pairs)
        )
    # Other forms: by the values their rules read; a call's time matters only today.
    if form_name == "calls":
        days = columns["date"]
        times = columns["called_at"]
        cases: set[tuple[Any, ...]] = {
            (day, moment if day == today else None) for day, moment in zip(days, times, strict=True)
        }
        names: tuple[str, ...] = ("date", "called_at")
    elif form_name == "activities":
        cases = set(zip(columns["date"], columns["kind"], strict=True))
        names = ("date", "kind")
    elif form_name in ("reactivations", "service_visits"):
        cases = {(day,) for day in columns["date"]}
        names = ("date",)
    else:
        return False
    return any(
        impossible(form_name, dict(zip(names, case, strict=True)), store, now) for case in cases
    )
