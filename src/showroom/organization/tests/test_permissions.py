"""The screen table (organization.permissions) covers every URL and drives the navigation."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import RequestFactory
from django.urls import reverse

from showroom.organization import access, permissions
from showroom.organization.choices import Role
from showroom.organization.context_processors import LEADS, MENUS, NAV, nav_items, nav_menus
from showroom.organization.middleware import ScreenPermissionMiddleware
from showroom.organization.models import Staff
from showroom.organization.tests.urlwalk import decorator_roles, url_patterns

MARKERS = (permissions.PUBLIC, permissions.SIGNED_IN, permissions.OWN_AUTH)
PATTERNS = url_patterns()
OWN = set(permissions.SCREENS_OF_THEIR_OWN)


def test_every_url_pattern_has_an_entry_and_every_entry_names_a_url() -> None:
    names = {p.name for p in PATTERNS if p.namespace not in OWN}
    assert sorted(names - set(permissions.SCREENS)) == []
    assert sorted(set(permissions.SCREENS) - names) == []
    # Django's admin is not mounted: no namespace checks access by itself.
    assert {p.namespace for p in PATTERNS if p.namespace in OWN} == set()


def test_entries_name_real_roles_or_one_marker() -> None:
    roles = set(Role.values)
    assert not any(m & roles for m in MARKERS)
    for name, admitted in permissions.SCREENS.items():
        assert admitted in MARKERS or (admitted and admitted <= roles), name


def test_the_few_public_and_self_checking_names() -> None:
    def marked(marker: frozenset[str]) -> set[str]:
        return {n for n, r in permissions.SCREENS.items() if r == marker}

    # first_run: only while the database has no login (it leads home afterwards).
    assert marked(permissions.PUBLIC) == {"login", "logout", "set_language", "first_run"}
    assert marked(permissions.SIGNED_IN) == {
        "home",
        "password_change",
        "password_change_done",
        "api:openapi-json",
        "api:openapi-view",
        # everyone's own notices: the rows are the reader's alone (access.notice_rows)
        "notices:list",
        "notices:count",
        "notices:open",
        "notices:read",
        "notices:read_all",
    }
    assert marked(permissions.OWN_AUTH) == {
        "api:api-root",
        "api:registry",
        "api:values",
        "api:add_lead",
    }


@pytest.mark.parametrize("pattern", [p for p in PATTERNS if p.namespace not in OWN], ids=str)
def test_no_view_repeats_the_table_in_a_role_decorator(pattern) -> None:  # type: ignore[no-untyped-def]
    # Who may open a screen is written once, in the table; the middleware enforces it.
    assert decorator_roles(pattern.callback) is None


def test_no_module_decorates_views_with_roles() -> None:
    assert not hasattr(access, "role_required")
    package = Path(access.__file__).parents[1]
    offenders = [
        str(path.relative_to(package))
        for path in sorted(package.rglob("*.py"))
        if "tests" not in path.parts and "role_required" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


@pytest.mark.parametrize(
    ("name", "roles"),
    [
        # The decisions where a role's screens and its menu disagreed.
        ("traffic:desk", {"receptionist", "manager", "assistant", "general_manager"}),
        ("reports:evening", {"manager", "assistant", "general_manager"}),
        ("sales:my_day", {"consultant", "manager", "general_manager"}),
        ("customers:list", {"consultant", "manager", "assistant", "crm", "general_manager"}),
        ("reports:index", {"consultant", "manager", "assistant", "general_manager", "group"}),
        ("targets:index", {"consultant", "manager", "assistant", "general_manager", "group"}),
        ("crm:crosscheck", {"crm", "manager", "general_manager", "consultant"}),
        ("crm:intent_checks", {"crm", "manager", "general_manager"}),
        ("crm:interviews", {"crm", "manager", "general_manager"}),
        ("crm:profiles", {"crm", "manager", "general_manager", "marketing", "group"}),
        ("crm:surveys", {"crm", "manager", "general_manager", "marketing", "group"}),
        ("crm:channels", {"crm", "manager", "general_manager", "marketing", "group"}),
        ("crm:reports", {"crm", "manager", "general_manager", "marketing", "group"}),
    ],
)
def test_decided_screens(name: str, roles: set[str]) -> None:
    assert permissions.SCREENS[name] == roles


# --- navigation -------------------------------------------------------------------------------


def _user(*roles: str, superuser: bool = False) -> Staff:
    return Staff(username="x", roles=",".join(roles), is_superuser=superuser)


def test_every_menu_entry_is_a_screen_of_the_table_once() -> None:
    names = [i.url_name for i in NAV]
    assert len(names) == len(set(names))
    for name in names:
        assert permissions.roles_for(name), name
        assert reverse(name)
    for role, lead in LEADS.items():
        assert lead in names and role in permissions.SCREENS[lead], role


@pytest.mark.parametrize("role", Role.values)
def test_a_role_sees_exactly_the_entries_it_may_open(role: str) -> None:
    shown = {i.url_name for i in nav_items(_user(role))}
    assert shown == {i.url_name for i in NAV if role in permissions.SCREENS[i.url_name]}


def _menus(*roles: str) -> dict[str, list[str]]:
    return {key: [i.url_name for i in items] for key, items in nav_menus(nav_items(_user(*roles)))}


def test_every_entry_is_in_one_of_the_menus() -> None:
    assert {i.menu for i in NAV} == set(MENUS)


def test_the_menus_group_what_a_role_may_open() -> None:
    """The bar's menus in their order, each with the entries the screen table lets the role
    open; the receptionist's front desk, the sales manager's long list in six menus."""
    assert _menus("receptionist") == {
        "showroom": ["traffic:desk", "traffic:register", "traffic:calls", "kpi:board"],
        "leads": ["traffic:calendar"],
        "admin": ["administration:roster"],
    }
    manager = _menus("manager")
    assert list(manager) == ["showroom", "customers", "leads", "analysis", "admin", "data"]
    assert manager["analysis"] == [
        "kpi:dashboard", "reports:evening", "reports:index", "kpi:monthly", "kpi:overview",
        "targets:index", "kpi:value", "kpi:group", "crm:profiles", "crm:channels", "crm:reports",
    ]  # fmt: skip
    assert manager["data"] == ["exchange:imports", "exchange:export"]
    assert manager["admin"] == ["administration:roster", "login_locks", "traffic:api_keys"]
    assert _menus("group") == {
        "customers": ["crm:surveys"],
        "analysis": [
            "kpi:group", "kpi:dashboard", "reports:index", "kpi:monthly", "kpi:overview",
            "targets:index", "kpi:value", "crm:profiles", "crm:channels", "crm:reports",
        ],
    }  # fmt: skip
    for role in Role.values:
        menus = _menus(role)
        assert [e for entries in menus.values() for e in entries] == [
            i.url_name for key in menus for i in nav_items(_user(role)) if i.menu == key
        ]


def test_a_superuser_sees_every_entry_in_menu_order() -> None:
    assert nav_items(_user(superuser=True)) == NAV


@pytest.mark.parametrize(
    ("roles", "first"),
    [
        (("receptionist",), "traffic:desk"),
        (("consultant",), "sales:my_day"),
        (("manager",), "kpi:dashboard"),
        (("assistant",), "kpi:dashboard"),
        (("dcc",), "traffic:leads"),
        (("crm",), "crm:lists"),
        (("marketing",), "kpi:dashboard"),
        (("general_manager",), "kpi:dashboard"),
        (("group",), "kpi:group"),
        (("manager", "group"), "kpi:group"),
        (("manager", "crm"), "kpi:dashboard"),
    ],
)
def test_the_first_entry_is_where_a_role_lands(roles: tuple[str, ...], first: str) -> None:
    items = nav_items(_user(*roles))
    assert items[0].url_name == first
    assert len(items) == len({i.url_name for i in items})


def test_a_url_missing_from_the_table_is_refused_to_everyone(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from django.core.exceptions import PermissionDenied

    monkeypatch.delitem(permissions.SCREENS, "kpi:dashboard")
    request = RequestFactory().get(reverse("kpi:dashboard"))
    request.user = _user(superuser=True)
    from django.urls import resolve

    request.resolver_match = resolve(request.path)
    middleware = ScreenPermissionMiddleware(lambda r: None)  # type: ignore[arg-type,return-value]
    with pytest.raises(PermissionDenied):
        middleware.process_view(request, request.resolver_match.func, (), {})
    assert not permissions.allows(request.user, "kpi:dashboard")


# --- links to other screens, and what is finer than a screen -----------------------------------


@pytest.mark.parametrize(
    ("roles", "shown"),
    [
        (("consultant",), "crosscheck"),
        (("crm",), "crosscheck refresh"),
        (("marketing",), ""),
        (("group",), ""),
        ((), ""),
    ],
)
def test_the_may_open_filter_asks_the_table(roles: tuple[str, ...], shown: str) -> None:
    from django.contrib.auth.models import AnonymousUser
    from django.template import Context, Template

    template = Template(
        "{% load screens %}"
        '{% if user|may_open:"crm:crosscheck" %}crosscheck{% endif %}'
        '{% if user|may_open:"crm:crosscheck_refresh" %} refresh{% endif %}'
    )
    user = _user(*roles) if roles else AnonymousUser()
    assert template.render(Context({"user": user})) == shown


def test_finer_rights_than_a_screen() -> None:
    class Card:
        def __init__(self, consultant_id: int | None) -> None:
            self.consultant_id = consultant_id

    consultant, manager, assistant, crm = (
        _user(r) for r in ("consultant", "manager", "assistant", "crm")
    )
    consultant.pk = 7
    own, others = Card(7), Card(8)
    assert [access.may_edit_card(u, own) for u in (consultant, manager, assistant, crm)] == [
        True,
        True,
        True,
        False,
    ]
    assert access.may_edit_card(consultant, others) is False
    assert [access.may_log_contact(u, own) for u in (consultant, manager, assistant, crm)] == [
        True,
        True,
        False,
        False,
    ]
    assert [access.may_choose_consultant(u) for u in (consultant, manager, assistant)] == [
        False,
        True,
        True,
    ]
    assert [access.may_fix_exception(u) for u in (consultant, manager, crm)] == [True, True, False]
    assert [access.may_follow_colleagues(u) for u in (consultant, manager, assistant)] == [
        False,
        True,
        False,
    ]
