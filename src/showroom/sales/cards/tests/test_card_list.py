"""The customer list and the card: who sees which cards, search and filters, front and back."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from showroom.customers.models import GradeChange
from showroom.organization.choices import Role
from showroom.sales.models import Activity, Handover, LossReport, Order, TestDrive
from tests import factories as f

pytestmark = pytest.mark.django_db

D = dt.date
NOW = dt.datetime(2026, 10, 10, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai


@pytest.fixture
def cards(store, other_store, consultant, consultant2, make_staff):
    sh = make_staff("sh_c", Role.CONSULTANT, store=other_store, full_name="上海顾问")
    return {
        "wang": f.CustomerFactory(
            store=store,
            consultant=consultant,
            name="王建国",
            phone="138-1234-5678",
            grade="A",
            model="途胜",
            next_follow_up=D(2026, 10, 8),
        ),
        "zhao": f.CustomerFactory(
            store=store,
            consultant=consultant,
            name="赵敏",
            phone="13900001111",
            grade="C",
            model="伊兰特",
            next_follow_up=D(2026, 10, 20),
        ),
        "li": f.CustomerFactory(
            store=store,
            consultant=consultant2,
            name="李雷",
            phone="13700002222",
            grade="A",
            next_follow_up=D(2026, 10, 1),
        ),
        "sh": f.CustomerFactory(store=other_store, consultant=sh, name="上海客户"),
    }


def names(response):
    return [c.name for c in response.context["rows"]]


@time_machine.travel(NOW, tick=False)
def test_consultant_sees_only_own_cards(client, consultant, cards):
    client.force_login(consultant)
    response = client.get(reverse("customers:list"))
    assert response.status_code == 200
    assert names(response) == ["王建国", "赵敏"]
    # One format, however the number was typed.
    assert [c.shown_phone for c in response.context["rows"]] == ["138 1234 5678", "139 0000 1111"]
    assert [c.is_overdue for c in response.context["rows"]] == [True, False]
    assert "consultant" not in response.context["form"].fields


@time_machine.travel(NOW, tick=False)
def test_manager_sees_the_store_and_filters(client, manager, consultant2, cards):
    client.force_login(manager)
    url = reverse("customers:list")
    assert names(client.get(url)) == ["李雷", "王建国", "赵敏"]
    assert names(client.get(url, {"grade": "A"})) == ["李雷", "王建国"]
    assert names(client.get(url, {"consultant": consultant2.pk})) == ["李雷"]
    assert names(client.get(url, {"overdue": "on"})) == ["李雷", "王建国"]
    assert names(client.get(url, {"q": "赵"})) == ["赵敏"]
    # Phone search ignores formatting.
    assert names(client.get(url, {"q": "1234 5678"})) == ["王建国"]


@time_machine.travel(NOW, tick=False)
def test_last_contact_is_the_latest_activity(client, consultant, cards):
    for day in (D(2026, 10, 3), D(2026, 10, 7), D(2026, 10, 5)):
        Activity.objects.create(
            store=cards["wang"].store,
            customer=cards["wang"],
            consultant=consultant,
            date=day,
            kind="call",
        )
    client.force_login(consultant)
    rows = client.get(reverse("customers:list")).context["rows"]
    assert [(c.name, c.last_contact) for c in rows] == [("王建国", D(2026, 10, 7)), ("赵敏", None)]


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.MARKETING])
def test_receptionist_and_marketing_get_no_cards(client, store, make_staff, cards, role):
    client.force_login(make_staff("someone", role, store=store))
    for url in (
        reverse("customers:list"),
        reverse("customers:card", args=[cards["wang"].pk]),
        reverse("customers:history", args=[cards["wang"].pk]),
        reverse("sales:overdue"),
    ):
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("name", ["customers:card", "customers:edit", "customers:history"])
def test_consultant_cannot_open_a_colleagues_card(client, consultant, cards, name):
    client.force_login(consultant)
    assert client.get(reverse(name, args=[cards["li"].pk])).status_code == 404


def test_manager_of_another_store_gets_404(client, other_store, make_staff, cards):
    client.force_login(make_staff("sh_boss", Role.MANAGER, store=other_store))
    assert client.get(reverse("customers:card", args=[cards["wang"].pk])).status_code == 404


def test_card_phone_check_is_not_for_the_front_desk(client, store, receptionist, cards):
    # The desk has its own check (traffic:phone_check), which never links to a card.
    client.force_login(receptionist)
    response = client.get(reverse("customers:phone_check"), {"phone": "13812345678"})
    assert response.status_code == 403


def test_crm_reads_cards_with_phones_but_cannot_edit(client, store, make_staff, cards):
    crm = make_staff("crm", Role.CRM, store=store)
    client.force_login(crm)
    response = client.get(reverse("customers:card", args=[cards["wang"].pk]))
    assert response.status_code == 200
    assert response.context["shown_phone"] == "138 1234 5678"
    assert response.context["contact_form"] is None
    assert client.get(reverse("customers:edit", args=[cards["wang"].pk])).status_code == 403


@time_machine.travel(NOW, tick=False)
def test_card_shows_front_and_every_event_newest_first(client, store, consultant, manager, cards):
    wang = cards["wang"]
    wang.configuration = "2.0T 四驱"
    wang.colour = "珍珠白"
    wang.budget = "20万"
    wang.save()
    Activity.objects.create(
        store=store,
        customer=wang,
        consultant=consultant,
        date=D(2026, 10, 2),
        kind="call",
        category="management",
        grade_after="A",
        next_date=D(2026, 10, 8),
        notes="约周末试驾",
        not_closed_reason="在比较途观",
    )
    TestDrive.objects.create(
        store=store, customer=wang, consultant=consultant, date=D(2026, 10, 4), model="途胜"
    )
    GradeChange.objects.create(
        store=store,
        customer=wang,
        date=D(2026, 10, 4),
        old_grade="A",
        new_grade="H",
        changed_by=consultant,
    )
    Order.objects.create(
        store=store, customer=wang, consultant=consultant, order_date=D(2026, 10, 6), model="途胜"
    )
    LossReport.objects.create(
        store=store,
        customer=cards["zhao"],
        consultant=consultant,
        date=D(2026, 10, 5),
        kind="lost",
        reason="price",
    )
    Handover.objects.create(
        store=store,
        customer=wang,
        from_consultant=None,
        to_consultant=consultant,
        date=D(2026, 10, 7),
        by=manager,
    )
    client.force_login(consultant)
    response = client.get(reverse("customers:card", args=[wang.pk]))
    assert response.status_code == 200
    assert [(i.day, i.kind) for i in response.context["timeline"]] == [
        (D(2026, 10, 7), "handover"),
        (D(2026, 10, 6), "order"),
        (D(2026, 10, 4), "grade"),
        (D(2026, 10, 4), "test_drive"),
        (D(2026, 10, 2), "activity"),
    ]
    html = response.content.decode()
    for text in (
        "2.0T 四驱",
        "珍珠白",
        "20万",
        "约周末试驾",
        "在比较途观",
        "级别 A → H",
        "客户信息卡正面",
        "2026-10-08",
    ):
        assert text in html, text
    assert response.context["is_overdue"] is False  # ordered on 10-06: closed


def _queries(client, url, **params):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


@time_machine.travel(NOW, tick=False)
def test_list_and_card_take_a_constant_number_of_queries(client, store, consultant, manager):
    first = f.CustomerFactory(store=store, consultant=consultant, source=f.source("internet"))
    client.force_login(manager)
    url = reverse("customers:list")
    few = _queries(client, url)
    card_few = _queries(client, reverse("customers:card", args=[first.pk]))
    for _i in range(12):
        c = f.CustomerFactory(store=store, consultant=consultant, source=f.source("friend"))
        Activity.objects.create(
            store=store, customer=first, consultant=consultant, date=D(2026, 10, 1), kind="call"
        )
        TestDrive.objects.create(
            store=store, customer=first, consultant=consultant, date=D(2026, 10, 2), model="途胜"
        )
        Activity.objects.create(
            store=store, customer=c, consultant=consultant, date=D(2026, 10, 3), kind="call"
        )
    assert _queries(client, url) == few
    # The empty card named nobody; the people its back names are read in one query, however
    # many rows name them.
    assert _queries(client, reverse("customers:card", args=[first.pk])) == card_few + 1
