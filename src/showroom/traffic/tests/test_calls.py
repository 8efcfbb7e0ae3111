"""Registers of any day (walk-ins and calls) and the completion of a call row."""

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


@pytest.fixture
def calls(store, other_store, consultant, consultant2, make_staff):
    outsider = make_staff("sh_c", Role.CONSULTANT, store=other_store, staff_code="S001")
    return {
        "zhang_today": f.CallFactory(
            store=store, consultant=consultant, date=TODAY, called_at=dt.time(11, 0)
        ),
        "li_today": f.CallFactory(
            store=store,
            consultant=consultant2,
            date=TODAY,
            called_at=dt.time(9, 30),
            phone="13912345678",
            name="赵女士",
        ),
        "zhang_yesterday": f.CallFactory(
            store=store, consultant=consultant, date=TODAY - dt.timedelta(days=1)
        ),
        "other_store": f.CallFactory(store=other_store, consultant=outsider, date=TODAY),
    }


def pks(response):
    assert response.status_code == 200
    return [r.pk for r in response.context["rows"]]


@time_machine.travel(NOW, tick=False)
def test_call_register_defaults_to_today_in_chinese(client, calls, receptionist):
    client.force_login(receptionist)
    response = client.get(reverse("traffic:calls"))
    assert pks(response) == [calls["li_today"].pk, calls["zhang_today"].pk]
    assert response.context["day"] == TODAY
    html = response.content.decode()
    assert "来电客户登记表" in html
    assert "139 **** 5678" in html and "1234" not in html
    assert 'href="?date=2026-09-30"' in html and 'href="?date=2026-10-02"' in html


@time_machine.travel(NOW, tick=False)
def test_call_register_of_another_day(client, calls, manager):
    client.force_login(manager)
    response = client.get(reverse("traffic:calls"), {"date": "2026-09-30"})
    assert pks(response) == [calls["zhang_yesterday"].pk]
    html = response.content.decode()
    assert 'href="?date=2026-09-29"' in html and 'href="?date=2026-10-01"' in html
    assert "今天" in html


@time_machine.travel(NOW, tick=False)
def test_a_bad_date_says_so_and_shows_today(client, calls, manager):
    client.force_login(manager)
    response = client.get(reverse("traffic:calls"), {"date": "2026-13-45"})
    assert pks(response) == [calls["li_today"].pk, calls["zhang_today"].pk]
    assert "“2026-13-45”不是有效日期（YYYY-MM-DD），显示今天。" in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_consultant_sees_only_own_calls(client, calls, consultant):
    client.force_login(consultant)
    assert pks(client.get(reverse("traffic:calls"))) == [calls["zhang_today"].pk]


@time_machine.travel(NOW, tick=False)
def test_group_analyst_has_no_register(client, calls, group_analyst):
    client.force_login(group_analyst)
    assert client.get(reverse("traffic:calls")).status_code == 403


def test_dcc_may_open_the_call_register_but_sees_no_colleagues_rows(
    client, calls, store, make_staff
):
    client.force_login(make_staff("dcc", Role.DCC, store=store, staff_code="D001"))
    assert pks(client.get(reverse("traffic:calls"))) == []
    assert client.get(reverse("traffic:register")).status_code == 403


def test_a_dcc_agents_bad_call_is_told_on_the_call_register_not_the_desk(
    client, calls, store, make_staff
):
    client.force_login(make_staff("dcc", Role.DCC, store=store, staff_code="D001"))
    response = client.post(reverse("traffic:log_call"), follow=True)
    assert response.redirect_chain == [(reverse("traffic:calls"), 302)]
    assert "请选择转接的销售顾问。" in [str(m) for m in response.context["messages"]]


def test_superuser_picks_the_store(client, calls, make_staff, other_store):
    client.force_login(make_staff("root", store=None, is_superuser=True, staff_code="A001"))
    response = client.get(reverse("traffic:calls"), {"store": "SH01", "date": "2026-10-01"})
    assert pks(response) == [calls["other_store"].pk]
    assert 'href="?date=2026-09-30&amp;store=SH01"' in response.content.decode()


def test_store_not_visible_is_refused(client, calls, manager):
    client.force_login(manager)
    assert client.get(reverse("traffic:calls"), {"store": "SH01"}).status_code == 403


@time_machine.travel(NOW, tick=False)
def test_walk_in_register_with_date_picker_and_totals(
    client, store, consultant, consultant2, receptionist
):
    f.WalkInFactory(
        store=store,
        consultant=consultant,
        date=TODAY,
        party_size=3,
        arrived_at=dt.time(9, 0),
        left_at=dt.time(9, 50),
        name="王先生",
        phone="13812345678",
    )
    f.WalkInFactory(
        store=store,
        consultant=consultant2,
        date=TODAY,
        visit_type="repeat",
        arrived_at=dt.time(10, 0),
    )
    f.WalkInFactory(store=store, consultant=consultant2, date=TODAY - dt.timedelta(days=1))
    client.force_login(receptionist)
    response = client.get(reverse("traffic:register"))
    assert len(response.context["rows"]) == 2
    assert response.context["totals"] == {
        "parties": 2,
        "people": 4,
        "first": 1,
        "repeat": 1,
        "kept": 1,
        "in_showroom": 1,
    }
    html = response.content.decode()
    assert "来店客户登记表" in html
    assert "来店 2 批 4 人 · 首次 1，再次 1 · 留档 1" in html
    assert "1 批仍在展厅" in html
    response = client.get(reverse("traffic:register"), {"date": "2026-09-30"})
    assert len(response.context["rows"]) == 1


@time_machine.travel(NOW, tick=False)
def test_consultant_completes_a_call(client, store, consultant):
    row = f.CallFactory(store=store, consultant=consultant, date=TODAY)
    client.force_login(consultant)
    url = reverse("traffic:call_edit", args=[row.pk])
    assert list(client.get(url).context["form"].fields) == [
        "name",
        "phone",
        "source",
        "model",
        "contact_kept",
        "appointment_date",
        "grade",
        "notes",
        "version",
    ]
    data = {
        "version": "1",
        "name": "孙先生",
        "phone": "13600001234",
        "source": str(f.source("oem").pk),
        "model": "索纳塔",
        "contact_kept": "true",
        "appointment_date": "2026-10-03",
        "grade": "B",
        "notes": "周六来看车",
        "complete": "1",
    }
    assert client.post(url, data).status_code == 302
    row.refresh_from_db()
    assert (row.name, row.phone_norm, row.source.code, row.model, row.contact_kept) == (
        "孙先生",
        "13600001234",
        "oem",
        "索纳塔",
        True,
    )
    assert (row.appointment_date, row.grade, row.notes, row.completed, row.version) == (
        dt.date(2026, 10, 3),
        "B",
        "周六来看车",
        True,
        2,
    )
    assert row.customer == Customer.objects.get(phone_norm="13600001234")


def test_consultant_cannot_open_a_colleagues_call(client, calls, consultant):
    client.force_login(consultant)
    for name in ("call_edit", "call_history", "call_link"):
        assert (
            client.get(reverse(f"traffic:{name}", args=[calls["li_today"].pk])).status_code == 404
        )
