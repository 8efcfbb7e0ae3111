"""A new prospect (name, phone, model, timeframe at least) and one card per person per store."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from showroom.customers import services
from showroom.customers.models import Customer, GradeChange
from showroom.organization.choices import Role
from tests import factories as f

pytestmark = pytest.mark.django_db

D = dt.date
NOW = dt.datetime(2026, 10, 10, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai


def prospect(**overrides):
    data = {
        "name": "孙先生",
        "phone": "+86 138-0000-0004",
        "model": "途胜",
        "purchase_timeframe": "1到3个月",
        "grade": "B",
        "source": str(f.source("internet").pk),
        "colour": "白色",
        "payment": "installment",
        "purchase_type": "replacement",
        "competitor_models": "CR-V",
    }
    data.update(overrides)
    return data


@time_machine.travel(NOW, tick=False)
def test_consultant_creates_a_prospect(client, store, consultant):
    client.force_login(consultant)
    response = client.post(reverse("customers:new"), prospect())
    card = Customer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:card", args=[card.pk])
    assert (card.store, card.consultant, card.name, card.phone_norm, card.model) == (
        store,
        consultant,
        "孙先生",
        "13800000004",
        "途胜",
    )
    assert (card.purchase_timeframe, card.grade, card.source.code, card.created) == (
        "1到3个月",
        "B",
        "internet",
        D(2026, 10, 10),
    )
    assert (card.colour, card.payment, card.purchase_type, card.competitor_models) == (
        "白色",
        "installment",
        "replacement",
        "CR-V",
    )
    # B is followed up every 14 days; the first grade is logged.
    assert card.next_follow_up == D(2026, 10, 24)
    assert list(
        GradeChange.objects.values_list("customer", "date", "old_grade", "new_grade", "changed_by")
    ) == [(card.pk, D(2026, 10, 10), "", "B", consultant.pk)]
    assert card.history.get().history_user == consultant


@time_machine.travel(NOW, tick=False)
def test_the_minimum_is_required(client, store, consultant):
    client.force_login(consultant)
    response = client.post(
        reverse("customers:new"), {"name": "", "phone": "", "model": "", "purchase_timeframe": ""}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert sorted(errors) == ["model", "name", "phone", "purchase_timeframe"]
    assert errors["phone"] == ["请输入客户的联系电话。"]
    assert Customer.objects.count() == 0


@time_machine.travel(NOW, tick=False)
def test_without_a_grade_no_grade_change_and_no_date(client, store, consultant):
    client.force_login(consultant)
    client.post(reverse("customers:new"), prospect(grade=""))
    card = Customer.objects.get()
    assert (card.grade, card.next_follow_up, GradeChange.objects.count()) == ("", None, 0)


@time_machine.travel(NOW, tick=False)
def test_same_phone_in_another_format_links_to_the_own_card(client, store, consultant):
    mine = f.CustomerFactory(store=store, consultant=consultant, name="孙先生", phone="13800000004")
    client.force_login(consultant)
    response = client.post(reverse("customers:new"), prospect(phone="138 0000 0004"))
    assert response.status_code == 200
    assert Customer.objects.count() == 1
    html = response.content.decode()
    assert "此人已是您的客户：孙先生。" in html
    assert f'href="{reverse("customers:card", args=[mine.pk])}"' in html
    assert "未创建第二张卡。" in html
    # What was typed stays.
    assert 'value="白色"' in html


@time_machine.travel(NOW, tick=False)
def test_a_colleagues_customer_shows_whose_but_not_the_card(client, store, consultant, consultant2):
    f.CustomerFactory(store=store, consultant=consultant2, name="周女士", phone="0086 13800000004")
    client.force_login(consultant)
    response = client.post(reverse("customers:new"), prospect(name="周女士"))
    assert Customer.objects.count() == 1
    html = response.content.decode()
    assert "这个号码已是 李娜 的客户的卡。" in html
    assert "周女士" not in html.split("<form")[0]  # the name is not revealed …
    assert "/customers/" + str(Customer.objects.get().pk) not in html  # … nor a link


@time_machine.travel(NOW, tick=False)
def test_manager_sees_whose_card_and_opens_it(client, store, consultant2, manager):
    theirs = f.CustomerFactory(
        store=store, consultant=consultant2, name="周女士", phone="13800000004"
    )
    client.force_login(manager)
    response = client.post(
        reverse("customers:new"), prospect(name="周女士", consultant=str(consultant2.pk))
    )
    html = response.content.decode()
    assert "此人已有客户卡：周女士，李娜 的客户。" in html
    assert f'href="{reverse("customers:card", args=[theirs.pk])}"' in html
    assert Customer.objects.count() == 1


def test_same_name_and_a_trunk_zero_is_the_same_person(store, consultant):
    existing = f.CustomerFactory(
        store=store, consultant=consultant, name="吴先生", phone="13800000004"
    )
    with pytest.raises(services.DuplicateCustomer) as info:
        services.create_prospect(
            store=store,
            user=consultant,
            consultant=consultant,
            name="吴先生",
            phone="0138-0000-0004",
            model="途胜",
            purchase_timeframe="3个月以上",
        )
    assert info.value.customer == existing
    # Another name with that number is not assumed to be the same person.
    other = services.create_prospect(
        store=store,
        user=consultant,
        consultant=consultant,
        name="吴女士",
        phone="0138-0000-0004",
        model="途胜",
        purchase_timeframe="3个月以上",
    )
    assert other.phone_norm == "013800000004"
    assert Customer.objects.count() == 2


def test_the_same_number_in_another_store_is_another_card(
    store, other_store, consultant, make_staff
):
    f.CustomerFactory(store=other_store, name="孙先生", phone="13800000004")
    card = services.create_prospect(
        store=store,
        user=consultant,
        consultant=consultant,
        name="孙先生",
        phone="13800000004",
        model="途胜",
        purchase_timeframe="7天内",
        grade="H",
        created=D(2026, 10, 10),
    )
    assert (card.store, card.next_follow_up) == (store, D(2026, 10, 12))


def test_phone_check_links_to_a_visible_card_and_ignores_the_card_itself(client, store, consultant):
    mine = f.CustomerFactory(store=store, consultant=consultant, name="孙先生", phone="13800000004")
    client.force_login(consultant)
    url = reverse("customers:phone_check")
    html = client.get(url, {"phone": "138-0000-0004"}).content.decode()
    assert "已是您的客户：孙先生" in html
    assert reverse("customers:card", args=[mine.pk]) in html
    assert client.get(url, {"phone": "13800000004", "customer": mine.pk}).content.strip() == b""


def test_dcc_cannot_create_cards(client, store, make_staff):
    client.force_login(make_staff("dcc", Role.DCC, store=store))
    assert client.get(reverse("customers:new")).status_code == 403


def test_a_new_card_takes_over_the_leads_of_its_number(store, other_store, consultant):
    from showroom.traffic.models import Lead

    def lead(store, phone):
        return Lead.objects.create(
            store=store,
            created_at=dt.datetime(2026, 10, 8, 2, 0, tzinfo=dt.UTC),
            channel=f.source("internet"),
            name="网络线索",
            phone=phone,
        )

    mine, other_number, elsewhere = (
        lead(store, "+86 138 0000 0004"),
        lead(store, "13900000000"),
        lead(other_store, "13800000004"),
    )
    card = services.create_prospect(
        store=store,
        user=consultant,
        consultant=consultant,
        name="孙先生",
        phone="13800000004",
        model="途胜",
        purchase_timeframe="7天内",
    )
    for row in (mine, other_number, elsewhere):
        row.refresh_from_db()
    assert (mine.customer, other_number.customer, elsewhere.customer) == (card, None, None)
    assert mine.history.order_by("-history_id").first().history_user == consultant
