"""The monthly walk-in statistics count a showroom order on a day, or in a month, without any
walk-in: 展厅成交 and the close rate are the registry's (close_rate: showroom orders of the
period ÷ first visits), not only the orders of days that had visitors."""

from __future__ import annotations

import datetime as dt

import pytest

from showroom.kpi.selectors import compute_kpis
from showroom.kpi.statistics.selectors import walkin_month_report
from showroom.sales.models import Order
from tests import factories as f

pytestmark = pytest.mark.django_db


def showroom_order(store, consultant, day):  # type: ignore[no-untyped-def]
    card = f.CustomerFactory(store=store, consultant=consultant, created=day)
    return Order.objects.create(
        store=store, customer=card, consultant=consultant, order_date=day, model="途胜"
    )


def test_orders_on_days_without_walk_ins(store, consultant):  # type: ignore[no-untyped-def]
    for day in (1, 2, 3, 4):
        f.WalkInFactory(store=store, consultant=consultant, date=dt.date(2026, 10, day))
    showroom_order(store, consultant, dt.date(2026, 10, 2))
    showroom_order(store, consultant, dt.date(2026, 10, 20))  # nobody walked in that day
    showroom_order(store, consultant, dt.date(2026, 9, 12))  # September: no walk-ins at all
    report = walkin_month_report(
        store=store, month_start=dt.date(2026, 10, 1), month_end=dt.date(2026, 10, 31)
    )
    assert report.totals.deals == 2
    assert report.totals.close_rate == 0.5
    assert report.days[19].counts.deals == 1
    assert report.days[19].counts.close_rate is None
    assert report.consultants[0].counts.deals == 2
    september = report.comparison[1].counts
    assert (september.first, september.deals, september.close_rate) == (0, 1, None)
    registry = compute_kpis(
        stores=[store],
        start=dt.date(2026, 10, 1),
        end=dt.date(2026, 10, 31),
        codes=["close_rate"],
    )
    assert report.totals.close_rate == registry["close_rate"]
