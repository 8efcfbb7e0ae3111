"""The delivery target of a period, for the target_attainment KPI (given to the KPIs through
`showroom.kpi.hooks.delivery_targets`), and the months' shares of a period."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from fractions import Fraction
from typing import Any

from django.db.models import F, FilteredRelation, Q, QuerySet

from showroom.core.months import add_months, first_of_month, last_of_month
from showroom.kpi.grouping import group_columns
from showroom.organization.models import Store
from showroom.targets.models import ConsultantTarget

Stores = Sequence[Store] | QuerySet[Store] | Iterable[Store]


def period_weights(start: date, end: date) -> dict[date, Fraction]:
    """{first day of each month touched by start..end: the share of its days inside}."""
    weights: dict[date, Fraction] = {}
    month = first_of_month(start)
    while month <= end:
        last = last_of_month(month)
        inside = (min(last, end) - max(month, start)).days + 1
        weights[month] = Fraction(inside, last.day)
        month = add_months(month, 1)
    return weights


def _prorated(rows: Iterable[tuple[Any, date | None, int | None]], weights: dict[date, Fraction]):  # type: ignore[no-untyped-def]
    """{key: target or None}: a key's target only if it has one for every month of the period."""
    months: dict[Any, dict[date, int]] = {}
    for key, month, deliveries in rows:
        got = months.setdefault(key, {})
        if month is not None and deliveries is not None:
            got[month] = deliveries
    return {
        key: (sum(weights[m] * got[m] for m in weights) if set(weights) <= set(got) else None)
        for key, got in months.items()
    }


def _store_filter(stores: Stores) -> Q:
    if isinstance(stores, QuerySet):
        return Q(pk__in=stores.values("pk"))
    return Q(pk__in=[s.pk for s in stores])


def target_rows(
    stores: Stores, start: date, end: date, by: str | None, wanted: frozenset[str]
) -> list[dict[str, Any]]:
    """The delivery target of start..end for compute_kpis: rows with `t_target` (a float).

    A month's target counts pro rata of its days inside the period (a whole month: the
    month's target). Stores together (`by` None): the sum, or None unless every store has a
    target for every month touched (a missing one would overstate attainment). By store:
    a row per store with any target in the period. By consultant: a row per consultant with
    a consultant target in the period, keyed like every consultant group. By source or
    model there is no target: no rows, no query. One query.
    """
    if by not in (None, "store", "consultant"):
        return []
    weights = period_weights(start, end)
    if by == "consultant":
        columns = group_columns("consultant")
        split_rows: list[Mapping[str, Any]] = list(
            ConsultantTarget.objects.filter(
                target__store__in=stores, target__month__range=(min(weights), max(weights))
            )
            .order_by()
            .values("deliveries", month=F("target__month"), **columns)
        )
        infos = {row["g_id"]: {k: row[k] for k in columns} for row in split_rows}
        targets = _prorated(((r["g_id"], r["month"], r["deliveries"]) for r in split_rows), weights)
        return [{**infos[key], "t_target": _float(t)} for key, t in targets.items()]

    in_period = Q(delivery_targets__month__range=(min(weights), max(weights)))
    store_rows = list(
        Store.objects.filter(_store_filter(stores))
        .annotate(t=FilteredRelation("delivery_targets", condition=in_period))
        .order_by()
        .values("code", month=F("t__month"), deliveries=F("t__deliveries"))
    )
    targets = _prorated(((r["code"], r["month"], r["deliveries"]) for r in store_rows), weights)
    if by is None:
        if not targets:
            return []
        values = list(targets.values())
        total = None if any(v is None for v in values) else sum(values, Fraction(0))
        return [{"t_target": _float(total)}]
    with_any = {r["code"] for r in store_rows if r["month"] is not None}
    return [
        {"g_id": code, "t_target": _float(t)} for code, t in targets.items() if code in with_any
    ]


def target_for(*, stores: Stores, start: date, end: date) -> float | None:
    """The delivery target of `stores` together for start..end (see `target_rows`)."""
    rows = target_rows(stores, start, end, None, frozenset({"target_attainment"}))
    return rows[0]["t_target"] if rows else None


def _float(value: Fraction | int | None) -> float | None:
    return None if value is None else float(value)
