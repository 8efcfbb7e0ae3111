"""How KPI queries are grouped (`--by`), shared by every table's query.

Each table names where its consultant, source and model are (a walk-in row's own, a card's,
an order's, a lead's assigned agent and channel) and which date dates a row (a walk-in's,
an order's order or delivery date); the query selects them under the common aliases below,
so that the groups of different tables meet under one key.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db.models import CharField, DateField, F, QuerySet, Value
from django.db.models.functions import Concat, TruncMonth

# Group key for rows without a consultant, a source or a model.
NONE_KEY = "(none)"
GROUPINGS: tuple[str, ...] = ("store", "consultant", "source", "model", "month", "day")
# Groupings by the row's date: a group is a calendar month ("2026-10") or a day ("2026-10-05").
TIME_GROUPINGS: tuple[str, ...] = ("month", "day")

# Aliases of the grouping columns; the first one identifies the group.
_ID, _NAME, _USER, _CODE, _STORE = "g_id", "g_name", "g_user", "g_code", "g_store"


def group_columns(
    by: str,
    *,
    consultant: str = "consultant",
    source: str = "source",
    model: str = "model",
    day: str = "date",
) -> dict[str, Any]:
    """The columns a query selects for grouping `by`, given the table's field paths."""
    if by == "month":
        return {_ID: TruncMonth(day, output_field=DateField())}
    if by == "day":
        return {_ID: F(day)}
    if by == "store":
        return {_ID: F("store__code")}
    if by == "consultant":
        return {
            _ID: F(f"{consultant}_id"),
            _NAME: F(f"{consultant}__full_name"),
            _USER: F(f"{consultant}__username"),
            _CODE: F(f"{consultant}__staff_code"),
            _STORE: F(f"{consultant}__store__code"),
        }
    if by == "source":
        return {_ID: F(f"{source}__code")}
    if by == "model":
        return {_ID: F(model)}
    raise ValueError(f"unknown grouping {by!r}")


def grouped(
    qs: QuerySet[Any],
    by: str | None,
    aggregates: dict[str, Any],
    columns: dict[str, Any] | None = None,
    *,
    extra: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """One query: the aggregates over `qs`, or one row of them per group (and per `extra`)."""
    if not aggregates:
        return []
    selected = {**(columns or {}), **(extra or {})}
    if not selected:
        return [qs.aggregate(**aggregates)]
    return list(qs.order_by().values(**selected).annotate(**aggregates))


def group_key(by: str, row: dict[str, Any]) -> tuple[Any, str, str]:
    """(identity, label, qualifier used only when two labels collide)."""
    ident = row[_ID]
    if ident is None or ident == "":
        return None, NONE_KEY, ""
    if by == "consultant":
        label = row[_NAME] or row[_USER]
        code = row[_CODE] or row[_USER]
        qualifier = "/".join(filter(None, [row[_STORE], code]))
        return ident, label, qualifier
    if by in TIME_GROUPINGS:
        return _day(ident), period_label(by, _day(ident)), ""
    return ident, ident, ""


def period_label(by: str, day: date) -> str:
    """The key of a month ("2026-10") or day ("2026-10-05") group."""
    return f"{day:%Y-%m}" if by == "month" else day.isoformat()


def _day(value: date | datetime | str) -> date:
    # SQLite returns a truncated date as text or a datetime, depending on the expression.
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value


def unique_labels(labels: dict[Any, tuple[str, str]]) -> dict[Any, str]:
    seen: dict[str, int] = {}
    for label, _q in labels.values():
        seen[label] = seen.get(label, 0) + 1
    return {
        ident: f"{label} ({qualifier})" if seen[label] > 1 and qualifier else label
        for ident, (label, qualifier) in labels.items()
    }


def is_group_column(name: str) -> bool:
    return name.startswith("g_")


def person(phone: str = "phone_norm") -> Concat:
    """A person is a normalized phone within a store: customer data belongs to the store."""
    return Concat("store_id", Value(":"), phone, output_field=CharField())
