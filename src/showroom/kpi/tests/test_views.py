"""The monthly statistics screens and their download."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from showroom.kpi.tests import test_reports as month
from showroom.organization.choices import Role
from tests import factories as f

pytestmark = pytest.mark.django_db

october = month.october
october_calls = month.october_calls
URL = reverse("kpi:monthly")


def get(client, user, **params):  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client.get(URL, params)


def slot_counts(response, day: int) -> list[int]:  # type: ignore[no-untyped-def]
    return [cell["n"] for cell in response.context["days"][day - 1]["slots"]]


def cell_texts(cells) -> list[str]:  # type: ignore[no-untyped-def]
    return [c["text"] for c in cells]


def test_manager_sees_the_store_month_in_chinese(client, manager, october, october_calls):
    response = get(client, manager, month="2026-10")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "展厅来店统计表(月) · 北京一店 · 2026年10月" in html
    assert "各时段首次来店批数" in html
    assert "下载Excel" in html
    assert slot_counts(response, 1) == [2, 0, 0, 0, 1, 0, 0, 0, 2]
    # first, repeat, total, people, kept, retention …
    first_day = cell_texts(response.context["days"][0]["cells"])
    assert first_day[:6] == ["5", "1", "6", "9", "3", "60.0%"]
    assert cell_texts(response.context["days"][1]["cells"])[5] == "—"
    assert [row["name"] for row in response.context["consultants"]] == ["张伟", "李娜"]
    zhang = cell_texts(response.context["consultants"][0]["cells"])
    assert zhang[:5] == ["4", "1", "5", "3", "75.0%"]
    assert [row["label"] for row in response.context["months"]] == [
        "本月",
        "前1个月",
        "前2个月",
        "前3个月",
        "去年同月",
    ]
    assert response.context["chart"]["first"][:3] == [5, 0, 0]
    assert response.context["chart"]["retention"][:2] == [60.0, None]


def test_busy_slots_are_heat_coloured(client, manager, october):
    response = get(client, manager, month="2026-10")
    first_day = response.context["days"][0]["slots"]
    assert [cell["heat"] for cell in first_day] == ["1.00", "", "", "", "0.50", "", "", "", "1.00"]
    assert 'style="--h:1.00"' in response.content.decode()


def test_an_early_visit_gets_its_own_hour_on_the_page(client, manager, store, consultant):
    f.WalkInFactory(
        store=store, consultant=consultant, date=dt.date(2026, 10, 6), arrived_at=dt.time(7, 1)
    )
    response = get(client, manager, month="2026-10")
    assert [s.label for s in response.context["report"].slots][:3] == ["7-8", "8-9", "9-10"]
    assert slot_counts(response, 6)[:3] == [1, 0, 0]
    assert response.content.decode().count('title="营业时间外"') == 2


def test_chart_uses_the_local_echarts(client, manager, october):
    html = get(client, manager, month="2026-10").content.decode()
    assert '<script src="/static/vendor/echarts.min.js">' in html
    # Every script, style and link of the page is the server's own (the page's random CSRF
    # token may spell anything, so only the addresses are read).
    addresses = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert addresses
    assert [a for a in addresses if "//" in a or "cdn" in a.lower()] == []
    assert 'id="daily-chart-data"' in html


def test_calls_tab(client, manager, october_calls):
    response = get(client, manager, month="2026-10", kind="calls")
    assert response.context["report"].kind == "calls"
    html = response.content.decode()
    assert "展厅来电统计表(月)" in html
    assert "各时段首次来电数" in html
    assert slot_counts(response, 1) == [1, 0, 0, 1, 0, 0, 0, 0, 1]
    assert cell_texts(response.context["total_cells"])[:5] == ["3", "1", "4", "2", "66.7%"]


def test_consultant_sees_only_own_statistics(client, consultant, october):
    response = get(client, consultant, month="2026-10")
    assert response.status_code == 200
    assert [row["name"] for row in response.context["consultants"]] == ["张伟"]
    assert slot_counts(response, 1) == [2, 0, 0, 0, 0, 0, 0, 0, 0]
    assert cell_texts(response.context["total_cells"])[:3] == ["4", "1", "5"]
    assert response.context["own_only"]
    assert "李娜" not in response.content.decode()


def test_consultant_download_is_scoped_too(client, consultant, october):
    client.force_login(consultant)
    response = client.get(reverse("kpi:monthly_xlsx"), {"month": "2026-10"})
    ws = load_workbook(io.BytesIO(response.content))["展厅来店统计表"]
    assert ws["L36"].value == 4  # month total of first visits: his own four
    names = {ws.cell(row=r, column=1).value for r in range(1, ws.max_row + 1)}
    assert "张伟" in names
    assert "李娜" not in names


def test_marketing_reads_the_store_aggregates(client, make_staff, store, october):
    marketing = make_staff("mkt", Role.MARKETING, store=store)
    response = get(client, marketing, month="2026-10")
    assert cell_texts(response.context["total_cells"])[0] == "7"


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.DCC])
def test_roles_without_statistics_are_refused(client, make_staff, store, role):
    assert get(client, make_staff(f"u_{role}", role, store=store)).status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(settings.LOGIN_URL))


def test_group_analyst_picks_a_store(client, group_analyst, store, other_store, october):
    response = get(client, group_analyst, month="2026-10", store="SH01")
    assert response.context["store"] == other_store
    assert cell_texts(response.context["total_cells"])[0] == "1"
    assert [s.code for s in response.context["stores"]] == ["BJ01", "SH01"]
    assert "store=SH01" in response.context["download_url"]
    assert get(client, group_analyst, store="NOPE").status_code == 403


def test_a_store_manager_cannot_read_another_store(client, manager, other_store):
    assert get(client, manager, store="SH01").status_code == 403


def test_default_month_is_the_stores_current_month(client, manager):
    # 2026-10-31 17:30 UTC is already November the 1st in Shanghai.
    with time_machine.travel(dt.datetime(2026, 10, 31, 17, 30, tzinfo=dt.UTC), tick=False):
        response = get(client, manager)
    assert response.context["month"] == "2026-11"
    assert len(response.context["days"]) == 30


def test_a_bad_month_is_reported_and_the_current_month_shown(client, manager):
    with time_machine.travel(dt.datetime(2026, 10, 10, 4, tzinfo=dt.UTC), tick=False):
        response = get(client, manager, month="2026-13")
    assert response.context["month"] == "2026-10"
    assert "“2026-13”不是月份(YYYY-MM)。" in response.content.decode()


def test_english_on_request(client, manager, october):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = get(client, manager, month="2026-10").content.decode()
    assert "Monthly showroom walk-in statistics · 北京一店 · October 2026" in html
    assert "First visits per hour" in html


def test_download(client, manager, october, october_calls):
    client.force_login(manager)
    response = client.get(reverse("kpi:monthly_xlsx"), {"month": "2026-10"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response["Content-Disposition"]
    assert "BJ01_2026-10.xlsx" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["展厅来店统计表", "展厅来电统计表"]
    assert workbook["展厅来店统计表"]["L36"].value == 7
    assert workbook["展厅来电统计表"]["L36"].value == 3


def test_page_queries_do_not_grow_with_the_month(client, manager, store, consultant):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL, {"month": "2026-10"}).status_code == 200
        return len(ctx.captured_queries)

    client.force_login(manager)
    month.walk_in(store, consultant, dt.date(2026, 10, 1), "10:00")
    small = queries()
    people = [f.StaffFactory(store=store, username=f"p{i}", staff_code=f"P{i}") for i in range(6)]
    for day in range(1, 32):
        for person in people:
            month.walk_in(store, person, dt.date(2026, 10, day), "15:00", kept_by_name=True)
    assert queries() == small


def overview_rows(response) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    return {row["code"]: row for row in response.context["rows"]}


def test_overview_lists_the_traffic_kpis_of_the_month(client, manager, october, october_calls):
    client.force_login(manager)
    response = client.get(reverse("kpi:overview"), {"month": "2026-10"})
    assert response.status_code == 200
    rows = overview_rows(response)
    assert rows["first_visit_batches"]["name"] == "首次来店批数"
    first = rows["first_visit_batches"]
    assert (first["value"], first["before"]) == ("7", "2")
    assert rows["first_visit_batches"]["trend"] == "better"
    assert rows["retention_rate"]["value"] == "71.4%"  # 5 of 7
    assert rows["retention_rate"]["before"] == "0.0%"
    assert rows["call_batches"]["value"] == "4"
    assert "orders" not in rows  # not a traffic KPI
    html = response.content.decode()
    assert "来店客户留档率" in html
    assert "71.4%" in html


def test_overview_in_english(client, manager, october):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(manager)
    response = client.get(reverse("kpi:overview"), {"month": "2026-10"})
    assert overview_rows(response)["first_visit_batches"]["name"] == "First-visit parties"


def test_overview_is_for_store_wide_readers(client, consultant):
    client.force_login(consultant)
    assert client.get(reverse("kpi:overview")).status_code == 403
