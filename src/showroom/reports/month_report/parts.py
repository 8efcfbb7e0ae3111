"""Sheets of the monthly report built from other modules: the targets (progress, forecast and
funnel refill, from `showroom.targets.selectors`), the diagnostics
(`showroom.kpi.dashboard.diagnostics`) and the value (`showroom.kpi.value.selectors`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

from showroom.kpi.dashboard import diagnostics
from showroom.kpi.registry import REGISTRY
from showroom.kpi.statistics.workbooks import INT, PERCENT
from showroom.kpi.value.selectors import store_values
from showroom.reports.month_report.layout import ONE_DECIMAL, YUAN, SheetWriter
from showroom.targets import selectors as targets


def as_of(report: SheetWriter) -> date:
    """The day the month is judged on: today while it runs, its first day before it starts,
    today (after the month: no day left, no forecast) once it is over."""
    today = report.store.today()
    return max(today, report.start)


def write_targets(report: SheetWriter, ws: Worksheet, top: int) -> int | None:
    """Write the sheet's tables from `top`; the first table's header row (None: a note)."""
    on = as_of(report)
    progress = targets.month_progress(store=report.store, month=report.start, today=on)
    # Refill is about the days left: only while the month runs (or before it starts).
    refill = targets.refill(store=report.store, on=on) if on <= report.end else None

    day = min(on, report.end)
    row = report.section(ws, top, _("Progress as of %(day)s") % {"day": f"{day:%Y-%m-%d}"})
    header_row = row
    if progress.target_deliveries is None:
        row = report.note(ws, row, _("No delivery target is set for this month."))
        header_row = row
    row = report.figures(
        ws,
        row,
        [
            (_("Delivery target"), progress.target_deliveries, INT),
            (_("Achieved"), progress.achieved, INT),
            (_("Remaining"), progress.remaining, INT),
            (_("Attainment"), progress.attainment, PERCENT),
            (_("Days left"), progress.days_left, INT),
            (_("Deliveries needed per day"), progress.daily_pace, ONE_DECIMAL),
        ],
    )
    if progress.consultants:
        row = report.section(ws, row + 1, _("Per consultant"))
        row = report.table(
            ws,
            row,
            [
                _("Consultant"),
                _("Target"),
                _("Achieved"),
                _("Remaining"),
                _("Attainment"),
                _("This week: target / achieved"),
            ],
            [
                [
                    c.name,
                    c.target,
                    c.achieved,
                    c.remaining,
                    c.attainment,
                    f"{_dash(c.week_target)} / {c.week_achieved}",
                ]
                for c in progress.consultants
            ],
            [None, INT, INT, INT, PERCENT, None],
        )
    outlook = progress.forecast
    if outlook is not None:
        row = report.section(ws, row + 1, _("Forecast of the month's deliveries"))
        row = report.figures(
            ws,
            row,
            [
                (_("Delivered so far"), outlook.delivered, INT),
                (_("Expected from the pipeline"), outlook.pipeline, ONE_DECIMAL),
                (_("Expected in the month"), outlook.expected, ONE_DECIMAL),
                (_("Low"), outlook.low, ONE_DECIMAL),
                (_("High"), outlook.high, ONE_DECIMAL),
            ],
        )
        row = report.table(
            ws,
            row + 1,
            [
                _("Grade"),
                _("Prospects"),
                _("Conversion within a month"),
                _("Share expected this month"),
                _("Expected"),
            ],
            [[g.grade, g.prospects, g.conversion, g.rate, g.expected] for g in outlook.grades],
            [None, INT, PERCENT, PERCENT, ONE_DECIMAL],
        )
    row = report.section(ws, row + 1, _("Funnel refill"))
    if refill is None:
        report.note(ws, row, _("The month is over: nothing left to refill."))
        return header_row
    report.figures(
        ws,
        row,
        [
            (_("Deliveries still missing"), refill.gap, INT),
            (_("Contact-keeping rate (3 months)"), refill.retention_rate, PERCENT),
            (_("Order rate (3 months)"), refill.order_rate, PERCENT),
            (_("Order-to-delivery rate (3 months)"), refill.delivery_rate, PERCENT),
            (_("New prospects needed"), refill.prospects_needed, INT),
            (_("First-visit walk-ins needed"), refill.walk_ins_needed, INT),
        ],
    )
    return header_row


def _dash(value: Any) -> str:
    return "—" if value is None else str(value)


def write_diagnostics(report: SheetWriter, ws: Worksheet) -> None:
    headers = [
        _("Severity"),
        _("Stage"),
        _("Finding"),
        _("KPI"),
        _("This month"),
        _("Benchmark"),
        _("Consultant"),
        _("Evidence"),
        _("What to do"),
    ]
    top = report.heading(ws, report.titles["diagnostics"], len(headers))
    widths = [9, 11, 26, 16, 11, 11, 18, 40, 50]
    findings = diagnostics.diagnose(
        store=report.store,
        start=report.start,
        end=report.end,
        group_stores=report.group or None,
    )
    lines = [_finding_line(f) for f in findings]
    if not lines:
        report.note(ws, top, _("No stage is below its benchmark this month."))
        report.finish(ws, top, widths)
        return
    end = report.table(ws, top, headers, lines, [None] * len(headers))
    for row in range(top + 1, end):
        for col in (3, 7, 8, 9):
            ws.cell(row=row, column=col).alignment = Alignment(wrap_text=True, vertical="top")
    report.finish(ws, top, widths)


def write_value(report: SheetWriter, ws: Worksheet) -> None:
    headers = [
        _("Item"),
        _("Penetration"),
        _("Units"),
        _("Margin per unit (yuan)"),
        _("Per delivery (yuan)"),
        _("Month total (yuan)"),
        _("+1 point of penetration (yuan)"),
    ]
    top = report.heading(ws, report.titles["value"], len(headers))
    v = store_values(stores=[report.store], start=report.start, end=report.end)[0]
    header_row = report.section(ws, top, _("Profit per delivery"))
    lines = [
        [
            str(i.label),
            i.penetration,
            i.units,
            i.unit_margin,
            i.per_delivery,
            i.margin,
            i.point_worth,
        ]
        for i in v.month.items
    ]
    total = [
        pgettext("monthly statistics", "Total"),
        None,
        v.month.deliveries,
        None,
        v.month.per_delivery,
        v.month.margin,
        None,
    ]
    row = report.table(
        ws,
        header_row,
        headers,
        lines,
        [None, PERCENT, INT, YUAN, YUAN, YUAN, YUAN],
        total=total,
    )
    row = report.section(ws, row + 1, _("After-sales value per owner"))
    a, life = v.aftersales, v.lifetime
    facts: list[tuple[str, Any, str]] = [
        (_("Owners"), a.owners, INT),
        (REGISTRY["owner_retention_rate"].name, a.owner_retention_rate, PERCENT),
        (_("Service visit amounts, 12 months (yuan)"), a.service_amount, YUAN),
        (_("After-sales margin, 12 months (yuan)"), a.margin, YUAN),
        (_("After-sales margin per owner (yuan)"), a.per_owner, YUAN),
        (_("Owners who came back to the workshop, 12 months"), a.returning_owners, INT),
        (
            _("Annual after-sales margin per returning owner (yuan)"),
            a.per_returning_owner,
            YUAN,
        ),
    ]
    row = report.figures(ws, row, facts)
    row = report.section(ws, row + 1, _("Lifetime value of a loyal customer"))
    lifetime = [
        (
            _("Annual after-sales margin per returning owner (yuan)"),
            life.annual_aftersales,
            YUAN,
        ),
        (_("Horizon (years)"), life.horizon_years, INT),
        (_("Vehicle and items margin of one purchase, 12 months (yuan)"), life.purchase, YUAN),
        (_("Lifetime value (yuan)"), life.value, YUAN),
    ]
    row = report.figures(ws, row, lifetime)
    report.note(
        ws,
        row + 1,
        _(
            "Lifetime value = annual after-sales margin per returning owner × years + the "
            "vehicle and items margin of one purchase (per delivery over %(start)s – %(end)s)."
        )
        % {"start": f"{v.year.start:%Y-%m-%d}", "end": f"{v.year.end:%Y-%m-%d}"},
    )
    report.finish(ws, header_row, [30, 12, 10, 16, 16, 16, 20])


def _finding_line(finding: diagnostics.Finding) -> list[Any]:
    rule = diagnostics.RULES.get(finding.code)
    stage = diagnostics.STAGES.get(finding.stage, finding.stage)
    kpi = REGISTRY[finding.kpi]
    consultant = ""
    if finding.consultant is not None:
        consultant = f"{finding.consultant.name} {finding.consultant.value_text}"
    evidence = "; ".join(f"{e.name} {e.value_text} ({e.benchmark_text})" for e in finding.evidence)
    actions = "; ".join(str(a) for a in finding.actions)
    # The reference the rule fired against: the store's own history, or the group's.
    reference = diagnostics.format_value(
        finding.kpi, getattr(finding, "reference", finding.benchmark)
    )
    if getattr(finding, "against_group", False):
        reference = _("%(value)s (group)") % {"value": reference}
    return [
        str(finding.severity.label),
        str(stage),
        str(rule.title) if rule else finding.code,
        kpi.name,
        diagnostics.format_value(finding.kpi, finding.value),
        reference,
        consultant,
        evidence,
        actions,
    ]
