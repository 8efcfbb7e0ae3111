"""Diagnostics on small store histories.

The period is the month to date 2026-11-01..11-23 (23 days); the benchmark is the same days
of the three months before, 08-01..08-23, 09-01..09-23 and 10-01..10-23 (69 days), so counts
compare with a third of the spans' totals. `history` builds them, the same for every test
(a call on 08-01 is the store's first row), with rows outside the spans that count nowhere:

    walk-ins in the spans 90 (first visits 60, test drives 45, quotes 36)  → benchmarks 30
        and 20, test_drive_rate 0.5, quote_rate 0.4
    48 new cards (10-05), 12 showroom orders (10-12), 9 delivered (10-20), the others lost
        (confirmed, 10-25)  → orders 4, close_rate 0.2, order_delivery_rate 0.75,
        order_rate 12 / 48 = 0.25; nothing carried over into November
    leads in the spans 30  → 10

`normal` is a period in line with it (no finding); each test changes what its rule needs.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from showroom.customers.models import Customer
from showroom.kpi.dashboard.diagnostics import (
    MIN_ROWS,
    ConsultantGap,
    Evidence,
    Finding,
    Severity,
    benchmark_window,
    diagnose,
    previous_span,
)
from showroom.organization.choices import Role
from showroom.organization.models import Staff, Store
from showroom.sales.choices import LossKind, LossReason, LossStatus
from showroom.sales.models import LossReport, Order
from showroom.traffic.choices import VisitType
from showroom.traffic.models import Lead, WalkIn
from tests import factories as f

pytestmark = pytest.mark.django_db

START, END = dt.date(2026, 11, 1), dt.date(2026, 11, 23)
SHANGHAI = ZoneInfo("Asia/Shanghai")
_phones = itertools.count(1)


@pytest.fixture(autouse=True)
def _evening_of_the_23rd(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(dt.datetime(2026, 11, 23, 19, 30, tzinfo=SHANGHAI), tick=False)


@pytest.fixture(autouse=True)
def _english() -> Any:
    # Actions and titles are lazy translations: compared here with their English msgids.
    with translation.override("en"):
        yield


def walkins(
    store: Store,
    consultant: Staff,
    day: str,
    n: int,
    *,
    first: int,
    test_drives: int = 0,
    quotes: int = 0,
) -> None:
    """n walk-in rows on `day`: the first `first` are first visits, the first `test_drives`
    had a test drive, the first `quotes` a quote."""
    WalkIn.objects.bulk_create(
        WalkIn(
            store=store,
            date=dt.date.fromisoformat(day),
            arrived_at=dt.time(10, 0),
            consultant=consultant,
            visit_type=VisitType.FIRST if i < first else VisitType.REPEAT,
            test_drive=i < test_drives,
            quoted=i < quotes,
        )
        for i in range(n)
    )


def deals(
    store: Store,
    consultant: Staff,
    created: str,
    cards: int,
    *,
    orders: int = 0,
    ordered: str = "",
    delivered: int = 0,
    delivery: str = "",
    lost_on: str = "",
    manager: Staff | None = None,
) -> None:
    """`cards` new cards; the first `orders` ordered in the showroom, the first `delivered`
    of those delivered; the cards without an order lost on `lost_on` (confirmed)."""
    for i in range(cards):
        customer = Customer.objects.create(
            store=store,
            name=f"客户{i}",
            phone=f"139{next(_phones):08d}",
            created=dt.date.fromisoformat(created),
            consultant=consultant,
            grade="B",
        )
        if i < orders:
            Order.objects.create(
                store=store,
                customer=customer,
                consultant=consultant,
                order_date=dt.date.fromisoformat(ordered),
                model="途胜",
                delivery_date=dt.date.fromisoformat(delivery) if i < delivered else None,
            )
        elif lost_on:
            LossReport.objects.create(
                store=store,
                customer=customer,
                consultant=consultant,
                date=dt.date.fromisoformat(lost_on),
                kind=LossKind.LOST,
                reason=LossReason.PRICE,
                status=LossStatus.CONFIRMED,
                decided_by=manager,
            )


def leads(store: Store, day: str, n: int) -> None:
    moment = timezone.make_aware(dt.datetime.fromisoformat(f"{day} 10:00"))
    for _i in range(n):
        Lead.objects.create(
            store=store,
            created_at=moment,
            channel=f.source("internet"),
            phone=f"138{next(_phones):08d}",
        )


@pytest.fixture
def history(store, consultant, consultant2, manager):  # type: ignore[no-untyped-def]
    f.CallFactory(store=store, consultant=consultant, date=dt.date(2026, 8, 1))
    walkins(store, consultant, "2026-09-10", 60, first=40, test_drives=30, quotes=24)
    walkins(store, consultant2, "2026-09-10", 30, first=20, test_drives=15, quotes=12)
    # After the 23rd: in no span.
    walkins(store, consultant2, "2026-09-28", 30, first=20, test_drives=15, quotes=12)
    for person, cards, orders, delivered in ((consultant, 32, 8, 6), (consultant2, 16, 4, 3)):
        deals(
            store,
            person,
            "2026-10-05",
            cards,
            orders=orders,
            ordered="2026-10-12",
            delivered=delivered,
            delivery="2026-10-20",
            lost_on="2026-10-25",
            manager=manager,
        )
    deals(
        store,
        consultant2,
        "2026-10-26",
        16,
        orders=4,
        ordered="2026-10-27",
        delivered=3,
        delivery="2026-10-28",
        lost_on="2026-10-30",
        manager=manager,
    )
    leads(store, "2026-09-15", 30)
    leads(store, "2026-09-28", 10)


def period_deals(store: Store, zhang: Staff, li: Staff, orders: tuple[int, int] = (2, 2)) -> None:
    """8 new cards each (16 as in the benchmark), with 2 showroom orders each unless told."""
    for person, n in zip((zhang, li), orders, strict=True):
        deals(store, person, "2026-11-03", 8, orders=n, ordered="2026-11-10")


def normal(store: Store, zhang: Staff, li: Staff) -> None:
    """Walk-ins 30 (first 20), test drives 16 (0.53), quotes 12 (0.4), orders 4 (close 0.2,
    order rate 0.25), leads 10: every KPI within 85%..115% of its benchmark."""
    for person in (zhang, li):
        walkins(store, person, "2026-11-05", 15, first=10, test_drives=8, quotes=6)
    period_deals(store, zhang, li)
    leads(store, "2026-11-06", 10)


def test_the_benchmark_window_is_the_three_months_before():
    assert benchmark_window(START) == (dt.date(2026, 8, 1), dt.date(2026, 10, 31))
    assert benchmark_window(dt.date(2026, 2, 15)) == (dt.date(2025, 11, 1), dt.date(2026, 1, 31))


def test_the_order_rate_compares_with_the_same_days_a_month_earlier():
    assert previous_span(START, END) == (dt.date(2026, 10, 1), dt.date(2026, 10, 23))
    assert previous_span(dt.date(2026, 3, 1), dt.date(2026, 3, 31)) == (
        dt.date(2026, 2, 1),
        dt.date(2026, 2, 28),
    )
    assert previous_span(dt.date(2026, 1, 15), dt.date(2026, 1, 31)) == (
        dt.date(2025, 12, 15),
        dt.date(2025, 12, 31),
    )


def test_nothing_fires_in_a_period_like_the_benchmark(history, store, consultant, consultant2):
    normal(store, consultant, consultant2)
    assert diagnose(store=store, start=START, end=END) == []


def test_nothing_without_a_history(store, consultant, consultant2):
    normal(store, consultant, consultant2)
    assert diagnose(store=store, start=START, end=END) == []


def test_few_visitors_but_a_high_close_rate(history, store, consultant, consultant2):
    # 16 walk-ins (12 first visits) and the usual 4 orders: close rate 4/12.
    for person in (consultant, consultant2):
        walkins(store, person, "2026-11-05", 8, first=6, test_drives=4, quotes=3)
    period_deals(store, consultant, consultant2)
    leads(store, "2026-11-06", 10)

    assert diagnose(store=store, start=START, end=END) == [
        Finding(
            code="few_visitors",
            stage="visits",
            # first visits 12/20 = 60%; the folded low_visits 16/30 = 53%: medium both
            severity=Severity.MEDIUM,
            kpi="first_visit_batches",
            value=12,
            benchmark=20.0,
            group=None,
            basis="store",
            gap=12 - 20.0,
            ratio=12 / 20.0,
            consultant=None,  # a count: the stage is flagged, not a consultant
            evidence=(
                Evidence("first_visit_batches", 12, 20.0),
                Evidence("close_rate", 4 / 12, 16 / 80),
                Evidence("orders", 4, 4.0),
                # from the Infiniti node of the same stage
                Evidence("walkin_batches", 16, 30.0),
                Evidence("invited_visit_batches", 0, 0.0),
                Evidence("show_rate", None, None),
            ),
            actions=(
                "Bring more visitors through marketing activities.",
                "Check the store-visit rate of each of the seven channels.",
                "Check the visit rate of first invitations.",
                "Check the visit rate of repeat invitations.",
                "Check the invitation script.",
                "Check the visits consultants pay to customers.",
            ),
            also=("low_visits",),
        )
    ]


def test_many_visitors_but_few_test_drives(history, store, consultant, consultant2, make_staff):  # type: ignore[no-untyped-def]
    # 45 walk-ins (above 115% of 30), 15 test drives: 1/3 against 0.5.
    walkins(store, consultant, "2026-11-05", 20, first=13, test_drives=12, quotes=8)
    walkins(store, consultant2, "2026-11-05", 20, first=13, test_drives=3, quotes=8)
    # The lowest rate of all, but on fewer than MIN_ROWS rows: not the one flagged.
    wang = make_staff("wang", Role.CONSULTANT, store=store, full_name="王强", staff_code="C003")
    walkins(store, wang, "2026-11-05", MIN_ROWS - 5, first=4, test_drives=0, quotes=2)
    period_deals(store, consultant, consultant2)
    leads(store, "2026-11-06", 10)

    findings = diagnose(store=store, start=START, end=END)
    assert findings == [
        Finding(
            code="few_test_drives",
            stage="test_drives",
            severity=Severity.MEDIUM,  # 67% of the benchmark
            kpi="test_drive_rate",
            value=15 / 45,
            benchmark=60 / 120,
            group=None,
            basis="store",
            gap=15 / 45 - 60 / 120,
            ratio=(15 / 45) / (60 / 120),
            consultant=ConsultantGap(
                name="李娜",
                code="test_drive_rate",
                value=3 / 20,
                rows=20,
                gap=3 / 20 - 60 / 120,
            ),
            evidence=(
                Evidence("walkin_batches", 45, 30.0),
                Evidence("test_drive_rate", 15 / 45, 60 / 120),
            ),
            actions=(
                "Promote test drives in the store's campaigns.",
                "Consultants must offer every visitor a test drive.",
            ),
        )
    ]
    assert findings[0].value_text == "33.3%" and findings[0].reference_text == "50.0%"
    assert findings[0].ratio_text == "67%"


def test_a_month_under_way_is_judged_on_its_days_so_far(history, store, consultant, consultant2):
    # The dashboard asks for the whole of November on the 23rd: the same as the 23 days.
    walkins(store, consultant, "2026-11-05", 20, first=13, test_drives=12, quotes=8)
    walkins(store, consultant2, "2026-11-05", 20, first=13, test_drives=3, quotes=8)
    period_deals(store, consultant, consultant2)
    leads(store, "2026-11-06", 10)
    to_date = diagnose(store=store, start=START, end=END)
    assert [f.code for f in to_date] == ["few_test_drives"]
    assert diagnose(store=store, start=START, end=dt.date(2026, 11, 30)) == to_date
    assert diagnose(store=store, start=dt.date(2026, 12, 1), end=dt.date(2026, 12, 31)) == []


def test_many_test_drives_but_little_negotiation(history, store, consultant, consultant2):
    # Test drives 20/30 (above 0.575), quotes 8/30 (below 0.34): with the quote-rate node.
    walkins(store, consultant, "2026-11-05", 15, first=10, test_drives=10, quotes=6)
    walkins(store, consultant2, "2026-11-05", 15, first=10, test_drives=10, quotes=2)
    period_deals(store, consultant, consultant2)
    leads(store, "2026-11-06", 10)

    [finding] = diagnose(store=store, start=START, end=END)
    assert (finding.code, finding.stage, finding.kpi, finding.also) == (
        "little_negotiation",
        "negotiation",
        "quote_rate",
        ("low_quote_rate",),
    )
    assert (finding.value, finding.benchmark, finding.ratio) == (8 / 30, 0.4, (8 / 30) / 0.4)
    assert finding.severity == Severity.MEDIUM
    assert finding.consultant == ConsultantGap("李娜", "quote_rate", 2 / 15, 15, 2 / 15 - 0.4)
    assert [e.code for e in finding.evidence] == [
        "test_drive_rate",
        "quote_rate",
        "avg_stay_minutes",
    ]
    assert finding.evidence[0] == Evidence("test_drive_rate", 20 / 30, 0.5)
    assert finding.actions == (
        "Check how test drives are run and the test-drive route.",
        "Have consultants practise leading the customer from the test drive to negotiation.",
        "Check the needs analysis.",
        "Check how long visitors stay in the showroom.",
        "Check the test-drive rate.",
        "Check the product presentation script.",
        "Check the invitations to come back.",
    )


def test_much_negotiation_but_few_orders(history, store, consultant, consultant2):
    # Quotes 18/30 (above 0.46); one showroom order for 20 first visits (0.05 against 0.2);
    # the order rate 1/16 is low too (the Infiniti node of the same stage, folded in).
    for person in (consultant, consultant2):
        walkins(store, person, "2026-11-05", 15, first=10, test_drives=8, quotes=9)
    period_deals(store, consultant, consultant2, orders=(1, 0))
    leads(store, "2026-11-06", 10)

    [finding] = diagnose(store=store, start=START, end=END)
    assert finding == Finding(
        code="few_orders",
        stage="orders",
        severity=Severity.HIGH,  # 25% of the benchmark
        kpi="close_rate",
        value=1 / 20,
        benchmark=16 / 80,
        group=None,
        basis="store",
        gap=1 / 20 - 16 / 80,
        ratio=(1 / 20) / (16 / 80),
        consultant=ConsultantGap("李娜", "close_rate", 0.0, 10, 0.0 - 16 / 80),
        evidence=(
            Evidence("quote_rate", 18 / 30, 48 / 120),
            Evidence("close_rate", 1 / 20, 16 / 80),
            Evidence("orders", 1, 4.0),
            Evidence("order_rate", 1 / 16, 12 / 48),
            Evidence("carried_over_prospects", 0, 0.0),  # a stock: its mean over the spans
            Evidence("new_prospects", 16, 16.0),  # a flow: 48 × 23 ÷ 69, pro rata
        ),
        actions=(
            "Raise the consultants' selling skills with internal training and role play: "
            "product presentation, quoting, handling objections.",
            "Check the average time from a prospect's visit to the order.",
            "Check the share of quotes ordered the same day.",
            "Check how many quoted customers come back.",
            "Check the manager's support on the showroom floor.",
        ),
        also=("low_order_rate",),
    )


def test_low_leads_and_low_order_to_delivery_most_severe_first(
    history, store, consultant, consultant2
):
    for person in (consultant, consultant2):
        walkins(store, person, "2026-11-05", 15, first=10, test_drives=8, quotes=6)
    # 12 orders, 5 delivered (5/12 against 0.75: 56%, medium); 张 10 orders, 3 delivered,
    # 李 2 orders (fewer than MIN_ROWS: not compared).
    deliveries = {"ordered": "2026-11-10", "delivery": "2026-11-20"}
    deals(store, consultant, "2026-11-03", 10, orders=10, delivered=3, **deliveries)
    deals(store, consultant2, "2026-11-03", 6, orders=2, delivered=2, **deliveries)
    leads(store, "2026-11-06", 4)  # 4 against 10: 40%, high

    findings = diagnose(store=store, start=START, end=END)
    assert [(f.code, f.severity, f.value, f.benchmark) for f in findings] == [
        ("low_leads", Severity.HIGH, 4, 10.0),
        ("low_delivery_rate", Severity.MEDIUM, 5 / 12, 12 / 16),
    ]
    leads_finding, delivery = findings
    assert leads_finding.consultant is None and leads_finding.stage == "leads"
    assert leads_finding.evidence == (
        Evidence("leads", 4, 10.0),
        Evidence("walkin_batches", 30, 30.0),
        Evidence("retention_rate", 0.0, 0.0),
    )
    assert delivery.consultant == ConsultantGap(
        "张伟", "order_delivery_rate", 3 / 10, 10, 3 / 10 - 12 / 16
    )
    assert delivery.actions == (
        "Check the order management.",
        "Check the stock.",
        "Check the delivery process.",
    )


def test_the_group_benchmark(history, store, other_store, consultant, consultant2):
    # The store is like its own history, but the group quotes far more often.
    walkins(store, consultant, "2026-11-05", 15, first=10, test_drives=8, quotes=7)
    walkins(store, consultant2, "2026-11-05", 15, first=10, test_drives=8, quotes=5)
    period_deals(store, consultant, consultant2)
    leads(store, "2026-11-06", 10)
    sh = f.StaffFactory(username="sh1", store=other_store, full_name="赵六")
    walkins(other_store, sh, "2026-11-05", 30, first=20, test_drives=16, quotes=30)
    leads(other_store, "2026-11-06", 30)

    assert diagnose(store=store, start=START, end=END) == []
    group = Store.objects.filter(code__in=["BJ01", "SH01"])
    [finding] = diagnose(store=store, start=START, end=END, group_stores=group)
    assert finding == Finding(
        code="low_quote_rate",
        stage="negotiation",
        severity=Severity.MEDIUM,  # 0.4 / 0.7 = 57%
        kpi="quote_rate",
        value=12 / 30,
        benchmark=48 / 120,
        group=42 / 60,
        basis="group",
        gap=12 / 30 - 42 / 60,
        ratio=(12 / 30) / (42 / 60),
        consultant=ConsultantGap("李娜", "quote_rate", 5 / 15, 15, 5 / 15 - 42 / 60),
        evidence=(
            Evidence("quote_rate", 12 / 30, 48 / 120, 42 / 60),
            Evidence("test_drive_rate", 16 / 30, 60 / 120, 32 / 60),
            Evidence("avg_stay_minutes", None, None, None),
        ),
        actions=(
            "Check the needs analysis.",
            "Check how long visitors stay in the showroom.",
            "Check the test-drive rate.",
            "Check the product presentation script.",
            "Check the invitations to come back.",
        ),
    )
    assert finding.reference == 42 / 60 and finding.against_group and finding.has_group
    # Counts compare with the store's own history only: the group's (10 + 30) / 2 = 20 leads
    # per store would make the store's 10 low, yet low_leads did not fire.
    # An empty group is no group.
    assert diagnose(store=store, start=START, end=END, group_stores=[]) == []


def test_a_constant_number_of_queries(
    history, store, other_store, consultant, consultant2, make_staff, django_assert_max_num_queries
):  # type: ignore[no-untyped-def]
    normal(store, consultant, consultant2)
    group = [store, other_store]
    # Queries of the period (walk-ins, cards, orders, leads), by consultant (the same: leads
    # for the appointment rate), the store's first row, the three spans (walk-ins, cards,
    # orders, leads), the group's period.
    with django_assert_max_num_queries(4 + 4 + 1 + 3 * 4 + 4) as nothing:
        assert diagnose(store=store, start=START, end=END, group_stores=group) == []

    walkins(store, consultant2, "2026-11-06", 10, first=6, test_drives=0, quotes=4)
    cache.clear()  # the references (past periods) are cached: count the queries cold
    with CaptureQueriesContext(connection) as two:
        [finding] = diagnose(store=store, start=START, end=END, group_stores=group)
    assert finding.code == "few_test_drives" and finding.consultant is not None
    assert finding.consultant.name == "李娜"

    for n in range(6):
        person = make_staff(f"extra{n}", Role.CONSULTANT, store=store, full_name=f"新人{n}")
        walkins(store, person, "2026-11-07", 12, first=8, test_drives=n, quotes=5)
        walkins(store, person, "2026-09-07", 12, first=8, test_drives=6, quotes=5)
    cache.clear()
    with CaptureQueriesContext(connection) as eight:
        [finding] = diagnose(store=store, start=START, end=END, group_stores=group)
    assert len(nothing) == len(two) == len(eight)
    # 31 test drives in 112 walk-ins; 新人0 had none in 12.
    assert (finding.code, finding.value) == ("few_test_drives", 31 / 112)
    assert finding.consultant is not None
    assert (finding.consultant.name, finding.consultant.value) == ("新人0", 0.0)


def test_actions_and_labels_in_chinese(history, store, consultant, consultant2):
    walkins(store, consultant, "2026-11-05", 15, first=10, test_drives=10, quotes=6)
    walkins(store, consultant2, "2026-11-05", 15, first=10, test_drives=10, quotes=2)
    period_deals(store, consultant, consultant2)
    leads(store, "2026-11-06", 10)
    [finding] = diagnose(store=store, start=START, end=END)
    with translation.override("zh-hans"):
        assert str(finding.title) == "试乘试驾率高，但商洽率低"
        assert str(finding.stage_label) == "商洽"
        assert str(finding.actions[0]) == "检查客户试乘试驾的过程和行程"
        assert finding.kpi_name == "报价率"


def test_the_evening_meeting_shows_the_findings(
    client, history, store, consultant, consultant2, manager
):  # type: ignore[no-untyped-def]
    walkins(store, consultant, "2026-11-05", 20, first=13, test_drives=12, quotes=8)
    walkins(store, consultant2, "2026-11-05", 20, first=13, test_drives=3, quotes=8)
    period_deals(store, consultant, consultant2)
    leads(store, "2026-11-06", 10)
    client.force_login(manager)

    page = client.get(reverse("reports:evening"), {"date": "2026-11-23"})
    assert page.status_code == 200
    assert [f.code for f in page.context["findings"]] == ["few_test_drives"]
    html = page.content.decode()
    assert "诊断" in html and "2026-11-01 – 2026-11-23" in html
    assert "到店客户多，但试乘试驾比例低" in html
    assert "李娜" in html and "15.0%" in html and "50.0%" in html and "为基准的 75%" in html
    assert "通过推广宣传活动增加客人试驾的数目" in html

    # August to date, against May..July: no history to compare with, nothing to flag.
    page = client.get(reverse("reports:evening"), {"date": "2026-08-05"})
    assert page.context["findings"] == []
    assert "没有需要提示的问题" in page.content.decode()


def test_the_period_s_numbers_may_come_from_the_caller(history, store, consultant, consultant2):  # type: ignore[no-untyped-def]
    """The dashboard has the month's KPIs already: passing them gives the same findings with
    one computation fewer."""
    from showroom.kpi.dashboard.diagnostics import PERIOD_CODES
    from showroom.kpi.selectors import compute_kpis

    normal(store, consultant, consultant2)
    walkins(store, consultant2, "2026-11-06", 10, first=6, test_drives=0, quotes=4)
    period = compute_kpis(stores=[store], start=START, end=END, codes=PERIOD_CODES)
    cache.clear()
    with CaptureQueriesContext(connection) as own:
        alone = diagnose(store=store, start=START, end=END)
    cache.clear()
    with CaptureQueriesContext(connection) as given:
        assert diagnose(store=store, start=START, end=END, period=period) == alone
    assert [f.code for f in alone] == ["few_test_drives"]
    assert len(given) == len(own) - 4  # the period's walk-ins, cards, orders and leads


def test_few_leads_given_an_appointment(history, store, consultant, consultant2):
    # The benchmark: 18 of September's 30 leads given an appointment (0.6); the period: 2 of
    # its 10 (0.2: a third of it, high).
    def book(day: str, n: int) -> None:
        pks = Lead.objects.filter(date=dt.date.fromisoformat(day)).values_list("pk", flat=True)
        Lead.objects.filter(pk__in=list(pks)[:n]).update(
            appointment_date=dt.date.fromisoformat(day) + dt.timedelta(days=2)
        )

    book("2026-09-15", 18)
    normal(store, consultant, consultant2)
    book("2026-11-06", 2)
    findings = diagnose(store=store, start=START, end=END)
    assert [(f.code, f.stage, f.severity, f.value, f.benchmark) for f in findings] == [
        ("low_appointment_rate", "appointments", Severity.HIGH, 0.2, 0.6)
    ]
    assert findings[0].evidence[:2] == (
        Evidence("leads", 10, 10.0),
        Evidence("appointment_rate", 0.2, 0.6),
    )
    assert findings[0].actions[0] == (
        "Check the first-response time of the leads and the escalation list."
    )
