"""The rows an export writes, per form: for a user (web) scoped by access, else (CLI) all.
The export reads them as tuples of its columns' fields (exports.py), not as objects."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from showroom.exchange.columns import Form
from showroom.organization.models import Staff, Store


def export_rows(
    *, form: Form, stores: list[Store], start: date, end: date, user: Staff | None = None
) -> QuerySet[Any] | Iterable[Any]:
    """The rows of the range, and those before (or just after) it that the range's KPIs
    read (carried.py): an export imported into an empty database gives the same KPIs for
    every month of its range (docs/contracts.md)."""
    if form.custom is not None:
        return form.custom.export_rows(stores=stores, start=start, end=end, user=user)
    rows = form.model.objects.filter(store__in=stores)  # type: ignore[attr-defined]
    qs = rows.filter(**{f"{form.date_field}__range": (start, end)})
    if form.before_range is not None:
        # One set of ids at the top of the query, never an OR of the range and the carried
        # rows: in an OR, PostgreSQL cannot join to a set of ids (the cards' set among them)
        # and, once it outgrows work_mem, read it again for every row of the stores.
        carried = form.before_range(rows, stores, start, end)  # queries of ids
        qs = rows.filter(pk__in=qs.order_by().values("pk").union(*carried))
    if user is not None:
        if form.scope is None:
            raise PermissionDenied
        qs = form.scope(qs, user)
    if form.export_query is not None:
        qs = form.export_query(qs)
    return qs.order_by("store__code", *form.order_by)
