"""The CRM reports in exact numbers: department efficiency, dormant prospects, deals, and their
workbooks."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from showroom.crm.choices import EntryResult, ListKind
from showroom.crm.models import CallList, CallListEntry
from showroom.crm.tests.insight_data import OCT, card, d, lead, order, walk_in
from showroom.customers.choices import OwnerKind
from showroom.kpi.selectors import compute_kpis
from showroom.organization.choices import Role
from showroom.reports.crm.channels import NO_SOURCE
from showroom.reports.crm.selectors import (
    deal_report,
    department_efficiency,
    dormant_prospects,
    dormant_report,
)
from showroom.sales.choices import Channel, LossKind, LossReason, LossStatus
from showroom.sales.models import Activity, LossReport
from showroom.traffic.choices import CallType, VisitType
from tests import factories as f

pytestmark = pytest.mark.django_db


def _line(report, key):  # type: ignore[no-untyped-def]
    return next(ln for ln in report.lines if ln.key == key)


def _numbers(line):  # type: ignore[no-untyped-def]
    return (line.entered, line.visited, line.ordered, line.conversion)


# --- department efficiency ----------------------------------------------------------------


def test_showroom_first_visits_to_showroom_orders(store, consultant) -> None:  # type: ignore[no-untyped-def]
    for _ in range(4):
        walk_in(store, consultant, "10-05")
    walk_in(store, consultant, "10-06", visit_type=VisitType.REPEAT)
    walk_in(store, consultant, "09-30")
    order(card(store, consultant), "10-07")
    order(card(store, consultant), "10-08")
    order(card(store, consultant), "10-09", channel=Channel.FLEET)
    order(card(store, consultant), "10-10", cancelled=True)
    report = department_efficiency(store=store, start=OCT[0], end=OCT[1])
    assert _numbers(_line(report, "showroom")) == (4, None, 2, 0.5)
    # The same as the store's close rate KPI.
    close_rate = compute_kpis(stores=[store], start=OCT[0], end=OCT[1], codes=["close_rate"])
    assert close_rate["close_rate"] == 0.5 == report.kpis["close_rate"]


def test_dcc_leads_and_calls_to_visits_and_orders(store, consultant) -> None:  # type: ignore[no-untyped-def]
    p = [f"1390000{i:04d}" for i in range(10)]
    lead(store, "10-02", "internet", phone=p[1])  # visits 10-05, orders 10-08
    walk_in(store, consultant, "10-05", phone=p[1])
    order(card(store, consultant, phone=p[1]), "10-08")
    lead(store, "10-03", "internet", phone=p[2])  # visited only before the lead
    walk_in(store, consultant, "10-01", phone=p[2])
    lead(store, "10-04", "oem", phone=p[3])  # visits, does not order
    walk_in(store, consultant, "10-20", phone=p[3])
    lead(store, "10-05", "internet", phone=p[4])  # visits and orders only in November
    walk_in(store, consultant, "11-02", phone=p[4])
    order(card(store, consultant, phone=p[4]), "11-03")
    lead(store, "10-06", "internet", phone=p[5])
    lead(store, "09-28", "internet", phone=p[1])  # September's lead
    f.CallFactory(store=store, consultant=consultant, date=d("10-10"), phone=p[6])
    walk_in(store, consultant, "10-12", phone=p[6])
    order(card(store, consultant, phone=p[6]), "10-15")
    f.CallFactory(store=store, consultant=consultant, date=d("10-11"), phone=p[7])
    f.CallFactory(store=store, consultant=consultant, date=d("10-12"), phone=p[8])
    walk_in(store, consultant, "10-12", phone=p[8])
    f.CallFactory(store=store, consultant=consultant, date=d("10-13"), phone=p[6],
                  call_type=CallType.REPEAT)  # fmt: skip
    report = department_efficiency(store=store, start=OCT[0], end=OCT[1])
    leads = _line(report, "dcc_leads")
    assert _numbers(leads) == (5, 2, 1, 0.2)
    assert leads.visit_rate == 0.4
    assert leads.entered == report.kpis["leads"]
    calls = _line(report, "dcc_calls")
    assert _numbers(calls) == (3, 2, 1, 1 / 3)
    assert calls.entered == report.kpis["first_call_batches"]


def test_crm_lists_submitted_to_won(store, consultant, make_staff) -> None:  # type: ignore[no-untyped-def]
    crm = make_staff("crm", Role.CRM, store=store)
    call_list = CallList.objects.create(
        store=store, kind=ListKind.DORMANT, name="休眠激活", created_on=d("09-20"), created_by=crm
    )
    for submitted, result in [
        ("10-02", EntryResult.WON), ("10-03", EntryResult.CLOSED), ("10-04", EntryResult.OPEN),
        ("10-31", EntryResult.OPEN), ("09-30", EntryResult.WON), (None, EntryResult.OPEN),
    ]:  # fmt: skip
        CallListEntry.objects.create(
            store=store, call_list=call_list, name="某人",
            submitted_on=d(submitted) if submitted else None, result=result,
        )  # fmt: skip
    service = CallList.objects.create(
        store=store, kind=ListKind.MAINTENANCE_DUE, name="保养招揽", created_on=d("09-20"),
        created_by=crm,
    )  # fmt: skip
    for result in (EntryResult.WON, EntryResult.WON, EntryResult.OPEN):
        CallListEntry.objects.create(
            store=store, call_list=service, name="车主", submitted_on=d("10-08"), result=result
        )
    report = department_efficiency(store=store, start=OCT[0], end=OCT[1])
    assert _numbers(_line(report, "crm")) == (4, None, 1, 0.25)
    assert _numbers(_line(report, "crm_aftersales")) == (3, None, 2, 2 / 3)


def test_crm_list_wins_are_computed_from_orders_and_visits(store, consultant, make_staff) -> None:  # type: ignore[no-untyped-def]
    """Nobody marks an entry won: an order after submission (or, after-sales, a visit back
    after the hand-over) is the win, as the list screens count it."""
    from showroom.owners.models import ServiceVisit

    crm = make_staff("crm", Role.CRM, store=store)
    lost = CallList.objects.create(
        store=store, kind=ListKind.ACTIVATION, name="激活", created_on=d("10-01"), created_by=crm
    )
    bought, too_early, silent = (card(store, consultant, "08-01") for _ in range(3))
    for person in (bought, too_early, silent):
        CallListEntry.objects.create(
            store=store, call_list=lost, customer=person, name=person.name,
            submitted_on=d("10-05"), assigned_to=consultant, assigned_on=d("10-05"),
        )  # fmt: skip
    order(bought, "10-20")
    order(too_early, "10-04")  # before the submission: not the list's win
    service = CallList.objects.create(
        store=store, kind=ListKind.MAINTENANCE_DUE, name="保养", created_on=d("10-01"),
        created_by=crm,
    )  # fmt: skip
    owner, away = card(store, None, "01-01"), card(store, None, "01-01")
    for person in (owner, away):
        CallListEntry.objects.create(
            store=store, call_list=service, customer=person, name=person.name,
            submitted_on=d("10-06"), assigned_on=d("10-06"),
        )  # fmt: skip
    ServiceVisit.objects.create(store=store, customer=owner, date=d("10-12"), kind="maintenance")
    report = department_efficiency(store=store, start=OCT[0], end=OCT[1])
    assert _numbers(_line(report, "crm")) == (3, None, 1, 1 / 3)
    assert _numbers(_line(report, "crm_aftersales")) == (2, None, 1, 0.5)


def test_owner_referrals(store, consultant) -> None:  # type: ignore[no-untyped-def]
    owner = card(store, consultant, "2025-05-01", name="老车主")
    referred = card(store, consultant, "10-03", referred_by=owner)
    walk_in(store, consultant, "10-04", phone=referred.phone)
    order(referred, "10-12")
    card(store, consultant, "10-05", source="owner_referral")
    card(store, consultant, "10-06", source="owner_referral", owner_kind=OwnerKind.OTHER_BRAND)
    card(store, consultant, "09-30", referred_by=owner)
    card(store, consultant, "10-07", source="internet")
    report = department_efficiency(store=store, start=OCT[0], end=OCT[1])
    assert _numbers(_line(report, "referrals")) == (2, 1, 1, 0.5)


def test_efficiency_queries_are_constant(store, consultant) -> None:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as empty:
        department_efficiency(store=store, start=OCT[0], end=OCT[1])
    for i in range(5):
        lead(store, f"10-0{i + 1}", "internet")
        walk_in(store, consultant, f"10-0{i + 1}")
    with CaptureQueriesContext(connection) as full:
        department_efficiency(store=store, start=OCT[0], end=OCT[1])
    assert len(empty) == len(full)


# --- dormant ------------------------------------------------------------------------------

ON = dt.date(2026, 10, 31)


@pytest.fixture
def quiet(store, consultant, consultant2, manager):  # type: ignore[no-untyped-def]
    def contact(customer, day):  # type: ignore[no-untyped-def]
        Activity.objects.create(store=store, customer=customer, consultant=customer.consultant,
                                date=d(day), kind="call")  # fmt: skip

    a = card(store, consultant, "2026-06-01", name="A")
    contact(a, "2026-07-15")  # 108 days
    card(store, consultant, "2026-03-01", name="B")  # 244 days, never contacted
    c = card(store, consultant2, "2025-06-01", name="C")
    contact(c, "2025-09-01")  # over a year
    dd = card(store, consultant, "2026-06-01", name="D")
    contact(dd, "2026-09-01")  # 60 days: not dormant
    card(store, consultant, "2026-09-15", name="E")  # a new card
    ordered = card(store, consultant, "2026-03-01", name="F")
    order(ordered, "2026-04-01")
    card(store, consultant, "2026-03-01", name="G", owner_kind=OwnerKind.OTHER_BRAND)
    lost = card(store, consultant2, "2026-03-01", name="H")
    LossReport.objects.create(
        store=store, customer=lost, consultant=consultant2, date=d("2026-04-01"),
        kind=LossKind.LOST, reason=LossReason.PRICE, status=LossStatus.CONFIRMED,
        decided_by=manager, decided_on=d("2026-04-02"),
    )  # fmt: skip
    i = card(store, consultant2, "2026-05-01", name="I")
    contact(i, "2026-11-05")  # after the report's day: 183 days as of 10-31
    return store


def test_dormant_by_consultant_and_age(quiet) -> None:  # type: ignore[no-untyped-def]
    assert sorted(c.name for c in dormant_prospects(store=quiet, on=ON)) == ["A", "B", "C", "I"]
    report = dormant_report(store=quiet, on=ON)
    assert report.bands == ["90–179", "180–364", "≥365"]
    assert [(ln.consultant, ln.counts) for ln in report.lines] == [
        ("张伟", [1, 1, 0]), ("李娜", [0, 1, 1]),
    ]  # fmt: skip
    assert (report.total.counts, report.total.total) == ([1, 2, 1], 4)


def test_a_reactivation_counts_as_the_last_contact(quiet, consultant2, manager) -> None:  # type: ignore[no-untyped-def]
    """H, lost in April, handed back on 2026-07-01 and not called since: dormant for 122 days
    (90–179), not since its card date — the same rule as the CRM's dormant list."""
    from showroom.crm.lists.builders import candidates
    from showroom.customers.models import Customer
    from showroom.sales.models import Reactivation

    lost = Customer.objects.get(store=quiet, name="H")
    Reactivation.objects.create(
        store=quiet, customer=lost, date=d("2026-07-01"), consultant=consultant2, by=manager
    )
    dormant = {c.name: c.last_contact for c in dormant_prospects(store=quiet, on=ON)}
    assert dormant["H"] == d("2026-07-01")
    assert dormant_report(store=quiet, on=ON).total.counts == [2, 2, 1]
    listed = candidates(kind="dormant", store=quiet, on=ON, days=90)
    assert sorted(row["name"] for row in listed) == sorted(dormant)


def test_dormant_threshold(quiet) -> None:  # type: ignore[no-untyped-def]
    report = dormant_report(store=quiet, on=ON, days=200)
    assert report.bands == ["200–364", "≥365"]
    assert (report.total.counts, report.total.total) == ([1, 1], 2)  # B and C


# --- deals --------------------------------------------------------------------------------


@pytest.fixture
def deals(store, consultant, consultant2):  # type: ignore[no-untyped-def]
    order(card(store, consultant), "10-02", delivered="10-10", model="途胜", source="internet",
          insurance=True, finance=True, accessories=500)  # fmt: skip
    order(card(store, consultant2), "10-03", delivered="10-20", model="途胜", source="internet",
          insurance=True)  # fmt: skip
    order(card(store, consultant), "10-04", model="名图", source="media")
    order(card(store, consultant2), "09-25", delivered="10-05", model="名图", trade_in=True)
    order(card(store, consultant), "10-06", model="途胜", cancelled=True)
    return store


def test_deal_report_exact(deals) -> None:  # type: ignore[no-untyped-def]
    report = deal_report(store=deals, start=OCT[0], end=OCT[1])
    t = report.total.values
    assert (t["orders"], t["deliveries"]) == (3, 3)
    assert (t["insurance_penetration"], t["finance_penetration"]) == (2 / 3, 1 / 3)
    assert (t["accessory_penetration"], t["tradein_penetration"]) == (1 / 3, 1 / 3)
    models = {ln.label: ln.values for ln in report.by_model}
    assert (models["途胜"]["orders"], models["途胜"]["deliveries"]) == (2, 2)
    assert models["途胜"]["insurance_penetration"] == 1.0
    assert models["途胜"]["finance_penetration"] == 0.5
    assert models["名图"]["tradein_penetration"] == 1.0
    sources = {ln.label: ln.values for ln in report.by_source}
    assert set(sources) == {"网络(汽车网站)", "电视/广播/报纸", str(NO_SOURCE)}
    assert (sources[str(NO_SOURCE)]["orders"], sources[str(NO_SOURCE)]["deliveries"]) == (0, 1)
    internet = sources["网络(汽车网站)"]
    assert (internet["orders"], internet["deliveries"]) == (2, 2)
    media = sources["电视/广播/报纸"]
    assert (media["orders"], media["deliveries"], media["insurance_penetration"]) == (1, 0, None)
    people = {ln.label: ln.values for ln in report.by_consultant}
    assert (people["张伟"]["orders"], people["张伟"]["deliveries"]) == (2, 1)
    assert (people["李娜"]["orders"], people["李娜"]["deliveries"]) == (1, 2)


# --- screens and workbooks ----------------------------------------------------------------


def test_report_screens_and_workbooks(client, deals, make_staff) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_staff("crm", Role.CRM, store=deals))
    period = {"start": "2026-10", "end": "2026-10"}
    assert client.get(reverse("crm:reports")).status_code == 200
    for kind in ("efficiency", "dormant", "deals"):
        assert client.get(reverse("crm:report", args=[kind]), period).status_code == 200
    assert client.get(reverse("crm:report", args=["nonsense"])).status_code == 404

    response = client.get(reverse("crm:report_xlsx", args=["deals"]), period)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith("_BJ01_2026-10.xlsx")
    ws = load_workbook(io.BytesIO(response.content))["成交客户报告"]
    rows = [r for r in ws.iter_rows(values_only=True) if r and r[0]]
    assert rows[0][0].startswith("成交客户报告 · ")  # the title, in Chinese
    assert rows[3][:4] == ("按车型", "订单", "交车", "渗透率(占交车)")
    headers = next(ws.iter_rows(min_row=6, max_row=6, values_only=True))
    assert headers[3:7] == ("保险", "金融按揭", "精品", "二手车置换")
    tucson = next(r for r in rows if r[0] == "途胜")
    assert tucson[1:7] == (2, 2, 1.0, 0.5, 0.5, 0.0)

    response = client.get(reverse("crm:report_xlsx", args=["efficiency"]), period)
    ws = load_workbook(io.BytesIO(response.content))["各部门客户效率分析"]
    assert ws.max_row >= 8
    response = client.get(reverse("crm:report_xlsx", args=["dormant"]))
    assert "休眠客户报告" in load_workbook(io.BytesIO(response.content)).sheetnames


def test_dormant_and_deal_queries_are_constant(quiet, consultant) -> None:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as dormant_few:
        dormant_report(store=quiet, on=ON)
    with CaptureQueriesContext(connection) as deals_few:
        deal_report(store=quiet, start=OCT[0], end=OCT[1])
    for i in range(8):
        order(card(quiet, consultant, "2026-01-01"), "10-03", delivered="10-09", model=f"车{i}",
              source="internet" if i % 2 else "media")  # fmt: skip
        card(quiet, consultant, "2025-01-01")
    with CaptureQueriesContext(connection) as dormant_more:
        dormant_report(store=quiet, on=ON)
    with CaptureQueriesContext(connection) as deals_more:
        deal_report(store=quiet, start=OCT[0], end=OCT[1])
    assert len(dormant_few) == len(dormant_more) == 1
    assert len(deals_few) == len(deals_more) == 5  # total, by model, source, consultant; names


def test_dormant_report_starts_from_the_store_s_dormant_days(client, quiet, manager):  # type: ignore[no-untyped-def]
    from showroom.customers.models import FollowUpSettings

    client.force_login(manager)
    url = reverse("crm:report", args=["dormant"])
    assert client.get(url).context["report"].days == 90
    FollowUpSettings.objects.create(store=quiet, dormant_days=200)
    assert client.get(url).context["report"].days == 200
    assert client.get(url, {"days": "120"}).context["report"].days == 120
