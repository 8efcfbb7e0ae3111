"""Reads of the intent checks: the samples a user may see."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from showroom.crm.models import IntentCheck
from showroom.organization import access
from showroom.organization.models import Staff, Store


def checks_of(*, user: Staff, store: Store) -> QuerySet[IntentCheck]:
    """The store's intent checks that `user` may see."""
    return access.intent_check_rows(IntentCheck.objects.filter(store=store), user)


def checks_of_day(*, user: Staff, store: Store, day: date) -> QuerySet[IntentCheck]:
    """The day's sample, by consultant and customer."""
    return (
        checks_of(user=user, store=store)
        .filter(sampled_on=day)
        .select_related("customer", "customer__consultant", "customer__source", "called_by")
        .order_by("customer__consultant__full_name", "customer__name", "id")
    )


def check_for(*, user: Staff, pk: int) -> IntentCheck:
    qs = access.intent_check_rows(IntentCheck.objects.select_related("store"), user)
    return get_object_or_404(qs, pk=pk)
