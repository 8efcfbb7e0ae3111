"""The funnel of the dashboard, the wall board and the monthly report: a cohort of people
(`showroom.kpi.cohort`), each stage "reached this stage or a later one", so that no stage
exceeds the one before; and beside it the month's traffic (parties, not people), which is
not a funnel.

The traffic's test drives and quotes are the numerators of test_drive_rate and quote_rate,
read back as rate × walkin_batches (exact: the rate is the division of two integer counts).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from showroom.kpi.cohort import funnel_cohort
from showroom.kpi.lead_kpis import lead_funnel_cohort
from showroom.organization.models import Store

STAGE_LABELS: dict[str, Any] = {
    "prospects": _("New prospects"),
    "visited": _("Store visits"),
    "test_drive": _("Test drives"),
    "quote": _("Quotes"),
    "order": _("Orders"),
    "delivery": _("Deliveries"),
}
# What a stage's count drills into (the rows of the cohort: the month's new prospects).
STAGE_DRILL = "new_prospects"


@dataclass(frozen=True)
class Stage:
    key: str
    label: Any
    count: int
    # This stage's count ÷ the previous stage's (None for the first, or after a zero).
    conversion: float | None
    # ÷ the cohort (None for an empty cohort).
    share: float | None


# The lead funnel beside it: the month's leads followed through the lead desk's stages.
LEAD_STAGE_LABELS: dict[str, Any] = {
    "leads": _("Leads"),
    "contacted": _("Contacted"),
    "appointment": pgettext_lazy("lead funnel", "Appointments"),
    "shown": _("Came to the store"),
    "order": _("Orders"),
}


def stages(counts: dict[str, int], labels: dict[str, Any] | None = None) -> list[Stage]:
    """The stages of a `funnel_cohort` (or, with LEAD_STAGE_LABELS, a `lead_funnel_cohort`)
    result, top first."""
    found: list[Stage] = []
    previous: int | None = None
    first: int | None = None
    for key, label in (labels or STAGE_LABELS).items():
        count = counts[key]
        first = count if first is None else first
        found.append(
            Stage(
                key=key,
                label=label,
                count=count,
                conversion=count / previous if previous else None,
                share=count / first if first else None,
            )
        )
        previous = count
    return found


def funnel(*, stores: Sequence[Store] | QuerySet[Store], start: date, end: date) -> list[Stage]:
    """The cohort of start..end followed to `end` (one query)."""
    return stages(funnel_cohort(stores=stores, start=start, end=end))


def lead_funnel(
    *, stores: Sequence[Store] | QuerySet[Store], start: date, end: date
) -> list[Stage]:
    """The leads of start..end followed to `end` (one query)."""
    return stages(lead_funnel_cohort(stores=stores, start=start, end=end), LEAD_STAGE_LABELS)


# The month's traffic shown beside the funnel: (key, label, KPI count, rate or None).
TRAFFIC: tuple[tuple[str, Any, str, str | None], ...] = (
    ("leads", _("Leads"), "leads", None),
    ("visits", _("Store visits"), "walkin_batches", None),
    ("kept", _("Contacts kept"), "first_visit_batches", "retention_rate"),
    ("test_drives", _("Test drives"), "walkin_batches", "test_drive_rate"),
    ("quotes", _("Quotes"), "walkin_batches", "quote_rate"),
)
TRAFFIC_CODES: frozenset[str] = frozenset(
    code for _key, _label, count, rate in TRAFFIC for code in (count, rate) if code
)


@dataclass(frozen=True)
class Tile:
    key: str
    label: Any
    count: int
    drill_code: str
    drill_hits: bool


def numerator(rate: float | None, denominator: int) -> int:
    """The count a rate was divided from: rate = n / d of integers, so round(rate × d) = n."""
    return 0 if rate is None else round(rate * denominator)


def traffic(kpis: dict[str, Any]) -> list[Tile]:
    """The traffic tiles from a `compute_kpis` result holding TRAFFIC_CODES."""
    tiles = []
    for key, label, count_code, rate_code in TRAFFIC:
        base = kpis[count_code] or 0
        count = base if rate_code is None else numerator(kpis[rate_code], base)
        tiles.append(
            Tile(
                key=key,
                label=label,
                count=count,
                drill_code=rate_code or count_code,
                drill_hits=rate_code is not None,
            )
        )
    return tiles
