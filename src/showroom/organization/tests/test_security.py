"""Login throttling, security headers and sessions on shared devices (docs/security.md)."""

import datetime as dt
import re
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.urls import reverse

from showroom.organization.choices import Role

pytestmark = pytest.mark.django_db

LOCKED_MESSAGE = "登录失败次数过多"


def log_in(client, username, password="pass-1234", **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def fail(client, username, times, **extra):
    return [log_in(client, username, "wrong", **extra).status_code for _ in range(times)]


# Login throttling


def test_thirty_wrong_passwords_lock_the_account_even_for_the_right_one(client, consultant):
    assert django_settings.AXES_FAILURE_LIMIT == 30
    statuses = fail(client, "zhang", 30)
    assert statuses == [200] * 29 + [429]

    response = log_in(client, "zhang")
    assert response.status_code == 429
    html = response.content.decode()
    assert LOCKED_MESSAGE in html and "30 分钟" in html
    assert 'value="zhang"' in html
    assert "_auth_user_id" not in client.session


def test_the_lock_also_holds_from_another_address(client, consultant):
    fail(client, "zhang", 30, REMOTE_ADDR="10.0.0.1")
    assert log_in(client, "zhang", REMOTE_ADDR="10.0.0.2").status_code == 429


def test_the_address_is_locked_for_other_accounts_too(client, consultant, consultant2):
    fail(client, "zhang", 15, REMOTE_ADDR="10.0.0.1")
    fail(client, "li", 15, REMOTE_ADDR="10.0.0.1")
    # Neither account has 30 failures; the address has.
    assert log_in(client, "li", REMOTE_ADDR="10.0.0.1").status_code == 429
    assert log_in(client, "zhang", REMOTE_ADDR="10.0.0.9").status_code == 302


def test_fewer_failures_do_not_lock_and_a_good_login_starts_the_count_again(client, consultant):
    fail(client, "zhang", 29)
    assert log_in(client, "zhang").status_code == 302
    client.post(reverse("logout"))
    fail(client, "zhang", 29)
    assert log_in(client, "zhang").status_code == 302


def test_the_lock_ends_after_the_lock_time(client, consultant):
    with time_machine.travel(dt.datetime(2026, 10, 25, 9, 0, tzinfo=dt.UTC)):
        fail(client, "zhang", 30)
    with time_machine.travel(dt.datetime(2026, 10, 25, 9, 29, tzinfo=dt.UTC)):
        assert log_in(client, "zhang").status_code == 429
    with time_machine.travel(dt.datetime(2026, 10, 25, 9, 31, tzinfo=dt.UTC)):
        assert log_in(client, "zhang").status_code == 302


def test_the_stores_manager_sees_and_unlocks_the_account(client, consultant, manager):
    fail(client, "zhang", 30, REMOTE_ADDR="10.0.0.1")
    client.force_login(manager)
    html = client.get(reverse("login_locks")).content.decode()
    assert "<td>zhang</td>" in html and '<td class="num">30</td>' in html

    response = client.post(reverse("login_locks"), {"username": "zhang"}, follow=True)
    assert "zhang 可以重新登录了。" in response.content.decode()
    assert "<td>zhang</td>" not in response.content.decode()
    client.post(reverse("logout"))
    assert log_in(client, "zhang", REMOTE_ADDR="10.0.0.1").status_code == 302


def test_another_stores_manager_cannot_unlock(client, consultant, make_staff, other_store):
    other = make_staff("sh-boss", Role.MANAGER, store=other_store)
    fail(client, "zhang", 30)
    client.force_login(other)
    assert "<td>zhang</td>" not in client.get(reverse("login_locks")).content.decode()
    response = client.post(reverse("login_locks"), {"username": "zhang"}, follow=True)
    assert "该账号没有被锁定。" in response.content.decode()
    client.post(reverse("logout"))
    assert log_in(client, "zhang").status_code == 429


def test_a_superuser_unlocks_any_store(client, consultant, make_staff):
    admin = make_staff("root", store=None, is_superuser=True)
    fail(client, "zhang", 30)
    client.force_login(admin)
    client.post(reverse("login_locks"), {"username": "zhang"})
    client.post(reverse("logout"))
    assert log_in(client, "zhang").status_code == 302


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.RECEPTIONIST, Role.GROUP, Role.CRM])
def test_only_managers_open_the_locks_screen(client, make_staff, store, role):
    client.force_login(make_staff("someone", role, store=store))
    assert client.get(reverse("login_locks")).status_code == 403
    assert client.post(reverse("login_locks"), {"username": "x"}).status_code == 403


def test_the_behind_proxy_address_is_the_one_the_proxy_saw(client, consultant, settings):
    settings.BEHIND_PROXY = True
    # A client cannot dodge the address lock by sending its own X-Forwarded-For first hops.
    for n in range(30):
        log_in(
            client,
            "nobody",
            "wrong",
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 203.0.113.7",
        )
    response = log_in(client, "zhang", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert response.status_code == 429
    response = log_in(client, "zhang", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.8")
    assert response.status_code == 302


def test_the_admin_site_is_not_served(client, make_staff):
    assert client.get("/admin/").status_code == 404
    assert client.get("/admin/login/").status_code == 404
    client.force_login(make_staff("root", is_superuser=True, is_staff=True))
    assert client.get("/admin/").status_code == 404


# Security headers


@pytest.mark.parametrize("url", ["/login/", "/desk/", "/kpi/dashboard/", "/api/docs"])
def test_every_page_has_a_content_security_policy(client, receptionist, manager, url):
    client.force_login(receptionist if url == "/desk/" else manager)
    response = client.get(url)
    assert response.status_code == 200
    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert policy["default-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"


TEMPLATES = Path(django_settings.BASE_DIR)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


def test_no_template_has_inline_script_or_event_handler_attributes():
    offenders = []
    for path in TEMPLATES.rglob("templates/**/*.html"):
        text = path.read_text()
        if INLINE_SCRIPT.search(text) or HANDLER.search(text) or "javascript:" in text:
            offenders.append(str(path.relative_to(TEMPLATES)))
    assert offenders == []


# Sessions on shared devices


def test_sessions_end_with_the_browser(client, consultant):
    assert django_settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    response = log_in(client, "zhang")
    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == "" and cookie["max-age"] == ""


def test_an_idle_login_is_signed_out(client, consultant):
    start = dt.datetime(2026, 10, 25, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        log_in(client, "zhang")
    with time_machine.travel(start + dt.timedelta(hours=7, minutes=59), tick=False):
        assert client.get(reverse("password_change")).status_code == 200
    # Eight hours after the last request, not after the login.
    with time_machine.travel(start + dt.timedelta(hours=15, minutes=58), tick=False):
        assert client.get(reverse("password_change")).status_code == 200
    with time_machine.travel(start + dt.timedelta(hours=24), tick=False):
        response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/password/"
    assert "_auth_user_id" not in client.session


def test_the_front_desk_is_signed_out_sooner(client, receptionist):
    start = dt.datetime(2026, 10, 25, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        log_in(client, "reception")
    with time_machine.travel(start + dt.timedelta(minutes=29), tick=False):
        assert client.get("/desk/").status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=60), tick=False):
        response = client.get("/desk/")
    assert response["Location"] == "/login/?next=/desk/"


def test_an_idle_htmx_request_sends_the_page_to_the_login(client, receptionist):
    start = dt.datetime(2026, 10, 25, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        log_in(client, "reception")
    with time_machine.travel(start + dt.timedelta(minutes=31), tick=False):
        response = client.get("/desk/phone-check/", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/login/?next=/desk/phone-check/"


def test_idle_times_come_from_the_environment(monkeypatch):
    import importlib

    import showroom.settings as module

    monkeypatch.setenv("SHOWROOM_IDLE_MINUTES", "120")
    monkeypatch.setenv("SHOWROOM_DESK_IDLE_MINUTES", "10")
    monkeypatch.setenv("SHOWROOM_LOGIN_FAILURE_LIMIT", "5")
    try:
        reloaded = importlib.reload(module)
        assert reloaded.IDLE_LOGOUT == dt.timedelta(minutes=120)
        assert reloaded.IDLE_LOGOUT_DESK == dt.timedelta(minutes=10)
        assert reloaded.AXES_FAILURE_LIMIT == 5
    finally:
        monkeypatch.undo()
        importlib.reload(module)


def test_switch_user_on_the_front_desk(client, receptionist):
    log_in(client, "reception")
    html = client.get("/desk/").content.decode()
    assert 'action="/logout/"' in html and 'value="/login/?next=/desk/"' in html
    assert "切换用户" in html
    response = client.post("/logout/", {"next": "/login/?next=/desk/"})
    assert response.status_code == 302 and response["Location"] == "/login/?next=/desk/"
    assert client.get("/desk/")["Location"] == "/login/?next=/desk/"


def test_the_unlock_command(client, consultant):
    from io import StringIO

    from django.core.management import CommandError, call_command

    fail(client, "zhang", 30)
    out = StringIO()
    call_command("unlock", "zhang", stdout=out)
    assert out.getvalue() == "zhang 可以重新登录了。\n"
    assert log_in(client, "zhang").status_code == 302
    with pytest.raises(CommandError, match="没有登录名“nobody”。"):
        call_command("unlock", "nobody")
