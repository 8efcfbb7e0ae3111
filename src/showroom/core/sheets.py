"""What every workbook the screens hand out shares: the title block, the print setup (A4
landscape, fit to width, page numbers) and the download response."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from showroom.core.text import append_row, protect_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def title_block(ws: Worksheet, title: str, subtitle: str, width: int) -> None:
    """Rows 1 and 2: the title, large and centred, and a small subtitle, over `width` columns."""
    append_row(ws, [title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws["A1"].font = Font(bold=True, size=16)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    append_row(ws, [subtitle])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    ws["A2"].alignment = Alignment(horizontal="center", wrap_text=True)
    ws["A2"].font = Font(size=9, color="5B6B7C")
    ws.row_dimensions[2].height = 28


def print_setup(ws: Worksheet, *, title_rows: str | None = None) -> None:
    """Landscape A4 fitted to the page's width, centred, numbered pages; `title_rows` (e.g.
    "3:4") repeat on every printed page."""
    if title_rows:
        ws.print_title_rows = title_rows
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.oddFooter.center.text = "&P / &N"


def heat_scale(ws: Worksheet, cells: str) -> None:
    """Shade the counts of `cells` (a range such as "B2:M8") from white at 0 to orange at the
    largest, so that the busy hours stand out."""
    ws.conditional_formatting.add(
        cells,
        ColorScaleRule(
            start_type="num",
            start_value=0,
            start_color="FFFFFF",
            end_type="max",
            end_color="F4B183",
        ),
    )


def xlsx_response(workbook: Workbook, filename: str) -> HttpResponse:
    """The workbook as a download named `filename`."""
    response = HttpResponse(content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    protect_workbook(workbook).save(response)
    return response
