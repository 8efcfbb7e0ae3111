"""Every screen, export and interface shows the same number for the same KPI, store and month:
the dashboard (its cards and trend), the monthly walk-in and call statistics, the evening
meeting (its days added up: its numbers are counts of rows dated that day, a day keeping
the orders cancelled after it), the monthly report workbook, the API (/api/kpi/values, also
by month) and `showroom kpi` all equal compute_kpis, on generated data."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import F
from django.utils import translation

from showroom.demo.generator import generate
from showroom.kpi.dashboard.selectors import CARD_CODES, TREND_CODES, month_pack, trend
from showroom.kpi.registry import REGISTRY
from showroom.kpi.selectors import SHOWROOM_ORDERS, compute_kpis, kpis_by_id, month_range
from showroom.kpi.statistics.lines import CallCounts, WalkInCounts
from showroom.kpi.statistics.selectors import call_month_report, walkin_month_report
from showroom.organization.choices import Role
from showroom.organization.models import Staff, Store
from showroom.reports.month_report.layout import sheet_titles
from showroom.reports.month_report.workbook import build_report_workbook
from showroom.reports.sales.evening import EVENING_KPIS, evening_meeting
from showroom.sales.choices import Channel
from showroom.sales.models import Order
from tests import factories as f

pytestmark = pytest.mark.django_db

MONTHS = ["2026-02", "2026-03"]
MONTH = MONTHS[-1]
START, END = month_range(MONTH)


@pytest.fixture(scope="module")
def store(django_db_setup, django_db_blocker) -> Iterator[Store]:  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        with transaction.atomic():
            first = month_range(MONTHS[0])[0]
            result = generate(stores=1, months=len(MONTHS), seed=23, start=first, consultants=5)
            yield result.stores[0].store
            transaction.set_rollback(True)
        connection.close()


def cancelled_later_in_the_month(store: Store, **kw: object) -> list[Order]:
    """The month's orders cancelled in the month after their own day: they stand at their
    day's end, not at the month's."""
    orders = Order.objects.filter(
        store=store, order_date__range=(START, END), cancelled_on__lte=END, **kw
    ).filter(cancelled_on__gt=F("order_date"))
    return list(orders)


@pytest.fixture
def registry(store: Store) -> dict:
    return compute_kpis(stores=[store], start=START, end=END)


@pytest.fixture
def manager(store: Store) -> Staff:
    return f.StaffFactory(store=store, username="consistency-manager", roles=Role.MANAGER)


def test_the_month_has_every_kind_of_row(registry: dict) -> None:
    shown = {
        *CARD_CODES,
        *TREND_CODES,
        *WalkInCounts.KPI_FIELDS.values(),
        *CallCounts.KPI_FIELDS.values(),
        *EVENING_KPIS.values(),
    }
    for code in shown - {"lead_response_minutes"}:
        assert registry[code] not in (None, 0), code


def test_dashboard(store: Store, registry: dict) -> None:
    pack = month_pack(stores=[store], month_start=START)
    assert {card.code: card.value for card in pack.cards} == {c: registry[c] for c in CARD_CODES}
    series = trend(stores=[store], last_month=START).series
    assert {code: values[-1] for code, values in series.items()} == {
        c: registry[c] for c in TREND_CODES
    }


def test_monthly_statistics(store: Store, registry: dict) -> None:
    walkins = walkin_month_report(store=store, month_start=START, month_end=END)
    calls = call_month_report(store=store, month_start=START, month_end=END)
    for counts in (walkins.totals, calls.totals, walkins.comparison[0].counts):
        for name, code in counts.KPI_FIELDS.items():
            assert getattr(counts, name) == registry[code], (name, code)
    orders = kpis_by_id(
        stores=[store], start=START, end=END, by=None, codes=[], with_showroom_orders=True
    )
    assert walkins.totals.deals == orders[None][SHOWROOM_ORDERS]
    assert walkins.totals.deals / walkins.totals.first == registry["close_rate"]
    # Its days and consultants add up to the month's counts.
    for report in (walkins, calls):
        for name in ("first", "total"):
            month = getattr(report.totals, name)
            assert sum(getattr(day.counts, name) for day in report.days) == month
            assert sum(getattr(row.counts, name) for row in report.consultants) == month
    # A day that ended before an order's cancellation keeps the order; the month does not.
    assert sum(day.counts.deals for day in walkins.days) == walkins.totals.deals + len(
        cancelled_later_in_the_month(store, channel=Channel.SHOWROOM)
    )


def test_evening_meetings_of_the_month(store: Store, registry: dict, manager: Staff) -> None:
    added = dict.fromkeys(EVENING_KPIS, 0)
    day = START
    while day <= END:
        total = evening_meeting(user=manager, store=store, day=day).total
        for name in EVENING_KPIS:
            added[name] += getattr(total, name)
        day += timedelta(days=1)
    expected = {name: registry[code] for name, code in EVENING_KPIS.items()}
    # Each day keeps the orders cancelled after it (as the month does not).
    expected["orders"] += len(cancelled_later_in_the_month(store))
    assert added == expected


def test_monthly_report_workbook(store: Store, registry: dict) -> None:
    with translation.override("zh-hans"):
        title = sheet_titles()["kpis"]
    ws = build_report_workbook(store=store, month_start=START)[title]
    shown = {
        ws.cell(row=r, column=8).value: ws.cell(row=r, column=2).value
        for r in range(1, ws.max_row + 1)
        if ws.cell(row=r, column=8).value in REGISTRY
    }
    expected = {c: v for c, v in registry.items() if REGISTRY[c].kind != "mapping"}
    assert shown == expected


def test_api(client, store: Store, registry: dict, manager: Staff) -> None:  # type: ignore[no-untyped-def]
    client.force_login(manager)
    data = client.get("/api/kpi/values", {"store": store.code, "month": MONTH}).json()
    assert data == registry
    by_month = client.get(
        "/api/kpi/values", {"store": store.code, "month": MONTH, "by": "month"}
    ).json()
    assert list(by_month) == [MONTH]
    assert by_month[MONTH] == {c: v for c, v in registry.items() if c in by_month[MONTH]}
    by_day = client.get("/api/kpi/values", {"store": store.code, "month": MONTH, "by": "day"})
    days = by_day.json()
    assert len(days) == END.day
    assert sum(v["first_visit_batches"] for v in days.values()) == registry["first_visit_batches"]


def test_command(store: Store, registry: dict) -> None:
    out = io.StringIO()
    call_command("kpi", "--store", store.code, "--month", MONTH, stdout=out)
    assert json.loads(out.getvalue()) == registry
    out = io.StringIO()
    call_command("kpi", "--store", store.code, "--month", MONTH, "--by", "month", stdout=out)
    by_month = json.loads(out.getvalue())[MONTH]
    assert by_month == {c: v for c, v in registry.items() if c in by_month}
    assert "orders" in by_month and "walkin_batches" in by_month
