"""The customer list's status column and filter, sorting, search by plate, one phone format;
what a lost card offers; the register's visits on the back of the card."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from showroom.customers.phones import format_phone
from showroom.owners.models import Vehicle
from showroom.sales.cards.selectors import card_timeline
from showroom.sales.prospects.services import log_reception
from tests import factories as f

pytestmark = pytest.mark.django_db

D = dt.date
NOW = dt.datetime(2026, 10, 10, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai


@pytest.fixture
def cards(store, consultant):
    def card(name, customer_type="prospect", grade="B", **kw):
        return f.CustomerFactory(
            store=store,
            consultant=consultant,
            name=name,
            customer_type=customer_type,
            grade=grade,
            **kw,
        )

    return {
        "b": card("白", next_follow_up=D(2026, 10, 12), phone="+86 138-0000-0001"),
        "o": card("欧", grade="O", next_follow_up=D(2026, 10, 11)),
        "owner": card("车主", customer_type="owner", grade=""),
        "lost": card("流失", customer_type="lost"),
        "ooc": card("失控", customer_type="out_of_control"),
        "dormant": card("休眠", customer_type="dormant"),
    }


def names(response):
    return [c.name for c in response.context["rows"]]


@time_machine.travel(NOW, tick=False)
def test_live_prospects_by_default_and_each_status_as_a_filter(client, manager, cards):
    client.force_login(manager)
    url = reverse("customers:list")
    response = client.get(url)
    assert names(response) == ["欧", "白"]
    assert [(c.status, c.status_name) for c in response.context["rows"]] == [
        ("O", "O（已订车）"),
        ("prospect", "意向客户"),
    ]
    found = {
        status: names(client.get(url, {"status": status}))
        for status in ["prospect", "O", "owner", "lost", "out_of_control", "dormant"]
    }
    assert found == {
        "prospect": ["白"],
        "O": ["欧"],
        "owner": ["车主"],
        "lost": ["流失"],
        "out_of_control": ["失控"],
        "dormant": ["休眠"],
    }
    assert len(names(client.get(url, {"status": "all"}))) == 6
    page = response.content.decode()
    assert "O（已订车）" in page
    assert "状态" in page


@time_machine.travel(NOW, tick=False)
def test_columns_sort_both_ways(client, manager, cards):
    client.force_login(manager)
    url = reverse("customers:list")
    assert names(client.get(url, {"status": "all", "sort": "name"})) == sorted(
        c.name for c in cards.values()
    )
    assert names(client.get(url, {"sort": "-next_follow_up"})) == ["白", "欧"]
    assert names(client.get(url, {"sort": "next_follow_up"})) == ["欧", "白"]
    response = client.get(url, {"sort": "name"})
    links = response.context["columns"]
    assert links["name"] == {"url": "?sort=-name", "arrow": "▲"}
    assert links["grade"] == {"url": "?sort=grade", "arrow": ""}
    # An unknown column falls back to the default order, no error.
    assert names(client.get(url, {"sort": "password"})) == ["欧", "白"]


@time_machine.travel(NOW, tick=False)
def test_search_by_phone_in_any_format_or_plate(client, store, manager, cards):
    Vehicle.objects.create(store=store, customer=cards["owner"], model="途胜", plate="京A12345")
    client.force_login(manager)
    url = reverse("customers:list")
    assert names(client.get(url, {"q": "138 0000 0001"})) == ["白"]
    assert names(client.get(url, {"q": "+86-13800000001"})) == ["白"]
    assert names(client.get(url, {"q": "京A·12345", "status": "all"})) == ["车主"]
    assert names(client.get(url, {"q": "a123", "status": "all"})) == ["车主"]
    response = client.get(url, {"q": "白"})
    assert [c.shown_phone for c in response.context["rows"]] == ["138 0000 0001"]


def test_phone_format():
    assert format_phone("+86 138-0000-0004") == "138 0000 0004"
    assert format_phone("13800000004") == "138 0000 0004"
    assert format_phone("138****0004") == "138 **** 0004"
    assert format_phone("010-6512 3456") == "010-6512 3456"
    assert format_phone("") == ""


@time_machine.travel(NOW, tick=False)
def test_a_lost_card_offers_no_order_and_no_loss_request(client, consultant, cards):
    client.force_login(consultant)
    order = reverse("deals:order_new") + "?customer="
    loss = reverse("deals:loss_request") + "?customer="
    live = client.get(reverse("customers:card", args=[cards["b"].pk])).content.decode()
    assert order + str(cards["b"].pk) in live
    assert loss + str(cards["b"].pk) in live
    for key in ("lost", "ooc"):
        page = client.get(reverse("customers:card", args=[cards[key].pk])).content.decode()
        assert order + str(cards[key].pk) not in page
        assert loss + str(cards[key].pk) not in page


def test_the_walk_in_and_its_test_drive_are_on_the_back_of_the_card(store, consultant):
    card = f.CustomerFactory(store=store, consultant=consultant, name="王")
    logged = f.WalkInFactory(
        store=store,
        consultant=consultant,
        customer=card,
        date=D(2026, 10, 3),
        arrived_at=dt.time(10, 5),
        left_at=dt.time(11, 20),
        party_size=2,
        test_drive=True,
    )
    log_reception(row=logged, user=consultant)
    f.WalkInFactory(
        store=store,
        consultant=consultant,
        customer=card,
        date=D(2026, 10, 6),
        arrived_at=dt.time(15, 0),
        visit_type="repeat",
        quoted=True,
    )
    cancelled = f.WalkInFactory(
        store=store, consultant=consultant, customer=card, date=D(2026, 10, 7)
    )
    cancelled.cancelled_at = NOW
    cancelled.save()
    items = card_timeline(customer=card)
    assert [(i.day, i.kind, i.title, i.details) for i in items] == [
        (
            D(2026, 10, 6),
            "walk_in",
            "来店（再次来店）",
            [("到店–离店", "15:00"), ("人数", "1"), ("报价", "是")],
        ),
        (
            D(2026, 10, 3),
            "activity",
            "来店接待",
            [("到店–离店", "10:05–11:20"), ("人数", "2"), ("试驾", "是")],
        ),
    ]


@time_machine.travel(NOW, tick=False)
def test_an_order_for_a_lost_card_is_refused(client, consultant, cards):
    from showroom.sales.models import Order

    client.force_login(consultant)
    url = reverse("deals:order_new") + f"?customer={cards['lost'].pk}"
    data = {"order_date": "2026-10-10", "model": "途胜", "channel": "showroom"}
    response = client.post(url, data)
    assert response["Location"] == reverse("deals:customer", args=[cards["lost"].pk])
    assert not Order.objects.exists()
    page = client.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == [
        "流失 已是战败：请先激活该客户，再登记订单。"
    ]
    assert reverse("deals:order_new") not in page.content.decode()
