"""Every page works under the Content-Security-Policy: the browser reports no violation on
the dashboard, the charts' pages and the front desk (docs/security.md)."""

from __future__ import annotations

import pytest

from showroom.demo.services import DEMO_PASSWORD, ensure_demo_logins, ensure_demo_store
from tests.e2e.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each violation the page sees is kept for the test to read.
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


@pytest.fixture
def demo(transactional_db):  # type: ignore[no-untyped-def]
    store, _summary = ensure_demo_store()
    ensure_demo_logins(store)
    return store


def watch(page) -> list[str]:  # type: ignore[no-untyped-def]
    seen: list[str] = []
    page.add_init_script(LISTEN)
    page.on(
        "console",
        lambda m: seen.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return seen


def violations(page, console: list[str]) -> list[str]:  # type: ignore[no-untyped-def]
    return console + page.evaluate("window.__csp || []")


def test_the_dashboard_and_the_charts_draw_under_the_policy(page, live_server, demo):
    console = watch(page)
    login(page, live_server, "manager", DEMO_PASSWORD)
    response = page.goto(f"{live_server.url}/kpi/dashboard/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    for chart in ("#funnel-chart", "#trend-chart", "#heat-chart"):
        page.wait_for_selector(f"{chart} canvas")
    assert violations(page, console) == []

    # The other pages with charts: the monthly statistics and the value screen.
    page.goto(f"{live_server.url}/kpi/monthly/")
    page.wait_for_selector("#daily-chart canvas")
    page.goto(f"{live_server.url}/kpi/value/")
    page.wait_for_selector("#value-chart canvas")
    page.goto(f"{live_server.url}/crm/channels/")
    page.wait_for_load_state("networkidle")
    assert violations(page, console) == []

    # The language switch submits on change without an inline handler.
    with page.expect_navigation():
        page.select_option("header select[name=language]", "en")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    assert violations(page, console) == []

    # The API's own page (Swagger UI, served from our static files).
    page.goto(f"{live_server.url}/api/docs")
    page.wait_for_selector(".swagger-ui .opblock")
    assert violations(page, console) == []


def test_the_front_desk_works_under_the_policy(page, live_server, demo):
    console = watch(page)
    login(page, live_server, "reception", DEMO_PASSWORD)
    page.wait_for_url("**/desk/")
    # An htmx round trip: the rotation and today's rows swapped in again.
    page.click("#desk-panel p.refresh a")
    page.wait_for_load_state("networkidle")
    assert page.locator("#desk-panel").count() == 1
    assert violations(page, console) == []

    # Switch user: signed out, back at the login with the desk to return to.
    page.click("form.switch-user button")
    page.wait_for_url("**/login/?next=/desk/")
    login_then_desk = page.locator("main input[name=next]").input_value()
    assert login_then_desk == "/desk/"
    assert violations(page, console) == []
