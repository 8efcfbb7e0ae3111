"""With Chinese chosen, no screen and no command-line help shows an English word; no screen
links to one its user may not open.

Every URL of the screen table is asked for, with the sample rows of the permission matrix's
world (organization/tests/test_attack_matrix.py), by every role that may open it: a GET, and
for a screen that takes a POST an empty POST too (its error messages). The text people read
(text nodes, titles, placeholders, labels, button values) may hold codes (BJ01, C001, WI…),
brand and product names and a short list of abbreviations, and nothing else in Latin letters.
A new screen is walked as soon as it is in the table. The error pages are read too, and the
console command's help: `showroom --help`, every product command's help, argument errors.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.conf import settings
from django.core.management import get_commands, load_command_class
from django.db import transaction
from django.test import Client, override_settings
from django.urls import Resolver404, resolve, reverse

from showroom.organization import permissions
from showroom.organization.choices import Role
from showroom.organization.models import Staff
from showroom.organization.tests.test_attack_matrix import PATTERNS, World, _build, _path
from showroom.organization.tests.urlwalk import Pattern, accepts_post
from tests.test_cli import chinese_cli, product_commands, run

__all__ = ["chinese_cli"]  # a fixture of the command-line tests, used here too

pytestmark = pytest.mark.django_db

# Abbreviations, codes and names that are the same in Chinese text.
ALLOWED = frozenset(
    {
        # the product's abbreviations and units
        "KPI", "CSF", "CRM", "DCC", "API", "CSV", "JSON", "XML", "ADF", "Excel", "xlsx", "csv",
        "OEM", "SUV", "MPV", "VIN", "DMS", "PDI", "MoM", "YoY", "PDF", "ID", "HTTP", "HTTPS",
        "URL", "IP", "App", "APP", "OpenAPI", "ECharts", "km", "TOP", "Top", "PK", "SA", "VIP",
        "ABC", "HABC", "NPS", "CSI", "SSI", "QQ", "SMART", "POST", "GET",
        # date and number formats written as typed
        "YYYY", "MM", "DD", "HH",
        # the language switch names its languages in their own words
        "English",
        # brands and models of the sample data
        "Showroom",
    }
)  # fmt: skip

# A word of Latin letters (2 or more) not glued to digits: "BJ01", "C001", "WI2003" are codes;
# Chinese may touch it ("保存Save" is caught).
WORD = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z][A-Za-z']+(?![A-Za-z0-9_-])")
# Addresses shown as they are typed: "/api/leads", "http://…".
ADDRESS = re.compile(r"(?:https?://|/)[A-Za-z0-9_./?=&-]+")
SHOWN_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
USERS = [*Role.values, "superuser"]
# The world's logins (test_attack_matrix._build).
USERNAMES = {role: "m-group" if role == Role.GROUP else f"m-{role}" for role in Role.values}


class ShownText(HTMLParser):
    """The text of a page that people read: no scripts, styles or hidden values."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self.skipping += 1
        values = dict(attrs)
        self.parts += [values[a] or "" for a in SHOWN_ATTRIBUTES if a in values]
        if tag == "input" and values.get("type") in ("submit", "button"):
            self.parts.append(values.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") and self.skipping:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


# The world's staff are named after their roles (员工manager…): sample data, not the screens'.
SAMPLE_NAMES = re.compile("|".join(f"员工{role}" for role in sorted(Role.values, key=len)[::-1]))


def english_words(html: str) -> list[str]:
    html = SAMPLE_NAMES.sub("员工", html)
    parser = ShownText()
    parser.feed(html)
    words = (w for part in parser.parts for w in WORD.findall(ADDRESS.sub(" ", part)))
    return sorted({w for w in words if w not in ALLOWED})


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), transaction.atomic(), fast:
        yield _build()
        transaction.set_rollback(True)


def _client(world: World, user: str) -> Client:
    client = Client()
    if user != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[user]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    return client


def _admitted(pattern: Pattern) -> list[str]:
    entry = permissions.SCREENS[pattern.name]
    if entry == permissions.PUBLIC:
        return ["anonymous", "superuser"]
    if entry == permissions.OWN_AUTH:
        return ["superuser"]
    if entry == permissions.SIGNED_IN:
        return USERS
    return [u for u in USERS if u == "superuser" or u in entry]


SCREENS = [p for p in PATTERNS if p.namespace != "api"]


def _pages(response: Any) -> str | None:
    kind = response.get("Content-Type", "")
    if response.status_code != 200 or response.streaming or not kind.startswith("text/html"):
        return None
    return str(response.content.decode())


LINK = re.compile(r'(?:href|action|hx-get|hx-post)="(/[^"]*)"')


def refused_links(html: str, user: Staff | None) -> list[str]:
    """The screens `html` links to that `user` (None: a superuser) may not open."""
    refused = set()
    for target in LINK.findall(html):
        path = target.split("?")[0].split("#")[0]
        if path.startswith(settings.STATIC_URL):
            continue
        try:
            name = resolve(path).view_name
        except Resolver404:
            continue
        if user is not None and not permissions.allows(user, name):
            refused.add(name)
    return sorted(refused)


@pytest.mark.parametrize("pattern", SCREENS, ids=[p.name for p in SCREENS])
def test_every_screen(world: World, pattern: Pattern) -> None:
    """In Chinese, and linking only to screens the user may open."""
    path = _path(pattern, world, "own")
    assert path is not None
    english: dict[str, list[str]] = {}
    links: dict[str, list[str]] = {}
    for user in _admitted(pattern):
        client = _client(world, user)
        staff = Staff.objects.filter(username=USERNAMES.get(user, "")).first()  # None: all
        answers = [("GET", client.get(path))]
        if accepts_post(pattern.callback):
            with transaction.atomic():
                answers.append(("POST", client.post(path)))
                transaction.set_rollback(True)
        for method, response in answers:
            html = _pages(response)
            if html is None:
                continue
            if words := english_words(html):
                english[f"{method} {path} as {user}"] = words
            if user != "anonymous" and (refused := refused_links(html, staff)):
                links[f"{method} {path} as {user}"] = refused
    assert english == {}
    assert links == {}


def test_the_check_finds_english() -> None:
    html = (
        '<p title="Save it">保存 BJ01 C001 KPI POST /api/leads</p><script>var x = "Hidden";'
        '</script><input type="submit" value="Send"><input type="hidden" value="Secret">'
        "<td>已删除Deleted员工</td>"
    )
    assert english_words(html) == ["Deleted", "Save", "Send", "it"]


def test_the_pages_are_read(world: World) -> None:
    # Without this, a world whose pages all failed would pass the check above.
    response = _client(world, Role.MANAGER).get("/customers/")
    html = _pages(response)
    assert html is not None and "客户" in html


def test_the_error_pages_have_no_english(world: World) -> None:
    refused = _client(world, Role.MARKETING).get(reverse("kpi:board"))
    missing = _client(world, Role.MANAGER).get("/no/such/page/")
    assert (refused.status_code, missing.status_code) == (403, 404)
    assert english_words(refused.content.decode()) == []
    assert english_words(missing.content.decode()) == []


# --- the command line ----------------------------------------------------------------------

HELP_WORD = re.compile(r"[A-Za-z][A-Za-z_]{2,}")


def test_every_line_of_the_main_help_is_chinese(chinese_cli, capsys) -> None:  # type: ignore[no-untyped-def]
    _status, out, _err = run("--help", capsys=capsys)
    for line in out.splitlines():
        text = re.sub(r"^\s+\S+", "", line)  # the command's name
        text = re.sub(
            r"showroom|Showroom|Django|KPI|ECharts|CSV|http://\S+|--\w+|help|flush|sqlflush|startproject",
            "",
            text,
        )
        assert HELP_WORD.findall(text) == [], line


# Words a Chinese help may hold: names of things, formats, values typed as they are.
HELP_ALLOWED = {
    "JSON", "json", "CSV", "csv", "xlsx", "KPI", "ECharts", "YYYY", "MM", "DD", "all", "table",
    "null", "store", "consultant", "source", "model", "month", "day", "http", "Python",
    "DJANGO_SETTINGS_MODULE", "myproject", "settings", "main", "home", "djangoprojects",
    "PostgreSQL", "SQLite", "DMS", "CRM", "Ctrl", "OUT", "code", "date", "phone", "message",
    "key",
}  # fmt: skip


def help_words(text: str) -> list[str]:
    text = re.sub(r"--?[\w-]+", "", text)  # option names
    return [w for w in HELP_WORD.findall(text) if w not in HELP_ALLOWED]


@pytest.mark.parametrize("name", product_commands())
def test_each_product_command_has_its_help_in_chinese(chinese_cli, capsys, name: str) -> None:  # type: ignore[no-untyped-def]
    command = load_command_class(get_commands()[name], name)
    parser = command.create_parser("showroom", name)
    assert help_words(str(command.help)) == []
    for action in parser._actions:
        assert help_words(action.help or "") == [], (name, action.dest, action.help)
    status, out, _err = run("help", name, capsys=capsys)
    assert status == 0
    assert out.startswith(f"用法：showroom {name} ")
    assert "选项" in out and "options" not in out


def test_argument_errors_are_chinese(chinese_cli, capsys) -> None:  # type: ignore[no-untyped-def]
    status, _out, err = run("kpi", "--month", "2026-10", capsys=capsys)
    assert status == 2
    assert err.splitlines()[-1] == "showroom kpi：错误：缺少以下必需参数：--store"
    status, _out, err = run("kpi", "--store", "X", "--month", "1", "--by", "x", capsys=capsys)
    assert err.splitlines()[-1] == (
        "showroom kpi：错误：参数 --by：无效的选项值：'x'（可选：'store', 'consultant', "
        "'source', 'model', 'month', 'day'）"
    )
    status, _out, err = run("kpi", "--store", "X", "--month", "1", "--bogus", capsys=capsys)
    assert err.splitlines()[-1] == "showroom kpi：错误：无法识别的参数：--bogus"
    assert err.startswith("用法：showroom kpi ")
    status, _out, err = run("kpii", capsys=capsys)
    assert (status, err) == (
        1,
        "未知命令：kpii（是否想输入 kpi？）\n输入“showroom help”查看可用命令。\n",
    )
