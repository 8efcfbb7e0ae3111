"""The receptionist's desk: one-tap logging, defaults, departure, masking, language."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from showroom.organization.choices import Role
from showroom.traffic.models import Call, WalkIn
from tests import factories as f

pytestmark = pytest.mark.django_db


# 10:07:33 in Shanghai (UTC+8), 08:07:33 in Urumqi (UTC+6).
NOW = dt.datetime(2026, 10, 1, 2, 7, 33, tzinfo=dt.UTC)


@pytest.fixture
def desk_client(client, receptionist):
    client.force_login(receptionist)
    return client


def log(client, **data):
    return client.post(reverse("traffic:log_walkin"), data)


@time_machine.travel(NOW, tick=False)
def test_walk_in_defaults_to_now_in_the_store_time_zone(
    desk_client, store, consultant, receptionist
):
    response = log(desk_client, party_size="1", visit_type="first", consultant=consultant.pk)
    assert response.status_code == 302
    assert response["Location"] == reverse("traffic:desk")
    row = WalkIn.objects.get()
    assert (row.store, row.date, row.arrived_at) == (store, dt.date(2026, 10, 1), dt.time(10, 7))
    assert (row.party_size, row.visit_type, row.consultant, row.left_at) == (
        1,
        "first",
        consultant,
        None,
    )
    assert (row.name, row.phone, row.completed, row.version) == ("", "", False, 1)
    assert row.history.get().history_user == receptionist


@time_machine.travel(NOW, tick=False)
def test_store_time_zone_not_the_server_one(client, make_staff):
    west = f.StoreFactory(code="XJ01", name="乌鲁木齐店", time_zone="Asia/Urumqi")
    desk = make_staff("xj_desk", Role.RECEPTIONIST, store=west)
    who = make_staff("xj_c", Role.CONSULTANT, store=west)
    client.force_login(desk)
    log(client, party_size="3", visit_type="repeat", consultant=who.pk)
    row = WalkIn.objects.get()
    assert (row.date, row.arrived_at, row.party_size, row.visit_type) == (
        dt.date(2026, 10, 1),
        dt.time(8, 7),
        3,
        "repeat",
    )


@time_machine.travel(NOW, tick=False)
def test_typed_time_and_optional_fields_are_kept(desk_client, consultant):
    log(
        desk_client,
        party_size="4",
        visit_type="repeat",
        consultant=consultant.pk,
        arrived_at="09:55",
        name="王先生",
        phone="138 1234 5678",
        hand_card="A-017",
    )
    row = WalkIn.objects.get()
    assert (row.arrived_at, row.party_size, row.name, row.phone, row.phone_norm, row.hand_card) == (
        dt.time(9, 55),
        4,
        "王先生",
        "138 1234 5678",
        "13812345678",
        "A-017",
    )


@time_machine.travel(NOW, tick=False)
def test_desk_page_is_chinese_and_prefills_the_next_consultant(
    desk_client, consultant, consultant2
):
    f.WalkInFactory(consultant=consultant, store=consultant.store, arrived_at=dt.time(9, 0))
    response = desk_client.get(reverse("traffic:desk"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "登记来店" in html and "登记来电" in html and "下一位" in html
    # 李娜 has received nobody yet today: the big save button hands the party to her.
    assert response.context["upcoming"] == consultant2
    assert f'name="consultant" value="{consultant2.pk}" class="primary big wide"' in html
    assert "登记并交给 李娜" in html
    assert "现在 10:07" in html
    # 张伟's party of 09:00 has not left: he is skipped, with the reason shown.
    assert "跳过：有客户在展厅（自 09:00）" in html


@time_machine.travel(NOW, tick=False)
def test_htmx_logging_returns_the_refreshed_panel(desk_client, consultant, consultant2):
    response = desk_client.post(
        reverse("traffic:log_walkin"),
        {"party_size": "2", "visit_type": "first", "consultant": consultant2.pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="desk-panel"')
    assert "已登记来店：10:07，2 人，首次来店，由 李娜 接待。" in html
    # 李娜 now has a party in the showroom: the next one goes to 张伟.
    assert response.context["upcoming"] == consultant


def test_validation_error_keeps_what_was_typed(desk_client, consultant):
    response = desk_client.post(
        reverse("traffic:log_walkin"),
        {
            "party_size": "2",
            "visit_type": "repeat",
            "name": "赵女士",
            "phone": "12-34",
            "consultant": consultant.pk,
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert WalkIn.objects.count() == 0
    html = response.content.decode()
    assert "请输入 7 到 15 位数字的电话号码。" in html
    assert 'value="赵女士"' in html and 'value="12-34"' in html
    assert 'value="2" id="id_party_size_1" required checked' in html
    assert 'value="repeat" id="id_visit_type_1" required checked' in html


def test_consultant_of_another_store_is_refused(desk_client, other_store, make_staff):
    outsider = make_staff("sh_c", Role.CONSULTANT, store=other_store)
    response = log(desk_client, party_size="1", visit_type="first", consultant=outsider.pk)
    assert response.status_code == 200
    assert WalkIn.objects.count() == 0
    assert "选择一个有效的选项" in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_log_a_call(desk_client, store, consultant):
    response = desk_client.post(
        reverse("traffic:log_call"), {"call_type": "repeat", "consultant": consultant.pk}
    )
    assert response.status_code == 302
    row = Call.objects.get()
    assert (row.store, row.date, row.called_at, row.call_type, row.consultant) == (
        store,
        dt.date(2026, 10, 1),
        dt.time(10, 7),
        "repeat",
        consultant,
    )


@time_machine.travel(NOW, tick=False)
def test_departed_sets_left_at_now(desk_client, store, consultant, receptionist):
    row = f.WalkInFactory(store=store, consultant=consultant, arrived_at=dt.time(9, 20))
    response = desk_client.post(reverse("traffic:depart", args=[row.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    row.refresh_from_db()
    assert (row.left_at, row.stay_minutes, row.version) == (dt.time(10, 7), 47, 2)
    assert row.history.first().history_user == receptionist
    assert "张伟 09:20 的客户已于 10:07 离店。" in response.content.decode()
    # A second tap changes nothing.
    with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False):
        desk_client.post(reverse("traffic:depart", args=[row.pk]))
    row.refresh_from_db()
    assert (row.left_at, row.version) == (dt.time(10, 7), 2)


@time_machine.travel(NOW, tick=False)
def test_receptionist_sees_phones_masked(client, store, consultant, receptionist, manager):
    f.WalkInFactory(store=store, consultant=consultant, phone="13812345678", name="王先生")
    client.force_login(receptionist)
    for url in (reverse("traffic:desk"), reverse("traffic:register")):
        html = client.get(url).content.decode()
        assert "138 **** 5678" in html
        assert "1234" not in html
    client.force_login(manager)
    html = client.get(reverse("traffic:register")).content.decode()
    assert "138 1234 5678" in html


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.CONSULTANT, 403), (Role.DCC, 403), (Role.MANAGER, 200), (Role.ASSISTANT, 200)],
)
def test_who_may_use_the_desk(client, store, make_staff, role, status):
    client.force_login(make_staff("u", role, store=store))
    assert client.get(reverse("traffic:desk")).status_code == status
    assert client.post(reverse("traffic:log_walkin"), {}).status_code == (
        403 if status == 403 else 200
    )


def test_anonymous_goes_to_login(client):
    response = client.get(reverse("traffic:desk"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@time_machine.travel(NOW, tick=False)
def test_desk_and_register_queries_do_not_grow_with_rows(
    client, store, consultant, consultant2, receptionist
):
    client.force_login(receptionist)
    f.WalkInFactory(store=store, consultant=consultant, phone="13800000000")
    f.CallFactory(store=store, consultant=consultant)

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    few = {url: count(url) for url in ("/desk/", "/desk/register/", "/desk/calls/")}
    for i in range(15):
        who = consultant if i % 2 else consultant2
        f.WalkInFactory(
            store=store, consultant=who, phone=f"1380000{i:04d}", source=f.source("oem")
        )
        f.CallFactory(store=store, consultant=who, phone=f"1390000{i:04d}")
    many = {url: count(url) for url in few}
    assert many == few


def test_refresh_returns_only_the_panel(desk_client, consultant):
    response = desk_client.get(reverse("traffic:desk"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="desk-panel"')
    assert "刷新轮序和今日记录" in html
    assert "<html" not in html


def test_english_is_the_second_language(desk_client, consultant):
    desk_client.post(reverse("set_language"), {"language": "en", "next": "/desk/"})
    html = desk_client.get(reverse("traffic:desk")).content.decode()
    assert "Log a walk-in" in html and "Log and hand to 张伟" in html
