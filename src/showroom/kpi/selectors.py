"""KPIs of SPEC §5 computed from the registers, as SQL aggregates.

One query per register involved, whatever the number of days, rows, stores or groups:
conditional aggregation (`Count(..., filter=Q(...))`) over the walk-in register and one
over the call register (the call query also covers the previous month, for
call_invitation_rate, through an `Exists` subquery on the walk-ins).

Values, as the contract says: counts are ints; rates are exact fractions in [0, 1] (the
division of two integer counts, not rounded — presentation rounds, `KPI.format`), None when
the denominator is 0; receptions_per_consultant is likewise an exact float (None without
first visits); avg_stay_minutes is rounded half-up to one decimal, None without timed rows.

Several stores are computed together as one: counts add up, rates are pooled, and people
(unique_visitors, call_invitation_rate) are matched by normalized phone within a store —
customer data belongs to the store, so the same phone at two stores is two customers, and
the stores' unique_visitors add up to that of the stores together.

These selectors count whole registers: the numbers of a store are the store's, whoever
asks. Callers decide which stores a user may see (`showroom.organization.access`).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    CharField,
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Concat

from showroom.kpi.registry import REGISTRY
from showroom.organization.models import Store
from showroom.traffic.choices import CallType, VisitType
from showroom.traffic.models import CONTACT_KEPT, Call, WalkIn

# Group key for rows without a source or a model.
NONE_KEY = "(none)"
GROUPINGS: tuple[str, ...] = ("store", "consultant", "source", "model")

WALKIN_CODES = frozenset(
    {
        "walkin_batches",
        "first_visit_batches",
        "repeat_visit_batches",
        "invited_visit_batches",
        "avg_stay_minutes",
        "retention_rate",
        "receptions_per_consultant",
        "test_drive_rate",
        "quote_rate",
        "unique_visitors",
    }
)
CALL_CODES = frozenset({"call_batches", "first_call_batches", "call_invitation_rate"})

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


# --- periods --------------------------------------------------------------------------


def month_range(month: str) -> tuple[date, date]:
    """'2026-10' -> (2026-10-01, 2026-10-31). ValueError for anything else."""
    match = _MONTH.match(month.strip())
    if not match:
        raise ValueError(f"not a month (YYYY-MM): {month!r}")
    year, number = int(match[1]), int(match[2])
    if not (1 <= number <= 12 and year >= 1):
        raise ValueError(f"not a month (YYYY-MM): {month!r}")
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


def previous_month_range(day: date) -> tuple[date, date]:
    """The calendar month before `day`'s month."""
    last = day.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


# --- the computation ------------------------------------------------------------------


def compute_kpis(
    *,
    stores: Sequence[Store] | QuerySet[Store],
    start: date,
    end: date,
    by: str | None = None,
    codes: Iterable[str] | None = None,
) -> dict[str, Any]:
    """The implemented KPIs of `stores` (together) for rows dated start..end inclusive.

    Without `by`: {code: value}, in registry order. With `by` (one of GROUPINGS):
    {group key: {code: value}}, keys being the store code, the consultant's name (made
    unique with store and staff code when two consultants share it), the source code or the
    intended model, NONE_KEY for rows without source or model. Each row counts in its own
    group; for call_invitation_rate that is the group of the previous month's call.
    `codes` limits the KPIs computed (and the queries run); unknown codes raise ValueError,
    codes of the registry not implemented yet raise NotImplementedError.
    """
    wanted = _wanted(codes)
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    if by is not None and by not in GROUPINGS:
        raise ValueError(f"unknown grouping {by!r}; expected one of {', '.join(GROUPINGS)}")

    rows: list[dict[str, Any]] = []
    if wanted & WALKIN_CODES:
        rows += _walkin_counts(stores, start, end, by)
    if wanted & CALL_CODES:
        rows += _call_counts(stores, start, end, by, invitations="call_invitation_rate" in wanted)

    if by is None:
        totals: dict[str, Any] = {}
        for counts in rows:
            totals.update(counts)
        return _values(totals, wanted)

    groups: dict[Any, dict[str, Any]] = {}
    labels: dict[Any, tuple[str, str]] = {}
    for counts in rows:
        ident, label, qualifier = _group_key(by, counts)
        groups.setdefault(ident, {}).update(counts)
        labels[ident] = (label, qualifier)
    names = _unique_labels(labels)
    ordered = sorted(groups, key=lambda ident: (names[ident] == NONE_KEY, names[ident]))
    return {names[ident]: _values(groups[ident], wanted) for ident in ordered}


def _wanted(codes: Iterable[str] | None) -> frozenset[str]:
    if codes is None:
        return frozenset(code for code, kpi in REGISTRY.items() if kpi.implemented)
    wanted = frozenset(codes)
    if unknown := sorted(wanted - REGISTRY.keys()):
        raise ValueError(f"unknown KPI codes: {', '.join(unknown)}")
    if missing := [c for c in REGISTRY if c in wanted and not REGISTRY[c].implemented]:
        raise NotImplementedError(f"KPIs not computed yet: {', '.join(missing)}")
    return wanted


# Fields each grouping reads; the first one identifies the group.
_GROUP_FIELDS: dict[str, tuple[str, ...]] = {
    "store": ("store__code",),
    "consultant": (
        "consultant_id",
        "consultant__full_name",
        "consultant__username",
        "consultant__staff_code",
        "consultant__store__code",
    ),
    "source": ("source__code",),
    "model": ("model",),
}


def _grouped(qs: QuerySet[Any], by: str | None, aggregates: dict[str, Any]) -> list[dict[str, Any]]:
    """One query: the aggregates over `qs`, or one row of them per group."""
    if by is None:
        return [qs.aggregate(**aggregates)]
    return list(qs.order_by().values(*_GROUP_FIELDS[by]).annotate(**aggregates))


def _group_key(by: str, row: dict[str, Any]) -> tuple[Any, str, str]:
    """(identity, label, qualifier used only when two labels collide)."""
    if by == "consultant":
        label = row["consultant__full_name"] or row["consultant__username"]
        code = row["consultant__staff_code"] or row["consultant__username"]
        qualifier = "/".join(filter(None, [row["consultant__store__code"], code]))
        return row["consultant_id"], label, qualifier
    value = row[_GROUP_FIELDS[by][0]]
    return value or None, value or NONE_KEY, ""


def _unique_labels(labels: dict[Any, tuple[str, str]]) -> dict[Any, str]:
    seen: dict[str, int] = {}
    for label, _q in labels.values():
        seen[label] = seen.get(label, 0) + 1
    return {
        ident: f"{label} ({qualifier})" if seen[label] > 1 and qualifier else label
        for ident, (label, qualifier) in labels.items()
    }


def _person() -> Concat:
    # A person is a normalized phone within a store (see the module's docstring).
    return Concat("store_id", Value(":"), "phone_norm", output_field=CharField())


def _walkin_counts(
    stores: Sequence[Store] | QuerySet[Store], start: date, end: date, by: str | None
) -> list[dict[str, Any]]:
    first = Q(visit_type=VisitType.FIRST)
    qs = WalkIn.objects.filter(store__in=stores, date__range=(start, end))
    return _grouped(
        qs,
        by,
        {
            "w_rows": Count("pk"),
            "w_first": Count("pk", filter=first),
            "w_repeat": Count("pk", filter=Q(visit_type=VisitType.REPEAT)),
            "w_invited": Count("pk", filter=Q(invited=True)),
            # stay_minutes is set exactly when both arrival and departure are.
            "w_stay_sum": Sum("stay_minutes", filter=first),
            "w_stay_rows": Count("stay_minutes", filter=first),
            "w_first_kept": Count("pk", filter=first & CONTACT_KEPT),
            "w_first_consultants": Count("consultant", filter=first, distinct=True),
            "w_test_drives": Count("pk", filter=Q(test_drive=True)),
            "w_quotes": Count("pk", filter=Q(quoted=True)),
            "w_phones": Count(_person(), filter=~Q(phone_norm=""), distinct=True),
            "w_no_phone": Count("pk", filter=Q(phone_norm="")),
        },
    )


def _call_counts(
    stores: Sequence[Store] | QuerySet[Store],
    start: date,
    end: date,
    by: str | None,
    *,
    invitations: bool,
) -> list[dict[str, Any]]:
    in_period = Q(date__range=(start, end))
    aggregates: dict[str, Any] = {
        "c_rows": Count("pk", filter=in_period),
        "c_first": Count("pk", filter=in_period & Q(call_type=CallType.FIRST)),
    }
    window = in_period
    if invitations:
        prev_start, prev_end = previous_month_range(start)
        invitable = Q(date__range=(prev_start, prev_end), call_type=CallType.FIRST) & ~Q(
            phone_norm=""
        )
        # A walk-in of the same store and phone strictly after the call (date, then time)
        # and on or before the period's end.
        visited = WalkIn.objects.filter(
            store=OuterRef("store"), phone_norm=OuterRef("phone_norm"), date__lte=end
        ).filter(
            Q(date__gt=OuterRef("date"))
            | Q(date=OuterRef("date"), arrived_at__gt=OuterRef("called_at"))
        )
        aggregates["c_invitable"] = Count(_person(), filter=invitable, distinct=True)
        aggregates["c_invited"] = Count(
            _person(), filter=invitable & Q(Exists(visited)), distinct=True
        )
        window = in_period | invitable
    qs = Call.objects.filter(window, store__in=stores)
    return _grouped(qs, by, aggregates)


# --- from counts to values ------------------------------------------------------------


def _rate(numerator: int | None, denominator: int | None) -> float | None:
    return (numerator or 0) / denominator if denominator else None


def _avg_minutes(total: int | None, rows: int | None) -> float | None:
    if not rows:
        return None
    mean = (Decimal(total or 0) / Decimal(rows)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return float(mean)


_FORMULAS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "walkin_batches": lambda c: c.get("w_rows") or 0,
    "first_visit_batches": lambda c: c.get("w_first") or 0,
    "repeat_visit_batches": lambda c: c.get("w_repeat") or 0,
    "invited_visit_batches": lambda c: c.get("w_invited") or 0,
    "call_batches": lambda c: c.get("c_rows") or 0,
    "first_call_batches": lambda c: c.get("c_first") or 0,
    "avg_stay_minutes": lambda c: _avg_minutes(c.get("w_stay_sum"), c.get("w_stay_rows")),
    "retention_rate": lambda c: _rate(c.get("w_first_kept"), c.get("w_first")),
    "receptions_per_consultant": lambda c: _rate(c.get("w_first"), c.get("w_first_consultants")),
    "call_invitation_rate": lambda c: _rate(c.get("c_invited"), c.get("c_invitable")),
    "test_drive_rate": lambda c: _rate(c.get("w_test_drives"), c.get("w_rows")),
    "quote_rate": lambda c: _rate(c.get("w_quotes"), c.get("w_rows")),
    "unique_visitors": lambda c: (c.get("w_phones") or 0) + (c.get("w_no_phone") or 0),
}


def _values(counts: dict[str, Any], wanted: frozenset[str]) -> dict[str, Any]:
    return {code: _FORMULAS[code](counts) for code in REGISTRY if code in wanted}
