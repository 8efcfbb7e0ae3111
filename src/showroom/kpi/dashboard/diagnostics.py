"""Automatic diagnostics of the sales funnel: which stage leaks, who, what to do.

The rules come from dealer training material and read only registry KPIs from `compute_kpis`:

- Beijing Hyundai's four contrasts, a strong stage followed by a weak one:
  few_visitors (first_visit_batches low, close_rate high → bring more visitors: marketing),
  few_test_drives (walkin_batches high, test_drive_rate low → promote test drives),
  little_negotiation (test_drive_rate high, quote_rate low → check the test-drive process and
  route), few_orders (quote_rate high, close_rate low → selling skills);
- Infiniti's KPI tree, one node per stage with the causes to check: low_leads (leads),
  low_appointment_rate (appointment_rate: the lead desk's stage), low_visits
  (walkin_batches), low_quote_rate (quote_rate), low_order_rate (order_rate),
  low_delivery_rate (order_delivery_rate).

Benchmarks compare like with like. The store's own: the same KPI over the same days of
each of the three months before (a month to date against the same days of earlier months, a
whole month against whole months; `benchmark_spans`), months before the store's first row
left out, their rows pooled (`pooled_kpis`): a rate against the pooled rate, a mean against
the pooled mean, a count pro rata by days (the spans' total × period days ÷ the spans'
days), a stock (prospects carried over) against its mean over the spans. The group's, when
`group_stores` is given: the same KPI over the same period for those stores together; a
count per store (group total ÷ number of stores). A store's counts follow its size, so counts
compare with its own history only; rates compare with the store's benchmark and, failing
that, with the group's (`Finding.basis` says which one fired).

Thresholds: a KPI is low below LOW (85%) of its reference and high above HIGH (115%).
A rate is compared only when its base — leads for appointment_rate, walk-ins for
test_drive_rate and quote_rate, first visits for close_rate, carried-over plus new prospects
for order_rate, orders for order_delivery_rate — has at least MIN_ROWS rows both in the period
and on the reference's side (the benchmark window or the group); a count only when the
benchmark window has at least MIN_ROWS.
Severity from the weak KPI's value ÷ reference: below 50% high, below 70% medium, else low.

One finding per stage: when a contrast and a tree node fire on the same stage, the contrast
leads (its KPI, consultant and values) and the node's checks follow its actions (`also`).

The consultant flagged is the one furthest below the reference on the weak rate, among
consultants with at least MIN_ROWS rows of its base in the period, if below it. Counts flag
no consultant: a consultant's visitors and leads follow the rotation and the assignment.

A fixed number of queries whatever the number of consultants or rows and whatever fires:
the period in total and by consultant, the store's first row, the three spans (cached once
over) and the group's period.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, Literal

from django.db.models import QuerySet
from django.utils.functional import Promise

from showroom.core.months import add_months
from showroom.kpi.dashboard.cards import history_start, shifted
from showroom.kpi.dashboard.rules import (
    BASE,
    CONTRASTS,
    ORDER,
    RULES,
    STAGES,
    TREE,
    Rule,
    Severity,
)
from showroom.kpi.registry import REGISTRY
from showroom.kpi.selectors import NONE_KEY, Dated, compute_kpis, pooled_kpis, running_figures
from showroom.organization.models import Store

__all__ = [
    "BENCHMARK_MONTHS",
    "HIGH",
    "LOW",
    "MIN_ROWS",
    "RULES",
    "STAGES",
    "ConsultantGap",
    "Evidence",
    "Finding",
    "Rule",
    "Severity",
    "benchmark_window",
    "diagnose",
    "diagnosis",
    "format_value",
    "previous_span",
]

LOW = 0.85  # below 85% of the reference
HIGH = 1.15  # above 115% of the reference
MIN_ROWS = 10  # rows of a rate's base (or of a count's benchmark) before it is compared
BENCHMARK_MONTHS = 3
_SEVERE, _MEDIUM = 0.5, 0.7  # value ÷ reference below these: high, medium severity

Basis = Literal["store", "group"]


# What the calls ask for: every KPI a rule or its evidence names, plus the rates' bases.
_CODES: tuple[str, ...] = tuple(
    code
    for code in REGISTRY
    if code
    in {
        *(c for rule in RULES.values() for c in (rule.low, rule.high, *rule.evidence) if c),
        *(c for base in BASE.values() for c in base),
    }
)
# Counts of a moment (the period's start or end), not of the days: never pro rata.
STOCK_CODES = frozenset({"carried_over_prospects"})
# What `diagnose` needs of the period itself (a caller may pass it in).
PERIOD_CODES = _CODES
# By consultant, only the rates (and their bases): counts flag no consultant.
_CONSULTANT_CODES: tuple[str, ...] = tuple(
    code for code in _CODES if code in BASE or any(code in base for base in BASE.values())
)


# --- results --------------------------------------------------------------------------


def _is_rate(code: str) -> bool:
    return REGISTRY[code].kind == "rate"


def format_value(code: str, value: Any) -> str:
    """Like `KPI.format`, with a count's pro-rata benchmark to one decimal."""
    if value is None:
        return "—"
    if REGISTRY[code].kind == "count" and isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.1f}"
    return REGISTRY[code].format(value)


@dataclass(frozen=True)
class Evidence:
    """One KPI of a finding: the period's value, the store's benchmark, the group's."""

    code: str
    value: Any
    benchmark: float | None
    group: float | None = None

    @property
    def name(self) -> str:
        return REGISTRY[self.code].name

    @property
    def value_text(self) -> str:
        return format_value(self.code, self.value)

    @property
    def benchmark_text(self) -> str:
        return format_value(self.code, self.benchmark)

    @property
    def group_text(self) -> str:
        return format_value(self.code, self.group)


@dataclass(frozen=True)
class ConsultantGap:
    """The consultant furthest below the reference on a finding's weak rate."""

    name: str
    code: str  # the KPI
    value: float
    rows: int  # of the rate's base, in the period
    gap: float  # value − the finding's reference

    @property
    def value_text(self) -> str:
        return format_value(self.code, self.value)


@dataclass(frozen=True)
class Finding:
    code: str  # the rule's (RULES)
    stage: str  # a key of STAGES
    severity: Severity
    kpi: str  # the weak KPI, measured
    value: float
    benchmark: float | None  # the store's own (pro rata for a count)
    group: float | None  # the group's (per store for a count), when a group was given
    basis: Basis  # the reference the rule fired against
    gap: float  # value − reference
    ratio: float  # value ÷ reference
    consultant: ConsultantGap | None
    evidence: tuple[Evidence, ...]
    actions: tuple[Promise | str, ...]  # translated (str) in the findings kept a while
    also: tuple[str, ...] = ()  # tree nodes of the same stage folded in

    @property
    def against_group(self) -> bool:
        """Whether the weak KPI was compared with the group's value (a count never is)."""
        return self.basis == "group" and _is_rate(self.kpi)

    @property
    def reference(self) -> float | None:
        return self.group if self.against_group else self.benchmark

    @property
    def title(self) -> Promise:
        return RULES[self.code].title

    @property
    def stage_label(self) -> Promise:
        return STAGES[self.stage]

    @property
    def kpi_name(self) -> str:
        return REGISTRY[self.kpi].name

    @property
    def level(self) -> str:
        """For CSS: high, medium or low."""
        return self.severity.name.lower()

    @property
    def value_text(self) -> str:
        return format_value(self.kpi, self.value)

    @property
    def reference_text(self) -> str:
        return format_value(self.kpi, self.reference)

    @property
    def ratio_text(self) -> str:
        return f"{self.ratio * 100:.0f}%"

    @property
    def has_group(self) -> bool:
        return any(e.group is not None for e in self.evidence)


# --- the computation ------------------------------------------------------------------


def benchmark_spans(start: date, end: date) -> list[tuple[date, date]]:
    """The same days of each of the BENCHMARK_MONTHS months before, earliest first: a month
    to date against the same days of earlier months, a whole month against whole months."""
    return [shifted(start, end, -months) for months in range(BENCHMARK_MONTHS, 0, -1)]


def benchmark_window(start: date) -> tuple[date, date]:
    """The BENCHMARK_MONTHS full calendar months before `start`'s month."""
    return add_months(start, -BENCHMARK_MONTHS), add_months(start, 0) - timedelta(days=1)


def previous_span(start: date, end: date) -> tuple[date, date]:
    """The same days one month earlier (a day the month lacks: its last day)."""
    return shifted(start, end, -1)


def _days(start: date, end: date) -> int:
    return (end - start).days + 1


class _Numbers:
    """The calls' results and how a KPI compares with its references."""

    def __init__(
        self,
        *,
        store: Store,
        start: date,
        end: date,
        group: list[Store],
        period: Mapping[str, Any] | None = None,
    ) -> None:
        self.stores = [store]
        self.start, self.end = start, end
        self.period = (
            dict(period)
            if period is not None and all(code in period for code in _CODES)
            else compute_kpis(stores=self.stores, start=start, end=end, codes=_CODES)
        )
        self.by_consultant = compute_kpis(
            stores=self.stores, start=start, end=end, by="consultant", codes=_CONSULTANT_CODES
        )
        # The same days of the months before, those the store has data for; figures of
        # periods already over are cached for a while.
        since = history_start(self.stores)
        self.spans = [
            span for span in benchmark_spans(start, end) if since is not None and span[1] >= since
        ]
        self.window = (
            pooled_kpis(stores=self.stores, spans=self.spans, codes=_CODES, today=store.today())
            if self.spans
            else dict.fromkeys(_CODES)
        )
        self.group = (
            compute_kpis(stores=group, start=start, end=end, codes=_CODES) if group else None
        )
        self.group_size = len(group)
        # A flow's benchmark pro rata: × period days ÷ the spans' days.
        self.period_days = _days(start, end)
        self.span_days = sum(_days(a, b) for a, b in self.spans)

    def benchmark(self, code: str) -> float | None:
        """The store's own: a rate, a mean or minutes as pooled over the spans; a count pro
        rata by days (a stock: its mean over the spans)."""
        value = self.window.get(code)
        if value is None or REGISTRY[code].kind != "count":
            return value
        if code in STOCK_CODES:
            return value / len(self.spans)
        return value * self.period_days / self.span_days

    def group_value(self, code: str) -> float | None:
        if self.group is None:
            return None
        value = self.group.get(code)
        if value is None or REGISTRY[code].kind != "count":
            return value
        return value / self.group_size

    def reference(self, code: str, basis: Basis) -> float | None:
        """The value `code` is compared with; counts always with the store's own history."""
        if basis == "group" and _is_rate(code):
            if self.group is None or _rows(self.group, code) < MIN_ROWS:
                return None
            return self.group_value(code)
        if _rows(self.window, code) < MIN_ROWS:
            return None
        return self.benchmark(code)

    def compared(self, code: str, basis: Basis) -> tuple[float, float] | None:
        """(value, reference) when both sides have enough rows."""
        value = self.period.get(code)
        if value is None or (_is_rate(code) and _rows(self.period, code) < MIN_ROWS):
            return None
        reference = self.reference(code, basis)
        return None if reference is None else (value, reference)


def _rows(values: dict[str, Any], code: str) -> int:
    """The rows `code` is computed over: a rate's base, a count itself."""
    return sum(values.get(c) or 0 for c in BASE.get(code, (code,)))


def _fires(rule: Rule, numbers: _Numbers, basis: Basis) -> tuple[float, float] | None:
    """(value, reference) of the weak KPI when `rule` holds against `basis`."""
    if rule.high is not None:
        strong = numbers.compared(rule.high, basis)
        if strong is None or not strong[0] > HIGH * strong[1]:
            return None
    weak = numbers.compared(rule.low, basis)
    if weak is None or not weak[0] < LOW * weak[1]:
        return None
    return weak


def _severity(ratio: float) -> Severity:
    if ratio < _SEVERE:
        return Severity.HIGH
    if ratio < _MEDIUM:
        return Severity.MEDIUM
    return Severity.LOW


def _consultant(code: str, reference: float, numbers: _Numbers) -> ConsultantGap | None:
    """The consultant with the lowest value of rate `code`, if below `reference`."""
    if not _is_rate(code):
        return None
    candidates = [
        (values[code], name)
        for name, values in numbers.by_consultant.items()
        if name != NONE_KEY
        and values.get(code) is not None
        and _rows(values, code) >= MIN_ROWS
        and values[code] < reference
    ]
    if not candidates:
        return None
    value, name = min(candidates)
    return ConsultantGap(
        name=name,
        code=code,
        value=value,
        rows=_rows(numbers.by_consultant[name], code),
        gap=value - reference,
    )


def _finding(rule: Rule, numbers: _Numbers, basis: Basis, weak: tuple[float, float]) -> Finding:
    value, reference = weak
    ratio = value / reference
    return Finding(
        code=rule.code,
        stage=rule.stage,
        severity=_severity(ratio),
        kpi=rule.low,
        value=value,
        benchmark=numbers.benchmark(rule.low),
        group=numbers.group_value(rule.low),
        basis=basis,
        gap=value - reference,
        ratio=ratio,
        consultant=_consultant(rule.low, reference, numbers),
        evidence=tuple(_evidence(code, numbers) for code in rule.evidence),
        actions=rule.actions,
    )


def _evidence(code: str, numbers: _Numbers) -> Evidence:
    return Evidence(
        code=code,
        value=numbers.period.get(code),
        benchmark=numbers.benchmark(code),
        group=numbers.group_value(code),
    )


def _fold(lead: Finding, node: Finding, numbers: _Numbers) -> Finding:
    """A contrast and a tree node on the same stage: one finding, the contrast first."""
    codes = [e.code for e in lead.evidence]
    extra = tuple(_evidence(c, numbers) for c in RULES[node.code].evidence if c not in codes)
    return replace(
        lead,
        severity=max(lead.severity, node.severity),
        evidence=lead.evidence + extra,
        actions=lead.actions + node.actions,
        also=(*lead.also, node.code),
    )


def _evaluate(numbers: _Numbers) -> list[Finding]:
    bases: tuple[Basis, ...] = ("store", "group") if numbers.group is not None else ("store",)
    by_stage: dict[str, Finding] = {}
    for rule in (*CONTRASTS, *TREE):  # contrasts first: they lead their stage
        for basis in bases:
            weak = _fires(rule, numbers, basis)
            if weak is None:
                continue
            finding = _finding(rule, numbers, basis, weak)
            earlier = by_stage.get(rule.stage)
            by_stage[rule.stage] = finding if earlier is None else _fold(earlier, finding, numbers)
            break
    return sorted(by_stage.values(), key=lambda f: (-f.severity, f.ratio, ORDER[f.code]))


def diagnose(
    *,
    store: Store,
    start: date,
    end: date,
    group_stores: Sequence[Store] | QuerySet[Store] | None = None,
    period: Mapping[str, Any] | None = None,
) -> list[Finding]:
    """The findings of `store` for start..end, most severe first (see the module docstring).

    `group_stores`: the stores whose pooled KPIs over the same period are the group's
    benchmark (the store itself may be one of them). The numbers are the whole registers';
    callers decide who may see them (`showroom.organization.access`). A period reaching past
    the store's today ends today: a month under way is judged on the days it has had.
    `period`: the store's `compute_kpis` for that period (ending today at the latest) with at
    least PERIOD_CODES, when the caller has it already (the dashboard); else computed here.
    """
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    today = store.today()
    if start > today:
        return []
    end = min(end, today)
    group = list(group_stores) if group_stores is not None else []
    return _evaluate(_Numbers(store=store, start=start, end=end, group=group, period=period))


def diagnosis(
    *,
    store: Store,
    start: date,
    end: date,
    user_id: int | None,
    group_stores: Sequence[Store] | QuerySet[Store] | None = None,
    period: Mapping[str, Any] | None = None,
) -> Dated[list[Finding]]:
    """`diagnose`, reused for a while (`kpi.selectors.running_figures`): a month under way for
    a minute, the page saying as of when; the findings of `user_id`'s own writes show at once.
    The dashboard and the evening meeting of a store share them."""
    group = list(group_stores) if group_stores is not None else None
    today = store.today()
    counted_to = min(end, today)  # what `diagnose` judges: a running month up to today
    return running_figures(
        name="diagnose",
        stores=[store, *(group or [])],
        key=(start, counted_to, None if group is None else sorted(s.pk for s in group)),
        end=counted_to,
        today=today,
        user_id=user_id,
        compute=lambda: _translated(
            diagnose(store=store, start=start, end=end, group_stores=group, period=period)
        ),
    )


def _translated(findings: list[Finding]) -> list[Finding]:
    """The findings with their actions translated now, as they are kept: the cache's key
    holds the language, and a lazy translation read back from the cache is rebuilt, class
    and all, on every read (some twenty of them on each dashboard)."""
    return [replace(f, actions=tuple(str(a) for a in f.actions)) for f in findings]
