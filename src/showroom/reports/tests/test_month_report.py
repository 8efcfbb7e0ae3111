"""The monthly management report workbook, read back with openpyxl (on test_value's October)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from showroom.kpi.dashboard import diagnostics
from showroom.kpi.dashboard.diagnostics import diagnose
from showroom.kpi.registry import REGISTRY, implemented_codes
from showroom.kpi.selectors import compute_kpis
from showroom.kpi.tests.test_value import OCT, build_value_month
from showroom.organization.choices import Role
from showroom.reports.month_report.workbook import LEAGUE_CODES, build_report_workbook
from showroom.targets.models import StoreTarget
from showroom.traffic.choices import VisitType
from tests import factories as f

pytestmark = pytest.mark.django_db

SHEETS = [
    "封面",
    "KPI指标",
    "销售漏斗",
    "顾问排名",
    "来源与车型",
    "客流热力图",
    "诊断",
    "目标",
    "价值",
]
SEP = (dt.date(2026, 9, 1), dt.date(2026, 9, 30))
OCT_2025 = (dt.date(2025, 10, 1), dt.date(2025, 10, 31))


@pytest.fixture(autouse=True)
def _frozen(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(dt.datetime(2026, 11, 15, 9, 0, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def month(store, consultant, consultant2):  # type: ignore[no-untyped-def]
    build_value_month(store, consultant)
    # Walk-ins: three in October (Thursday 10-01 at 10:xx twice, Saturday 10-03 at 15:xx),
    # one in September, one in October 2025.
    for day, hour, who, kept in (
        ("2026-10-01", 10, consultant, True),
        ("2026-10-01", 10, consultant2, False),
        ("2026-10-03", 15, consultant, True),
        ("2026-09-10", 11, consultant, True),
        ("2025-10-10", 11, consultant2, True),
    ):
        f.WalkInFactory(
            store=store,
            date=dt.date.fromisoformat(day),
            arrived_at=dt.time(hour, 20),
            consultant=who,
            visit_type=VisitType.FIRST,
            phone="13800000001" if kept else "",
            name="访客" if kept else "",
            contact_kept=kept,
        )


def reread(workbook: Workbook) -> Workbook:
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return load_workbook(buffer)


@pytest.fixture
def workbook(month, store):  # type: ignore[no-untyped-def]
    return reread(build_report_workbook(store=store, month_start=OCT[0]))


def close(value):  # type: ignore[no-untyped-def]
    return value if value is None else pytest.approx(value, rel=1e-14)


def rows_by_first_cell(ws) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {
        ws.cell(row=r, column=1).value: r
        for r in range(1, ws.max_row + 1)
        if ws.cell(row=r, column=1).value is not None
    }


def test_sheet_names_in_chinese(workbook):
    assert workbook.sheetnames == SHEETS


def test_cover(workbook, store):
    ws = workbook["封面"]
    assert ws["A1"].value == "月度经营报告"
    rows = rows_by_first_cell(ws)
    assert ws.cell(row=rows["门店"], column=2).value == "北京一店 (BJ01)"
    assert ws.cell(row=rows["月份"], column=2).value == "2026年10月"
    assert ws.cell(row=rows["生成时间"], column=2).value == "2026-11-15 17:00"
    # The contents link to the sheets.
    contents = rows["目录"]
    assert [ws.cell(row=contents + i, column=1).value for i in range(1, 9)] == SHEETS[1:]
    assert ws.cell(row=contents + 1, column=1).hyperlink.location == "'KPI指标'!A1"


def test_kpi_table_holds_compute_kpis(workbook, store):
    ws = workbook["KPI指标"]
    assert ws["A1"].value == "北京一店  KPI指标  2026年10月"
    assert [ws.cell(row=4, column=c).value for c in range(1, 8)] == [
        "指标",
        "本月",
        "上月",
        "去年同月",
        "环比",
        "同比",
        "好的方向",
    ]
    current = compute_kpis(stores=[store], start=OCT[0], end=OCT[1])
    before = compute_kpis(stores=[store], start=SEP[0], end=SEP[1])
    year = compute_kpis(stores=[store], start=OCT_2025[0], end=OCT_2025[1])
    codes = [c for c in implemented_codes() if REGISTRY[c].kind != "mapping"]
    by_code = {ws.cell(row=r, column=8).value: r for r in range(5, 5 + len(codes))}
    assert list(by_code) == codes
    for code in codes:
        row = by_code[code]
        assert ws.cell(row=row, column=1).value == REGISTRY[code].name_zh
        # Excel keeps 15 significant digits.
        assert [ws.cell(row=row, column=c).value for c in (2, 3, 4)] == [
            close(current[code]),
            close(before[code]),
            close(year[code]),
        ], code
    # Formats: rates as %, counts as integers, averages to one decimal.
    deliveries, insurance = by_code["deliveries"], by_code["insurance_penetration"]
    assert ws.cell(row=deliveries, column=2).value == 4
    assert ws.cell(row=deliveries, column=2).number_format == "0"
    assert ws.cell(row=insurance, column=2).value == 0.5
    assert ws.cell(row=insurance, column=2).number_format == "0.0%"
    # MoM: September had 1 delivery (c7) with insurance: +300% and +(50% − 100%) = −50 pp.
    assert ws.cell(row=deliveries, column=5).value == 3.0
    assert ws.cell(row=deliveries, column=5).number_format == "+0.0%;-0.0%;0.0%"
    assert ws.cell(row=insurance, column=5).value == -50.0
    assert ws.cell(row=insurance, column=5).number_format == '+0.0" pp";-0.0" pp";0.0" pp"'
    # YoY against October 2025: 1 delivery (c8, not insured): +300% and +50 pp.
    assert ws.cell(row=deliveries, column=6).value == 3.0
    assert ws.cell(row=insurance, column=6).value == 50.0
    # Good is up for both: red for the insurance month over month, green year over year.
    assert ws.cell(row=insurance, column=5).font.color.rgb == "00B3261E"
    assert ws.cell(row=insurance, column=6).font.color.rgb == "001E7B34"
    # A count with nothing the month before has no percentage change (no leads in September).
    assert ws.cell(row=by_code["leads"], column=5).value is None
    assert ws.cell(row=deliveries, column=7).value == "↑ 越高越好"
    assert ws.cell(row=by_code["lost_rate"], column=7).value == "↓ 越低越好"


def test_print_setup_on_every_sheet(workbook):
    for ws in workbook.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.page_setup.paperSize == 9  # A4
        assert ws.page_setup.fitToWidth == 1
        assert ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.oddFooter.center.text == "&P / &N"
    ws = workbook["KPI指标"]
    assert ws.print_title_rows == "$4:$4"
    assert ws.freeze_panes == "B5"
    assert ws.column_dimensions["A"].width == 24
    assert workbook["顾问排名"].freeze_panes == "C5"


def test_funnel(workbook):
    ws = workbook["销售漏斗"]
    # The cohort of October's new prospects: every card of this month is August's.
    assert ws.cell(row=5, column=1).value == "新增意向客户"
    assert [ws.cell(row=r, column=2).value for r in range(5, 11)] == [0] * 6
    assert [ws.cell(row=r, column=3).value for r in range(5, 11)] == [None] * 6
    # The month's traffic on its own: leads 0, walk-ins 3, kept 2 (of the 3 first visits),
    # test drives 0, quotes 0.
    assert ws.cell(row=14, column=1).value == "本月客流"
    assert [ws.cell(row=r, column=2).value for r in range(16, 21)] == [0, 3, 2, 0, 0]
    assert len(ws._charts) == 1  # the stages as bars


def test_consultant_league(workbook, store):
    ws = workbook["顾问排名"]
    result = compute_kpis(stores=[store], start=OCT[0], end=OCT[1], by="consultant")
    assert ws.cell(row=4, column=2).value == "销售顾问"
    names = [ws.cell(row=r, column=2).value for r in range(5, 5 + len(result))]
    assert names == ["张伟", "李娜"]  # by deliveries: 张伟 sold all
    assert ws.cell(row=5, column=1).value == 1
    deliveries_col = 3 + LEAGUE_CODES.index("deliveries")
    header = ws.cell(row=4, column=deliveries_col).value
    assert header == "交车数(销量)"
    assert ws.cell(row=5, column=deliveries_col).value == result["张伟"]["deliveries"] == 4
    total_row = 5 + len(result)
    assert ws.cell(row=total_row, column=2).value == "合计"


def test_heatmap(workbook):
    ws = workbook["客流热力图"]
    assert ws.cell(row=4, column=2).value == "9-10"
    rows = rows_by_first_cell(ws)
    thursday, saturday = rows["星期四"], rows["星期六"]
    assert ws.cell(row=thursday, column=3).value == 2  # 10-11
    assert ws.cell(row=saturday, column=8).value == 1  # 15-16
    assert ws.cell(row=rows["合计"], column=ws.max_column).value == 3


def test_value_sheet(workbook):
    ws = workbook["价值"]
    rows = rows_by_first_cell(ws)
    total = ws.cell(row=rows["合计"], column=5)
    assert total.value == 5300
    assert total.number_format == "#,##0"
    insurance = rows["保险"]
    assert [ws.cell(row=insurance, column=c).value for c in range(2, 8)] == [
        0.5,
        2,
        1000,
        500,
        2000,
        40,
    ]
    assert ws.cell(row=rows["终身价值(元)"], column=2).value == float(Decimal("10873.35"))


def test_diagnostics_sheet_without_findings(workbook, store):
    ws = workbook["诊断"]
    assert ws["A1"].value == "北京一店  诊断  2026年10月"
    assert diagnose(store=store, start=OCT[0], end=OCT[1]) == []  # too few rows to judge
    assert ws.cell(row=4, column=1).value == "本月没有环节低于基准。"


def test_diagnostics_sheet_lists_the_findings(month, store, monkeypatch):
    finding = diagnostics.Finding(
        code="low_order_rate",
        stage="orders",
        severity=diagnostics.Severity.MEDIUM,
        kpi="order_rate",
        value=0.05,
        benchmark=0.1,
        group=None,
        basis="store",
        gap=-0.05,
        ratio=0.5,
        consultant=diagnostics.ConsultantGap(
            name="李娜", code="order_rate", value=0.02, rows=20, gap=-0.08
        ),
        evidence=(diagnostics.Evidence(code="orders", value=4, benchmark=8.0),),
        actions=diagnostics.RULES["low_order_rate"].actions,
    )
    calls = []

    def fake(**kwargs):  # type: ignore[no-untyped-def]
        calls.append(kwargs)
        return [finding]

    monkeypatch.setattr(diagnostics, "diagnose", fake)
    ws = reread(build_report_workbook(store=store, month_start=OCT[0]))["诊断"]
    assert calls == [{"store": store, "start": OCT[0], "end": OCT[1], "group_stores": None}]
    line = [ws.cell(row=5, column=c).value for c in range(1, 8)]
    assert line == [
        "中",
        "订单",
        str(diagnostics.RULES["low_order_rate"].title),
        "订单率",
        "5.0%",
        "10.0%",
        "李娜 2.0%",
    ]
    assert ws.cell(row=5, column=8).value == "订单数 4 (8)"
    assert ws.cell(row=5, column=9).value.startswith(
        str(diagnostics.RULES["low_order_rate"].actions[0])
    )


def test_targets_sheet(month, store):
    StoreTarget.objects.create(store=store, month=OCT[0], deliveries=10)
    ws = reread(build_report_workbook(store=store, month_start=OCT[0]))["目标"]
    assert ws["A1"].value == "北京一店  目标  2026年10月"
    rows = rows_by_first_cell(ws)
    # Judged on 2026-11-15, after the month: as of its last day, no refill.
    assert "截至 2026-10-31 的进度" in rows
    assert ws.cell(row=rows["交车目标"], column=2).value == 10
    assert ws.cell(row=rows["已完成"], column=2).value == 4
    assert ws.cell(row=rows["剩余"], column=2).value == 6
    assert ws.cell(row=rows["达成率"], column=2).value == 0.4
    assert ws.cell(row=rows["达成率"], column=2).number_format == "0.0%"
    assert "本月已结束：无需补充漏斗。" in rows


def test_command_writes_the_report(month, store, tmp_path):
    out = tmp_path / "report.xlsx"
    call_command("report", "--store", "BJ01", "--month", "2026-10", str(out))
    assert load_workbook(out).sheetnames == SHEETS


def test_download(client, manager, month):
    client.force_login(manager)
    response = client.get(reverse("kpi:report_xlsx"), {"month": "2026-10"})
    assert response.status_code == 200
    assert "月度经营报告_BJ01_2026-10.xlsx" in response["Content-Disposition"] or (
        "BJ01_2026-10.xlsx" in response["Content-Disposition"]
    )
    assert load_workbook(io.BytesIO(response.content)).sheetnames == SHEETS


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.RECEPTIONIST, Role.MARKETING])
def test_download_refused(client, make_staff, store, role):
    client.force_login(make_staff(f"u_{role}", role, store=store))
    assert client.get(reverse("kpi:report_xlsx"), {"month": "2026-10"}).status_code == 403
