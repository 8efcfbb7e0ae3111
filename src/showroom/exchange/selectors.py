"""The rows an export writes, per form: for a user (web) scoped by access, else (CLI) all."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from showroom.exchange.columns import Form
from showroom.exchange.parsing import SourceRef, StaffRef
from showroom.organization.models import Staff, Store


def export_rows(
    *, form: Form, stores: list[Store], start: date, end: date, user: Staff | None = None
) -> QuerySet[Any]:
    qs = form.model.objects.filter(  # type: ignore[attr-defined]
        store__in=stores, **{f"{form.date_field}__range": (start, end)}
    )
    if user is not None:
        if form.scope is None:
            raise PermissionDenied
        qs = form.scope(qs, user)
    related = [c.attr for c in form.columns if isinstance(c.kind, SourceRef | StaffRef)]
    return qs.select_related("store", *related).order_by("store__code", *form.order_by)
