"""An order cancelled (退订) on a date counts as an order of the periods that ended before the
cancellation and closes its card until then; from that date it is no order and the card is
open again unless something else closes it (the KPI registry: orders, cancelled_orders).

Cards of BJ01 (zhang), no grade changes logged, so the card's grade is its grade throughout:
  C1 A created 09-01, walk-in 09-01 (first, test drive), showroom order 09-20, cancelled 10-05
  C2 H created 10-02, walk-in 10-02 (first, test drive), showroom order 10-10, cancelled 10-25
  C3 B created 10-03, walk-in 10-03 (first, test drive), showroom order 10-28, cancelled 11-03
  C4 C created 08-01, order 09-05 cancelled 09-15, lost 09-20 (confirmed)
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from showroom.customers.models import Customer
from showroom.kpi.dashboard import selectors as dashboard
from showroom.kpi.dashboard.drill import drill_rows
from showroom.kpi.selectors import compute_kpis
from showroom.kpi.tests.test_funnel_kpis import card, d, loss, order, walk
from showroom.sales.choices import LossKind, LossStatus
from showroom.sales.funnel import awaiting_delivery, open_on

pytestmark = pytest.mark.django_db

CODES = [
    "orders", "cancelled_orders", "new_prospects", "carried_over_prospects", "prospects_H",
    "prospects_A", "prospects_B", "prospects_C", "prospects_O", "order_rate",
    "orders_from_carried_over", "orders_from_new", "close_rate", "test_drive_close_rate",
    "unique_close_rate", "lost_rate",
]  # fmt: skip


@pytest.fixture(autouse=True)
def _frozen(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(dt.datetime(2026, 12, 15, 9, 0, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def cards(store, consultant, manager):  # type: ignore[no-untyped-def]
    c = {
        "C1": card(store, 1, "09-01", consultant, grade="A"),
        "C2": card(store, 2, "10-02", consultant, grade="H"),
        "C3": card(store, 3, "10-03", consultant, grade="B"),
        "C4": card(store, 4, "08-01", consultant, grade="C"),
    }
    for n, day in ((1, "09-01"), (2, "10-02"), (3, "10-03")):
        walk(store, day, consultant, n, first=True, td=True)
    for name, ordered, cancelled in (
        ("C1", "09-20", "10-05"),
        ("C2", "10-10", "10-25"),
        ("C3", "10-28", "11-03"),
        ("C4", "09-05", "09-15"),
    ):
        order(c[name], ordered, consultant, cancelled_on=d(cancelled))
    loss(c["C4"], "09-20", LossKind.LOST, LossStatus.CONFIRMED, manager)
    return c


def month(m: int) -> tuple[dt.date, dt.date]:
    start = dt.date(2026, m, 1)
    return start, (start + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1)


def test_an_order_counts_until_its_cancellation(cards, store):
    found = {m: compute_kpis(stores=[store], start=s, end=e, codes=CODES) for m in (9, 10, 11)
             for s, e in [month(m)]}  # fmt: skip
    assert found[9] == {
        "orders": 1,  # C1 (cancelled after September); not C4 (cancelled 09-15)
        "cancelled_orders": 1,  # C4
        "new_prospects": 1,  # C1
        "carried_over_prospects": 1,  # C4
        "prospects_H": 0,
        "prospects_A": 0,  # C1 is O at 09-30
        "prospects_B": 0,
        "prospects_C": 0,  # C4 open again 09-15, lost 09-20
        "prospects_O": 1,  # C1
        "order_rate": 1 / 2,
        "orders_from_carried_over": 0,
        "orders_from_new": 1,
        "close_rate": 1 / 1,
        "test_drive_close_rate": 1 / 1,
        "unique_close_rate": 1 / 1,
        "lost_rate": 1 / 2,
    }
    assert found[10] == {
        "orders": 1,  # C3; not C2 (cancelled 10-25)
        "cancelled_orders": 2,  # C1 C2
        "new_prospects": 2,  # C2 C3
        "carried_over_prospects": 0,  # C1 was O on 09-30
        "prospects_H": 1,  # C2, open again from 10-25
        "prospects_A": 1,  # C1, open again from 10-05
        "prospects_B": 0,  # C3 is O at 10-31
        "prospects_C": 0,
        "prospects_O": 1,  # C3
        "order_rate": 1 / 2,
        "orders_from_carried_over": 0,
        "orders_from_new": 1,  # C3
        "close_rate": 1 / 2,  # C3 of the first visits of C2 and C3
        "test_drive_close_rate": 1 / 2,
        "unique_close_rate": 1 / 2,
        "lost_rate": 0 / 2,
    }
    assert found[11] == {
        "orders": 0,
        "cancelled_orders": 1,  # C3
        "new_prospects": 0,
        "carried_over_prospects": 2,  # C1 C2
        "prospects_H": 1,  # C2
        "prospects_A": 1,  # C1
        "prospects_B": 1,  # C3, open again from 11-03
        "prospects_C": 0,
        "prospects_O": 0,
        "order_rate": 0 / 2,
        "orders_from_carried_over": 0,
        "orders_from_new": 0,
        "close_rate": None,
        "test_drive_close_rate": None,
        "unique_close_rate": None,
        "lost_rate": 0 / 2,
    }


def test_states_at_a_moment(cards):
    def states(day: str) -> dict[str, tuple[bool, bool]]:
        opened = set(Customer.objects.filter(open_on(d(day))).values_list("name", flat=True))
        waiting = set(
            Customer.objects.filter(awaiting_delivery(d(day))).values_list("name", flat=True)
        )
        return {
            name: (c.name in opened, c.name in waiting)
            for name, c in sorted(cards.items())
            if name != "C4"
        }

    # (open, grade O)
    assert states("10-04") == {"C1": (False, True), "C2": (True, False), "C3": (True, False)}
    assert states("10-05") == {"C1": (True, False), "C2": (True, False), "C3": (True, False)}
    assert states("10-24") == {"C1": (True, False), "C2": (False, True), "C3": (True, False)}
    assert states("10-25") == {"C1": (True, False), "C2": (True, False), "C3": (True, False)}
    assert states("10-31") == {"C1": (True, False), "C2": (True, False), "C3": (False, True)}
    # C4: open again on its cancellation day, closed by the confirmed loss.
    c4 = Customer.objects.filter(pk=cards["C4"].pk)
    assert [c4.filter(open_on(d(day))).exists() for day in ("09-14", "09-15", "09-20")] == [
        False,
        True,
        False,
    ]


def test_drill_down_lists_the_orders_counted(cards, store, manager):
    start, end = month(10)

    def rows(code: str) -> list[str]:
        qs = drill_rows(user=manager, store=store, code=code, start=start, end=end)
        return [o.customer.name for o in qs]

    assert rows("orders") == ["客户3"]
    assert rows("cancelled_orders") == ["客户1", "客户2"]


def test_the_dashboard_trend_counts_orders_as_the_kpi_does(cards, store):
    trend = dashboard.trend(stores=[store], last_month=dt.date(2026, 11, 1), months=3)
    assert trend.series["orders"] == [1, 1, 0]  # C1; C3; none
