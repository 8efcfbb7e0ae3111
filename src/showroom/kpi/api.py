"""KPI endpoints: the registry and the computed values, for dashboards and other systems."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from showroom.core.months import month_range
from showroom.kpi.registry import REGISTRY
from showroom.kpi.selectors import GROUPINGS, compute_kpis
from showroom.organization.access import visible_stores
from showroom.organization.choices import STORE_WIDE_ROLES, Role

router = Router(tags=["kpi"])

# Store figures are for those who see the whole store; marketing reads aggregates too.
KPI_ROLES = (*STORE_WIDE_ROLES, Role.MARKETING)


class KPIDefinition(Schema):
    code: str
    name_zh: str
    name_en: str
    formula_zh: str
    formula_en: str
    sources: list[str]
    good: str | None
    kind: str
    area: str
    implemented: bool


@router.get("/registry", response=list[KPIDefinition])
def registry(request: HttpRequest) -> list[dict[str, Any]]:
    return [{**kpi.__dict__, "sources": list(kpi.sources)} for kpi in REGISTRY.values()]


@router.get("/values")
def values(request: HttpRequest, store: str, month: str, by: str | None = None) -> dict[str, Any]:
    """`store`: a code, several separated by commas, or `all` (the stores you may see).
    `by`: store, consultant, source, model, month or day; by month or day, each month (day) of
    the month asked is a group and only the KPIs summed over dated rows are given."""
    user = request.user
    if not user.has_role(*KPI_ROLES):  # type: ignore[union-attr]
        raise HttpError(403, "forbidden")
    try:
        start, end = month_range(month)
    except ValueError:
        raise HttpError(422, "month must be YYYY-MM") from None
    if by is not None and by not in GROUPINGS:
        raise HttpError(422, f"by must be one of {', '.join(GROUPINGS)}")
    stores = visible_stores(user)  # type: ignore[arg-type]
    if store != "all":
        codes = {c.strip() for c in store.split(",") if c.strip()}
        stores = stores.filter(code__in=codes)
        if stores.count() != len(codes):
            raise HttpError(404, "unknown store")
    return compute_kpis(stores=stores, start=start, end=end, by=by)
