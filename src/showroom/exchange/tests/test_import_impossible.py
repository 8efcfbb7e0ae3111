"""Impossible values in an imported file are refused with the same reason as on the screens,
and nothing at all is written. The store's clock: 2026-10-06 07:02 (Asia/Shanghai)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from showroom.exchange.tests.builders import activity, call, customer, order, table, walk_in
from showroom.sales.models import Activity, Order
from showroom.traffic.models import Call, WalkIn

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():  # type: ignore[no-untyped-def]
    with time_machine.travel(dt.datetime(2026, 10, 5, 23, 2, tzinfo=dt.UTC), tick=False):
        yield


WALK_INS, CALLS = "来店客户登记表", "来电客户登记表"
CUSTOMERS, ACTIVITIES, ORDERS = "客户信息卡", "营业日报表", "订单交车"


def refused(run_import, path):  # type: ignore[no-untyped-def]
    run = run_import(path)
    assert not run.ok
    assert run.error == f"共 {len(run.lines)} 处错误，未导入任何数据。"
    counts = [m.objects.count() for m in (WalkIn, Call, Activity, Order)]
    assert counts == [0, 0, 0, 0]
    return run.lines


def place(sheet: str, row: int = 3) -> str:
    return f"book.xlsx，工作表「{sheet}」，第 {row} 行，"


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (
            {"进店时间": dt.time(7, 1), "离店时间": dt.time(6, 0)},
            "列「离店时间」，值「06:00:00」：离店时间（06:00）早于进店时间（07:01）。",
        ),
        (
            {"进店时间": dt.time(7, 1), "离店时间": dt.time(19, 30)},
            "列「离店时间」，值「19:30:00」：停留超过12小时（07:01–19:30），不可能正确。",
        ),
        (
            {"日期": dt.date(2026, 10, 7)},
            "列「日期」，值「2026-10-07」：来店日期不能是将来（2026-10-07；今天是 2026-10-06）。",
        ),
        (
            {"日期": dt.date(2026, 10, 6), "进店时间": dt.time(23, 30)},
            "列「进店时间」，值「23:30:00」：进店时间（23:30）晚于现在（07:02）。",
        ),
        (
            {"日期": 3.7},
            "列「日期」，值「3.7」：数字 3.7 不是日期（按日期读是 1900-01-02）",
        ),
        (
            {"日期": "1999-12-31"},
            "列「日期」，值「1999-12-31」：日期早于2000年，不可能正确（1999-12-31）。",
        ),
    ],
    ids=[
        "departure-before-arrival",
        "stay-over-12-hours",
        "future",
        "later-than-now",
        "number",
        "1999",
    ],
)
def test_walk_in(xlsx, run_import, consultant, bad, expected):  # type: ignore[no-untyped-def]
    path = xlsx({WALK_INS: table(walk_in(), walk_in(**{"进店时间": dt.time(11, 0), **bad}))})
    assert refused(run_import, path) == [place(WALK_INS) + expected]


def test_a_good_departure_and_a_visit_of_today_before_now_are_imported(
    xlsx, run_import, consultant
):  # type: ignore[no-untyped-def]
    rows = table(
        walk_in(进店时间=dt.time(7, 1), 离店时间=dt.time(19, 0)),  # 11 h 59 min
        walk_in(日期=dt.date(2026, 10, 6), 进店时间=dt.time(7, 2), 联系电话="13800000009"),
    )
    assert run_import(xlsx({WALK_INS: rows})).ok
    assert sorted(WalkIn.objects.values_list("stay_minutes", flat=True), key=str) == [719, None]


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (
            {"日期": dt.date(2026, 10, 8)},
            "列「日期」，值「2026-10-08」：来电日期不能是将来（2026-10-08；今天是 2026-10-06）。",
        ),
        (
            {"日期": dt.date(2026, 10, 6), "来电时间": "07:30"},
            "列「来电时间」，值「07:30」：来电时间（07:30）晚于现在（07:02）。",
        ),
    ],
    ids=["future", "later-than-now"],
)
def test_call(xlsx, run_import, consultant, bad, expected):  # type: ignore[no-untyped-def]
    path = xlsx({CALLS: table(call(), call(**{"联系电话": "13900000003", **bad}))})
    assert refused(run_import, path) == [place(CALLS) + expected]


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (
            {"日期": "2026-10-07"},
            "列「日期」，值「2026-10-07」：接触日期不能是将来（2026-10-07；今天是 2026-10-06）。",
        ),
        (
            {"日期": "2026-11-01", "活动类型": "试乘试驾"},
            "列「日期」，值「2026-11-01」："
            "试乘试驾日期不能是将来（2026-11-01；今天是 2026-10-06）。",
        ),
    ],
    ids=["contact", "test-drive"],
)
def test_activity_in_the_future(xlsx, run_import, consultant, bad, expected):  # type: ignore[no-untyped-def]
    path = xlsx({CUSTOMERS: table(customer()), ACTIVITIES: table(activity(), activity(**bad))})
    assert refused(run_import, path) == [place(ACTIVITIES) + expected]


def test_delivery_before_its_order(xlsx, run_import, consultant):  # type: ignore[no-untyped-def]
    path = xlsx({CUSTOMERS: table(customer()), ORDERS: table(order(交车日期="2026-10-04"))})
    assert refused(run_import, path) == [
        place(ORDERS, 2)
        + "列「交车日期」，值「2026-10-04」：交车日期（2026-10-04）不能早于订单日期（2026-10-05）。"
    ]
