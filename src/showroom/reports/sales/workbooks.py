"""意向客户接触状况表 and 销售促进战败(失控)分析表 as formatted workbooks, ready to print.

Laid out like the monthly statistics (`showroom.kpi.statistics.workbooks`, whose table writer
and styles are reused): a merged title, a subtitle, tables with bold bordered headers, frozen panes,
landscape A4 fitted to the width. Headers go through gettext in the requested language.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from showroom.core.sheets import print_setup, title_block
from showroom.core.text import printable
from showroom.kpi.statistics.workbooks import (
    DATE,
    INT,
    PERCENT,
    SECTION_FONT,
    Table,
    _lead,
    _write_table,
    period_label,
)
from showroom.reports.sales.monthly import (
    ContactSheet,
    ContactStatusReport,
    GroupCounts,
    LossAnalysis,
    SummaryLine,
    reason_label,
)
from showroom.reports.sales.selectors import KIND_MARKS, PLANNED_MARK, display_name
from showroom.sales.choices import ActivityKind

# Sheet names: the forms' own names, whatever the language (as the monthly statistics).
CONTACT_SHEET = "意向客户接触状况表"
LOSS_SHEET = "销售促进战败(失控)分析表"
LOSS_SUMMARY_SHEET = "战败(失控)月末汇总"
INVALID_SHEET_CHARS = str.maketrans({c: "_" for c in "[]:*?/\\"})


def _made(report: Any) -> str:
    return f"{report.store.now():%Y-%m-%d %H:%M}"


# --- 意向客户接触状况表 ------------------------------------------------------------------


def contact_status_workbook(report: ContactStatusReport, *, language: str = "zh-hans") -> Workbook:
    """One sheet per consultant of the report (one sheet, titled by the form, for just one)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    with translation.override(language):
        for sheet in report.sheets:
            name = CONTACT_SHEET
            if len(report.sheets) > 1:
                name = f"{display_name(sheet.consultant)} {sheet.consultant.staff_code}".strip()
                name = printable(name).translate(INVALID_SHEET_CHARS)[:31]
                while name in workbook.sheetnames:
                    name = f"{name[:28]} {sheet.consultant.pk}"[:31]
            _write_contact_sheet(workbook.create_sheet(name), report, sheet)
        if not report.sheets:
            ws = workbook.create_sheet(CONTACT_SHEET)
            ws.append([_("No consultant to show.")])
    return workbook


def _write_contact_sheet(ws: Worksheet, report: ContactStatusReport, sheet: ContactSheet) -> None:
    days = report.days
    day_group = _("Contacts made and planned (*) per day")
    rows = Table(
        headers=[
            _lead(_("No.")),
            _lead(_("Carried over / new")),
            _lead(_("Customer")),
            _lead(_("Intended model")),
            _lead(_("Source")),
            _lead(_("Grade at start")),
            _lead(_("Grade at end")),
            *[(day_group, str(day.day)) for day in days],
            _lead(_("Contacts")),
            _lead(_("Closed")),
            _lead(_("Closed on")),
        ],
        formats=[INT, None, None, None, None, None, None, *[None] * len(days), INT, None, DATE],
        lines=[
            [
                number,
                _("Carried over") if row.carried else _("New"),
                row.customer.name,
                row.customer.model,
                row.source,
                row.grade_start,
                row.grade_end,
                *[row.mark(i) or None for i in range(len(days))],
                row.contacts,
                row.close_label,
                row.close_date,
            ]
            for number, row in enumerate(sheet.rows, start=1)
        ],
    )
    width = len(rows.headers)
    consultant = display_name(sheet.consultant)
    title_block(
        ws,
        f"{report.store.name}  {_('Prospect contact status sheet')}  {consultant}  "
        f"{period_label(report.month_start, report.month_end)}",
        _(
            "Store %(code)s · consultant %(consultant)s · made %(when)s · "
            "%(planned)s: a planned contact · %(legend)s"
        )
        % {
            "code": report.store.code,
            "consultant": f"{consultant} {sheet.consultant.staff_code}".strip(),
            "when": _made(report),
            "planned": PLANNED_MARK,
            "legend": " ".join(
                f"{KIND_MARKS[value]}={label}" for value, label in ActivityKind.choices
            ),
        },
        width,
    )
    top = 3
    first = _write_table(ws, top, rows)
    for offset in range(len(rows.lines)):
        for col in range(8, 8 + len(days)):
            ws.cell(row=first + offset, column=col).alignment = Alignment(horizontal="center")
    if not rows.lines:
        ws.cell(row=first, column=1, value=_("No prospects in this month."))

    row = first + max(len(rows.lines), 1) + 1
    ws.cell(row=row, column=1, value=_("Close ratio of carried-over and new prospects"))
    ws.cell(row=row, column=1).font = SECTION_FONT
    summary = Table(
        headers=[
            _lead(""),
            _lead(_("Prospects")),
            _lead(_("Orders in the month")),
            _lead(_("Close ratio")),
            _lead(_("Lost")),
            _lead(_("Out of control")),
        ],
        formats=[None, INT, INT, PERCENT, INT, INT],
        lines=[
            _group_line(_("Carried over"), sheet.carried),
            _group_line(_("New"), sheet.new),
        ],
        total=_group_line(pgettext("contact status", "Total"), sheet.total),
    )
    _write_table(ws, row + 1, summary)
    row += 1 + 2 + len(summary.lines) + 1 + 1

    ws.cell(row=row, column=1, value=_("Prospects by source")).font = SECTION_FONT
    sources = Table(
        headers=[_lead(_("Source")), _lead(_("Carried over")), _lead(_("New"))],
        formats=[None, INT, INT],
        lines=[[label, carried, new] for label, carried, new in sheet.sources],
    )
    _write_table(ws, row + 1, sources)
    # The two summary tables sit in the first columns: widen them enough for their labels.
    widths = {1: 12, 2: 11, 3: 12, 4: 10, 5: 12, 6: 8, 7: 8}
    for col, value in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = value
    for col in range(8, 8 + len(days)):
        ws.column_dimensions[get_column_letter(col)].width = 4.2
    for col, value in zip(range(8 + len(days), width + 1), (7, 9, 11), strict=True):
        ws.column_dimensions[get_column_letter(col)].width = value
    ws.freeze_panes = ws.cell(row=first, column=4)
    print_setup(ws, title_rows=f"{top}:{top + 1}")


def _group_line(label: str, counts: GroupCounts) -> list[Any]:
    return [
        label,
        counts.prospects,
        counts.orders,
        counts.close_ratio,
        counts.lost,
        counts.out_of_control,
    ]


# --- 销售促进战败(失控)分析表 --------------------------------------------------------------


def loss_analysis_workbook(analysis: LossAnalysis, *, language: str = "zh-hans") -> Workbook:
    """The month's confirmed records (and the requests still waiting), then the summaries."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    with translation.override(language):
        _write_loss_records(workbook.create_sheet(LOSS_SHEET), analysis)
        _write_loss_summary(workbook.create_sheet(LOSS_SUMMARY_SHEET), analysis)
    return workbook


def _record_table(records: list[Any], *, waiting: bool, tz: Any) -> Table:
    last = _lead(_("Requested on")) if waiting else _lead(_("Confirmed by"))
    return Table(
        headers=[
            _lead(_("No.")),
            _lead(_("Date")),
            _lead(_("Type")),
            _lead(_("Customer")),
            _lead(_("Intended model")),
            _lead(_("Consultant")),
            _lead(_("Grade at the time")),
            _lead(_("Competitor brand")),
            _lead(_("Competitor model")),
            _lead(_("Reason")),
            _lead(_("Description")),
            last,
        ],
        formats=[INT, DATE, *[None] * 9, DATE if waiting else None],
        lines=[
            [
                number,
                r.date,
                r.get_kind_display(),
                r.customer.name,
                r.customer.model,
                display_name(r.consultant),
                r.grade,
                r.competitor_brand,
                r.competitor_model,
                reason_label(r.reason),
                r.description,
                r.created_at.astimezone(tz).date() if waiting else display_name(r.decided_by),
            ]
            for number, r in enumerate(records, start=1)
        ],
    )


def _write_loss_records(ws: Worksheet, analysis: LossAnalysis) -> None:
    confirmed = _record_table(analysis.confirmed, waiting=False, tz=analysis.store.tz)
    width = len(confirmed.headers)
    title_block(
        ws,
        f"{analysis.store.name}  {_('Lost / out-of-control analysis')}  "
        f"{period_label(analysis.month_start, analysis.month_end)}",
        _(
            "Store %(code)s · made %(when)s · confirmed records only; requests waiting for "
            "the manager are listed below and do not count"
        )
        % {"code": analysis.store.code, "when": _made(analysis)},
        width,
    )
    top = 3
    first = _write_table(ws, top, confirmed)
    if not confirmed.lines:
        ws.cell(row=first, column=1, value=_("No confirmed records in this month."))
    row = first + max(len(confirmed.lines), 1) + 1
    ws.cell(row=row, column=1, value=_("Waiting for the manager's confirmation (not counted)"))
    ws.cell(row=row, column=1).font = SECTION_FONT
    waiting = _record_table(analysis.waiting, waiting=True, tz=analysis.store.tz)
    first_waiting = _write_table(ws, row + 1, waiting)
    if not waiting.lines:
        ws.cell(row=first_waiting, column=1, value=_("None."))

    for col, value in enumerate((5, 11, 8, 10, 10, 10, 8, 11, 11, 10, 36, 11), start=1):
        ws.column_dimensions[get_column_letter(col)].width = value
    for r in range(first, first + len(confirmed.lines)):
        ws.cell(row=r, column=11).alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = ws.cell(row=first, column=3)
    print_setup(ws, title_rows=f"{top}:{top + 1}")


def _summary_table(label: str, lines: list[SummaryLine], total: SummaryLine) -> Table:
    return Table(
        headers=[
            _lead(label),
            _lead(_("Lost")),
            _lead(_("Out of control")),
            _lead(pgettext("loss analysis", "Total")),
            _lead(_("Share")),
        ],
        formats=[None, INT, INT, INT, PERCENT],
        lines=[[ln.label, ln.lost, ln.out_of_control, ln.total, ln.share] for ln in lines],
        total=[
            pgettext("loss analysis", "Total"),
            total.lost,
            total.out_of_control,
            total.total,
            total.share,
        ],
    )


def _write_loss_summary(ws: Worksheet, analysis: LossAnalysis) -> None:
    width = 5
    title_block(
        ws,
        f"{analysis.store.name}  {_('Month-end summary')}  "
        f"{period_label(analysis.month_start, analysis.month_end)}",
        _("Store %(code)s · made %(when)s · confirmed records only")
        % {"code": analysis.store.code, "when": _made(analysis)},
        width,
    )
    row = 3
    for title, lines in analysis.summaries:
        ws.cell(row=row, column=1, value=str(title)).font = SECTION_FONT
        table = _summary_table(str(title), lines, analysis.total)
        _write_table(ws, row + 1, table)
        row += 1 + 2 + len(table.lines) + 1 + 1
    ws.column_dimensions["A"].width = 24
    for col in "BCDE":
        ws.column_dimensions[col].width = 11
    print_setup(ws)
