"""Shared fixtures. Runs on SQLite by default, on PostgreSQL when DATABASE_URL names one."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.db import connection

from showroom.organization.choices import Role
from tests import factories as f


def pytest_report_header(config: pytest.Config) -> str:
    url = os.environ.get("DATABASE_URL") or "sqlite (default)"
    return f"showroom database: {url}"


@pytest.fixture
def vendor() -> str:
    return connection.vendor


@pytest.fixture
def store(db):  # type: ignore[no-untyped-def]
    return f.StoreFactory(code="BJ01", name="北京一店")


@pytest.fixture
def other_store(db):  # type: ignore[no-untyped-def]
    return f.StoreFactory(code="SH01", name="上海一店")


@pytest.fixture
def make_staff(db):  # type: ignore[no-untyped-def]
    def make(username: str, *roles: str, store=None, **kw):  # type: ignore[no-untyped-def]
        return f.StaffFactory(username=username, roles=",".join(roles), store=store, **kw)

    return make


@pytest.fixture
def receptionist(make_staff, store):  # type: ignore[no-untyped-def]
    return make_staff("reception", Role.RECEPTIONIST, store=store, full_name="前台小王")


@pytest.fixture
def consultant(make_staff, store):  # type: ignore[no-untyped-def]
    return make_staff("zhang", Role.CONSULTANT, store=store, full_name="张伟", staff_code="C001")


@pytest.fixture
def consultant2(make_staff, store):  # type: ignore[no-untyped-def]
    return make_staff("li", Role.CONSULTANT, store=store, full_name="李娜", staff_code="C002")


@pytest.fixture
def manager(make_staff, store):  # type: ignore[no-untyped-def]
    return make_staff("boss", Role.MANAGER, store=store, full_name="王经理")


@pytest.fixture
def group_analyst(make_staff):  # type: ignore[no-untyped-def]
    return make_staff("group", Role.GROUP, store=None, full_name="集团分析")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    # PBKDF2's deliberate slowness is for production; tests create many logins.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    # Past periods' figures are cached (kpi.selectors.past_kpis); ids repeat across tests.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    # A request activates its user's language in the thread and leaves it active, as Django's
    # own locale middleware does; each test starts in the default language (zh-hans), as
    # `showroom` and a fresh request do.
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
