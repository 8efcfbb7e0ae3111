"""Reads of the data cross-check: the tracked exceptions a user may see, and whom the list
can be filtered by."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from showroom.crm.models import CrosscheckException
from showroom.organization import access
from showroom.organization.models import Staff, Store


def exceptions_for(*, user: Staff, store: Store) -> QuerySet[CrosscheckException]:
    """The store's tracked exceptions that `user` may see (a consultant: their own)."""
    return access.exception_rows(CrosscheckException.objects.filter(store=store), user)


def filtered(
    qs: QuerySet[CrosscheckException],
    *,
    code: str = "",
    status: str = "",
    consultant: Staff | None = None,
) -> QuerySet[CrosscheckException]:
    """`qs` narrowed to a check, a status and a consultant (each optional)."""
    if code:
        qs = qs.filter(code=code)
    if status:
        qs = qs.filter(status=status)
    if consultant is not None:
        qs = qs.filter(consultant=consultant)
    return qs


def exception_for(*, user: Staff, pk: int) -> CrosscheckException:
    qs = access.exception_rows(CrosscheckException.objects.select_related("store"), user)
    return get_object_or_404(qs, pk=pk)


def consultant_choices(*, store: Store) -> QuerySet[Staff]:
    """The store's consultants and anyone an exception of the store names."""
    named = CrosscheckException.objects.filter(store=store).values("consultant")
    return Staff.objects.consultants_and(store, named).order_by("full_name", "username")
