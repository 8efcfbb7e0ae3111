"""Reads of the loss workflow: a loss report a user may see, the losses list and the manager's
queue, scoped through `organization.access` as the deals are."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from showroom.organization import access
from showroom.organization.models import Staff, Store
from showroom.sales.choices import LossStatus
from showroom.sales.models import LossReport

LOSS_COLUMNS = [
    "customer", "date", "kind", "grade", "competitor_brand", "competitor_model", "reason",
    "description", "consultant", "status", "decided_by", "decided_on", "manager_note",
]  # fmt: skip


def loss_for(*, user: Staff, pk: int) -> LossReport:
    qs = LossReport.objects.select_related("store", "customer", "consultant", "decided_by")
    return get_object_or_404(access.loss_rows(qs, user), pk=pk)


def losses(*, user: Staff, store: Store, status: str = "") -> QuerySet[LossReport]:
    qs = access.loss_rows(LossReport.objects.filter(store=store), user).select_related(
        "customer", "consultant", "decided_by"
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-date", "-pk")


def pending_losses(*, user: Staff, store: Store) -> QuerySet[LossReport]:
    """The manager's queue: requests waiting for a decision, oldest first."""
    return losses(user=user, store=store, status=LossStatus.REQUESTED).order_by("date", "pk")
