"""The contact status sheet and the loss analysis as workbooks, read back with openpyxl."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from showroom.organization.models import ExportRecord
from showroom.reports.sales import monthly as report_monthly
from showroom.reports.sales.workbooks import contact_status_workbook, loss_analysis_workbook
from showroom.reports.tests import test_sales_reports as data

pytestmark = pytest.mark.django_db

october = data.october
OCT = data.OCT


def reread(workbook: Workbook) -> Workbook:
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return load_workbook(buffer)


def download(client, user, name: str, **params) -> Workbook:  # type: ignore[no-untyped-def]
    client.force_login(user)
    response = client.get(reverse(f"reports:{name}"), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def row_values(ws, row: int, first: int = 1, last: int | None = None) -> list:  # type: ignore[no-untyped-def]
    last = last or ws.max_column
    return [ws.cell(row=row, column=c).value for c in range(first, last + 1)]


def find_row(ws, label: str, column: int = 1) -> int:  # type: ignore[no-untyped-def]
    for row in range(1, ws.max_row + 1):
        if ws.cell(row=row, column=column).value == label:
            return row
    raise AssertionError(f"{label!r} not in column {column}")


def test_contact_status_workbook_of_a_consultant(client, consultant, store, october):
    workbook = download(client, consultant, "contact_status_xlsx", month="2026-10")
    assert workbook.sheetnames == ["意向客户接触状况表"]
    ws = workbook["意向客户接触状况表"]
    width = 7 + 31 + 3
    assert ws.max_column == width
    assert ws["A1"].value == "北京一店  意向客户接触状况表  张伟  2026年10月"
    assert f"A1:{get_column_letter(width)}1" == "A1:AO1"
    assert "A1:AO1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A1"].font.bold and ws["A1"].font.size == 16
    # two header rows: the day grid under its spanning group
    assert row_values(ws, 3, 1, 7) == [
        "序号",
        "上月留存/本月新增",
        "客户",
        "意向车型",
        "信息来源",
        "月初级别",
        "月末级别",
    ]
    assert ws.cell(row=3, column=8).value == "每日接触(*为预定)"
    assert row_values(ws, 4, 8, 10) == ["1", "2", "3"]
    assert row_values(ws, 3, 39, 41) == ["接触次数", "结案", "结案日期"]
    assert ws["A3"].font.bold and ws["A3"].border.left.style == "thin"
    # rows: carried over (highest grade first), then new in order of creation
    assert [ws.cell(row=r, column=3).value for r in range(5, 12)] == [
        "留存H",
        "留存A",
        "留存B",
        "留存C",
        "新增1",
        "新增2",
        "新增3",
    ]
    first = row_values(ws, 5)
    assert first[:7] == [1, "上月留存", "留存H", "途胜", None, "H", "H"]
    days = first[7:38]
    assert {i + 1: v for i, v in enumerate(days) if v} == {3: "电", 8: "试", 10: "*", 12: "订"}
    assert first[38:] == [3, "成交", dt.datetime(2026, 10, 12)]
    assert ws.cell(row=5, column=41).number_format == "yyyy-mm-dd"
    assert row_values(ws, 9, 1, 7) == [5, "本月新增", "新增1", "途胜", "路过", None, "A"]
    assert ws.cell(row=9, column=7 + 5).value == "电*"
    # the close ratios under the grid
    top = find_row(ws, "上月留存与本月新增的成交比例")
    assert row_values(ws, top + 1, 1, 6) == [
        None,
        "意向客户数",
        "本月订单数",
        "成交比例",
        "战败",
        "失控",
    ]
    assert row_values(ws, top + 3, 1, 6) == ["上月留存", 4, 1, 0.25, 1, 0]
    assert row_values(ws, top + 4, 1, 3) == ["本月新增", 3, 1]
    assert row_values(ws, top + 5, 1, 3) == ["合计", 7, 2]
    assert ws.cell(row=top + 3, column=4).number_format == "0.0%"
    assert ws.cell(row=top + 5, column=1).font.bold
    # ready to print
    assert ws.freeze_panes == "D5"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$3:$4"
    record = ExportRecord.objects.get()
    assert (record.kind, record.format, record.rows, record.user) == (
        "contact_status",
        "xlsx",
        7,
        consultant,
    )
    assert (record.date_from, record.date_to) == OCT


def test_contact_status_workbook_of_all_consultants(client, manager, october):
    workbook = download(client, manager, "contact_status_xlsx", month="2026-10", consultant="all")
    assert workbook.sheetnames == ["张伟 C001", "李娜 C002"]
    assert workbook["李娜 C002"]["A1"].value == "北京一店  意向客户接触状况表  李娜  2026年10月"
    assert workbook["李娜 C002"]["C5"].value == "李的订单"


def test_contact_status_workbook_in_english(store, consultant, october):
    report = report_monthly.contact_status(
        user=consultant, store=store, month_start=OCT[0], month_end=OCT[1], consultants=[consultant]
    )
    ws = reread(contact_status_workbook(report, language="en"))["意向客户接触状况表"]
    assert ws["A1"].value == "北京一店  Prospect contact status sheet  张伟  October 2026"
    assert ws["J5"].value == "Tel"


def test_loss_analysis_workbook(client, manager, october):
    workbook = download(client, manager, "losses_xlsx", month="2026-10")
    assert workbook.sheetnames == ["销售促进战败(失控)分析表", "战败(失控)月末汇总"]
    ws = workbook["销售促进战败(失控)分析表"]
    assert ws["A1"].value == "北京一店  销售促进战败(失控)分析表  2026年10月"
    assert "A1:L1" in {str(r) for r in ws.merged_cells.ranges}
    assert row_values(ws, 3) == [
        "序号",
        "日期",
        "类型",
        "客户",
        "意向车型",
        "销售顾问",
        "当时级别",
        "竞品品牌",
        "竞品车型",
        "原因",
        "说明",
        "确认人",
    ]
    assert row_values(ws, 5) == [
        1,
        dt.datetime(2026, 10, 11),
        "战败",
        "留存A",
        "途胜",
        "张伟",
        "A",
        "丰田",
        "凯美瑞",
        "价格",
        "对手降价两万",
        "王经理",
    ]
    assert ws["B5"].number_format == "yyyy-mm-dd"
    assert [ws.cell(row=r, column=4).value for r in (6, 7)] == ["李的失控", "李的战败"]
    waiting = find_row(ws, "等待经理确认(不计入)")
    assert ws.cell(row=waiting + 3, column=4).value == "留存B"
    assert ws.cell(row=waiting + 1, column=12).value == "申请日期"
    assert ws.freeze_panes == "C5" and ws.page_setup.orientation == "landscape"

    summary = workbook["战败(失控)月末汇总"]
    top = find_row(summary, "按原因")
    assert row_values(summary, top + 1) == ["按原因", "战败", "失控", "合计", "占比"]
    assert row_values(summary, top + 3) == ["价格", 2, 0, 2, pytest.approx(2 / 3)]
    reasons = [summary.cell(row=r, column=1).value for r in range(top + 3, top + 12)]
    assert reasons == ["价格", "产品", "品牌", "服务", "金融", "交期", "置换", "距离", "其他"]
    assert row_values(summary, top + 12) == ["合计", 2, 1, 3, 1]
    assert summary.cell(row=top + 3, column=5).number_format == "0.0%"
    competitor = find_row(summary, "按竞品")
    assert row_values(summary, competitor + 3) == ["丰田 凯美瑞", 2, 0, 2, pytest.approx(2 / 3)]
    consultant = find_row(summary, "按销售顾问")
    assert row_values(summary, consultant + 3, 1, 3) == ["李娜", 1, 1]
    grade = find_row(summary, "按当时级别")
    assert [summary.cell(row=r, column=1).value for r in range(grade + 3, grade + 6)] == [
        "A",
        "B",
        "C",
    ]
    assert ExportRecord.objects.get().rows == 4


def test_loss_analysis_workbook_without_records(store, manager):
    analysis = report_monthly.loss_analysis(
        user=manager, store=store, month_start=OCT[0], month_end=OCT[1]
    )
    ws = reread(loss_analysis_workbook(analysis))["销售促进战败(失控)分析表"]
    assert ws["A5"].value == "本月没有已确认的记录。"
