"""Two people editing the same card: the second save is refused, nothing is lost; every
change is kept in the card's history (who, when, old → new)."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from showroom.customers import services
from showroom.customers.models import Customer, GradeChange
from showroom.sales.models import LossReport, Order
from showroom.sales.prospects.services import log_contact
from tests import factories as f

pytestmark = pytest.mark.django_db

D = dt.date
T0 = dt.datetime(2026, 10, 10, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai


def at(minutes):
    return time_machine.travel(T0 + dt.timedelta(minutes=minutes), tick=False)


def text(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def front(card, **changes):
    data = {
        "version": str(card.version),
        "name": card.name,
        "phone": card.phone,
        "gender": "",
        "region": "",
        "industry": "",
        "model": card.model,
        "configuration": "",
        "colour": "",
        "budget": "",
        "payment": "",
        "purchase_type": "",
        "purchase_timeframe": card.purchase_timeframe,
        "competitor_models": "",
        "source": "",
        "grade": card.grade,
        "referrer_phone": "",
        "notes": card.notes,
    }
    data.update(changes)
    return data


@pytest.fixture
def card(store, consultant):
    with at(-60):
        return f.CustomerFactory(
            store=store,
            consultant=consultant,
            name="王建国",
            phone="13812345678",
            grade="B",
            model="途胜",
            created=D(2026, 10, 1),
        )


def test_second_save_keeps_typed_values_and_the_first_survives(client, card, consultant, manager):
    url = reverse("customers:edit", args=[card.pk])
    opened = Customer.objects.get(pk=card.pk)  # both open the form at version 1
    client.force_login(manager)
    with at(5):
        first = client.post(url, front(opened, colour="珍珠白", notes="经理核对", budget="20万"))
    assert first.status_code == 302
    client.force_login(consultant)
    with at(7):
        second = client.post(
            url, front(opened, colour="黑色", notes="顾问填写", configuration="2.0T 四驱")
        )
    assert second.status_code == 409
    html = second.content.decode()
    assert "未保存：在您打开此卡之后，王经理 于 2026-10-10 10:05 修改了它。" in html
    # The consultant's typing is all still there …
    assert 'value="黑色"' in html and "顾问填写" in html and 'value="2.0T 四驱"' in html
    # … beside the stored values of the fields that differ from what was typed.
    assert [(b.name, stored) for b, stored in second.context["fields"] if stored] == [
        ("configuration", "—"),
        ("colour", "珍珠白"),
        ("budget", "20万"),
        ("notes", "经理核对"),
    ]
    assert "当前保存的值： 珍珠白" in text(html)
    assert 'name="version" value="2"' in html
    card.refresh_from_db()
    assert (card.colour, card.notes, card.budget, card.configuration, card.version) == (
        "珍珠白",
        "经理核对",
        "20万",
        "",
        2,
    )
    # Saving again from the conflict page overwrites knowingly.
    with at(8):
        third = client.post(
            url,
            front(card, colour="黑色", notes="顾问填写", configuration="2.0T 四驱", budget="20万"),
        )
    assert third.status_code == 302
    card.refresh_from_db()
    assert (card.colour, card.notes, card.configuration, card.version) == (
        "黑色",
        "顾问填写",
        "2.0T 四驱",
        3,
    )


def test_a_contact_logged_meanwhile_is_a_conflict_too(client, card, consultant, manager):
    opened = Customer.objects.get(pk=card.pk)
    with at(3):
        log_contact(customer=card, user=manager, date=D(2026, 10, 10), kind="call", grade_after="H")
    client.force_login(consultant)
    with at(4):
        response = client.post(
            reverse("customers:edit", args=[card.pk]), front(opened, budget="15万")
        )
    assert response.status_code == 409
    # The budget typed differs from the one stored (none), the grade was changed meanwhile.
    assert [(b.name, stored) for b, stored in response.context["fields"] if stored] == [
        ("budget", "—"),
        ("grade", "H"),
    ]
    card.refresh_from_db()
    assert (card.grade, card.budget, card.next_follow_up) == ("H", "", D(2026, 10, 12))


def test_save_card_claims_the_version_once(card, consultant, manager):
    mine = Customer.objects.get(pk=card.pk)
    theirs = Customer.objects.get(pk=card.pk)
    mine.notes, theirs.notes = "先保存", "后保存"
    assert services.save_card(mine, fields=["notes"], expected_version=1, user=consultant)
    assert not services.save_card(theirs, fields=["notes"], expected_version=1, user=manager)
    card.refresh_from_db()
    assert (card.notes, card.version, card.history.count()) == ("先保存", 2, 2)


def test_editing_the_grade_logs_it_and_may_bring_the_date_forward(client, card, consultant):
    Customer.objects.filter(pk=card.pk).update(next_follow_up=D(2026, 10, 20))
    card.refresh_from_db()
    client.force_login(consultant)
    with at(0):
        response = client.post(reverse("customers:edit", args=[card.pk]), front(card, grade="H"))
    assert response.status_code == 302
    card.refresh_from_db()
    assert (card.grade, card.next_follow_up) == ("H", D(2026, 10, 12))
    assert list(
        GradeChange.objects.values_list("date", "old_grade", "new_grade", "changed_by")
    ) == [(D(2026, 10, 10), "B", "H", consultant.pk)]


def test_a_phone_of_another_card_is_refused(client, store, card, consultant, consultant2):
    f.CustomerFactory(store=store, consultant=consultant2, name="李雷", phone="13700002222")
    client.force_login(consultant)
    with at(0):
        response = client.post(
            reverse("customers:edit", args=[card.pk]), front(card, phone="137-0000-2222")
        )
    assert response.status_code == 200
    assert response.context["form"].errors["phone"] == ["这个号码已在本店的另一张卡上（李娜）。"]
    card.refresh_from_db()
    assert (card.phone, card.version) == ("13812345678", 1)


def test_referrer_is_found_by_phone(client, store, card, consultant, consultant2):
    owner = f.CustomerFactory(
        store=store,
        consultant=consultant2,
        name="老车主",
        phone="13600003333",
        customer_type="owner",
    )
    client.force_login(consultant)
    with at(0):
        client.post(
            reverse("customers:edit", args=[card.pk]), front(card, referrer_phone="136 0000 3333")
        )
    card.refresh_from_db()
    assert (card.referred_by, card.version) == (owner, 2)
    # The form shows a colleague's owner masked; saving it unchanged keeps the referrer.
    with at(1):
        form = client.get(reverse("customers:edit", args=[card.pk])).context["form"]
        assert form.initial["referrer_phone"] == "136****3333"
        client.post(
            reverse("customers:edit", args=[card.pk]),
            front(card, version="2", referrer_phone="136****3333", notes="备注"),
        )
    card.refresh_from_db()
    assert (card.referred_by, card.notes, card.version) == (owner, "备注", 3)
    with at(2):
        response = client.post(
            reverse("customers:edit", args=[card.pk]), front(card, referrer_phone="13600009999")
        )
    assert response.context["form"].errors["referrer_phone"] == [
        "本店没有号码为 13600009999 的客户。"
    ]


def test_history_shows_who_when_old_and_new(client, store, card, consultant, manager):
    opened = Customer.objects.get(pk=card.pk)
    client.force_login(manager)
    with at(5):
        client.post(
            reverse("customers:edit", args=[card.pk]), front(opened, colour="珍珠白", model="途观")
        )
    with at(9):
        order = Order.objects.create(
            store=store,
            customer=card,
            consultant=consultant,
            order_date=D(2026, 10, 10),
            model="途观",
        )
    with at(10):
        order.delivery_date = D(2026, 10, 20)
        order._history_user = manager
        order.save()
    LossReport.objects.create(
        store=store,
        customer=card,
        consultant=consultant,
        date=D(2026, 10, 9),
        kind="out_of_control",
        reason="other",
    )
    client.force_login(consultant)
    response = client.get(reverse("customers:history", args=[card.pk]))
    entries = response.context["entries"]
    assert [(e.when_text, e.user, e.kind) for e in entries] == [
        ("2026-10-10 10:05", "王经理", "~"),
        ("2026-10-10 09:00", "系统", "+"),
    ]
    assert [(c.label, c.old, c.new) for c in entries[0].changes] == [
        ("意向车型", "途胜", "途观"),
        ("颜色", "—", "珍珠白"),
    ]
    related = response.context["related"]
    assert [r.title for r in related] == ["订单 2026-10-10 · 途观", "失控 2026-10-09"]
    assert [(c.label, c.old, c.new) for c in related[0].entries[0].changes] == [
        ("交车日期", "—", "2026-10-20")
    ]
    assert related[0].entries[0].user == "王经理"
    page = text(response.content.decode())
    assert "2026-10-10 10:05 · 王经理 · 修改" in page
