"""The sales report selectors on a hand-built October 2026 of store BJ01.

张伟 (C001) keeps, on 10-01: 留存H (H since 09-20, ordered 10-12), 留存A (A, lost 10-11: still
carried over on 10-01), 留存B (B, a loss request still waiting), 留存C (C, up to B on 10-15);
not 九月成交 (ordered in September) nor 九月失控 (out of control in September). New in October:
新增1 (10-03, from a walk-in), 新增2 (10-10, ordered 10-25), 新增3 (10-20). 李娜 (C002) has her
own prospects, a confirmed loss and an out-of-control record.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from showroom.customers.choices import OwnerKind
from showroom.customers.models import GradeChange
from showroom.organization import access
from showroom.reports.sales import monthly as report_monthly
from showroom.reports.sales.daily import daily_overview, daily_report
from showroom.reports.sales.evening import EveningLine, evening_meeting
from showroom.sales.models import Activity, DailyReview, LossReport, Order
from showroom.traffic.choices import VisitType
from tests import factories as f

pytestmark = pytest.mark.django_db

D = dt.date
OCT = (D(2026, 10, 1), D(2026, 10, 31))
DAY = D(2026, 10, 3)


def card(store, consultant, name, created, grade="B", *, log=True, **kw):  # type: ignore[no-untyped-def]
    customer = f.CustomerFactory(
        store=store, consultant=consultant, name=name, created=created, grade=grade, **kw
    )
    if log:
        GradeChange.objects.create(store=store, customer=customer, date=created, new_grade=grade)
    return customer


def regrade(customer, day, old, new):  # type: ignore[no-untyped-def]
    return GradeChange.objects.create(
        store=customer.store, customer=customer, date=day, old_grade=old, new_grade=new
    )


def contact(customer, day, kind, category="", next_date=None, consultant=None):  # type: ignore[no-untyped-def]
    return Activity.objects.create(
        store=customer.store,
        customer=customer,
        consultant=consultant or customer.consultant,
        date=day,
        kind=kind,
        category=category,
        next_date=next_date,
    )


def order(customer, day, **kw):  # type: ignore[no-untyped-def]
    return Order.objects.create(
        store=customer.store,
        customer=customer,
        consultant=customer.consultant,
        order_date=day,
        model=customer.model,
        **kw,
    )


def loss(customer, day, kind="lost", status="confirmed", decided_by=None, **kw):  # type: ignore[no-untyped-def]
    return LossReport.objects.create(
        store=customer.store,
        customer=customer,
        consultant=customer.consultant,
        date=day,
        kind=kind,
        status=status,
        decided_by=decided_by if status == "confirmed" else None,
        decided_on=day if status == "confirmed" else None,
        **kw,
    )


def build_october(store, zhang, li, manager) -> SimpleNamespace:  # type: ignore[no-untyped-def]
    ns = SimpleNamespace()
    # 张伟's prospects carried over into October
    ns.p_h = card(store, zhang, "留存H", D(2026, 9, 5), "B", phone="13900000011")
    regrade(ns.p_h, D(2026, 9, 20), "B", "H")
    ns.p_h.next_follow_up = D(2026, 10, 10)
    ns.p_h.save(update_fields=["next_follow_up"])
    contact(ns.p_h, D(2026, 10, 3), "call", "management")
    contact(ns.p_h, D(2026, 10, 8), "test_drive", "promotion", next_date=D(2026, 10, 10))
    contact(ns.p_h, D(2026, 10, 12), "order", "promotion")
    order(ns.p_h, D(2026, 10, 12))

    ns.p_a = card(store, zhang, "留存A", D(2026, 9, 10), "A", phone="13900000012")
    ns.p_a.next_follow_up = D(2026, 10, 1)
    ns.p_a.save(update_fields=["next_follow_up"])
    contact(ns.p_a, D(2026, 10, 9), "home_visit", "promotion")
    ns.loss_a = loss(
        ns.p_a,
        D(2026, 10, 11),
        grade="A",
        reason="price",
        competitor_brand="丰田",
        competitor_model="凯美瑞",
        description="对手降价两万",
        decided_by=manager,
    )

    ns.p_b = card(store, zhang, "留存B", D(2026, 9, 12), "B", phone="13900000013")
    ns.p_b.next_follow_up = D(2026, 10, 4)
    ns.p_b.save(update_fields=["next_follow_up"])
    contact(ns.p_b, DAY, "invitation", "promotion")
    regrade(ns.p_b, DAY, "B", "A")
    ns.waiting_b = loss(ns.p_b, D(2026, 10, 2), status="requested", grade="B", reason="product")

    ns.p_c = card(store, zhang, "留存C", D(2026, 8, 15), "C", log=False, phone="13900000014")
    ns.p_c.next_follow_up = D(2026, 10, 20)
    ns.p_c.save(update_fields=["next_follow_up"])
    contact(ns.p_c, D(2026, 10, 1), "message", "management", next_date=D(2026, 10, 4))
    regrade(ns.p_c, D(2026, 10, 15), "C", "B")

    # not carried over: ordered in September (its stale follow-up date is no plan either),
    # out of control in September; an other-brand owner is no prospect at all
    ns.sept_order = card(store, zhang, "九月成交", D(2026, 9, 1), "H", phone="13900000015")
    order(ns.sept_order, D(2026, 9, 28))
    ns.sept_order.next_follow_up = D(2026, 10, 4)
    ns.sept_order.save(update_fields=["next_follow_up"])
    ns.sept_lost = card(store, zhang, "九月失控", D(2026, 8, 1), "C", phone="13900000016")
    loss(ns.sept_lost, D(2026, 9, 15), kind="out_of_control", reason="other", decided_by=manager)
    card(
        store,
        zhang,
        "他牌车主",
        D(2026, 9, 1),
        "",
        log=False,
        owner_kind=OwnerKind.OTHER_BRAND,
        phone="13900000017",
    )
    # delivered today (ordered in September)
    ns.delivered = card(store, zhang, "交车客户", D(2026, 9, 20), "H", phone="13900000018")
    order(ns.delivered, D(2026, 9, 25), delivery_date=DAY)

    # 张伟's new prospects, created out of order
    ns.n3 = card(store, zhang, "新增3", D(2026, 10, 20), "B", phone="13900000023")
    ns.n1 = card(store, zhang, "新增1", DAY, "A", phone="13900000021", source=f.source("walk_by"))
    contact(ns.n1, DAY, "reception", "development", next_date=D(2026, 10, 5))
    contact(ns.n1, D(2026, 10, 5), "call", "promotion")
    ns.n2 = card(store, zhang, "新增2", D(2026, 10, 10), "H", phone="13900000022")
    order(ns.n2, D(2026, 10, 25))
    # a cancelled order does not close anything
    order(ns.n3, D(2026, 10, 26), cancelled=True)

    # 张伟's registers on 10-03: 新增1's first visit (kept), a kept first visit nobody made a
    # card for, a first visit without contact, a repeat visit, and 留存H's first call (kept)
    f.WalkInFactory(
        store=store, consultant=zhang, date=DAY, name="新增1", phone="13900000021", customer=ns.n1
    )
    ns.no_card = f.WalkInFactory(
        store=store, consultant=zhang, date=DAY, name="路人", phone="13800000099"
    )
    f.WalkInFactory(store=store, consultant=zhang, date=DAY, arrived_at=dt.time(11))
    f.WalkInFactory(
        store=store,
        consultant=zhang,
        date=DAY,
        visit_type=VisitType.REPEAT,
        name="留存H",
        phone="13900000011",
    )
    f.CallFactory(store=store, consultant=zhang, date=DAY, name="留存H", phone="13900000011")

    # 李娜
    ns.l_old = card(store, li, "李的留存", D(2026, 9, 3), "A", phone="13900000031")
    ns.l_old.next_follow_up = D(2026, 9, 30)
    ns.l_old.save(update_fields=["next_follow_up"])
    contact(ns.l_old, DAY, "call", "management")
    regrade(ns.l_old, DAY, "A", "C")
    ns.l_new = card(store, li, "李的新增", DAY, "B", phone="13900000032")
    f.CallFactory(store=store, consultant=li, date=DAY, name="李的新增", phone="139-0000-0032")
    ns.l_order = card(store, li, "李的订单", D(2026, 9, 25), "H", phone="13900000033")
    order(ns.l_order, DAY)
    ns.l_ooc = card(store, li, "李的失控", D(2026, 9, 1), "C", phone="13900000034", model="伊兰特")
    loss(
        ns.l_ooc,
        D(2026, 10, 20),
        kind="out_of_control",
        grade="C",
        reason="other",
        decided_by=manager,
    )
    ns.l_lost = card(store, li, "李的战败", D(2026, 8, 1), "B", phone="13900000035")
    loss(
        ns.l_lost,
        D(2026, 10, 25),
        grade="B",
        reason="price",
        competitor_brand="丰田",
        competitor_model="凯美瑞",
        decided_by=manager,
    )
    ns.l_returned = card(store, li, "李的退回", D(2026, 9, 2), "B", phone="13900000036")
    loss(ns.l_returned, D(2026, 10, 6), status="returned", reason="brand")
    return ns


@pytest.fixture
def october(store, consultant, consultant2, manager):  # type: ignore[no-untyped-def]
    return build_october(store, consultant, consultant2, manager)


# --- 营业日报表 ------------------------------------------------------------------------


def test_daily_report_counts_contacts_by_category(store, consultant, october):
    report = daily_report(user=consultant, store=store, consultant=consultant, day=DAY)
    assert [a.customer.name for a in report.contacts] == ["留存H", "留存B", "新增1"]
    counts = report.counts
    assert (counts.management, counts.promotion, counts.development) == (1, 1, 1)
    assert counts.unclassified == 0 and counts.total == 3


def test_daily_report_new_prospects_against_the_registers(store, consultant, consultant2, october):
    report = daily_report(user=consultant, store=store, consultant=consultant, day=DAY)
    assert [(c.name, c.in_register) for c in report.new_cards] == [("新增1", True)]
    # the kept first visits (no row without contact, no repeat visit) and the kept first call
    assert [(r.name, r.has_card) for r in report.walkins] == [("新增1", True), ("路人", False)]
    assert [(r.name, r.has_card) for r in report.calls] == [("留存H", True)]
    assert report.kept_rows == 3
    assert report.agrees is False

    li = daily_report(user=consultant2, store=store, consultant=consultant2, day=DAY)
    # matched by the normalized phone, without a link
    assert [(c.name, c.in_register) for c in li.new_cards] == [("李的新增", True)]
    assert [(r.name, r.has_card) for r in li.calls] == [("李的新增", True)]
    assert li.agrees is True


def test_daily_report_tomorrow_and_grade_changes(store, consultant, october):
    report = daily_report(user=consultant, store=store, consultant=consultant, day=DAY)
    # 留存B by its card's date, 留存C by a contact's next date; 九月成交 is no longer open
    assert sorted(c.name for c in report.planned) == ["留存B", "留存C"]
    assert {c.name: c.grade_then for c in report.planned} == {"留存B": "A", "留存C": "C"}
    assert [
        (g.customer.name, g.old_grade, g.new_grade, g.direction) for g in report.grade_changes
    ] == [
        ("留存B", "B", "A", "up"),
        ("新增1", "", "A", "new"),
    ]
    assert report.review is None


def test_daily_overview_lines_per_consultant(store, manager, consultant, october):
    DailyReview.objects.create(
        store=store, consultant=consultant, date=DAY, reviewed_by=manager, comment="好"
    )
    lines = daily_overview(user=manager, store=store, day=DAY)
    assert [ln.consultant.full_name for ln in lines] == ["张伟", "李娜"]
    zhang, li = lines
    assert (zhang.counts.management, zhang.counts.promotion, zhang.counts.development) == (1, 1, 1)
    assert (zhang.new_cards, zhang.cards_not_registered) == (1, 0)
    assert (zhang.kept_rows, zhang.rows_without_card) == (3, 1)
    assert zhang.agrees is False and zhang.review is not None
    assert (li.counts.total, li.new_cards, li.kept_rows, li.agrees, li.review) == (
        1,
        1,
        1,
        True,
        None,
    )


def test_consultant_sees_only_their_own(store, consultant, consultant2, october):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        access.pick_consultant(user=consultant, store=store, pk=consultant2.pk)
    assert access.pick_consultant(user=consultant, store=store, pk=None) == consultant
    # even asked about someone else, the selectors only return the user's own rows
    report = daily_report(user=consultant, store=store, consultant=consultant2, day=DAY)
    assert report.contacts == [] and report.new_cards == [] and report.calls == []
    lines = daily_overview(user=consultant, store=store, day=DAY)
    assert [ln.consultant for ln in lines] == [consultant]
    evening = evening_meeting(user=consultant, store=store, day=DAY)
    assert [ln.consultant for ln in evening.lines] == [consultant]
    assert evening.total.orders == 0  # 李娜's order is not hers


# --- 夕会 ---------------------------------------------------------------------------------


def evening_numbers(line: EveningLine) -> dict[str, int]:
    return {name: getattr(line, name) for name in EveningLine.NUMBERS}


def test_evening_meeting_numbers(store, manager, october):
    report = evening_meeting(user=manager, store=store, day=DAY)
    assert [ln.consultant.full_name for ln in report.lines] == ["张伟", "李娜"]  # type: ignore[union-attr]
    zhang, li = report.lines
    assert evening_numbers(zhang) == {
        "first_visits": 3,
        "repeat_visits": 1,
        "calls": 1,
        "kept": 3,
        "contacts": 3,
        "new_cards": 1,
        "grades_up": 1,
        "grades_down": 0,
        "orders": 0,
        "deliveries": 1,
        "losses_waiting": 1,
        "overdue": 1,
        "planned_tomorrow": 2,
    }
    assert evening_numbers(li) == {
        "first_visits": 0,
        "repeat_visits": 0,
        "calls": 1,
        "kept": 1,
        "contacts": 1,
        "new_cards": 1,
        "grades_up": 0,
        "grades_down": 1,
        "orders": 1,
        "deliveries": 0,
        "losses_waiting": 0,
        "overdue": 1,
        "planned_tomorrow": 0,
    }
    assert evening_numbers(report.total) == {
        k: evening_numbers(zhang)[k] + evening_numbers(li)[k] for k in EveningLine.NUMBERS
    }
    assert [c.name for c in report.new_cards] == ["新增1", "李的新增"]
    assert [o.customer.name for o in report.orders] == ["李的订单"]
    assert [o.customer.name for o in report.deliveries] == ["交车客户"]
    assert [r.customer.name for r in report.losses_waiting] == ["留存B"]


# --- 意向客户接触状况表 -------------------------------------------------------------------


def zhang_sheet(store, user, consultant) -> report_monthly.ContactSheet:  # type: ignore[no-untyped-def]
    report = report_monthly.contact_status(
        user=user, store=store, month_start=OCT[0], month_end=OCT[1], consultants=[consultant]
    )
    assert len(report.days) == 31
    return report.sheets[0]


def test_contact_status_rows_carried_over_first_then_new(store, consultant, october):
    sheet = zhang_sheet(store, consultant, consultant)
    assert [(r.customer.name, r.carried, r.grade_start, r.grade_end) for r in sheet.rows] == [
        ("留存H", True, "H", "H"),
        ("留存A", True, "A", "A"),  # lost on 10-11, still carried over on 10-01
        ("留存B", True, "B", "A"),  # its loss request is still waiting
        ("留存C", True, "C", "B"),  # no grade log before: the card's grade
        ("新增1", False, "", "A"),
        ("新增2", False, "", "H"),
        ("新增3", False, "", "B"),
    ]
    closes = {r.customer.name: (r.close, r.close_date) for r in sheet.rows}
    assert closes == {
        "留存H": ("ordered", D(2026, 10, 12)),
        "留存A": ("lost", D(2026, 10, 11)),
        "留存B": ("", None),
        "留存C": ("", None),
        "新增1": ("", None),
        "新增2": ("ordered", D(2026, 10, 25)),
        "新增3": ("", None),  # its order was cancelled
    }
    assert sheet.rows[4].source == "路过"


def test_contact_status_day_grid_with_planned_marks(store, consultant, october):
    sheet = zhang_sheet(store, consultant, consultant)
    rows = {r.customer.name: r for r in sheet.rows}

    def marked(row: Any) -> dict[int, str]:
        return {i + 1: row.mark(i) for i in range(31) if row.mark(i)}

    with translation.override("en"):
        assert marked(rows["留存H"]) == {3: "Tel", 8: "TD", 10: "*", 12: "Ord"}
        assert marked(rows["留存C"]) == {1: "Msg", 4: "*", 20: "*"}
        assert marked(rows["新增1"]) == {3: "Vis", 5: "Tel*"}
        assert marked(rows["留存B"]) == {3: "Inv", 4: "*"}
    assert rows["留存H"].contacts == 3


def test_contact_status_close_ratios(store, consultant, october):
    sheet = zhang_sheet(store, consultant, consultant)
    assert (sheet.carried.prospects, sheet.carried.orders, sheet.carried.lost) == (4, 1, 1)
    assert sheet.carried.close_ratio == 0.25
    assert (sheet.new.prospects, sheet.new.orders) == (3, 1)
    assert sheet.new.close_ratio == pytest.approx(1 / 3)
    assert (sheet.total.prospects, sheet.total.orders) == (7, 2)
    assert sheet.open_by_grade == {"H": 0, "A": 2, "B": 2, "C": 0}
    with translation.override("en"):
        assert sheet.sources == [("(not given)", 4, 2), ("Passing by", 0, 1)]


def test_contact_status_of_several_consultants(store, manager, consultant, consultant2, october):
    report = report_monthly.contact_status(
        user=manager,
        store=store,
        month_start=OCT[0],
        month_end=OCT[1],
        consultants=[consultant, consultant2],
    )
    zhang, li = report.sheets
    assert len(zhang.rows) == 7
    assert [r.customer.name for r in li.rows] == [
        "李的订单",
        "李的留存",
        "李的战败",
        "李的退回",
        "李的失控",
        "李的新增",
    ]
    assert (
        li.carried.prospects,
        li.carried.orders,
        li.carried.lost,
        li.carried.out_of_control,
    ) == (
        5,
        1,
        1,
        1,
    )
    # a consultant asking for someone else's sheet gets no rows
    other = zhang_sheet(store, consultant, consultant2)
    assert other.rows == []


# --- 销售促进战败(失控)分析表 ----------------------------------------------------------------


def summary(lines: list[report_monthly.SummaryLine]) -> list[tuple[str, int, int]]:
    return [(ln.label, ln.lost, ln.out_of_control) for ln in lines]


def test_loss_analysis_counts_confirmed_records_only(store, manager, october):
    with translation.override("en"):
        analysis = report_monthly.loss_analysis(
            user=manager, store=store, month_start=OCT[0], month_end=OCT[1]
        )
        assert [r.customer.name for r in analysis.confirmed] == ["留存A", "李的失控", "李的战败"]
        assert [r.customer.name for r in analysis.waiting] == ["留存B"]
        assert (analysis.total.lost, analysis.total.out_of_control) == (2, 1)
        reasons = summary(analysis.by_reason)
        assert reasons[0] == ("Price", 2, 0)
        assert ("Other", 0, 1) in reasons and ("Product", 0, 0) in reasons
        assert len(reasons) == 9
        assert summary(analysis.by_model) == [("途胜", 2, 0), ("伊兰特", 0, 1)]
        assert summary(analysis.by_competitor) == [("丰田 凯美瑞", 2, 0), ("(not given)", 0, 1)]
        assert summary(analysis.by_consultant) == [("李娜", 1, 1), ("张伟", 1, 0)]
        assert summary(analysis.by_grade) == [("A", 1, 0), ("B", 1, 0), ("C", 0, 1)]
        assert analysis.by_model[0].share == pytest.approx(2 / 3)


def test_loss_analysis_of_a_consultant(store, consultant, october):
    analysis = report_monthly.loss_analysis(
        user=consultant, store=store, month_start=OCT[0], month_end=OCT[1]
    )
    assert [r.customer.name for r in analysis.confirmed] == ["留存A"]
    assert [r.customer.name for r in analysis.waiting] == ["留存B"]
    assert analysis.total.total == 1


# --- a constant number of queries ----------------------------------------------------------


def more_consultants(store, n: int) -> None:  # type: ignore[no-untyped-def]
    """Consultants with a day and a month of their own, to show the query count stays put."""
    for i in range(n):
        staff = f.StaffFactory(store=store, username=f"extra{i}", staff_code=f"X{i:03d}")
        for j in range(3):
            c = card(
                store, staff, f"多{i}-{j}", D(2026, 9 + j % 2, 2 + j), phone=f"137{i:04d}{j:04d}"
            )
            contact(c, DAY, "call", "management", next_date=D(2026, 10, 4))
            contact(c, D(2026, 10, 9), "quote", "promotion")
            regrade(c, DAY, "B", "A")
            f.WalkInFactory(store=store, consultant=staff, date=DAY, name=c.name, phone=c.phone)
        order(c, DAY)
        loss(c, D(2026, 10, 20), decided_by=None, status="requested", reason="price")


def count_queries(func: Any) -> int:
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_consultants_or_rows(
    store, manager, consultant, october, django_assert_max_num_queries
):
    everyone = lambda: access.consultant_choices(user=manager, store=store)  # noqa: E731
    runs = {
        "daily": lambda: daily_report(user=manager, store=store, consultant=consultant, day=DAY),
        "overview": lambda: daily_overview(user=manager, store=store, day=DAY),
        "evening": lambda: evening_meeting(user=manager, store=store, day=DAY),
        "contact": lambda: report_monthly.contact_status(
            user=manager, store=store, month_start=OCT[0], month_end=OCT[1], consultants=everyone()
        ),
        "losses": lambda: report_monthly.loss_analysis(
            user=manager, store=store, month_start=OCT[0], month_end=OCT[1]
        ),
    }
    limits = {"daily": 8, "overview": 7, "evening": 15, "contact": 5, "losses": 7}
    before = {}
    for name, run in runs.items():
        with django_assert_max_num_queries(limits[name]):
            run()
        before[name] = count_queries(run)
    more_consultants(store, 6)
    after = {name: count_queries(run) for name, run in runs.items()}
    assert after == before


def test_contact_status_shows_a_reactivated_customer_as_new(store, consultant, manager, october):
    """Lost in September, handed back through the CRM's activation list in October: a new
    prospect of October (docs/contracts.md), on the sheet with the new ones."""
    from showroom.sales.models import Reactivation

    back = card(store, consultant, "激活客户", D(2026, 8, 20), grade="A")
    loss(back, D(2026, 9, 15), decided_by=manager)
    Reactivation.objects.create(
        store=store, customer=back, date=D(2026, 10, 20), consultant=consultant, by=manager
    )
    sheet = zhang_sheet(store, consultant, consultant)
    rows = {r.customer.name: (r.carried, r.grade_start) for r in sheet.rows}
    assert rows["激活客户"] == (False, "")
    carried = [r.customer.name for r in sheet.rows if r.carried]
    assert carried == ["留存H", "留存A", "留存B", "留存C"]
