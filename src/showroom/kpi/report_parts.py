"""The targets sheet of the monthly report: progress, forecast and funnel refill (SPEC §4.6),
from `showroom.targets.selectors` (month_progress, refill), imported when written."""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from openpyxl.worksheet.worksheet import Worksheet

from showroom.kpi.workbooks import INT, PERCENT

if TYPE_CHECKING:
    from showroom.kpi.report_workbook import _Report

log = logging.getLogger(__name__)
ONE_DECIMAL = "0.0"


def as_of(report: _Report) -> date:
    """The day the month is judged on: today while it runs, its first day before it starts,
    today (after the month: no day left, no forecast) once it is over."""
    today = report.store.today()
    return max(today, report.start)


def write_targets(report: _Report, ws: Worksheet, top: int) -> int | None:
    """Write the sheet's tables from `top`; the first table's header row (None: a note)."""
    try:
        from showroom.targets import selectors
    except ImportError:
        report.note(ws, top, _("Targets are not available yet."))
        return None
    on = as_of(report)
    try:
        progress = selectors.month_progress(store=report.store, month=report.start, today=on)
        # Refill is about the days left: only while the month runs (or before it starts).
        refill = selectors.refill(store=report.store, on=on) if on <= report.end else None
    except Exception:  # another helper's module, still changing: a note, not a failure
        log.exception("targets for the monthly report")
        report.note(ws, top, _("Targets are not available yet."))
        return None

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
