"""The dashboard screens: who may open them, what they show, the rows behind each number."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from showroom.customers.models import Customer
from showroom.kpi.tests.test_dashboard import SHANGHAI, d, lead, month, t, three_stores, walk_in
from showroom.organization.choices import Role
from showroom.sales.models import Order
from tests import factories as f

pytestmark = pytest.mark.django_db

# The hand-built month of test_dashboard (October 2026 at BJ01) and its stores.
month = month
three_stores = three_stores

DASHBOARD = reverse("kpi:dashboard")
BOARD = reverse("kpi:board")
GROUP = reverse("kpi:group")
DRILL = reverse("kpi:drill")


def get(client, user, url, **params):  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client.get(url, params)


@pytest.fixture
def marketing(make_staff, store):  # type: ignore[no-untyped-def]
    return make_staff("market", Role.MARKETING, store=store, full_name="市场部")


# --- who may open what --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "dashboard", "board", "group"),
    [
        (Role.CONSULTANT, 403, 403, 403),
        (Role.RECEPTIONIST, 403, 200, 403),
        (Role.DCC, 403, 403, 403),
        (Role.CRM, 403, 403, 403),
        (Role.MANAGER, 200, 200, 200),
        (Role.ASSISTANT, 200, 200, 403),
        (Role.GENERAL_MANAGER, 200, 200, 200),
        (Role.MARKETING, 200, 403, 403),
    ],
)
def test_who_opens_the_dashboards(client, make_staff, store, role, dashboard, board, group):
    user = make_staff(f"u-{role}", role, store=store)
    assert get(client, user, DASHBOARD).status_code == dashboard
    assert get(client, user, BOARD).status_code == board
    assert get(client, user, GROUP).status_code == group
    assert get(client, user, DRILL, kpi="walkin_batches").status_code == dashboard


def test_anonymous_goes_to_login(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_another_stores_dashboard_is_forbidden(client, manager, other_store):
    assert get(client, manager, DASHBOARD, store="SH01").status_code == 403
    assert get(client, manager, DRILL, kpi="walkin_batches", store="SH01").status_code == 403
    assert get(client, manager, BOARD, store="SH01").status_code == 403


# --- the dashboard ------------------------------------------------------------------------


def test_dashboard_of_the_month_in_chinese(client, manager, month):
    response = get(client, manager, DASHBOARD, month="2026-10")
    assert response.status_code == 200
    html = response.content.decode()
    assert "经营看板 · 北京一店 · 2026年10月" in html
    cards = {item["card"].code: item for item in response.context["cards"]}
    assert cards["walkin_batches"]["card"].text == "6"
    assert cards["walkin_batches"]["url"] == f"{DRILL}?kpi=walkin_batches&month=2026-10"
    # The cohort of October's new prospects; the traffic on its own tiles.
    assert [
        (s["stage"].count, s["conversion"], s["share"]) for s in response.context["stages"]
    ] == [
        (3, "—", "100.0%"),
        (3, "100.0%", "100.0%"),
        (3, "100.0%", "100.0%"),
        (3, "100.0%", "100.0%"),
        (2, "66.7%", "66.7%"),
        (1, "50.0%", "33.3%"),
    ]
    assert response.context["stages"][0]["url"] == f"{DRILL}?kpi=new_prospects&month=2026-10"
    assert [(t["tile"].count, t["url"]) for t in response.context["traffic"]] == [
        (4, f"{DRILL}?kpi=leads&month=2026-10"),
        (6, f"{DRILL}?kpi=walkin_batches&month=2026-10"),
        (3, f"{DRILL}?kpi=retention_rate&month=2026-10&hits=True"),
        (3, f"{DRILL}?kpi=test_drive_rate&month=2026-10&hits=True"),
        (3, f"{DRILL}?kpi=quote_rate&month=2026-10&hits=True"),
    ]
    league = response.context["league"]
    assert [row["label"] for row in league["rows"]] == ["张伟", "李娜"]
    zhang = league["rows"][0]["cells"]
    assert [c["text"] for c in zhang] == ["3", "50.0%", "66.7%", "33.3%", "1", "1", "50.0%"]
    assert zhang[0]["url"] == (
        f"{DRILL}?kpi=walkin_batches&month=2026-10&by=consultant&key={month['zhang'].pk}"
    )
    charts = response.context["charts"]
    assert charts["heatmap"]["max"] == 2
    # The grid runs 8-9 to 19-20: the store had visits before opening and after closing.
    assert [6, 5, 2] in charts["heatmap"]["cells"]  # Saturday 14-15
    assert charts["heatmap"]["urls"][5][6] == (
        f"{DRILL}?kpi=walkin_batches&month=2026-10&weekday=6&slot=14"
    )
    assert charts["trend"]["months"][-1] == "2026-10"
    assert 'id="dashboard-charts"' in html
    assert "vendor/echarts.min.js" in html


def test_the_running_month_is_counted_again_each_minute_and_after_ones_own_write(
    client, manager, consultant, store
):
    def walk_ins(at: dt.datetime):  # type: ignore[no-untyped-def]
        with time_machine.travel(at, tick=False):
            response = get(client, manager, DASHBOARD)
        cards = {item["card"].code: item["card"] for item in response.context["cards"]}
        return cards["walkin_batches"].text, response

    at = dt.datetime(2026, 10, 20, 9, 30, tzinfo=SHANGHAI)
    with time_machine.travel(at, tick=False):  # today's rows: the past months stay as they are
        walk_in(store, consultant, d(10, 20), t(9))
    text, response = walk_ins(at)
    assert text == "1"
    assert response.context["as_of"] == at
    assert "本月至今，截至 09:30 的数据（每分钟重新统计）。" in response.content.decode()
    # The front desk logs a party: the manager sees it within the minute, not at once.
    with time_machine.travel(at, tick=False):
        walk_in(store, consultant, d(10, 20), t(9, 20))
    assert walk_ins(at + dt.timedelta(seconds=30))[0] == "1"
    text, response = walk_ins(at + dt.timedelta(seconds=61))
    assert (text, response.context["as_of"]) == ("2", at + dt.timedelta(seconds=61))
    # The manager's own write shows on the next visit.
    with time_machine.travel(at + dt.timedelta(seconds=70), tick=False):
        logged = client.post(
            reverse("traffic:log_walkin"),
            {"party_size": "1", "visit_type": "first", "consultant": consultant.pk},
        )
    assert logged.status_code == 302
    assert walk_ins(at + dt.timedelta(seconds=75))[0] == "3"
    # A month over is exact, with no time to say.
    with time_machine.travel(at, tick=False):
        past = get(client, manager, DASHBOARD, month="2026-09")
    assert past.context["as_of"] is None
    assert "每分钟重新统计" not in past.content.decode()


def test_dashboard_shows_targets_cross_check_and_diagnostics(client, manager, month):
    response = get(client, manager, DASHBOARD, month="2026-10")
    (panel,) = response.context["panels"]
    assert panel.template == "targets/dashboard_progress.html"
    progress = panel.context["progress"]
    assert (progress.achieved, progress.target_deliveries) == (2, None)
    assert response.context["crosscheck_open"] == 0
    assert response.context["crosscheck_url"] == reverse("crm:crosscheck")
    assert isinstance(response.context["findings"], list)
    html = response.content.decode()
    assert "本月交车（未设目标）" in html
    assert "未处理的数据交叉比对异常" in html
    assert 'class="diagnostics"' in html


def test_dashboard_for_marketing_says_rows_are_not_theirs(client, marketing, month):
    response = get(client, marketing, DASHBOARD, month="2026-10")
    assert response.status_code == 200
    assert response.context["rows_visible"] is False
    cards = {item["card"].code: item["card"] for item in response.context["cards"]}
    assert cards["walkin_batches"].text == "6"  # the store's numbers all the same
    assert response.context["crosscheck_url"] is None  # the cross-check is not theirs
    # No links to rows they may not read.
    assert cards["walkin_batches"] and response.context["cards"][0]["url"] == ""
    assert all(not c["url"] for row in response.context["league"]["rows"] for c in row["cells"])
    assert set(response.context["charts"]["heatmap"]["urls"][0]) == {""}
    assert f'href="{DRILL}' not in response.content.decode()


def test_group_analyst_picks_the_store(client, group_analyst, three_stores, month):
    response = get(client, group_analyst, DASHBOARD, month="2026-10", store="SH01")
    assert response.status_code == 200
    assert response.context["store"].code == "SH01"
    assert [s.code for s in response.context["stores"]] == ["BJ01", "GZ01", "SH01"]
    cards = {item["card"].code: item for item in response.context["cards"]}
    assert cards["walkin_batches"]["card"].text == "6"
    assert cards["walkin_batches"]["url"] == f"{DRILL}?kpi=walkin_batches&month=2026-10&store=SH01"


def test_a_bad_month_says_so_and_shows_this_month(client, manager, store):
    with time_machine.travel(dt.datetime(2026, 10, 3, 15, 0, tzinfo=SHANGHAI), tick=False):
        response = get(client, manager, DASHBOARD, month="2026-13")
    assert response.context["month"] == "2026-10"
    assert "“2026-13”不是月份（YYYY-MM）。" in response.content.decode() or any(
        "2026-13" in str(m) for m in response.context["messages"]
    )


def test_dashboard_queries_do_not_grow_with_consultants_and_days(
    client, manager, store, month, make_staff
):
    client.force_login(manager)
    # The clock stands still, so that a slow run never adds the session's idle-time write.
    now = timezone.now()

    def queries(*, cold: bool = True) -> int:
        if cold:  # past periods' figures are cached (kpi.selectors.past_kpis)
            cache.clear()
        with (
            time_machine.travel(now, tick=False),
            CaptureQueriesContext(connection) as q,
        ):
            assert client.get(DASHBOARD, {"month": "2026-10"}).status_code == 200
        return len(q.captured_queries)

    before = queries()
    assert queries(cold=False) < before
    for i in range(6):
        extra = make_staff(f"more{i}", Role.CONSULTANT, store=store, full_name=f"新顾问{i}")
        for day in range(1, 31, 2):
            walk_in(store, extra, d(10, day), t(10 + i), model=f"车型{i}")
    assert queries() == before
    # The dashboard's own selectors take at most 34; diagnostics, targets and the
    # cross-check add their own fixed handful.
    assert before <= 80


# --- the wall board -----------------------------------------------------------------------


def test_board_today_and_month(client, receptionist, month):
    with time_machine.travel(dt.datetime(2026, 10, 3, 15, 0, tzinfo=SHANGHAI), tick=False):
        response = get(client, receptionist, BOARD)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<nav" not in html  # no navigation chrome on the wall
    assert 'hx-trigger="every 60s"' in html
    assert f'hx-get="{BOARD}?panel=1"' in html
    today = response.context["today"]
    assert (today.walk_ins, today.in_showroom, today.calls, today.test_drives, today.orders) == (
        2,
        1,
        1,
        1,
        1,
    )
    assert [(p.name, p.orders, p.deliveries) for p in response.context["progress"]][:2] == [
        ("张伟", 1, 0),
        ("李娜", 0, 0),
    ]
    # Month to date (10-01 … 10-03): the new prospects 甲 and 乙, both came and reached a
    # quote, 甲 ordered.
    assert [s["value"] for s in response.context["funnel"]] == [2, 2, 2, 2, 1, 0]


def test_board_panel_is_the_polled_fragment(client, manager, month):
    with time_machine.travel(dt.datetime(2026, 10, 3, 15, 0, tzinfo=SHANGHAI), tick=False):
        response = get(client, manager, BOARD, panel="1")
    html = response.content.decode()
    assert html.lstrip().startswith('<main id="board"')
    assert "<html" not in html


# --- stores side by side ------------------------------------------------------------------


def test_group_ranks_stores_on_the_kpi_asked_for(client, group_analyst, three_stores):
    response = get(client, group_analyst, GROUP, month="2026-10", kpi="lead_response_minutes")
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(r["store"].code, r["rank"], r["value"]) for r in rows] == [
        ("SH01", 1, "5.0"),
        ("BJ01", 2, "20.0"),
        ("GZ01", None, "—"),
    ]
    assert response.context["total"] == "10.0"
    assert rows[0]["url"] == f"{DRILL}?kpi=lead_response_minutes&month=2026-10&store=SH01"
    assert "source_mix" not in [k.code for k in response.context["choices"]]


def test_group_rejects_an_unknown_kpi(client, group_analyst, three_stores):
    response = get(client, group_analyst, GROUP, month="2026-10", kpi="nonsense")
    assert response.context["kpi"].code == "deliveries"


def test_group_for_a_one_store_manager(client, manager, month):
    response = get(client, manager, GROUP, month="2026-10")
    assert response.status_code == 200
    assert response.context["one_store"] is True
    assert [r["store"].code for r in response.context["rows"]] == ["BJ01"]


def test_group_page_of_the_running_month_says_as_of_when(client, group_analyst, three_stores):
    cache.clear()
    at = dt.datetime(2026, 10, 20, 9, 30, tzinfo=SHANGHAI)
    with time_machine.travel(at, tick=False):
        running = get(client, group_analyst, GROUP, month="2026-10")
        past = get(client, group_analyst, GROUP, month="2026-09")
    assert running.context["as_of"] == at
    assert "本月至今，截至 09:30 的数据（每分钟重新统计）。" in running.content.decode()
    assert past.context["as_of"] is None
    assert "每分钟重新统计" not in past.content.decode()


def test_group_table_is_rendered_again_for_each_counting_and_language(
    client, group_analyst, three_stores
):
    """The table is kept with the figures it shows: the same minute's figures give the same
    table, a new counting (the user's own write) a new one, and each language its own."""
    from showroom.core.writes import note_write

    def walk_ins(at: dt.datetime, language: str = "zh-hans") -> tuple[str, str]:
        with time_machine.travel(at, tick=False):
            client.force_login(group_analyst)
            client.cookies["django_language"] = language
            html = client.get(GROUP, {"month": "2026-10", "kpi": "walkin_batches"}).content
        row = html.decode().split('data-store="BJ01"')[1].split("</tr>")[0]
        return row.split('class="num ranked">')[1].split("</a>")[0].rsplit(">", 1)[1], html.decode()

    cache.clear()
    at = dt.datetime(2026, 10, 20, 9, 30, tzinfo=SHANGHAI)
    before, html = walk_ins(at)
    assert ">排名</th>" in html
    store = three_stores[0]
    consultant = f.StaffFactory(store=store)
    with time_machine.travel(at, tick=False):
        walk_in(store, consultant, d(10, 20), t(9))
    # Within the minute, the figures and their table are reused…
    assert walk_ins(at + dt.timedelta(seconds=10))[0] == before
    # …except for a user who has written since: counted again, a new table.
    with time_machine.travel(at + dt.timedelta(seconds=20), tick=False):
        note_write(group_analyst.pk)
    again, _html = walk_ins(at + dt.timedelta(seconds=30))
    assert int(again) == int(before) + 1
    english = walk_ins(at + dt.timedelta(seconds=40), language="en")[1]
    assert ">Rank</th>" in english
    assert ">排名</th>" not in english


def test_group_page_queries_do_not_grow_with_stores(client, group_analyst, three_stores):
    client.force_login(group_analyst)
    with CaptureQueriesContext(connection) as q:
        client.get(GROUP, {"month": "2026-10", "kpi": "close_rate"})
    before = len(q.captured_queries)
    for i in range(4):
        extra = f.StoreFactory(code=f"X{i:02d}", name=f"新店{i}")
        walk_in(extra, f.StaffFactory(store=extra), d(10, 2), t(10))
    with CaptureQueriesContext(connection) as q:
        client.get(GROUP, {"month": "2026-10", "kpi": "close_rate"})
    assert len(q.captured_queries) == before


# --- drill-down ---------------------------------------------------------------------------


def drill(client, user, **params):  # type: ignore[no-untyped-def]
    return get(client, user, DRILL, month="2026-10", **params)


def cells(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return [line.cells for line in response.context["lines"]]


def test_drill_walk_ins_of_the_month(client, manager, month, other_store, make_staff):
    liu = make_staff("liu", Role.CONSULTANT, store=other_store)
    walk_in(other_store, liu, d(10, 2), t(10), name="外店")
    response = drill(client, manager, kpi="walkin_batches")
    assert response.status_code == 200
    rows = cells(response)
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("2026-10-01", "09:30", "甲"),
        ("2026-10-01", "10:15", "乙"),
        ("2026-10-03", "14:05", ""),
        ("2026-10-03", "14:40", "甲"),
        ("2026-10-04", "08:10", "丙"),
        ("2026-10-10", "19:30", "丁"),
    ]
    assert rows[0][3] == "13900000001"  # the manager reads phone numbers


def test_drill_a_rates_numerator(client, manager, month):
    response = drill(client, manager, kpi="test_drive_rate", hits="1")
    assert [r[1] for r in cells(response)] == ["09:30", "14:40", "19:30"]
    response = drill(client, manager, kpi="retention_rate", hits="1")
    assert [r[2] for r in cells(response)] == ["甲", "乙", "丁"]
    response = drill(client, manager, kpi="retention_rate")
    assert len(cells(response)) == 5  # the first visits
    assert response.context["hits_url"].endswith("&hits=1")


def test_drill_one_consultant(client, manager, month):
    response = drill(client, manager, kpi="walkin_batches", by="consultant", key=month["li"].pk)
    assert [r[2] for r in cells(response)] == ["乙", "丙", "丁"]
    assert "顾问：李娜" in response.content.decode() or "李娜" in response.context["filters"][0]


def test_drill_source_model_and_none(client, manager, month):
    response = drill(client, manager, kpi="walkin_batches", by="source", key="friend")
    assert [r[2] for r in cells(response)] == ["丙", "丁"]
    response = drill(client, manager, kpi="walkin_batches", by="source", key="(none)")
    assert [r[1] for r in cells(response)] == ["14:05"]
    response = drill(client, manager, kpi="deliveries", by="model", key="名图")
    assert [r[0] for r in cells(response)] == ["2026-10-05"]  # O3, delivered in October
    response = drill(client, manager, kpi="leads", by="source", key="friend")
    assert len(cells(response)) == 1
    assert "<th>创建时间</th>" in response.content.decode()  # not Django's status word 已创建


def test_drill_heatmap_cell(client, manager, month):
    response = drill(client, manager, kpi="walkin_batches", weekday="6", slot="14")
    assert [r[1] for r in cells(response)] == ["14:05", "14:40"]
    response = drill(client, manager, kpi="walkin_batches", weekday="7", slot="8")
    assert [r[1] for r in cells(response)] == ["08:10"]  # before opening: its own hour
    response = drill(client, manager, kpi="walkin_batches", weekday="7", slot="9")
    assert cells(response) == []


def test_drill_orders_deliveries_and_the_other_side_of_a_rate(client, manager, month):
    response = drill(client, manager, kpi="orders")
    assert [r[2] for r in cells(response)] == ["甲", "丁"]  # the cancelled order is no order
    response = drill(client, manager, kpi="close_rate")
    assert response.context["other"].code == "first_visit_batches"
    assert response.context["other_url"] == f"{DRILL}?kpi=first_visit_batches&month=2026-10"
    response = drill(client, manager, kpi="deliveries")
    assert [r[2] for r in cells(response)] == ["戊", "甲"]


def test_drill_cards_by_grade_at_the_end(client, manager, month):
    response = drill(client, manager, kpi="new_prospects")
    assert sorted(r[1] for r in cells(response)) == ["丁", "乙", "甲"]
    response = drill(client, manager, kpi="prospects_B")
    # Open at 10-31 with grade B: 乙 (its only order was cancelled); 甲 丁 戊 ordered.
    assert [r[1] for r in cells(response)] == ["乙"]


def test_drill_for_marketing_shows_no_rows(client, marketing, month):
    response = drill(client, marketing, kpi="walkin_batches")
    assert response.status_code == 200
    assert response.context["rows_visible"] is False
    assert cells(response) == []


def test_drill_masks_phones_for_the_group_analyst(client, group_analyst, month):
    response = drill(client, group_analyst, kpi="walkin_batches", store="BJ01")
    assert cells(response)[0][3] == "139****0001"


def test_drill_links_rows_only_to_screens_the_user_may_open(client, manager, group_analyst, month):
    # The manager opens the cards, orders and losses behind the numbers.
    card = Customer.objects.get(name="甲")
    walk_ins = drill(client, manager, kpi="walkin_batches")
    assert walk_ins.context["lines"][0].url == reverse("customers:card", args=[card.pk])
    orders = drill(client, manager, kpi="orders")
    ordered = Order.objects.filter(customer__name__in=["甲", "丁"]).order_by("order_date")
    assert [line.url for line in orders.context["lines"]] == [
        reverse("deals:order_detail", args=[o.pk]) for o in ordered
    ]
    # The group reads the rows but the table opens no card or order to it: no link, no 403.
    for kpi in ("walkin_batches", "orders", "new_prospects"):
        response = drill(client, group_analyst, kpi=kpi, store="BJ01")
        assert response.context["lines"], kpi
        assert [line.url for line in response.context["lines"]] == [None] * len(
            response.context["lines"]
        )
        assert "/customers/" not in response.content.decode()


def test_dashboard_links_only_to_screens_the_user_may_open(
    client, manager, group_analyst, marketing, three_stores, make_staff, store
):
    assistant = make_staff("assist", Role.ASSISTANT, store=store)
    links = {}
    for user in (manager, assistant, marketing, group_analyst):
        context = get(client, user, DASHBOARD, month="2026-10", store="BJ01").context
        links[user.username] = (
            context["board_url"],
            context["group_url"],
            context["crosscheck_url"],
        )
    assert links == {
        "boss": (BOARD, None, reverse("crm:crosscheck")),  # one store: no side by side
        "assist": (BOARD, None, None),
        "market": (None, None, None),
        "group": (None, GROUP, None),
    }


def test_drill_pages_of_fifty(client, manager, store, consultant):
    for i in range(60):
        walk_in(store, consultant, d(10, 1 + i % 28), t(10), name=f"客{i}")
    response = drill(client, manager, kpi="walkin_batches")
    assert len(cells(response)) == 50
    assert response.context["page"].paginator.num_pages == 2
    response = drill(client, manager, kpi="walkin_batches", page="2")
    assert len(cells(response)) == 10


def test_drill_unknown_kpi_is_not_found(client, manager):
    assert get(client, manager, DRILL, kpi="nonsense").status_code == 404


def test_drill_a_day(client, manager, month):
    response = get(client, manager, DRILL, kpi="leads", day="2026-10-02")
    assert len(cells(response)) == 1
    assert response.context["period"] == "2026-10-02"


def test_lead_rows_keep_shanghai_dates(store):
    row = lead(store, d(10, 1), "internet")
    assert row.date == d(10, 1)


@time_machine.travel(dt.datetime(2026, 10, 20, 4, 0, tzinfo=dt.UTC), tick=False)
def test_the_monthly_report_is_one_click_from_the_dashboard(client, manager, marketing, store):
    page = get(client, manager, DASHBOARD, month="2026-09")
    url = reverse("kpi:report_xlsx") + f"?month=2026-09&store={store.code}"
    assert page.context["report_url"] == url
    assert f'href="{url.replace("&", "&amp;")}" download>月度报告(Excel)</a>' in (
        page.content.decode()
    )
    workbook = client.get(url)
    assert workbook.status_code == 200
    assert workbook["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    # Marketing reads the dashboard but not the management report: no link.
    assert get(client, marketing, DASHBOARD).context["report_url"] is None
