"""Automatic diagnostics of the sales funnel: which stage leaks, who, what to do.

The rules come from dealer training material and read only registry KPIs from `compute_kpis`:

- Beijing Hyundai's four contrasts, a strong stage followed by a weak one:
  few_visitors (first_visit_batches low, close_rate high → bring more visitors: marketing),
  few_test_drives (walkin_batches high, test_drive_rate low → promote test drives),
  little_negotiation (test_drive_rate high, quote_rate low → check the test-drive process and
  route), few_orders (quote_rate high, close_rate low → selling skills);
- Infiniti's KPI tree, one node per stage with the causes to check: low_leads (leads),
  low_visits (walkin_batches), low_quote_rate (quote_rate), low_order_rate (order_rate),
  low_delivery_rate (order_delivery_rate).

Benchmarks. The store's own: the same KPI over the three full calendar months before the
month of the period's start; a count pro rata per day (window total × period days ÷ window
days), so that a month to date compares with as many days. Except the order rate and its
base: order_rate divides by the prospects carried over at the start, counted once however
long the period, so three months' order_rate is not one month's; it (with carried-over and
new prospects) compares with the same days one month earlier (`previous_span`). The group's,
when `group_stores` is given: the same KPI over the same period for those stores together; a
count per store (group total ÷ number of stores). A store's counts follow its size, so counts
compare with its own history only; rates compare with the store's benchmark and, failing
that, with the group's (`Finding.basis` says which one fired).

Thresholds: a KPI is low below LOW (85%) of its reference and high above HIGH (115%).
A rate is compared only when its base — walk-ins for test_drive_rate and quote_rate, first
visits for close_rate, carried-over plus new prospects for order_rate, orders for
order_delivery_rate — has at least MIN_ROWS rows both in the period and on the reference's
side (the benchmark window or the group); a count only when the benchmark window has at
least MIN_ROWS.
Severity from the weak KPI's value ÷ reference: below 50% high, below 70% medium, else low.

One finding per stage: when a contrast and a tree node fire on the same stage, the contrast
leads (its KPI, consultant and values) and the node's checks follow its actions (`also`).

The consultant flagged is the one furthest below the reference on the weak rate, among
consultants with at least MIN_ROWS rows of its base in the period, if below it. Counts flag
no consultant: a consultant's visitors and leads follow the rotation and the assignment.

Five `compute_kpis` calls, six with a group (the period in total and by consultant, the
benchmark window, the same days a month earlier, the group's period; twelve queries, sixteen
with a group), whatever the number of consultants or rows and whatever fires.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, Literal

from django.db import models
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from showroom.core.months import add_months, last_of_month
from showroom.kpi.registry import REGISTRY
from showroom.kpi.selectors import NONE_KEY, compute_kpis, past_kpis
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
    "format_value",
    "previous_span",
]

LOW = 0.85  # below 85% of the reference
HIGH = 1.15  # above 115% of the reference
MIN_ROWS = 10  # rows of a rate's base (or of a count's benchmark) before it is compared
BENCHMARK_MONTHS = 3
_SEVERE, _MEDIUM = 0.5, 0.7  # value ÷ reference below these: high, medium severity

Basis = Literal["store", "group"]


class Severity(models.IntegerChoices):
    LOW = 1, pgettext_lazy("severity", "Low")
    MEDIUM = 2, pgettext_lazy("severity", "Medium")
    HIGH = 3, pgettext_lazy("severity", "High")


STAGES: dict[str, Promise] = {
    "leads": pgettext_lazy("funnel stage", "Leads"),
    "visits": pgettext_lazy("funnel stage", "Store visits"),
    "test_drives": pgettext_lazy("funnel stage", "Test drives"),
    "negotiation": pgettext_lazy("funnel stage", "Negotiation"),
    "orders": pgettext_lazy("funnel stage", "Orders"),
    "deliveries": pgettext_lazy("funnel stage", "Deliveries"),
}

# The rows a rate is computed over (its denominator's KPIs, summed).
_BASE: dict[str, tuple[str, ...]] = {
    "test_drive_rate": ("walkin_batches",),
    "quote_rate": ("walkin_batches",),
    "close_rate": ("first_visit_batches",),
    "order_rate": ("carried_over_prospects", "new_prospects"),
    "order_delivery_rate": ("orders",),
}


@dataclass(frozen=True)
class Rule:
    code: str
    stage: str
    title: Promise
    low: str  # the weak KPI: low, measured, its consultant flagged
    high: str | None  # the strong KPI before it (the training's contrasts), or None
    evidence: tuple[str, ...]
    actions: tuple[Promise, ...]


# Beijing Hyundai, "展厅客流成交分析": what a manager does when one stage is strong and the
# next one weak.
CONTRASTS: tuple[Rule, ...] = (
    Rule(
        "few_visitors",
        "visits",
        _("Few visitors but a high close rate"),
        low="first_visit_batches",
        high="close_rate",
        evidence=("first_visit_batches", "close_rate", "orders"),
        actions=(_("Bring more visitors through marketing activities."),),
    ),
    Rule(
        "few_test_drives",
        "test_drives",
        _("Many visitors but few test drives"),
        low="test_drive_rate",
        high="walkin_batches",
        evidence=("walkin_batches", "test_drive_rate"),
        actions=(
            _("Promote test drives in the store's campaigns."),
            _("Consultants must offer every visitor a test drive."),
        ),
    ),
    Rule(
        "little_negotiation",
        "negotiation",
        _("Many test drives but little negotiation"),
        low="quote_rate",
        high="test_drive_rate",
        evidence=("test_drive_rate", "quote_rate"),
        actions=(
            _("Check how test drives are run and the test-drive route."),
            _("Have consultants practise leading the customer from the test drive to negotiation."),
        ),
    ),
    Rule(
        "few_orders",
        "orders",
        _("Much negotiation but few orders"),
        low="close_rate",
        high="quote_rate",
        evidence=("quote_rate", "close_rate", "orders"),
        actions=(
            _(
                "Raise the consultants' selling skills with internal training and role play: "
                "product presentation, quoting, handling objections."
            ),
        ),
    ),
)

# Infiniti, "展厅效率管理KPI架构": a low node and the causes to check under it.
TREE: tuple[Rule, ...] = (
    Rule(
        "low_leads",
        "leads",
        _("Low lead count"),
        low="leads",
        high=None,
        evidence=("leads", "walkin_batches", "retention_rate"),
        actions=(
            _("Check the events outside the store."),
            _("Check the events in the store."),
            _("Check the development of online media."),
            _("Check the contact retention of walk-in visitors."),
            _("Check the walk-in traffic."),
            _("Check referrals by owners."),
        ),
    ),
    Rule(
        "low_visits",
        "visits",
        _("Low store-visit count"),
        low="walkin_batches",
        high=None,
        evidence=("walkin_batches", "first_visit_batches", "invited_visit_batches", "show_rate"),
        actions=(
            _("Check the store-visit rate of each of the seven channels."),
            _("Check the visit rate of first invitations."),
            _("Check the visit rate of repeat invitations."),
            _("Check the invitation script."),
            _("Check the visits consultants pay to customers."),
        ),
    ),
    Rule(
        "low_quote_rate",
        "negotiation",
        _("Low quote rate"),
        low="quote_rate",
        high=None,
        evidence=("quote_rate", "test_drive_rate", "avg_stay_minutes"),
        actions=(
            _("Check the needs analysis."),
            _("Check how long visitors stay in the showroom."),
            _("Check the test-drive rate."),
            _("Check the product presentation script."),
            _("Check the invitations to come back."),
        ),
    ),
    Rule(
        "low_order_rate",
        "orders",
        _("Low order rate"),
        low="order_rate",
        high=None,
        evidence=("order_rate", "orders", "carried_over_prospects", "new_prospects"),
        actions=(
            _("Check the average time from a prospect's visit to the order."),
            _("Check the share of quotes ordered the same day."),
            _("Check how many quoted customers come back."),
            _("Check the manager's support on the showroom floor."),
        ),
    ),
    Rule(
        "low_delivery_rate",
        "deliveries",
        _("Low order-to-delivery rate"),
        low="order_delivery_rate",
        high=None,
        evidence=("order_delivery_rate", "deliveries", "orders"),
        actions=(
            _("Check the order management."),
            _("Check the stock."),
            _("Check the delivery process."),
        ),
    ),
)

RULES: dict[str, Rule] = {rule.code: rule for rule in (*CONTRASTS, *TREE)}
_ORDER = {code: i for i, code in enumerate(RULES)}

# What the calls ask for: every KPI a rule or its evidence names, plus the rates' bases.
_CODES: tuple[str, ...] = tuple(
    code
    for code in REGISTRY
    if code
    in {
        *(c for rule in RULES.values() for c in (rule.low, rule.high, *rule.evidence) if c),
        *(c for base in _BASE.values() for c in base),
    }
)
# Benchmarked on the same days a month earlier, not on the window (see the docstring).
_SPAN_CODES: tuple[str, ...] = ("carried_over_prospects", "new_prospects", "order_rate")
# What `diagnose` needs of the period itself (a caller may pass it in).
PERIOD_CODES = _CODES
# By consultant, only the rates (and their bases): counts flag no consultant.
_CONSULTANT_CODES: tuple[str, ...] = tuple(
    code for code in _CODES if code in _BASE or any(code in base for base in _BASE.values())
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
    actions: tuple[Promise, ...]
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


def benchmark_window(start: date) -> tuple[date, date]:
    """The BENCHMARK_MONTHS full calendar months before `start`'s month."""
    return add_months(start, -BENCHMARK_MONTHS), add_months(start, 0) - timedelta(days=1)


def previous_span(start: date, end: date) -> tuple[date, date]:
    """The same days one month earlier (a day the month lacks: its last day)."""

    def back(day: date) -> date:
        first = add_months(day, -1)
        return min(first + timedelta(days=day.day - 1), last_of_month(first))

    return back(start), back(end)


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
        self.window_start, self.window_end = benchmark_window(start)
        self.period = (
            dict(period)
            if period is not None and all(code in period for code in _CODES)
            else compute_kpis(stores=self.stores, start=start, end=end, codes=_CODES)
        )
        self.by_consultant = compute_kpis(
            stores=self.stores, start=start, end=end, by="consultant", codes=_CONSULTANT_CODES
        )
        # The references are periods already over: their figures are cached for a while.
        today = store.today()
        self.window = past_kpis(
            stores=self.stores,
            start=self.window_start,
            end=self.window_end,
            today=today,
            codes=[c for c in _CODES if c not in _SPAN_CODES],
        )
        span_start, span_end = previous_span(start, end)
        self.span = past_kpis(
            stores=self.stores, start=span_start, end=span_end, today=today, codes=_SPAN_CODES
        )
        self.group = (
            compute_kpis(stores=group, start=start, end=end, codes=_CODES) if group else None
        )
        self.group_size = len(group)
        # period days ÷ window days: a count's benchmark pro rata
        self.scale = ((end - start).days + 1) / ((self.window_end - self.window_start).days + 1)

    def _history(self, code: str) -> dict[str, Any]:
        return self.span if code in _SPAN_CODES else self.window

    def benchmark(self, code: str) -> float | None:
        value = self._history(code).get(code)
        if value is None or _is_rate(code) or code in _SPAN_CODES:
            return value
        return value * self.scale

    def group_value(self, code: str) -> float | None:
        if self.group is None:
            return None
        value = self.group.get(code)
        if value is None or _is_rate(code):
            return value
        return value / self.group_size

    def reference(self, code: str, basis: Basis) -> float | None:
        """The value `code` is compared with; counts always with the store's own history."""
        if basis == "group" and _is_rate(code):
            if self.group is None or _rows(self.group, code) < MIN_ROWS:
                return None
            return self.group_value(code)
        if _rows(self._history(code), code) < MIN_ROWS:
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
    return sum(values.get(c) or 0 for c in _BASE.get(code, (code,)))


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
    return sorted(by_stage.values(), key=lambda f: (-f.severity, f.ratio, _ORDER[f.code]))


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
