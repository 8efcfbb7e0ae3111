"""The dashboard selectors on a month built by hand: October 2026 at BJ01 (张伟 = zhang, 李娜 = li).

Walk-ins (weekday; slot = the hour of arrival, before opening and after closing too):
  W1 10-01 Thu 09:30 first  zhang  A  internet  途胜  kept        TD  quote
  W2 10-01 Thu 10:15 first  li     B  internet  名图  kept            quote
  W3 10-03 Sat 14:05 first  zhang  —  —         途胜  not kept (no name, no phone); left 14:50
  W4 10-03 Sat 14:40 repeat zhang  A  internet  途胜              TD        (still inside)
  W5 10-04 Sun 08:10 first  li     C  friend    名图  kept = no (explicit)
  W6 10-10 Sat 19:30 first  li     D  friend    途胜  kept        TD  quote
  → walk-ins 6, first visits 5, kept 3 (retention 3/5), test drives 3, quotes 3.
Leads: 10-01 internet (answered after 30 min), 10-02 internet (10 min), 10-15 internet,
  10-20 friend → 4; September 09-10 one.
Orders (cards A zhang internet 途胜, D li friend 途胜, E li friend 名图 from September):
  O1 A 10-03 zhang showroom internet 途胜, delivered 10-20
  O2 D 10-12 li    showroom friend   途胜, not delivered
  O3 E 09-20 li    showroom friend   名图, delivered 10-05
  O4 B 10-15 li    cancelled (counts nowhere)
  → October: orders 2, deliveries 2 (O1, O3), showroom orders 2 → close rate 2/5.
September: walk-ins 09-15 first zhang kept, 09-16 first li not kept; order O3.
October 2025: three first visits, none kept; one lead.
Calls: one on 10-03.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from showroom.kpi.cohort import STAGES
from showroom.kpi.dashboard import funnel as dash_funnel
from showroom.kpi.dashboard import selectors as dash
from showroom.kpi.dashboard.funnel import TRAFFIC_CODES
from showroom.kpi.registry import REGISTRY
from showroom.kpi.selectors import NONE_KEY, compute_kpis
from showroom.organization.choices import Role
from showroom.sales.choices import Channel
from showroom.sales.models import Order
from showroom.traffic.choices import VisitType
from showroom.traffic.models import Lead
from tests import factories as f

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
OCT = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))


def d(month: int, day: int, year: int = 2026) -> dt.date:
    return dt.date(year, month, day)


def t(hour: int, minute: int = 0) -> dt.time:
    return dt.time(hour, minute)


def walk_in(store, consultant, day, at, **kw):  # type: ignore[no-untyped-def]
    kw.setdefault("visit_type", VisitType.FIRST)
    return f.WalkInFactory(store=store, consultant=consultant, date=day, arrived_at=at, **kw)


def lead(store, day, channel, *, answered_after: int | None = None, phone: str = ""):  # type: ignore[no-untyped-def]
    created = dt.datetime.combine(day, t(10), tzinfo=SHANGHAI)
    contacted = created + dt.timedelta(minutes=answered_after) if answered_after else None
    return Lead.objects.create(
        store=store,
        created_at=created,
        channel=f.source(channel),
        phone=phone or f"1370000{Lead.objects.count():04d}",
        first_contact_at=contacted,
    )


def order(store, customer, consultant, day, **kw):  # type: ignore[no-untyped-def]
    kw.setdefault("channel", Channel.SHOWROOM)
    kw.setdefault("model", customer.model)
    kw.setdefault("source", customer.source)
    return Order.objects.create(
        store=store, customer=customer, consultant=consultant, order_date=day, **kw
    )


@pytest.fixture
def month(store, consultant, consultant2) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    zhang, li = consultant, consultant2
    internet, friend = f.source("internet"), f.source("friend")
    a = f.CustomerFactory(
        store=store, consultant=zhang, name="甲", phone="13900000001", source=internet,
        model="途胜", created=d(10, 1),
    )  # fmt: skip
    b = f.CustomerFactory(
        store=store, consultant=li, name="乙", phone="13900000002", source=internet,
        model="名图", created=d(10, 1),
    )  # fmt: skip
    dd = f.CustomerFactory(
        store=store, consultant=li, name="丁", phone="13900000004", source=friend,
        model="途胜", created=d(10, 10),
    )  # fmt: skip
    e = f.CustomerFactory(
        store=store, consultant=li, name="戊", phone="13900000005", source=friend,
        model="名图", created=d(9, 1),
    )  # fmt: skip
    walk_in(store, zhang, d(10, 1), t(9, 30), name="甲", phone="13900000001", source=internet,
            model="途胜", test_drive=True, quoted=True, customer=a, left_at=t(10, 30))  # fmt: skip
    walk_in(store, li, d(10, 1), t(10, 15), name="乙", phone="13900000002", source=internet,
            model="名图", quoted=True, left_at=t(11, 0))  # fmt: skip
    walk_in(store, zhang, d(10, 3), t(14, 5), model="途胜", left_at=t(14, 50))
    walk_in(store, zhang, d(10, 3), t(14, 40), name="甲", phone="13900000001", source=internet,
            model="途胜", visit_type=VisitType.REPEAT, test_drive=True)  # fmt: skip
    walk_in(store, li, d(10, 4), t(8, 10), name="丙", phone="13900000003", source=friend,
            model="名图", contact_kept=False, left_at=t(8, 40))  # fmt: skip
    walk_in(store, li, d(10, 10), t(19, 30), name="丁", phone="13900000004", source=friend,
            model="途胜", test_drive=True, quoted=True, left_at=t(20, 30))  # fmt: skip
    # September and October 2025
    walk_in(store, zhang, d(9, 15), t(11), name="己", phone="13900000006", left_at=t(12))
    walk_in(store, li, d(9, 16), t(11), left_at=t(12))
    for day in (3, 4, 5):
        walk_in(store, zhang, d(10, day, 2025), t(15), left_at=t(16))
    # The store's first row: its data reaches back to the first day a year before.
    f.CallFactory(store=store, consultant=zhang, date=d(10, 1, 2025), called_at=t(10))
    f.CallFactory(store=store, consultant=zhang, date=d(10, 3), called_at=t(10))
    lead(store, d(10, 1), "internet", answered_after=30)
    lead(store, d(10, 2), "internet", answered_after=10)
    lead(store, d(10, 15), "internet")
    lead(store, d(10, 20), "friend")
    lead(store, d(9, 10), "internet")
    lead(store, d(10, 10, 2025), "internet")
    order(store, a, zhang, d(10, 3), delivery_date=d(10, 20))
    order(store, dd, li, d(10, 12))
    order(store, e, li, d(9, 20), delivery_date=d(10, 5))
    order(store, b, li, d(10, 15), cancelled=True)
    return {"zhang": zhang, "li": li}


def test_the_month_by_compute_kpis(store, month):
    """The hand count above, as the one KPI computation sees it."""
    codes = [*TRAFFIC_CODES, "orders", "deliveries"]
    kpis = compute_kpis(stores=[store], start=OCT[0], end=OCT[1], codes=codes)
    assert kpis == {
        "walkin_batches": 6,
        "first_visit_batches": 5,
        "retention_rate": 3 / 5,
        "test_drive_rate": 3 / 6,
        "quote_rate": 3 / 6,
        "orders": 2,
        "deliveries": 2,
        "leads": 4,
    }


def test_funnel_is_a_cohort_of_the_month_s_new_prospects(store, month):
    # October's new cards: 甲 (test drive, quote, order 10-03, delivered 10-20), 乙 (a quote,
    # her order cancelled), 丁 (test drive, quote, order 10-12, not delivered). 戊 is
    # September's card: her October delivery is traffic, not this cohort's.
    stages = dash.funnel(stores=[store], start=OCT[0], end=OCT[1])
    assert [(s.key, s.count) for s in stages] == [
        ("prospects", 3),
        ("visited", 3),
        ("test_drive", 3),  # 乙 reached a later stage (the quote): she counts here too
        ("quote", 3),
        ("order", 2),
        ("delivery", 1),
    ]
    assert [s.conversion for s in stages] == [None, 1.0, 1.0, 1.0, 2 / 3, 1 / 2]
    assert [s.share for s in stages] == [1.0, 1.0, 1.0, 1.0, 2 / 3, 1 / 3]
    # Followed to an earlier day: 甲 and 乙 by 10-03, 甲 ordered that day.
    early = dash.funnel(stores=[store], start=OCT[0], end=d(10, 3))
    assert [s.count for s in early] == [2, 2, 2, 2, 1, 0]
    # The month's traffic, parties not people, beside the funnel.
    pack = dash.month_pack(stores=[store], month_start=OCT[0])
    tiles = dash.traffic(pack.current)
    assert [(t.key, t.count, t.drill_code, t.drill_hits) for t in tiles] == [
        ("leads", 4, "leads", False),
        ("visits", 6, "walkin_batches", False),
        ("kept", 3, "retention_rate", True),
        ("test_drives", 3, "test_drive_rate", True),
        ("quotes", 3, "quote_rate", True),
    ]


def test_funnel_after_an_empty_stage_has_no_conversion():
    counts = dict.fromkeys(STAGES, 0)
    stages = dash_funnel.stages(counts)
    assert [s.count for s in stages] == [0] * 6
    assert [s.conversion for s in stages] == [None] * 6
    assert [s.share for s in stages] == [None] * 6


def test_cards_month_over_month_and_year_over_year(store, month):
    cards = {c.code: c for c in dash.month_pack(stores=[store], month_start=OCT[0]).cards}
    assert list(cards) == list(dash.CARD_CODES)
    walkins = cards["walkin_batches"]
    assert (walkins.text, walkins.mom.text, walkins.mom.tone) == ("6", "+4 (+200.0%)", "better")
    assert (walkins.yoy.text, walkins.yoy.tone) == ("+3 (+100.0%)", "better")
    retention = cards["retention_rate"]
    assert (retention.text, retention.mom.text, retention.mom.tone) == (
        "60.0%",
        "+10.0个百分点",
        "better",
    )
    assert (retention.yoy.text, retention.yoy.tone) == ("+60.0个百分点", "better")
    first = cards["first_visit_batches"]
    assert (first.mom.text, first.yoy.text) == ("+3 (+150.0%)", "+2 (+66.7%)")
    deliveries = cards["deliveries"]
    assert (deliveries.text, deliveries.mom.text, deliveries.yoy.text) == ("2", "+2", "+2")
    orders = cards["orders"]
    assert (orders.mom.text, orders.mom.tone) == ("+1 (+100.0%)", "better")
    leads = cards["leads"]
    assert (leads.mom.text, leads.yoy.text) == ("+3 (+300.0%)", "+3 (+300.0%)")
    stay = cards["avg_stay_minutes"]  # October 240 minutes over 5 first visits; else 60 each
    assert (stay.text, stay.mom.text, stay.mom.tone, stay.yoy.text) == (
        "48.0",
        "-12.0",
        "worse",
        "-12.0",
    )
    response = cards["lead_response_minutes"]  # no lead answered in September or a year ago
    assert (response.text, response.mom.text, response.yoy.text) == ("20.0", "—", "—")
    # September: O3 ordered, nothing delivered; a year before nothing ordered (no rate).
    delivery = cards["order_delivery_rate"]
    assert (delivery.text, delivery.mom.text, delivery.yoy.text) == (
        "100.0%",
        "+100.0个百分点",
        "—",
    )
    close = cards["close_rate"]  # September: O3 of two first visits; a year before: 0 of 3
    assert (close.text, close.mom.text, close.mom.tone) == ("40.0%", "-10.0个百分点", "worse")
    assert (close.yoy.text, close.yoy.tone) == ("+40.0个百分点", "better")


def test_delta_tone_follows_the_registry_direction():
    minutes = REGISTRY["lead_response_minutes"]  # good: down
    assert dash.delta(minutes, 12.5, 20.0) == dash.Delta("-7.5", "better")
    assert dash.delta(minutes, 20.0, 12.5) == dash.Delta("+7.5", "worse")
    lost = REGISTRY["lost_rate"]  # good: down
    assert dash.delta(lost, 0.25, 0.2) == dash.Delta("+5.0个百分点", "worse")
    no_direction = REGISTRY["prospects_C"]
    assert dash.delta(no_direction, 5, 4) == dash.Delta("+1 (+25.0%)", "")
    assert dash.delta(REGISTRY["orders"], 3, 3) == dash.Delta("+0 (+0.0%)", "")
    assert dash.delta(REGISTRY["orders"], 3, None) == dash.Delta("—", "")
    # A change that rounds away is shown as none, uncoloured.
    assert dash.delta(REGISTRY["close_rate"], 0.15101, 0.151) == dash.Delta("+0.0个百分点", "")
    assert dash.delta(REGISTRY["close_rate"], 0.151, 0.15101) == dash.Delta("+0.0个百分点", "")
    assert dash.delta(REGISTRY["close_rate"], 0.1516, 0.151) == dash.Delta("+0.1个百分点", "better")


def test_trend_counts_twelve_months_in_four_queries(store, month, django_assert_num_queries):
    with django_assert_num_queries(4):
        trend = dash.trend(stores=[store], last_month=OCT[0])
    assert trend.months[0] == d(11, 1, 2025)
    assert trend.months[-1] == OCT[0]
    assert len(trend.months) == 12
    zeros = [0] * 10
    assert trend.series == {
        "leads": [*zeros, 1, 4],
        "walkin_batches": [*zeros, 2, 6],
        "first_visit_batches": [*zeros, 2, 5],
        "orders": [*zeros, 1, 2],
        "deliveries": [*zeros, 0, 2],
    }


def test_trend_equals_compute_kpis_month_by_month(store, month):
    trend = dash.trend(stores=[store], last_month=OCT[0], months=13)
    for i, start in enumerate(trend.months):
        end = dash.last_of_month(start)
        kpis = compute_kpis(stores=[store], start=start, end=end, codes=dash.TREND_CODES)
        assert {code: values[i] for code, values in trend.series.items()} == kpis, start


def test_heatmap_cells_by_weekday_and_hour_slot(store, month, django_assert_num_queries):
    with django_assert_num_queries(1):
        heat = dash.heatmap(store=store, start=OCT[0], end=OCT[1])
    # Open 9:00–18:00, widened to the hours with visits: 8-9 and 18-19, 19-20.
    assert heat.slots == [f"{h}-{h + 1}" for h in range(8, 20)]
    assert heat.slot_hours == list(range(8, 20))
    expected = [[0] * 12 for _ in range(7)]
    expected[3][1] = 1  # Thu 09:30
    expected[3][2] = 1  # Thu 10:15
    expected[5][6] = 2  # Sat 14:05, 14:40
    expected[6][0] = 1  # Sun 08:10, before opening: in 8-9, not in 9-10
    expected[5][11] = 1  # Sat 19:30, after closing: in 19-20, not in 17-18
    assert heat.cells == expected
    assert (heat.busiest, heat.total) == (2, 6)


def test_heatmap_follows_the_stores_opening_hours(store, month):
    store.opening_time, store.closing_time = dt.time(8, 0), dt.time(20, 30)
    store.save(update_fields=["opening_time", "closing_time"])
    heat = dash.heatmap(store=store, start=OCT[0], end=OCT[1])
    assert heat.slot_hours == list(range(8, 21))  # 20:30: open for part of 20-21
    assert heat.cells[6][0] == 1 and heat.cells[5][11] == 1
    assert heat.total == 6


def test_league_by_consultant(store, month):
    rows = dash.league(store=store, start=OCT[0], end=OCT[1])
    zhang, li = month["zhang"], month["li"]
    assert [(r.label, r.drill_key) for r in rows] == [("张伟", str(zhang.pk)), ("李娜", str(li.pk))]
    assert rows[0].values == {
        "walkin_batches": 3,
        "retention_rate": 1 / 2,
        "test_drive_rate": 2 / 3,
        "quote_rate": 1 / 3,
        "orders": 1,
        "deliveries": 1,
        "close_rate": 1 / 2,
    }
    assert rows[1].values == {
        "walkin_batches": 3,
        "retention_rate": 2 / 3,
        "test_drive_rate": 1 / 3,
        "quote_rate": 2 / 3,
        "orders": 1,
        "deliveries": 1,
        "close_rate": 1 / 3,
    }


def test_consultants_sharing_a_name_keep_their_drill_keys(store, month, make_staff):
    twin = make_staff("zhang2", Role.CONSULTANT, store=store, full_name="张伟", staff_code="C009")
    walk_in(store, twin, d(10, 5), t(11))
    rows = dash.league(store=store, start=OCT[0], end=OCT[1])
    keys = {r.label: r.drill_key for r in rows}
    assert keys == {
        "张伟 (BJ01/C001)": str(month["zhang"].pk),
        "张伟 (BJ01/C009)": str(twin.pk),
        "李娜": str(month["li"].pk),
    }


def test_breakdown_by_source(store, month):
    rows = dash.breakdown(store=store, start=OCT[0], end=OCT[1], by="source")
    assert [(r.key, r.label) for r in rows] == [
        ("internet", "网络(汽车网站)"),
        ("friend", "朋友介绍"),
        (NONE_KEY, "(未填写)"),
    ]
    assert rows[0].values == {
        "leads": 3,
        "walkin_batches": 3,
        "first_visit_batches": 2,
        "retention_rate": 1.0,
        "orders": 1,
        "deliveries": 1,
        "close_rate": 1 / 2,
    }
    assert rows[1].values == {
        "leads": 1,
        "walkin_batches": 2,
        "first_visit_batches": 2,
        "retention_rate": 1 / 2,
        "orders": 1,
        "deliveries": 1,
        "close_rate": 1 / 2,
    }
    assert rows[2].values == {
        "leads": 0,
        "walkin_batches": 1,
        "first_visit_batches": 1,
        "retention_rate": 0.0,
        "orders": 0,
        "deliveries": 0,
        "close_rate": 0.0,
    }


def test_breakdown_by_model(store, month):
    rows = dash.breakdown(store=store, start=OCT[0], end=OCT[1], by="model")
    assert [(r.label, r.values) for r in rows] == [
        (
            "途胜",
            {
                "walkin_batches": 4,
                "test_drive_rate": 3 / 4,
                "quote_rate": 2 / 4,
                "orders": 2,
                "deliveries": 1,
            },
        ),
        (
            "名图",
            {
                "walkin_batches": 2,
                "test_drive_rate": 0.0,
                "quote_rate": 1 / 2,
                "orders": 0,
                "deliveries": 1,
            },
        ),
    ]


def test_today_on_the_board(store, month):
    with time_machine.travel(dt.datetime(2026, 10, 3, 15, 0, tzinfo=SHANGHAI), tick=False):
        today = dash.today_traffic(store=store, today=store.today())
    assert today == dash.Today(walk_ins=2, in_showroom=1, calls=1, test_drives=1, orders=1)


def test_consultant_progress_month_to_date(store, month, make_staff):
    make_staff("new", Role.CONSULTANT, store=store, full_name="新人")
    rows = dash.consultant_progress(store=store, month_start=OCT[0], today=d(10, 12))
    assert [(r.name, r.orders, r.deliveries, r.target) for r in rows] == [
        ("李娜", 1, 1, None),  # O2 ordered 10-12, O3 delivered 10-05
        ("张伟", 1, 0, None),  # O1 ordered 10-03, delivered 10-20 (later)
        ("新人", 0, 0, None),
    ]


def test_consultant_progress_with_targets(store, month):
    class Line:
        def __init__(self, consultant_id: int, name: str, target: int | None) -> None:
            self.consultant_id, self.name, self.target = consultant_id, name, target

    zhang, li = month["zhang"], month["li"]
    rows = dash.consultant_progress(
        store=store,
        month_start=OCT[0],
        today=OCT[1],
        targets=[Line(zhang.pk, "张伟", 4), Line(li.pk, "李娜", None)],
    )
    assert [(r.name, r.deliveries, r.target, r.percent) for r in rows] == [
        ("张伟", 1, 4, 25),  # ties on deliveries and orders: by name (code point order)
        ("李娜", 1, None, None),
    ]


@pytest.fixture
def three_stores(store, other_store, month, make_staff):  # type: ignore[no-untyped-def]
    liu = make_staff("liu", Role.CONSULTANT, store=other_store, full_name="刘洋")
    for day in range(1, 7):
        walk_in(other_store, liu, d(10, day), t(11))
    lead(other_store, d(10, 2), "internet", answered_after=5)
    empty = f.StoreFactory(code="GZ01", name="广州一店")
    return [store, other_store, empty]


def test_store_ranking_ties_share_a_rank(three_stores):
    ranking = dash.store_ranking(
        stores=three_stores, start=OCT[0], end=OCT[1], code="walkin_batches", today=d(11, 15)
    )
    assert [(r.store.code, r.values["walkin_batches"], r.rank) for r in ranking.rows] == [
        ("BJ01", 6, 1),
        ("SH01", 6, 1),
        ("GZ01", 0, 3),
    ]
    assert ranking.total["walkin_batches"] == 12
    assert ranking.codes == list(dash.GROUP_CODES)


def test_store_ranking_lower_is_better_and_none_comes_last(three_stores):
    ranking = dash.store_ranking(
        stores=three_stores, start=OCT[0], end=OCT[1], code="lead_response_minutes", today=d(11, 15)
    )
    assert [(r.store.code, r.values["lead_response_minutes"], r.rank) for r in ranking.rows] == [
        ("SH01", 5.0, 1),
        ("BJ01", 20.0, 2),  # median of 30 and 10 minutes
        ("GZ01", None, None),
    ]
    # The stores together: the median of 30, 10 and 5 minutes.
    assert ranking.total["lead_response_minutes"] == 10.0
    assert ranking.codes == [*dash.GROUP_CODES, "lead_response_minutes"]


def test_store_ranking_rates(three_stores):
    ranking = dash.store_ranking(
        stores=three_stores, start=OCT[0], end=OCT[1], code="retention_rate", today=d(11, 15)
    )
    assert [(r.store.code, r.values["retention_rate"], r.rank) for r in ranking.rows] == [
        ("BJ01", 3 / 5, 1),
        ("SH01", 0.0, 2),  # six first visits without name or phone
        ("GZ01", None, None),
    ]
    assert ranking.total["retention_rate"] == 3 / 11


def test_rankable_codes_leave_out_mappings_and_what_is_not_computed():
    codes = dash.rankable_codes()
    assert "source_mix" not in codes
    assert "target_attainment" not in codes or REGISTRY["target_attainment"].implemented
    assert "deliveries" in codes and "lead_response_minutes" in codes


def test_selectors_use_a_constant_number_of_queries(store, month, make_staff):
    """More consultants, days, sources and models: the same queries."""

    def count() -> list[int]:
        counts = []
        for run in (
            lambda: dash.month_pack(stores=[store], month_start=OCT[0]),
            lambda: dash.league(store=store, start=OCT[0], end=OCT[1]),
            lambda: dash.breakdown(store=store, start=OCT[0], end=OCT[1], by="source"),
            lambda: dash.breakdown(store=store, start=OCT[0], end=OCT[1], by="model"),
            lambda: dash.heatmap(store=store, start=OCT[0], end=OCT[1]),
            lambda: dash.trend(stores=[store], last_month=OCT[0]),
        ):
            with CaptureQueriesContext(connection) as q:
                run()
            counts.append(len(q.captured_queries))
        return counts

    before = count()
    for i in range(8):
        extra = make_staff(f"extra{i}", Role.CONSULTANT, store=store, full_name=f"顾问{i}")
        for day in range(1, 29, 3):
            walk_in(store, extra, d(10, day), t(9 + i), model=f"车型{i}",
                    source=f.source("media" if i % 2 else "outdoor"))  # fmt: skip
    assert count() == before
    # month pack: three compute_kpis calls over walk-ins, orders and leads and the store's
    # first row; league 2 + the
    # staff; by source 3 + the source names; by model 2; heatmap 1; trend 4.
    assert before == [10, 3, 4, 2, 1, 4]
