"""The rows an export writes, per form: for a user (web) scoped by access, else (CLI) all."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, QuerySet, Subquery

from showroom.exchange.columns import Form
from showroom.exchange.parsing import SourceRef, StaffRef
from showroom.organization.models import Staff, Store


def export_rows(
    *, form: Form, stores: list[Store], start: date, end: date, user: Staff | None = None
) -> QuerySet[Any] | Iterable[Any]:
    """Cards, orders, losses, re-activations and service visits with their whole history (a
    month's KPIs need the prospects carried over into it); activities with each card's last
    grade before the range; and what else the range's KPIs read (carried.py)."""
    if form.custom is not None:
        return form.custom.export_rows(stores=stores, start=start, end=end, user=user)
    dates = (
        {f"{form.date_field}__lte": end}
        if form.history
        else {f"{form.date_field}__range": (start, end)}
    )
    rows = form.model.objects.filter(store__in=stores)  # type: ignore[attr-defined]
    qs = rows.filter(**dates)
    if form.last_graded_before:
        last = (
            rows.filter(customer=OuterRef("customer"), date__lt=start)
            .exclude(grade_after="")
            .order_by("-date", "-id")
            .values("pk")[:1]
        )
        earlier = rows.filter(date__lt=start).exclude(grade_after="")
        qs = qs | earlier.filter(pk=Subquery(last))
    if form.before_range is not None:
        qs = qs | form.before_range(rows, start, end)
    if user is not None:
        if form.scope is None:
            raise PermissionDenied
        qs = form.scope(qs, user)
    related = {
        c.attr for c in form.columns if c.stored and isinstance(c.kind, SourceRef | StaffRef)
    }
    related.update(c.export_path.split(".")[0] for c in form.columns if "." in c.export_path)
    if form.export_query is not None:
        qs = form.export_query(qs)
    return qs.select_related("store", *sorted(related)).order_by("store__code", *form.order_by)
