"""The layout of the monthly management report's sheets: the number formats, the sheets' names,
and the writing of a sheet's title rows, its tables and figures, and its print setup.

Each sheet: a title row, a subtitle row, then its tables under one header row each; landscape
A4 fitted to the page width, the first table's header repeated on every printed page, panes
frozen under it, page numbers in the footer. Headers go through gettext (Chinese default).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from showroom.core.sheets import print_setup
from showroom.core.text import put
from showroom.kpi.dashboard import cards
from showroom.kpi.registry import REGISTRY, implemented_codes
from showroom.kpi.selectors import NONE_KEY, compute_kpis
from showroom.kpi.statistics.workbooks import BORDER, CENTER, HEADER_FILL, INT, PERCENT, TOTAL_FILL
from showroom.organization.models import Store

ONE_DECIMAL = "0.0"
YUAN = "#,##0"
CHANGE_PERCENT = "+0.0%;-0.0%;0.0%"
CHANGE_POINTS = '+0.0" pp";-0.0" pp";0.0" pp"'
CHANGE_DECIMAL = "+0.0;-0.0;0.0"
GOOD_FONT = Font(color="1E7B34")
BAD_FONT = Font(color="B3261E")
NOTE_FONT = Font(italic=True, color="5B6B7C")


def sheet_titles() -> dict[str, str]:
    """The sheets' names in the active language, by key, in workbook order."""
    return {
        "cover": pgettext("report sheet", "Cover"),
        "kpis": pgettext("report sheet", "KPIs"),
        "funnel": pgettext("report sheet", "Funnel"),
        "league": pgettext("report sheet", "Consultants"),
        "sources": pgettext("report sheet", "Sources and models"),
        "heatmap": pgettext("report sheet", "Traffic heatmap"),
        "diagnostics": pgettext("report sheet", "Diagnostics"),
        "targets": pgettext("report sheet", "Targets"),
        "value": pgettext("report sheet", "Value"),
    }


class SheetWriter:
    """A report of one store and month being written: its KPIs beside the month before and
    the same month a year before, and the layout every sheet shares."""

    def __init__(self, store: Store, start: date, end: date, group: Sequence[Store]) -> None:
        self.store = store
        self.start = start
        self.end = end
        self.group = list(group)
        self.titles = sheet_titles()
        self.workbook = Workbook()
        self.workbook.remove(self.workbook.active)
        codes = implemented_codes()
        # A month under way is counted to today and compared with the same days of the
        # month before and of a year before; a month the store has no data for, not at all.
        today = store.today()
        self.counted_to = min(end, today) if start <= today else end
        self.current = compute_kpis(stores=[store], start=start, end=self.counted_to, codes=codes)
        before, year = cards.comparisons(
            stores=[store], start=start, end=self.counted_to, codes=codes, today=today
        )
        nothing = dict.fromkeys(codes)
        self.month_before = nothing if before is None else before
        self.year_before = nothing if year is None else year

    # --- shared layout --------------------------------------------------------------------

    @property
    def period(self) -> str:
        return formats.date_format(self.start, "YEAR_MONTH_FORMAT")

    def heading(self, ws: Worksheet, title: str, width: int, subtitle: str = "") -> int:
        """Title and subtitle rows across `width` columns; returns the next free row."""
        put(ws, 1, 1, f"{self.store.name}  {title}  {self.period}")
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(width, 1))
        ws["A1"].font = Font(bold=True, size=15)
        ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
        ws.row_dimensions[1].height = 28
        text = subtitle or _("Store %(code)s · made %(when)s") % {
            "code": self.store.code,
            "when": f"{self.store.now():%Y-%m-%d %H:%M}",
        }
        put(ws, 2, 1, text)
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=max(width, 1))
        ws["A2"].font = Font(size=9, color="5B6B7C")
        ws["A2"].alignment = Alignment(horizontal="center")
        return 4

    def table(
        self,
        ws: Worksheet,
        top: int,
        headers: Sequence[str],
        lines: Sequence[Sequence[Any]],
        number_formats: Sequence[str | None],
        *,
        total: Sequence[Any] | None = None,
        line_formats: Sequence[Sequence[str | None]] | None = None,
    ) -> int:
        """A header row at `top`, then the lines (and a bold total); returns the row after.

        `number_formats`: one per column; `line_formats`: one list per line instead."""
        for col, label in enumerate(headers, start=1):
            cell = put(ws, top, col, label)
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
            cell.border = BORDER
            cell.alignment = CENTER
        ws.row_dimensions[top].height = 30
        rows = [*lines, *([total] if total is not None else [])]
        for offset, values in enumerate(rows):
            row = top + 1 + offset
            fmts = line_formats[offset] if line_formats and offset < len(lines) else number_formats
            is_total = total is not None and offset == len(lines)
            for col, value in enumerate(values, start=1):
                cell = put(ws, row, col, _cell_value(value))
                cell.border = BORDER
                fmt = fmts[col - 1] if col - 1 < len(fmts) else None
                if fmt and isinstance(cell.value, int | float):
                    cell.number_format = fmt
                    cell.alignment = Alignment(horizontal="right")
                if is_total:
                    cell.font = Font(bold=True)
                    cell.fill = TOTAL_FILL
        return top + 1 + len(rows)

    def figures(self, ws: Worksheet, top: int, facts: Sequence[tuple[str, Any, str]]) -> int:
        """A two-column table of named figures, each with its own number format."""
        return self.table(
            ws,
            top,
            [pgettext("report", "Figure"), pgettext("report", "Value")],
            [[text, value] for text, value, _fmt in facts],
            [None],
            line_formats=[[None, fmt] for _text, _value, fmt in facts],
        )

    def section(self, ws: Worksheet, row: int, text: str) -> int:
        ws.cell(row=row, column=1, value=text).font = Font(bold=True, size=12)
        return row + 1

    def note(self, ws: Worksheet, row: int, text: str) -> int:
        ws.cell(row=row, column=1, value=text).font = NOTE_FONT
        return row + 1

    def finish(self, ws: Worksheet, header_row: int, widths: Sequence[float], freeze_col: int = 2):
        """Column widths and print setup: landscape A4, fit to width, header repeated."""
        for col, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(col)].width = width
        ws.freeze_panes = ws.cell(row=header_row + 1, column=freeze_col)
        print_setup(ws, title_rows=f"{header_row}:{header_row}")
        ws.oddFooter.right.text = f"{self.store.code} {self.start:%Y-%m}"

    def kpi_columns(self, codes: Sequence[str]) -> tuple[list[str], list[str]]:
        return [REGISTRY[c].name for c in codes], [kpi_format(c) for c in codes]

    def grouped(
        self,
        ws: Worksheet,
        top: int,
        first: str,
        by: str,
        codes: Sequence[str],
        label: Callable[[str], str],
        share: dict[str, float] | None = None,
    ) -> int:
        """A compute_kpis(by=…) table: a line per group (largest first), a total line; with
        `share`, a last column of source_mix (the group's share of the deliveries)."""
        result = compute_kpis(
            stores=[self.store], start=self.start, end=self.end, by=by, codes=codes
        )
        names, fmts = self.kpi_columns(codes)
        keys = sorted(result, key=lambda k: (k == NONE_KEY, -(result[k].get(codes[0]) or 0), k))
        lines = [[label(k), *(result[k][c] for c in codes)] for k in keys]
        total = [pgettext("monthly statistics", "Total"), *(self.current[c] for c in codes)]
        headers = [first, *names]
        if share is not None:
            headers.append(REGISTRY["source_mix"].name)
            fmts.append(PERCENT)
            for key, line in zip(keys, lines, strict=True):
                line.append(share.get(key, 0.0) if share else None)
            total.append(1.0 if share else None)
        return self.table(ws, top, headers, lines, [None, *fmts], total=total)


def _cell_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if value is None or isinstance(value, str | int | float | date):
        return value
    return str(value)


def kpi_format(code: str) -> str:
    kind = REGISTRY[code].kind
    return {"rate": PERCENT, "count": INT}.get(kind, ONE_DECIMAL)


def breakdown_label(key: str) -> str:
    return pgettext("breakdown", "(not given)") if key == NONE_KEY else key
