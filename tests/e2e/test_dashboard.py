"""The dashboards on the demo dealership, in a real browser: charts drawn, no script errors,
screenshots kept in /tmp/shots/dashboards/ for a person to look at."""

from __future__ import annotations

from pathlib import Path

import pytest

from showroom.demo.services import DEMO_PASSWORD, ensure_demo_logins, ensure_demo_store
from tests.e2e.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots/dashboards")


@pytest.fixture
def demo(transactional_db):  # type: ignore[no-untyped-def]
    store, _summary = ensure_demo_store()
    ensure_demo_logins(store)
    return store


def watch_errors(page) -> list[str]:  # type: ignore[no-untyped-def]
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and "favicon" not in (m.location or {}).get("url", "")
            else None
        ),
    )
    return errors


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(1200)  # ECharts' entry animation
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_manager_dashboard_draws_its_charts_and_drills_down(page, live_server, demo):
    errors = watch_errors(page)
    login(page, live_server, "manager", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/kpi/dashboard/")
    page.wait_for_load_state("networkidle")
    for chart in ("#funnel-chart", "#trend-chart", "#heat-chart"):
        page.wait_for_selector(f"{chart} canvas")
    assert page.locator("h1").inner_text().startswith("经营看板")
    assert page.locator(".dash-card").count() == 12
    assert page.locator("table.dash-table").first.locator("tbody tr").count() >= 5
    shot(page, "dashboard")

    # Sorting the league by close rate puts the best first.
    league = page.locator("table.dash-table").first
    league.locator("thead th button.sort").last.click()
    values = league.locator("tbody tr td:last-child").evaluate_all(
        "cells => cells.map(c => c.dataset.value).filter(v => v !== '').map(Number)"
    )
    assert values == sorted(values, reverse=True)

    # A consultant's walk-ins: the rows behind the number.
    league.locator("tbody tr").first.locator("td a").first.click()
    page.wait_for_load_state("networkidle")
    assert "/kpi/drill/" in page.url
    assert page.locator("table.drill-table tbody tr").count() >= 1
    shot(page, "drill")
    assert errors == []


def test_dashboard_on_a_phone(browser, live_server, demo):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    errors = watch_errors(page)
    login(page, live_server, "gm", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/kpi/dashboard/")
    page.wait_for_selector("#heat-chart canvas")
    # Nothing wider than the screen but the scrolling tables.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    shot(page, "dashboard_phone")
    context.close()
    assert errors == []


def test_wall_board_draws_the_funnel_and_refreshes(browser, live_server, demo):
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page = context.new_page()
    errors = watch_errors(page)
    login(page, live_server, "reception", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/kpi/board/")
    page.wait_for_selector("#board-funnel canvas")
    assert page.locator("header.topbar").count() == 0  # no navigation chrome
    assert page.locator(".today .big").count() == 5
    shot(page, "board")
    # What the 60-second poll does: a fresh panel is swapped in and its funnel drawn again.
    page.evaluate(
        """() => {
            const board = document.getElementById("board");
            board.dataset.old = "1";
            htmx.ajax("GET", board.getAttribute("hx-get"), {target: "#board", swap: "outerHTML"});
        }"""
    )
    page.wait_for_selector("#board:not([data-old]) #board-funnel canvas")
    context.close()
    assert errors == []


def test_group_ranks_the_stores(page, live_server, demo):
    errors = watch_errors(page)
    login(page, live_server, "group", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/kpi/group/?kpi=close_rate")
    page.wait_for_selector("#group-chart canvas")
    assert page.locator("table.group-table tbody tr").count() >= 2  # the store and the total
    shot(page, "group")
    assert errors == []
