"""The 403, 404, 500 and CSRF failure pages: the app's layout, in Chinese, with the menu when
signed in; the 500 page renders without the database."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views.defaults import server_error

from showroom.organization.choices import Role


@pytest.mark.django_db
def test_a_refused_screen_is_a_chinese_page_with_the_menu(
    client: Client, make_staff, store
) -> None:  # type: ignore[no-untyped-def]
    marketing = make_staff("market", Role.MARKETING, store=store)
    client.force_login(marketing)
    response = client.get(reverse("kpi:board"))
    assert response.status_code == 403
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "你无权打开此页面" in html
    assert 'class="nav"' in html and "经营看板" in html  # the menu, with what the role may open
    assert "Forbidden" not in html


@pytest.mark.django_db
def test_an_unknown_address_is_a_chinese_page_with_the_menu(client: Client, manager) -> None:  # type: ignore[no-untyped-def]
    client.force_login(manager)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html and 'class="nav"' in html
    assert "Not Found" not in html


@pytest.mark.django_db
def test_a_missing_row_is_the_same_page(client: Client, manager) -> None:  # type: ignore[no-untyped-def]
    client.force_login(manager)
    response = client.get(reverse("customers:card", args=[999999]))
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_the_server_error_page_needs_no_database() -> None:
    # No django_db mark: any query would fail the test.
    request = RequestFactory().get("/")
    with translation.override("zh-hans"):
        response = server_error(request)
    html = response.content.decode()
    assert response.status_code == 500
    assert "服务器出错了" in html and '<html lang="zh-hans">' in html
    assert 'class="nav"' not in html


@pytest.mark.django_db
def test_a_failed_csrf_check_says_what_to_do(manager) -> None:  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    response = client.post(reverse("password_change"), {"old_password": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "表单未能提交" in html and "刷新后重新提交" in html
    assert 'class="nav"' in html
    assert "CSRF verification failed" not in html


@pytest.mark.django_db
def test_a_save_while_another_writer_holds_the_database_asks_to_try_again(
    client: Client, manager, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from django.db import OperationalError

    from showroom.traffic.leads import services

    def locked(*args: object, **kwargs: object) -> None:
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "save_walk_in", locked)
    from tests import factories as f

    row = f.WalkInFactory(store=manager.store)
    client.force_login(manager)
    url = reverse("traffic:walkin_edit", args=[row.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    response = client.post(url, data)
    assert (response.status_code, response["Retry-After"]) == (503, "10")
    html = response.content.decode()
    assert "数据库正忙" in html and "您刚才的操作没有保存" in html
    assert '<html lang="zh-hans">' in html

    def broken(*args: object, **kwargs: object) -> None:
        raise OperationalError("no such column: x")

    monkeypatch.setattr(services, "save_walk_in", broken)
    with pytest.raises(OperationalError):  # any other database failure stays a server error
        client.post(url, data)
