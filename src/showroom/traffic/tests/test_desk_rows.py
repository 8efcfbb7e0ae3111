"""A consultant's receptions: scoping, completion, customer cards, linking anonymous rows."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from showroom.customers.models import Customer
from showroom.organization.choices import Role
from tests import factories as f

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 10, 1, 6, 0, tzinfo=dt.UTC)  # 14:00 in Shanghai
TODAY = dt.date(2026, 10, 1)


def completion(**overrides):
    data = {
        "version": "1",
        "visit_type": "first",
        "party_size": "2",
        "name": "王先生",
        "phone": "138-1234-5678",
        "source": str(f.source("internet").pk),
        "model": "途胜",
        "invited": "on",
        "test_drive": "on",
        "grade": "A",
        "contact_kept": "unknown",
        "hand_card": "A-017",
        "left_at": "10:45",
        "notes": "想要白色",
    }
    data.update(overrides)
    return data


@time_machine.travel(NOW, tick=False)
def test_my_rows_lists_today_and_earlier_open_rows_only(client, store, consultant, consultant2):
    mine_today = f.WalkInFactory(store=store, consultant=consultant, date=TODAY, completed=True)
    open_yesterday = f.WalkInFactory(
        store=store, consultant=consultant, date=TODAY - dt.timedelta(days=1)
    )
    f.WalkInFactory(
        store=store, consultant=consultant, date=TODAY - dt.timedelta(days=1), completed=True
    )
    f.WalkInFactory(store=store, consultant=consultant, date=TODAY - dt.timedelta(days=40))
    f.WalkInFactory(
        store=store, consultant=consultant, date=TODAY - dt.timedelta(days=2), import_key="x1"
    )
    f.WalkInFactory(store=store, consultant=consultant2, date=TODAY)
    call_open = f.CallFactory(store=store, consultant=consultant, date=TODAY - dt.timedelta(days=3))
    f.CallFactory(store=store, consultant=consultant2, date=TODAY)
    client.force_login(consultant)
    response = client.get(reverse("traffic:my_rows"))
    assert response.status_code == 200
    assert [r.pk for r in response.context["walk_ins"]] == [mine_today.pk, open_yesterday.pk]
    assert [r.pk for r in response.context["calls"]] == [call_open.pk]
    assert "我的接待" in response.content.decode()


@pytest.mark.parametrize("name", ["walkin_edit", "walkin_history", "walkin_link"])
def test_consultant_cannot_open_a_colleagues_row(client, store, consultant, consultant2, name):
    theirs = f.WalkInFactory(store=store, consultant=consultant2, name="赵女士")
    client.force_login(consultant)
    assert client.get(reverse(f"traffic:{name}", args=[theirs.pk])).status_code == 404


def test_consultant_cannot_change_a_colleagues_row(client, store, consultant, consultant2):
    theirs = f.WalkInFactory(store=store, consultant=consultant2, name="赵女士")
    client.force_login(consultant)
    response = client.post(reverse("traffic:walkin_edit", args=[theirs.pk]), completion())
    assert response.status_code == 404
    assert client.post(reverse("traffic:depart", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert (theirs.name, theirs.left_at, theirs.version) == ("赵女士", None, 1)


def test_consultant_completes_own_walk_in_and_a_card_is_made(client, store, consultant):
    row = f.WalkInFactory(store=store, consultant=consultant, date=TODAY, arrived_at=dt.time(10, 5))
    client.force_login(consultant)
    response = client.post(reverse("traffic:walkin_edit", args=[row.pk]), completion(complete="1"))
    assert response.status_code == 302
    assert response["Location"] == reverse("traffic:my_rows")
    row.refresh_from_db()
    assert (row.name, row.phone, row.phone_norm, row.party_size, row.model, row.grade) == (
        "王先生",
        "138-1234-5678",
        "13812345678",
        2,
        "途胜",
        "A",
    )
    assert (row.invited, row.test_drive, row.quoted, row.contact_kept, row.is_contact_kept) == (
        True,
        True,
        False,
        None,
        True,
    )
    assert (row.left_at, row.stay_minutes, row.hand_card, row.completed, row.version) == (
        dt.time(10, 45),
        40,
        "A-017",
        True,
        2,
    )
    card = Customer.objects.get()
    assert row.customer == card
    assert (card.store, card.name, card.phone_norm, card.consultant, card.grade, card.model) == (
        store,
        "王先生",
        "13812345678",
        consultant,
        "A",
        "途胜",
    )
    assert (card.source.code, card.created) == ("internet", TODAY)


def test_contact_not_kept_makes_no_card(client, store, consultant):
    row = f.WalkInFactory(store=store, consultant=consultant)
    client.force_login(consultant)
    client.post(
        reverse("traffic:walkin_edit", args=[row.pk]),
        completion(complete="1", contact_kept="false"),
    )
    row.refresh_from_db()
    assert (row.completed, row.contact_kept, row.is_contact_kept, row.customer) == (
        True,
        False,
        False,
        None,
    )
    assert Customer.objects.count() == 0


def test_saving_without_completing_keeps_the_row_open(client, store, consultant):
    row = f.WalkInFactory(store=store, consultant=consultant)
    client.force_login(consultant)
    client.post(reverse("traffic:walkin_edit", args=[row.pk]), completion())
    row.refresh_from_db()
    assert (row.completed, row.name, row.customer) == (False, "王先生", None)


def test_phone_of_an_existing_customer_links_the_row(client, store, consultant, consultant2):
    theirs = f.CustomerFactory(
        store=store, consultant=consultant2, name="王建国", phone="13812345678"
    )
    row = f.WalkInFactory(store=store, consultant=consultant)
    client.force_login(consultant)
    client.post(reverse("traffic:walkin_edit", args=[row.pk]), completion(complete="1"))
    row.refresh_from_db()
    assert row.customer == theirs
    assert Customer.objects.count() == 1


def test_validation_errors_keep_what_was_typed(client, store, consultant):
    row = f.WalkInFactory(store=store, consultant=consultant)
    client.force_login(consultant)
    response = client.post(
        reverse("traffic:walkin_edit", args=[row.pk]), completion(phone="12-3", party_size="0")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "请输入 7 到 15 位数字的电话号码。" in html
    assert "确保该值大于或等于1。" in html
    assert 'value="王先生"' in html and 'value="12-3"' in html and "想要白色" in html
    row.refresh_from_db()
    assert (row.name, row.version) == ("", 1)


def test_manager_edits_any_row_of_the_store(client, store, consultant, consultant2, manager):
    row = f.WalkInFactory(store=store, consultant=consultant)
    client.force_login(manager)
    data = completion(consultant=str(consultant2.pk), arrived_at="09:30")
    response = client.post(reverse("traffic:walkin_edit", args=[row.pk]), data)
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.consultant, row.arrived_at, row.name) == (consultant2, dt.time(9, 30), "王先生")


def test_manager_of_another_store_gets_404(client, store, other_store, consultant, make_staff):
    row = f.WalkInFactory(store=store, consultant=consultant)
    client.force_login(make_staff("sh_boss", Role.MANAGER, store=other_store))
    assert client.get(reverse("traffic:walkin_edit", args=[row.pk])).status_code == 404


def test_receptionist_corrects_desk_fields_only(
    client, store, consultant, consultant2, receptionist
):
    row = f.WalkInFactory(store=store, consultant=consultant, arrived_at=dt.time(10, 0))
    client.force_login(receptionist)
    response = client.get(reverse("traffic:walkin_edit", args=[row.pk]))
    assert list(response.context["form"].fields) == [
        "arrived_at",
        "left_at",
        "party_size",
        "visit_type",
        "consultant",
        "hand_card",
        "version",
    ]
    data = {
        "version": "1",
        "arrived_at": "10:10",
        "party_size": "3",
        "visit_type": "repeat",
        "consultant": str(consultant2.pk),
        "name": "不该保存",
    }
    client.post(reverse("traffic:walkin_edit", args=[row.pk]), data)
    row.refresh_from_db()
    assert (row.arrived_at, row.party_size, row.visit_type, row.consultant, row.name) == (
        dt.time(10, 10),
        3,
        "repeat",
        consultant2,
        "",
    )


def test_crm_reads_but_does_not_edit(client, store, consultant, make_staff):
    row = f.WalkInFactory(store=store, consultant=consultant)
    client.force_login(make_staff("crm", Role.CRM, store=store))
    assert client.get(reverse("traffic:walkin_edit", args=[row.pk])).status_code == 403


def test_link_an_anonymous_walk_in_to_a_customer(client, store, consultant, consultant2):
    mine = f.CustomerFactory(store=store, consultant=consultant, name="钱先生", phone="13700001111")
    f.CustomerFactory(store=store, consultant=consultant2, name="钱女士", phone="13700002222")
    row = f.WalkInFactory(store=store, consultant=consultant)
    client.force_login(consultant)
    url = reverse("traffic:walkin_link", args=[row.pk])
    assert [c.pk for c in client.get(url, {"q": "钱"}).context["results"]] == [mine.pk]
    assert [c.pk for c in client.get(url, {"q": "0000111"}).context["results"]] == [mine.pk]
    response = client.post(url, {"customer": mine.pk, "version": "1"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.customer, row.name, row.phone, row.version) == (mine, "", "", 2)


def test_cannot_link_to_a_colleagues_customer(client, store, consultant, consultant2):
    theirs = f.CustomerFactory(store=store, consultant=consultant2)
    row = f.WalkInFactory(store=store, consultant=consultant)
    client.force_login(consultant)
    response = client.post(
        reverse("traffic:walkin_link", args=[row.pk]), {"customer": theirs.pk, "version": "1"}
    )
    assert response.status_code == 404
    row.refresh_from_db()
    assert row.customer is None


def test_manager_links_any_row_to_any_store_customer(
    client, store, consultant, consultant2, manager
):
    theirs = f.CustomerFactory(store=store, consultant=consultant2)
    row = f.WalkInFactory(store=store, consultant=consultant)
    client.force_login(manager)
    client.post(
        reverse("traffic:walkin_link", args=[row.pk]), {"customer": theirs.pk, "version": "1"}
    )
    row.refresh_from_db()
    assert row.customer == theirs


def test_receptionist_cannot_link(client, store, consultant, receptionist):
    row = f.WalkInFactory(store=store, consultant=consultant)
    client.force_login(receptionist)
    assert client.get(reverse("traffic:walkin_link", args=[row.pk])).status_code == 403
