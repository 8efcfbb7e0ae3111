"""Grades and follow-ups (跟进周期): cadence, earlier/later dates, grade log, overdue lists."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from showroom.customers.choices import OwnerKind
from showroom.customers.models import GradeChange
from showroom.organization.choices import Role
from showroom.sales.models import Activity, LossReport, Order
from showroom.sales.prospects import selectors
from showroom.sales.prospects.services import log_contact
from showroom.traffic import selectors as traffic_selectors
from tests import factories as f

pytestmark = pytest.mark.django_db

D = dt.date
DAY = D(2026, 10, 10)
# 2026-10-10 10:00 in Shanghai.
NOW = dt.datetime(2026, 10, 10, 2, 0, tzinfo=dt.UTC)


def card(store, consultant, name="客户", grade="B", created=None, **kw):
    return f.CustomerFactory(
        store=store,
        consultant=consultant,
        name=name,
        grade=grade,
        created=created or D(2026, 10, 1),
        **kw,
    )


@pytest.mark.parametrize(
    ("grade", "expected"),
    [
        ("H", D(2026, 10, 12)),
        ("A", D(2026, 10, 17)),
        ("B", D(2026, 10, 24)),
        ("C", D(2026, 11, 9)),
        ("O", D(2026, 10, 17)),
    ],
)
def test_next_follow_up_from_the_grade_cadence(store, consultant, grade, expected):
    c = card(store, consultant, grade="B")
    activity = log_contact(
        customer=c, user=consultant, date=DAY, kind="call", grade_after=grade, notes="电话"
    )
    c.refresh_from_db()
    assert (activity.next_date, c.next_follow_up, c.grade) == (expected, expected, grade)


def test_an_earlier_date_is_allowed(store, consultant):
    c = card(store, consultant, grade="A")
    log_contact(
        customer=c,
        user=consultant,
        date=DAY,
        kind="call",
        grade_after="A",
        next_date=D(2026, 10, 11),
    )
    c.refresh_from_db()
    assert c.next_follow_up == D(2026, 10, 11)


def test_a_later_date_is_refused_without_a_reason(store, consultant):
    c = card(store, consultant, grade="A")
    with pytest.raises(ValidationError) as info:
        log_contact(
            customer=c,
            user=consultant,
            date=DAY,
            kind="call",
            grade_after="H",
            next_date=D(2026, 10, 13),
        )
    assert "next_date" in info.value.message_dict
    c.refresh_from_db()
    assert (c.grade, c.next_follow_up, c.version) == ("A", None, 1)
    assert Activity.objects.count() == 0
    assert GradeChange.objects.count() == 0


def test_a_later_date_is_accepted_with_a_reason(store, consultant):
    c = card(store, consultant, grade="A")
    activity = log_contact(
        customer=c,
        user=consultant,
        date=DAY,
        kind="call",
        grade_after="H",
        next_date=D(2026, 10, 13),
        later_reason="客户出差三天",
    )
    c.refresh_from_db()
    assert (c.next_follow_up, activity.later_reason) == (D(2026, 10, 13), "客户出差三天")


def test_grade_changes_are_logged_with_who_and_when(store, consultant):
    c = card(store, consultant, grade="B")
    log_contact(customer=c, user=consultant, date=DAY, kind="call", grade_after="B")
    log_contact(
        customer=c, user=consultant, date=D(2026, 10, 12), kind="reception", grade_after="A"
    )
    log_contact(customer=c, user=consultant, date=D(2026, 10, 15), kind="call", grade_after="C")
    rows = list(
        GradeChange.objects.values_list("date", "old_grade", "new_grade", "changed_by", "store")
    )
    assert rows == [
        (D(2026, 10, 12), "B", "A", consultant.pk, store.pk),
        (D(2026, 10, 15), "A", "C", consultant.pk, store.pk),
    ]
    c.refresh_from_db()
    assert (c.grade, c.next_follow_up, c.version) == ("C", D(2026, 11, 14), 4)
    assert c.history.count() == 4


def test_category_defaults_and_can_be_chosen(store, consultant):
    c = card(store, consultant, grade="B")
    first = log_contact(customer=c, user=consultant, date=DAY, kind="call", grade_after="B")
    same = log_contact(
        customer=c, user=consultant, date=D(2026, 10, 11), kind="call", grade_after="B"
    )
    up = log_contact(
        customer=c, user=consultant, date=D(2026, 10, 12), kind="call", grade_after="H"
    )
    down = log_contact(
        customer=c, user=consultant, date=D(2026, 10, 13), kind="call", grade_after="A"
    )
    chosen = log_contact(
        customer=c,
        user=consultant,
        date=D(2026, 10, 14),
        kind="call",
        grade_after="A",
        category="promotion",
    )
    assert [a.category for a in (first, same, up, down, chosen)] == [
        "development",
        "management",
        "promotion",
        "management",
        "promotion",
    ]


def test_a_contact_logged_late_does_not_move_a_newer_plan(store, consultant):
    c = card(store, consultant, grade="B")
    log_contact(customer=c, user=consultant, date=D(2026, 10, 12), kind="call", grade_after="A")
    log_contact(customer=c, user=consultant, date=DAY, kind="call", grade_after="A")
    c.refresh_from_db()
    assert c.next_follow_up == D(2026, 10, 19)


def test_contact_form_refuses_a_later_date_and_keeps_what_was_typed(client, store, consultant):
    c = card(store, consultant, grade="A")
    client.force_login(consultant)
    data = {
        f"c{c.pk}-kind": "call",
        f"c{c.pk}-notes": "客户说下周再来",
        f"c{c.pk}-grade_after": "A",
        f"c{c.pk}-next_date": "2026-10-30",
        f"c{c.pk}-date": "2026-10-10",
    }
    with time_machine.travel(NOW, tick=False):
        response = client.post(reverse("sales:log_contact", args=[c.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "A 级最迟应于 2026-10-17 跟进；跟进日期更晚时请填写原因。" in html
    assert "客户说下周再来" in html and 'value="2026-10-30"' in html
    assert Activity.objects.count() == 0
    data[f"c{c.pk}-later_reason"] = "客户出国"
    with time_machine.travel(NOW, tick=False):
        response = client.post(reverse("sales:log_contact", args=[c.pk]), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:card", args=[c.pk])
    c.refresh_from_db()
    activity = Activity.objects.get()
    assert (c.next_follow_up, activity.consultant, activity.date, activity.category) == (
        D(2026, 10, 30),
        consultant,
        DAY,
        "development",
    )


def test_inline_contact_answers_with_a_summary(client, store, consultant):
    c = card(store, consultant, grade="B")
    client.force_login(consultant)
    data = {
        f"c{c.pk}-kind": "message",
        f"c{c.pk}-grade_after": "H",
        f"c{c.pk}-next_date": "",
        f"c{c.pk}-date": "2026-10-10",
    }
    with time_machine.travel(NOW, tick=False):
        response = client.post(
            reverse("sales:log_contact", args=[c.pk]), data, headers={"HX-Request": "true"}
        )
    assert response.status_code == 200
    assert "已记录：短信/微信，级别 H，下次跟进 2026-10-12。" in response.content.decode()


def test_consultant_cannot_log_a_contact_on_a_colleagues_card(
    client, store, consultant, consultant2
):
    theirs = card(store, consultant2)
    client.force_login(consultant)
    url = reverse("sales:log_contact", args=[theirs.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404


# --- Overdue ---------------------------------------------------------------------------------


@pytest.fixture
def overdue_cards(store, consultant, consultant2, manager):
    late = card(store, consultant, "张的逾期", next_follow_up=D(2026, 10, 9))
    card(store, consultant, "张的今天", next_follow_up=DAY)
    card(store, consultant, "张的没有日期", next_follow_up=None)
    theirs = card(store, consultant2, "李的逾期", next_follow_up=D(2026, 10, 1), grade="A")
    ordered = card(store, consultant, "已下订单", next_follow_up=D(2026, 10, 2), grade="O")
    Order.objects.create(
        store=store,
        customer=ordered,
        consultant=consultant,
        order_date=D(2026, 10, 5),
        model="途胜",
    )
    lost = card(store, consultant2, "已战败", next_follow_up=D(2026, 10, 3))
    LossReport.objects.create(
        store=store,
        customer=lost,
        consultant=consultant2,
        date=D(2026, 10, 6),
        kind="lost",
        reason="price",
        status="confirmed",
        decided_by=manager,
    )
    waiting = card(store, consultant2, "战败待确认", next_follow_up=D(2026, 10, 4))
    LossReport.objects.create(
        store=store,
        customer=waiting,
        consultant=consultant2,
        date=D(2026, 10, 6),
        kind="lost",
        reason="price",
    )
    card(
        store,
        consultant,
        "他牌车主",
        next_follow_up=D(2026, 10, 1),
        owner_kind=OwnerKind.OTHER_BRAND,
    )
    return {"late": late, "theirs": theirs, "waiting": waiting}


def test_overdue_consultant_sees_own_manager_sees_store(
    store, consultant, consultant2, manager, overdue_cards, other_store, make_staff
):
    mine = selectors.overdue_follow_ups(user=consultant, store=store, on=DAY)
    assert [c.name for c in mine] == ["张的逾期"]
    store_wide = selectors.overdue_follow_ups(user=manager, store=store, on=DAY)
    assert [(c.consultant.full_name, c.name) for c in store_wide] == [
        ("张伟", "张的逾期"),
        ("李娜", "李的逾期"),
        ("李娜", "战败待确认"),
    ]
    assert selectors.consultants_with_overdue_follow_ups(store=store, on=DAY) == {
        consultant.pk,
        consultant2.pk,
    }
    # Nobody was overdue before the earliest date passed.
    assert selectors.consultants_with_overdue_follow_ups(store=store, on=D(2026, 10, 1)) == set()
    assert selectors.consultants_with_overdue_follow_ups(store=other_store, on=DAY) == set()
    receptionist = make_staff("desk2", Role.RECEPTIONIST, store=store)
    assert list(selectors.overdue_follow_ups(user=receptionist, store=store, on=DAY)) == []


def test_the_rotation_hook_asks_for_overdue_follow_ups_on_the_store_day(
    store, consultant, consultant2, overdue_cards
):
    # 2026-10-09 20:00 UTC is already 2026-10-10 in Shanghai.
    at = dt.datetime(2026, 10, 9, 20, 0, tzinfo=dt.UTC)
    assert traffic_selectors.consultants_with_overdue_follow_ups(store=store, at=at) == {
        consultant.pk,
        consultant2.pk,
    }
    store.rotation_skips_overdue = True
    entries = traffic_selectors.rotation(store=store, at=at)
    assert [(e.consultant.full_name, str(e.skip_reason)) for e in entries] == [
        ("张伟", "有逾期未跟进的客户"),
        ("李娜", "有逾期未跟进的客户"),
    ]


@time_machine.travel(NOW, tick=False)
def test_overdue_page_groups_the_store_by_consultant(
    client, store, consultant, consultant2, manager, overdue_cards
):
    client.force_login(manager)
    response = client.get(reverse("sales:overdue"))
    assert response.status_code == 200
    groups = [(str(c), [x.name for x in rows]) for c, rows in response.context["groups"]]
    assert groups == [("张伟", ["张的逾期"]), ("李娜", ["李的逾期", "战败待确认"])]
    assert [x.days_late for x in response.context["groups"][1][1]] == [9, 6]
    client.force_login(consultant)
    response = client.get(reverse("sales:overdue"))
    assert [(str(c), [x.name for x in rows]) for c, rows in response.context["groups"]] == [
        ("张伟", ["张的逾期"])
    ]
    assert "逾期跟进" in response.content.decode()
