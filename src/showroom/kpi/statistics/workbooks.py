"""The monthly statistics as formatted sheets, ready to print (also in every .xlsx export).

`add_monthly_sheets` is what the exchange export calls to append them to its workbook;
`build_monthly_workbook` makes a workbook holding only them (the download on the screens).
Headers go through gettext with the requested language active: Chinese unless asked otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from showroom.core.months import first_of_month, last_of_month, month_pieces
from showroom.core.sheets import heat_scale, print_setup
from showroom.core.text import append_row, put
from showroom.kpi.statistics.lines import CallMonthReport, Column, WalkInMonthReport
from showroom.kpi.statistics.selectors import call_month_report, walkin_month_report
from showroom.organization.models import Store
from showroom.traffic.models import Call, WalkIn

# Sheet names of the contract: the forms' own names, whatever the language.
WALKIN_SHEET = "展厅来店统计表"
CALL_SHEET = "展厅来电统计表"

INT = "0"
PERCENT = "0.0%"
DATE = "yyyy-mm-dd"

THIN = Side(style="thin", color="8C9BAB")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
SECTION_FONT = Font(bold=True, size=12)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def build_monthly_workbook(
    *,
    store: Store,
    month_start: date,
    month_end: date,
    walkins: QuerySet[WalkIn] | None = None,
    calls: QuerySet[Call] | None = None,
    consultant: int | None = None,
    language: str = "zh-hans",
) -> Workbook:
    """A workbook with the two monthly statistics sheets of `store` for the period."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    add_monthly_sheets(
        workbook,
        store,
        month_start,
        month_end,
        walkins=walkins,
        calls=calls,
        consultant=consultant,
        language=language,
    )
    return workbook


def add_monthly_sheets(
    workbook: Workbook,
    store: Store,
    start: date,
    end: date,
    *,
    walkins: QuerySet[WalkIn] | None = None,
    calls: QuerySet[Call] | None = None,
    consultant: int | None = None,
    language: str = "zh-hans",
) -> list[Worksheet]:
    """Append 展厅来店统计表 and 展厅来电统计表 for start..end; a pair per month of a longer range.

    `walkins` and `calls` are the rows the reader may see (default: the whole store),
    `consultant` the reader's staff id when they see only their own rows.
    """
    periods = month_pieces(start, end)
    sheets = []
    with translation.override(language):
        for month_start, month_end in periods:
            suffix = f" {month_start:%Y-%m}" if len(periods) > 1 else ""
            walkin = walkin_month_report(
                store=store,
                month_start=month_start,
                month_end=month_end,
                rows=walkins,
                consultant=consultant,
            )
            call = call_month_report(
                store=store,
                month_start=month_start,
                month_end=month_end,
                rows=calls,
                consultant=consultant,
            )
            for name, report in ((WALKIN_SHEET, walkin), (CALL_SHEET, call)):
                title = name + suffix
                if title in workbook.sheetnames:  # an export of several stores
                    title = f"{title} {store.code}"[:31]
                sheet = workbook.create_sheet(title)
                _write_report(sheet, report)
                sheets.append(sheet)
    return sheets


def period_label(start: date, end: date) -> str:
    if start == first_of_month(start) and end == last_of_month(start):
        return formats.date_format(start, "YEAR_MONTH_FORMAT")
    return f"{start:%Y-%m-%d} – {end:%Y-%m-%d}"


def comparison_label(offset: int) -> str:
    if offset == 0:
        return _("This month")
    if offset == -12:
        return _("Same month last year")
    return translation.ngettext("%(n)d month before", "%(n)d months before", -offset) % {
        "n": -offset
    }


# --- layout ---------------------------------------------------------------------------


@dataclass
class Table:
    """One table of a sheet: a header per column (with an optional spanning group) and lines."""

    headers: list[tuple[str | None, str]]  # (group, label)
    formats: list[str | None]  # number format per column, None for text
    lines: list[list[Any]]
    total: list[Any] | None = None


def _lead(label: str) -> tuple[None, str]:
    return (None, label)


def _counts_headers(columns: list[Column]) -> list[tuple[str | None, str]]:
    return [(str(c.group) if c.group else None, str(c.label)) for c in columns]


def _counts_formats(columns: list[Column]) -> list[str | None]:
    return [PERCENT if c.is_rate else INT for c in columns]


def _values(columns: list[Column], counts: Any) -> list[Any]:
    return [c.value(counts) for c in columns]


def _write_report(ws: Worksheet, report: WalkInMonthReport | CallMonthReport) -> None:
    slot_group = str(report.slot_group)
    day_columns: list[Column] = report.day_columns
    total_label = pgettext("monthly statistics", "Total")

    days = Table(
        headers=[
            _lead(pgettext("monthly statistics", "Date")),
            _lead(pgettext("monthly statistics", "Weekday")),
            *[(slot_group, slot.label) for slot in report.slots],
            *_counts_headers(day_columns),
        ],
        formats=[DATE, None, *[INT] * len(report.slots), *_counts_formats(day_columns)],
        lines=[
            [
                day.date,
                formats.date_format(day.date, "D"),
                *day.slots,
                *_values(day_columns, day.counts),
            ]
            for day in report.days
        ],
        total=[total_label, "", *report.slot_totals, *_values(day_columns, report.totals)],
    )
    consultant_columns: list[Column] = report.consultant_columns
    consultants = Table(
        headers=[
            _lead(pgettext("monthly statistics", "Consultant")),
            _lead(pgettext("monthly statistics", "Staff code")),
            *_counts_headers(consultant_columns),
        ],
        formats=[None, None, *_counts_formats(consultant_columns)],
        lines=[
            [row.name, row.code, *_values(consultant_columns, row.counts)]
            for row in report.consultants
        ],
        total=[total_label, "", *_values(consultant_columns, report.totals)],
    )
    month_columns: list[Column] = report.month_columns
    months = Table(
        headers=[
            _lead(pgettext("monthly statistics", "Month")),
            _lead(pgettext("monthly statistics", "Compared")),
            *_counts_headers(month_columns),
        ],
        formats=[None, None, *_counts_formats(month_columns)],
        lines=[
            [
                formats.date_format(row.month, "YEAR_MONTH_FORMAT"),
                comparison_label(row.offset),
                *_values(month_columns, row.counts),
            ]
            for row in report.comparison
        ],
    )

    width = max(len(t.headers) for t in (days, consultants, months))
    title = (
        f"{report.store.name}  {report.title}  {period_label(report.month_start, report.month_end)}"
    )
    append_row(ws, [title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws["A1"].font = Font(bold=True, size=16)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    subtitle = _("Store %(code)s · made %(when)s from the walk-in and call registers") % {
        "code": report.store.code,
        "when": f"{report.store.now():%Y-%m-%d %H:%M}",
    }
    append_row(ws, [subtitle])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    ws["A2"].alignment = Alignment(horizontal="center")
    ws["A2"].font = Font(size=9, color="5B6B7C")

    top = 3
    grid_first = _write_table(ws, top, days)
    # The busy hours stand out: a colour scale over the day × slot grid.
    first_col, last_col = get_column_letter(3), get_column_letter(2 + len(report.slots))
    heat_scale(ws, f"{first_col}{grid_first}:{last_col}{grid_first + len(report.days) - 1}")
    row = grid_first + len(report.days) + 2
    for section, table in (
        (_("Per consultant"), consultants),
        (_("Comparison with earlier months"), months),
    ):
        ws.cell(row=row, column=1, value=section).font = SECTION_FONT
        row = _write_table(ws, row + 1, table) + len(table.lines) + (1 if table.total else 0) + 1

    ws.column_dimensions["A"].width = 13
    ws.column_dimensions["B"].width = 10
    for col in range(3, width + 1):
        ws.column_dimensions[get_column_letter(col)].width = 8.5
    ws.freeze_panes = ws.cell(row=grid_first, column=3)
    print_setup(ws, title_rows=f"{top}:{top + 1}")


def _write_table(ws: Worksheet, top: int, table: Table) -> int:
    """Write two header rows at `top`, then the lines and the total; return the first line's row."""
    groups = [g for g, _label in table.headers]
    for col, (group, label) in enumerate(table.headers, start=1):
        if group is None:
            ws.merge_cells(start_row=top, start_column=col, end_row=top + 1, end_column=col)
            _header(put(ws, top, col, label))
            _header(ws.cell(row=top + 1, column=col))
        else:
            _header(put(ws, top + 1, col, label))
            if col == 1 or groups[col - 2] != group:
                span = col
                while span < len(groups) and groups[span] == group:
                    span += 1
                _header(put(ws, top, col, group))
                for c in range(col + 1, span + 1):
                    _header(ws.cell(row=top, column=c))
                if span > col:
                    ws.merge_cells(start_row=top, start_column=col, end_row=top, end_column=span)
    ws.row_dimensions[top + 1].height = 30

    first = top + 2
    lines = table.lines + ([table.total] if table.total else [])
    for offset, values in enumerate(lines):
        is_total = table.total is not None and offset == len(table.lines)
        for col, value in enumerate(values, start=1):
            cell = put(ws, first + offset, col, value)
            cell.border = BORDER
            number_format = table.formats[col - 1]
            if number_format and not (is_total and col == 1):
                cell.number_format = number_format
                cell.alignment = Alignment(horizontal="right")
            if is_total:
                cell.font = Font(bold=True)
                cell.fill = TOTAL_FILL
    return first


def _header(cell: Any) -> None:
    cell.font = Font(bold=True)
    cell.fill = HEADER_FILL
    cell.border = BORDER
    cell.alignment = CENTER
