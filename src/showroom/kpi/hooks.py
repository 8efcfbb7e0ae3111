"""What higher apps contribute to the KPIs and their screens (see `showroom.core.hooks`).

- `delivery_targets`: the delivery target of a period, for target_attainment. Called with
  stores, start, end, by and wanted (as `compute_kpis`' table queries); returns rows with
  `t_target`, keyed like the other rows of the grouping.
- `consultant_targets`: the month's targets of the wall board, called with store and today;
  returns an object with `target`, `achieved` and `consultants` (each with consultant_id,
  name, target).
- `dashboard_panels`: panels shown among the dashboard's alerts, called with user, store,
  month (its first day) and today. They are figures of the month, reused with the others
  (`kpi.selectors.running_figures`: a running month's for a minute), so they must pickle.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db.models import QuerySet

from showroom.core.hooks import Hook, Panel
from showroom.organization.models import Store

delivery_targets: Hook[list[dict[str, Any]]] = Hook("kpi.delivery_targets")
consultant_targets: Hook[Any] = Hook("kpi.consultant_targets")
dashboard_panels: Hook[Panel] = Hook("kpi.dashboard_panels")


def target_rows(
    stores: Sequence[Store] | QuerySet[Store],
    start: date,
    end: date,
    by: str | None,
    wanted: frozenset[str],
) -> list[dict[str, Any]]:
    """The rows of every registered delivery target (none: target_attainment is None)."""
    rows: list[dict[str, Any]] = []
    for found in delivery_targets.results(
        stores=stores, start=start, end=end, by=by, wanted=wanted
    ):
        rows.extend(found)
    return rows
