"""The monthly statistics workbook, read back with openpyxl."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook

from showroom.kpi.statistics.workbooks import add_monthly_sheets, build_monthly_workbook
from showroom.kpi.tests import test_reports as month
from showroom.organization import access
from showroom.traffic.models import Call, WalkIn

pytestmark = pytest.mark.django_db

# The hand-built October of the report tests.
OCT = month.OCT
october = month.october
october_calls = month.october_calls


def reread(workbook: Workbook) -> Workbook:
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return load_workbook(buffer)


def find_row(ws, label: str, column: int = 1) -> int:  # type: ignore[no-untyped-def]
    for row in range(1, ws.max_row + 1):
        if ws.cell(row=row, column=column).value == label:
            return row
    raise AssertionError(f"{label!r} not in column {column}")


def header(ws, col: int, top: int = 3):  # type: ignore[no-untyped-def]
    """A column's own header: the lower row under a spanning group, else the merged cell."""
    return ws.cell(row=top + 1, column=col).value or ws.cell(row=top, column=col).value


@pytest.fixture
def workbook(store, october, october_calls):  # type: ignore[no-untyped-def]
    return reread(build_monthly_workbook(store=store, month_start=OCT[0], month_end=OCT[1]))


def test_sheet_names_and_title(workbook):
    assert workbook.sheetnames == ["展厅来店统计表", "展厅来电统计表"]
    ws = workbook["展厅来店统计表"]
    assert ws["A1"].value == "北京一店  展厅来店统计表(月)  2026年10月"
    assert ws["A1"].font.bold
    assert "A1:Y1" in {str(r) for r in ws.merged_cells.ranges}
    assert workbook["展厅来电统计表"]["A1"].value == "北京一店  展厅来电统计表(月)  2026年10月"


def test_walkin_headers(workbook):
    ws = workbook["展厅来店统计表"]
    assert [ws.cell(row=3, column=c).value for c in (1, 2, 3)] == [
        "日期",
        "星期",
        "各时段首次来店批数",
    ]
    assert [ws.cell(row=4, column=c).value for c in range(3, 12)] == [
        "9-10", "10-11", "11-12", "12-13", "13-14", "14-15", "15-16", "16-17", "17-18",
    ]  # fmt: skip
    assert [header(ws, c) for c in range(12, 26)] == [
        "首次来店批数", "再次来店批数", "来店总批数", "来店人数", "留档数", "留档率",
        "H", "A", "B", "C", "邀约到店", "试乘试驾", "报价", "展厅成交",
    ]  # fmt: skip
    assert ws["R3"].value == "意向客户级别"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A3:A4", "C3:K3", "R3:U3"} <= merged
    assert ws["C4"].font.bold
    assert ws["C4"].fill.fgColor.rgb.endswith("DCE6F1")
    assert ws["C4"].border.left.style == "thin"


def test_walkin_day_rows_and_totals(workbook):
    ws = workbook["展厅来店统计表"]
    assert ws["A5"].value == dt.datetime(2026, 10, 1)
    assert ws["A5"].number_format == "yyyy-mm-dd"
    assert ws["B5"].value == "星期四"
    # 10-01: 09:30 and 09:59 in 9-10, 13:15 in 13-14, 17:00 and 17:45 in 17-18.
    assert [ws.cell(row=5, column=c).value for c in range(3, 12)] == [2, 0, 0, 0, 1, 0, 0, 0, 2]
    assert [ws.cell(row=5, column=c).value for c in range(12, 18)] == [5, 1, 6, 9, 3, 0.6]
    assert ws["Q5"].number_format == "0.0%"
    assert ws["L5"].number_format == "0"
    assert ws["A35"].value == dt.datetime(2026, 10, 31)
    assert ws["K35"].value == 1
    assert ws["Q6"].value is None  # 10-02: nobody came, no retention rate

    total = find_row(ws, "合计")
    assert total == 36
    assert [ws.cell(row=total, column=c).value for c in range(3, 12)] == [2, 1, 0, 0, 1, 0, 0, 0, 3]
    assert [ws.cell(row=total, column=c).value for c in range(12, 26)] == [
        7, 1, 8, 11, 5, pytest.approx(5 / 7), 1, 1, 1, 1, 1, 2, 2, 2,
    ]  # fmt: skip
    assert ws.cell(row=total, column=12).font.bold
    assert ws.freeze_panes == "C5"
    assert ws.conditional_formatting  # the busy slots are coloured


def test_walkin_consultants_and_comparison(workbook):
    ws = workbook["展厅来店统计表"]
    section = find_row(ws, "销售顾问")
    assert ws.cell(row=section - 1, column=1).value == "按销售顾问"
    zhang = find_row(ws, "张伟")
    assert zhang == section + 2
    assert [ws.cell(row=zhang, column=c).value for c in range(2, 18)] == [
        "C001", 4, 1, 5, 3, 0.75, 2, 0.4, 1, 1, 0, 1, 0, 2, 0.5, None,
    ]  # fmt: skip
    assert ws.cell(row=zhang, column=7).number_format == "0.0%"  # retention rate
    assert ws.cell(row=zhang, column=8).number_format == "0"  # test drives
    li = find_row(ws, "李娜")
    assert [ws.cell(row=li, column=c).value for c in (3, 4, 6, 8, 10)] == [3, 0, 2, 0, 1]

    this_month = find_row(ws, "2026年10月")
    assert ws.cell(row=this_month, column=2).value == "本月"
    assert ws.cell(row=this_month + 1, column=1).value == "2026年9月"
    assert ws.cell(row=this_month + 1, column=2).value == "前1个月"
    assert ws.cell(row=this_month + 4, column=1).value == "2025年10月"
    assert ws.cell(row=this_month + 4, column=2).value == "去年同月"
    assert ws.cell(row=this_month + 1, column=3).value == 2  # September's first visits
    assert ws.cell(row=this_month + 2, column=8).value is None  # August: no first visits


def test_call_sheet(workbook):
    ws = workbook["展厅来电统计表"]
    assert ws["C3"].value == "各时段首次来电数"
    assert [header(ws, c) for c in range(12, 22)] == [
        "首次来电", "再次来电", "来电总数", "留档数", "留档率", "H", "A", "B", "C", "预约到店",
    ]  # fmt: skip
    assert [ws.cell(row=5, column=c).value for c in range(3, 12)] == [1, 0, 0, 1, 0, 0, 0, 0, 1]
    assert [ws.cell(row=5, column=c).value for c in range(12, 22)] == [
        3, 0, 3, 2, pytest.approx(2 / 3), 1, 1, 0, 0, 1,
    ]  # fmt: skip
    total = find_row(ws, "合计")
    totals = [ws.cell(row=total, column=c).value for c in range(12, 17)]
    assert totals == [3, 1, 4, 2, pytest.approx(2 / 3)]


def test_print_setup(workbook):
    ws = workbook["展厅来店统计表"]
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$3:$4"
    assert ws.column_dimensions["A"].width == 13


def test_english_headers_on_request(store, october):
    wb = build_monthly_workbook(store=store, month_start=OCT[0], month_end=OCT[1], language="en")
    ws = wb["展厅来店统计表"]  # the sheet names are the forms' names in any language
    assert header(ws, 12) == "First visits"
    assert ws["L4"].value is None  # merged into L3
    assert ws["A1"].value == "北京一店  Monthly showroom walk-in statistics  October 2026"


def test_consultant_download_counts_own_rows(store, october, october_calls):
    zhang, _ = october
    wb = build_monthly_workbook(
        store=store,
        month_start=OCT[0],
        month_end=OCT[1],
        walkins=access.front_desk_rows(WalkIn.objects.all(), zhang),
        calls=access.front_desk_rows(Call.objects.all(), zhang),
        consultant=zhang.pk,
    )
    ws = wb["展厅来店统计表"]
    assert ws.cell(row=find_row(ws, "合计"), column=12).value == 4
    assert [r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=1).value == "李娜"] == []


def test_add_monthly_sheets_to_an_export(store, october):
    wb = Workbook()
    wb.active.title = "来店客户登记表"
    sheets = add_monthly_sheets(wb, store, dt.date(2026, 9, 1), dt.date(2026, 10, 31))
    assert [s.title for s in sheets] == [
        "展厅来店统计表 2026-09",
        "展厅来电统计表 2026-09",
        "展厅来店统计表 2026-10",
        "展厅来电统计表 2026-10",
    ]
    assert wb.sheetnames[0] == "来店客户登记表"
    september = wb["展厅来店统计表 2026-09"]
    assert september["A34"].value == dt.date(2026, 9, 30)
    assert september["A35"].value == "合计"
    assert september["L35"].value == 2


def test_several_stores_in_one_export(store, other_store, october):
    wb = Workbook()
    add_monthly_sheets(wb, store, *OCT)
    add_monthly_sheets(wb, other_store, *OCT)
    assert wb.sheetnames[1:] == [
        "展厅来店统计表",
        "展厅来电统计表",
        "展厅来店统计表 SH01",
        "展厅来电统计表 SH01",
    ]
    assert wb["展厅来店统计表 SH01"]["L36"].value == 1
    assert wb["展厅来店统计表"]["L36"].value == 7
