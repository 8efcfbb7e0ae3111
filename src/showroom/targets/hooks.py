"""The targets' contributions to the KPIs and the dashboard (declared in `showroom.kpi.hooks`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.urls import reverse

from showroom.core.hooks import Panel
from showroom.organization import permissions
from showroom.organization.models import Staff, Store
from showroom.targets.periods import target_rows
from showroom.targets.selectors import Board, consultant_board, month_progress


def delivery_targets(
    *, stores: Any, start: date, end: date, by: str | None, wanted: frozenset[str]
) -> list[dict[str, Any]]:
    return target_rows(stores, start, end, by, wanted)


def board_targets(*, store: Store, today: date) -> Board:
    return consultant_board(store=store, today=today)


def progress_panel(*, user: Staff, store: Store, month: date, today: date) -> Panel:
    """The month's deliveries against the target, with its forecast; a link to the targets
    for those who set them."""
    sets_targets = permissions.allows(user, "targets:set")
    return Panel(
        template="targets/dashboard_progress.html",
        context={
            "progress": month_progress(store=store, month=month, today=today),
            "targets_url": reverse("targets:index") if sets_targets else None,
        },
    )
