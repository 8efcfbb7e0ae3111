"""The CRM's reports as formatted workbooks (openpyxl): 媒体投放渠道分析, 各部门客户效率分析,
休眠客户报告, 成交客户报告. Laid out like the sales and KPI sheets (their table writer and
styles are reused); headers go through gettext in the requested language, Chinese by default.
Aggregates only: no customer is named in any of them.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from showroom.core.sheets import print_setup, title_block
from showroom.kpi.statistics.workbooks import (
    INT,
    PERCENT,
    SECTION_FONT,
    Table,
    _lead,
    _write_table,
    period_label,
)
from showroom.reports.crm.channels import ChannelLine, ChannelReport
from showroom.reports.crm.selectors import DealLine, DealReport, DormantReport, Efficiency

YUAN = "#,##0.00"

# Sheet names: the reports' own names, whatever the language.
CHANNEL_SHEET = "媒体投放渠道分析"
EFFICIENCY_SHEET = "各部门客户效率分析"
DORMANT_SHEET = "休眠客户报告"
DEAL_SHEET = "成交客户报告"


def _sheet(workbook: Workbook, name: str, title: str, subtitle: str, width: int) -> Worksheet:
    ws = workbook.create_sheet(name)
    title_block(ws, title, subtitle, width)
    print_setup(ws)
    ws.column_dimensions["A"].width = 22
    for col in range(2, width + 1):
        ws.column_dimensions[get_column_letter(col)].width = 13
    return ws


def _section(ws: Worksheet, row: int, text: str) -> int:
    ws.cell(row=row, column=1, value=text).font = SECTION_FONT
    return row + 1


def _new_workbook() -> Workbook:
    workbook = Workbook()
    workbook.remove(workbook.active)
    return workbook


def _num(value: Any) -> Any:
    return None if value is None else float(value)


# --- channels -----------------------------------------------------------------------------


def _channel_table(first: str, lines: list[ChannelLine], total: ChannelLine | None) -> Table:
    counts = _("Counts")
    cost = _("Cost per (yuan)")
    headers = [
        _lead(first),
        _lead(_("Spend (yuan)")),
        (counts, _("Leads")),
        (counts, _("First visits")),
        (counts, _("Orders")),
        (counts, _("Deliveries")),
        (cost, pgettext("cost per", "Lead")),
        (cost, pgettext("cost per", "Visit")),
        (cost, pgettext("cost per", "Order")),
        (cost, pgettext("cost per", "Sale")),
    ]

    def row(ln: ChannelLine) -> list[Any]:
        return [
            ln.label,
            float(ln.spend),
            ln.leads,
            ln.visits,
            ln.orders,
            ln.deliveries,
            _num(ln.per_lead),
            _num(ln.per_visit),
            _num(ln.per_order),
            _num(ln.per_delivery),
        ]

    return Table(
        headers=headers,
        formats=[None, YUAN, INT, INT, INT, INT, YUAN, YUAN, YUAN, YUAN],
        lines=[row(ln) for ln in lines],
        total=row(total) if total else None,
    )


def channel_workbook(report: ChannelReport, *, language: str = "zh-hans") -> Workbook:
    workbook = _new_workbook()
    with translation.override(language):
        ws = _sheet(
            workbook,
            CHANNEL_SHEET,
            f"{_('Media channel efficiency')} · {report.store.name}",
            f"{period_label(report.start, report.end)} · "
            + _("Visits are first visits; a sale is a delivery."),
            10,
        )
        row = _section(ws, 4, _("By channel"))
        first = _write_table(ws, row, _channel_table(_("Channel"), report.by_channel, report.total))
        ws.freeze_panes = ws.cell(row=first, column=2)
        row = first + len(report.by_channel) + 2
        row = _section(ws, row, _("By model"))
        _write_table(ws, row, _channel_table(pgettext("car model", "Model"), report.by_model, None))
    return workbook


# --- CRM reports --------------------------------------------------------------------------


def efficiency_sheet(workbook: Workbook, report: Efficiency, store_name: str) -> Worksheet:
    ws = _sheet(
        workbook,
        EFFICIENCY_SHEET,
        f"{_('Department efficiency')} · {store_name}",
        period_label(report.start, report.end),
        7,
    )
    table = Table(
        headers=[
            _lead(_("Department")),
            _lead(_("Brought in")),
            _lead(_("Number")),
            _lead(_("Came to the store")),
            _lead(_("Visit rate")),
            _lead(_("Ordered / won")),
            _lead(_("Conversion")),
        ],
        formats=[None, None, INT, INT, PERCENT, INT, PERCENT],
        lines=[
            [
                ln.department,
                ln.entered_label,
                ln.entered,
                ln.visited,
                ln.visit_rate,
                ln.ordered,
                ln.conversion,
            ]
            for ln in report.lines
        ],
    )
    first = _write_table(ws, 4, table)
    ws.freeze_panes = ws.cell(row=first, column=2)
    return ws


def dormant_sheet(workbook: Workbook, report: DormantReport, store_name: str) -> Worksheet:
    width = len(report.bands) + 2
    ws = _sheet(
        workbook,
        DORMANT_SHEET,
        f"{_('Dormant prospects')} · {store_name}",
        _("On %(date)s; open prospects without a contact for %(days)d days or more.")
        % {"date": f"{report.on:%Y-%m-%d}", "days": report.days},
        width,
    )
    band_group = _("Days since the last contact")
    table = Table(
        headers=[
            _lead(_("Consultant")),
            *[(band_group, label) for label in report.bands],
            _lead(_("Total")),
        ],
        formats=[None, *[INT] * (width - 1)],
        lines=[[ln.consultant, *ln.counts, ln.total] for ln in report.lines],
        total=[report.total.consultant, *report.total.counts, report.total.total],
    )
    first = _write_table(ws, 4, table)
    ws.freeze_panes = ws.cell(row=first, column=2)
    return ws


def _deal_table(first: str, lines: list[DealLine], total: DealLine | None) -> Table:
    penetration = _("Penetration (of deliveries)")

    def row(ln: DealLine) -> list[Any]:
        v = ln.values
        return [
            ln.label,
            v["orders"],
            v["deliveries"],
            v["insurance_penetration"],
            v["finance_penetration"],
            v["accessory_penetration"],
            v["tradein_penetration"],
        ]

    return Table(
        headers=[
            _lead(first),
            _lead(_("Orders")),
            _lead(_("Deliveries")),
            (penetration, _("Insurance")),
            (penetration, _("Finance")),
            (penetration, _("Accessories")),
            (penetration, _("Trade-in")),
        ],
        formats=[None, INT, INT, PERCENT, PERCENT, PERCENT, PERCENT],
        lines=[row(ln) for ln in lines],
        total=row(total) if total else None,
    )


def deal_sheet(workbook: Workbook, report: DealReport, store_name: str) -> Worksheet:
    ws = _sheet(
        workbook,
        DEAL_SHEET,
        f"{_('Deal report')} · {store_name}",
        period_label(report.start, report.end),
        7,
    )
    row = 4
    for title, lines in report.tables:
        row = _section(ws, row, title)
        first = _write_table(ws, row, _deal_table(title, lines, report.total))
        row = first + len(lines) + 2
    return ws


def crm_reports_workbook(
    *,
    store_name: str,
    efficiency: Efficiency | None = None,
    dormant: DormantReport | None = None,
    deals: DealReport | None = None,
    language: str = "zh-hans",
) -> Workbook:
    """A workbook with a sheet per report given."""
    workbook = _new_workbook()
    with translation.override(language):
        if efficiency is not None:
            efficiency_sheet(workbook, efficiency, store_name)
        if dormant is not None:
            dormant_sheet(workbook, dormant, store_name)
        if deals is not None:
            deal_sheet(workbook, deals, store_name)
    return workbook
