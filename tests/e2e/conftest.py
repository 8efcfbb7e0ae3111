"""Browser tests: Playwright for Python driving Debian's chromium, headless, against live_server."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the test
# itself are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


class OneRequestAtATime(ThreadedWSGIServer):
    """The live server, answering one request at a time.

    With an in-memory SQLite database every thread of the live server uses the test's one
    connection, and two requests at once on it (the bell's poll beside a page's own requests)
    can hang. Connections keep their threads, so a browser's idle keep-alive connection does
    not hold the others up; only the application is called one request at a time.
    """

    lock = threading.Lock()

    def set_app(self, application: Callable[..., Any]) -> None:
        def one_at_a_time(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
            with self.lock:
                return application(environ, start_response)

        super().set_app(one_at_a_time)


LiveServerThread.server_class = OneRequestAtATime

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM:
        pytest.skip("chromium is not installed (python3 dev.py test installs it on Debian)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):  # type: ignore[no-untyped-def]
    # A tablet-sized screen, Chinese first: the receptionist's device.
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):  # type: ignore[no-untyped-def]
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


def login(page, live_server, username: str, password: str = "pass-1234") -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button.primary")


@pytest.fixture(autouse=True)
def _standard_sources(transactional_db):  # type: ignore[no-untyped-def]
    # Transactional tests flush every table afterwards, including the sources a migration
    # created; put them back for each browser test.
    from showroom.customers.choices import STANDARD_SOURCES
    from showroom.customers.models import Source

    for code, zh, en in STANDARD_SOURCES:
        Source.objects.update_or_create(
            store=None, code=code, defaults={"name_zh": zh, "name_en": en}
        )
