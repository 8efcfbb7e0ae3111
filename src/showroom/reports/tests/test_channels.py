"""媒体投放渠道分析 on a hand-built October 2026 at BJ01.

Spend: internet 30,000 (no model); media 9,000 for 途胜 and 3,000 without a model.
Leads:   internet 60 (40 途胜, 20 名图) + 1 in September; media 5 (no model).
Visits:  internet 12 first visits (8 途胜, 4 名图) + 2 repeat visits; media 3 first visits 途胜.
Orders:  internet 5 (3 途胜, 2 名图), 4 delivered in October (2 途胜, 2 名图), + 1 cancelled;
         media 2 (途胜), 1 delivered in October.
So internet: 500 per lead, 2,500 per visit, 6,000 per order, 7,500 per sale;
   media:   2,400 per lead, 4,000 per visit, 6,000 per order, 12,000 per sale.
"""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from showroom.crm.tests.insight_data import OCT, card, d, lead, order, walk_in
from showroom.kpi.selectors import NONE_KEY
from showroom.organization.choices import Role
from showroom.reports.crm.channels import channel_report
from showroom.traffic.choices import VisitType
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def october(store, consultant):  # type: ignore[no-untyped-def]
    f.MediaSpendFactory(store=store, source=f.source("internet"), amount=30000)
    f.MediaSpendFactory(store=store, source=f.source("media"), model="途胜", amount=9000)
    f.MediaSpendFactory(store=store, source=f.source("media"), amount=3000)
    f.MediaSpendFactory(store=store, month=d("09-01"), source=f.source("media"), amount=777)
    for i in range(60):
        lead(store, f"10-{i % 28 + 1:02d}", "internet", model="途胜" if i < 40 else "名图")
    lead(store, "09-30", "internet", model="途胜")
    for _ in range(5):
        lead(store, "10-10", "media")
    for i in range(12):
        walk_in(store, consultant, "10-05", source="internet", model="途胜" if i < 8 else "名图")
    for _ in range(2):
        walk_in(store, consultant, "10-06", source="internet", visit_type=VisitType.REPEAT)
    for _ in range(3):
        walk_in(store, consultant, "10-07", source="media", model="途胜")
    for i, (model, delivered) in enumerate(
        [("途胜", "10-20"), ("途胜", "10-21"), ("途胜", None), ("名图", "10-22"), ("名图", "10-23")]
    ):
        order(card(store, consultant), f"10-{10 + i}", delivered=delivered, model=model,
              source="internet")  # fmt: skip
    order(card(store, consultant), "10-11", model="途胜", source="internet", cancelled=True)
    order(card(store, consultant), "10-12", delivered="10-25", model="途胜", source="media")
    order(card(store, consultant), "10-13", model="途胜", source="media")
    return store


def _by_key(lines):  # type: ignore[no-untyped-def]
    return {line.key: line for line in lines}


def test_per_channel_exact(october) -> None:  # type: ignore[no-untyped-def]
    report = channel_report(store=october, start=OCT[0], end=OCT[1])
    lines = _by_key(report.by_channel)
    internet, media = lines["internet"], lines["media"]
    assert (internet.spend, internet.leads, internet.visits) == (Decimal(30000), 60, 12)
    assert (internet.orders, internet.deliveries) == (5, 4)
    assert internet.per_lead == Decimal("500.00")
    assert internet.per_visit == Decimal("2500.00")
    assert internet.per_order == Decimal("6000.00")
    assert internet.per_delivery == Decimal("7500.00")
    assert (media.spend, media.leads, media.visits, media.orders, media.deliveries) == (
        Decimal(12000), 5, 3, 2, 1,
    )  # fmt: skip
    assert (media.per_lead, media.per_visit, media.per_order, media.per_delivery) == (
        Decimal("2400.00"), Decimal("4000.00"), Decimal("6000.00"), Decimal("12000.00"),
    )  # fmt: skip
    # Only channels with spend or counts are listed.
    assert set(lines) == {"internet", "media"}
    total = report.total
    assert (total.spend, total.leads, total.visits, total.orders, total.deliveries) == (
        Decimal(42000), 65, 15, 7, 5,
    )  # fmt: skip
    assert total.per_lead == Decimal("646.15")  # 42,000 / 65
    assert total.per_delivery == Decimal("8400.00")


def test_per_model_exact(october) -> None:  # type: ignore[no-untyped-def]
    lines = _by_key(channel_report(store=october, start=OCT[0], end=OCT[1]).by_model)
    tucson, mistra, none = lines["途胜"], lines["名图"], lines[NONE_KEY]
    assert (tucson.spend, tucson.leads, tucson.visits, tucson.orders, tucson.deliveries) == (
        Decimal(9000), 40, 11, 5, 3,
    )  # fmt: skip
    assert tucson.per_delivery == Decimal("3000.00")
    assert (mistra.spend, mistra.leads, mistra.visits, mistra.orders, mistra.deliveries) == (
        Decimal(0), 20, 4, 2, 2,
    )  # fmt: skip
    assert mistra.per_lead is None  # no spend for it: no cost to show
    assert (none.spend, none.leads, none.visits) == (Decimal(33000), 5, 0)


def test_counts_are_the_kpis(october) -> None:  # type: ignore[no-untyped-def]
    from showroom.kpi.selectors import compute_kpis

    kpis = compute_kpis(stores=[october], start=OCT[0], end=OCT[1], by="source",
                        codes=["leads", "first_visit_batches", "orders", "deliveries"])  # fmt: skip
    line = _by_key(channel_report(store=october, start=OCT[0], end=OCT[1]).by_channel)["internet"]
    assert kpis["internet"] == {
        "first_visit_batches": line.visits,
        "orders": line.orders,
        "deliveries": line.deliveries,
        "leads": line.leads,
    }


def test_constant_queries(october, other_store, consultant) -> None:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as one:
        channel_report(store=october, start=OCT[0], end=OCT[1])
    for i in range(10):
        lead(october, "10-15", "oem", model=f"车型{i}")
        order(card(october, consultant), "10-15", delivered="10-16", model=f"车型{i}",
              source="exhibition")  # fmt: skip
    with CaptureQueriesContext(connection) as more:
        channel_report(store=october, start=d("2026-08-01"), end=OCT[1])
    assert len(one) == len(more) == 9


def test_months_of_a_range_take_their_spend(october) -> None:  # type: ignore[no-untyped-def]
    report = channel_report(store=october, start=d("2026-09-01"), end=OCT[1])
    assert _by_key(report.by_channel)["media"].spend == Decimal(12777)


def test_screen_and_excel(client, october, make_staff) -> None:  # type: ignore[no-untyped-def]
    marketing = make_staff("mkt", Role.MARKETING, store=october)
    client.force_login(marketing)
    html = client.get(reverse("crm:channels"), {"start": "2026-10"}).content.decode()
    assert "30,000" in html and "7,500" in html and "646" in html
    response = client.get(reverse("crm:channels_xlsx"), {"start": "2026-10", "end": "2026-10"})
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content))["媒体投放渠道分析"]
    rows = {r[0]: r for r in ws.iter_rows(values_only=True) if r and r[0]}
    assert rows["网络(汽车网站)"][1:10] == (30000, 60, 12, 5, 4, 500, 2500, 6000, 7500)
    assert rows["合计"][1] == 42000
