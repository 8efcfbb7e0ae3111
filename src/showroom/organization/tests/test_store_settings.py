"""The store's opening hours: set by its general manager, read by the hour grids."""

import datetime as dt

import pytest
from django.urls import reverse

from showroom.organization.choices import Role

pytestmark = pytest.mark.django_db

URL = reverse("store_settings")


@pytest.fixture
def gm(make_staff, store):
    return make_staff("gm", Role.GENERAL_MANAGER, store=store, full_name="总经理")


def test_defaults_are_nine_to_six(store):
    assert (store.opening_time, store.closing_time) == (dt.time(9, 0), dt.time(18, 0))


def test_general_manager_sets_the_hours(client, gm, store):
    client.force_login(gm)
    page = client.get(URL)
    assert page.status_code == 200
    assert "营业时间" in page.content.decode()
    response = client.post(URL, {"opening_time": "08:30", "closing_time": "20:00"}, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["营业时间已保存。"]
    store.refresh_from_db()
    assert (store.opening_time, store.closing_time) == (dt.time(8, 30), dt.time(20, 0))


def test_closing_before_opening_is_refused(client, gm, store):
    client.force_login(gm)
    response = client.post(URL, {"opening_time": "18:00", "closing_time": "09:00"})
    assert response.context["form"].errors["closing_time"] == ["关门时间必须晚于开门时间。"]
    store.refresh_from_db()
    assert (store.opening_time, store.closing_time) == (dt.time(9, 0), dt.time(18, 0))


def test_only_the_general_manager(client, manager, store):
    client.force_login(manager)
    assert client.post(URL, {"opening_time": "07:00", "closing_time": "22:00"}).status_code == 403
    store.refresh_from_db()
    assert store.opening_time == dt.time(9, 0)
