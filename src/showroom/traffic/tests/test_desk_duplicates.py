"""撞单: typing a number that is already someone's customer warns at once, per role."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from showroom.organization.choices import Role
from tests import factories as f

pytestmark = pytest.mark.django_db


PHONE = "13812345678"


def text(response) -> str:
    assert response.status_code == 200
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def check(client, user, phone, **params):
    client.force_login(user)
    return text(client.get(reverse("traffic:phone_check"), {"phone": phone, **params}))


@pytest.fixture
def card(store, consultant):
    customer = f.CustomerFactory(
        store=store, consultant=consultant, name="王先生", phone=PHONE, grade="A"
    )
    f.WalkInFactory(store=store, consultant=consultant, phone=PHONE, date=dt.date(2026, 9, 20))
    f.WalkInFactory(
        store=store, consultant=consultant, customer=customer, date=dt.date(2026, 9, 25)
    )
    return customer


def test_receptionist_sees_only_whose_customer(client, card, receptionist):
    assert check(client, receptionist, PHONE) == "已是 张伟 的客户"


def test_other_consultant_sees_only_whose_customer(client, card, consultant2):
    assert check(client, consultant2, PHONE) == "已是 张伟 的客户"


def test_own_customer_shows_name_grade_and_last_visit(client, card, consultant):
    assert check(client, consultant, PHONE) == "已是您的客户：王先生 · 级别 A · 最近来店 2026-09-25"


def test_manager_sees_the_details(client, card, manager):
    assert (
        check(client, manager, PHONE) == "已是 张伟 的客户：王先生 · 级别 A · 最近来店 2026-09-25"
    )


@pytest.mark.parametrize("typed", ["+86 138-1234-5678", "138 1234 5678", "0086 13812345678"])
def test_formatting_does_not_hide_a_duplicate(client, card, receptionist, typed):
    assert check(client, receptionist, typed) == "已是 张伟 的客户"


@pytest.mark.parametrize("typed", ["138123", "", "13812345679"])
def test_incomplete_or_unknown_numbers_say_nothing(client, card, receptionist, typed):
    assert check(client, receptionist, typed) == ""


def test_another_stores_customer_is_not_a_duplicate(client, card, other_store, make_staff):
    desk = make_staff("sh_desk", Role.RECEPTIONIST, store=other_store)
    assert check(client, desk, PHONE) == ""


def test_earlier_register_rows_without_card(client, store, consultant, consultant2, receptionist):
    f.CallFactory(
        store=store,
        consultant=consultant2,
        phone="13900000001",
        name="赵女士",
        date=dt.date(2026, 9, 28),
    )
    assert check(client, receptionist, "13900000001") == "此号码曾由 李娜 接待"
    assert check(client, consultant, "13900000001") == "此号码曾由 李娜 接待"
    assert check(client, consultant2, "13900000001") == "您曾接待过此号码：赵女士"


def test_the_row_being_edited_is_not_its_own_duplicate(client, store, consultant):
    row = f.WalkInFactory(store=store, consultant=consultant, phone="13900000002")
    assert check(client, consultant, "13900000002") == "您曾接待过此号码：— · 最近来店 2026-10-01"
    assert check(client, consultant, "13900000002", row=f"walkin:{row.pk}") == ""


def test_row_form_shows_the_warning_when_opened(client, card, consultant2):
    row = f.WalkInFactory(store=card.store, consultant=consultant2, phone=PHONE, name="王先生")
    client.force_login(consultant2)
    html = client.get(reverse("traffic:walkin_edit", args=[row.pk])).content.decode()
    assert "已是 张伟 的客户" in html
    assert "级别 A" not in html
    # The box asks again as the number is typed.
    assert 'hx-get="/desk/phone-check/"' in html and 'hx-target="#phone-check"' in html


def test_phone_check_is_for_logged_in_staff_only(client, card):
    response = client.get(reverse("traffic:phone_check"), {"phone": PHONE})
    assert response.status_code == 302
