"""The daily screens at the sizes they are used at, on the demo dealership: the menu folds
into a button on a phone, the monthly statistics grid scrolls inside its frame on a laptop,
the cross-check list fits a tablet. Screenshots are kept in /tmp/shots/layout/."""

from __future__ import annotations

from pathlib import Path

import pytest

from showroom.crm.crosscheck.services import refresh
from showroom.demo.services import DEMO_PASSWORD, ensure_demo_logins, ensure_demo_store
from tests.e2e.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots/layout")


@pytest.fixture
def demo(transactional_db):  # type: ignore[no-untyped-def]
    store, _summary = ensure_demo_store()
    ensure_demo_logins(store)
    refresh(store=store, on=store.today())  # the cross-check's exceptions, as the demo has them
    return store


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def test_daily_screens_at_phone_laptop_and_tablet_widths(page, live_server, demo):
    # A phone: the menu is one button that opens and closes the links.
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, "reception", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/desk/")
    toggle = page.locator("button.menu-toggle")
    assert toggle.is_visible()
    assert toggle.inner_text() == "☰ 菜单"
    assert not page.locator("#main-nav").is_visible()
    toggle.click()
    assert page.locator("#main-nav").is_visible()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.locator("#main-nav a").first.inner_text() == "前台接待"
    shot(page, "desk_phone_menu_open")
    toggle.click()
    assert not page.locator("#main-nav").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") == 390

    # A laptop: the statistics grid is wider than the screen and scrolls inside a frame no
    # taller than the window, the page itself not wider than the window.
    page.set_viewport_size({"width": 1366, "height": 768})
    page.context.clear_cookies()
    login(page, live_server, "manager", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/kpi/monthly/")
    assert not page.locator("button.menu-toggle").is_visible()
    frame = page.locator(".stats-frame")
    size = frame.evaluate(
        "f => [f.scrollWidth > f.clientWidth, f.getBoundingClientRect().height <= innerHeight,"
        " getComputedStyle(f).overflowX]"
    )
    assert size == [True, True, "auto"]
    assert page.evaluate("document.documentElement.scrollWidth") == 1366
    frame.scroll_into_view_if_needed()
    frame.evaluate("f => f.scrollBy(10000, 0)")
    # The date column stays in sight when the grid is scrolled to its last column.
    left = frame.locator("td.day.sticky").first.evaluate("c => c.getBoundingClientRect().left")
    assert left == frame.evaluate("f => f.getBoundingClientRect().left + f.clientLeft")
    shot(page, "monthly_1366_scrolled")

    # A tablet: every column of the cross-check list is on the screen.
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(f"{live_server.url}/crm/crosscheck/")
    table = page.locator("table.crosscheck")
    assert table.locator("tbody tr").count() > 1
    widths = table.evaluate("t => [t.scrollWidth, t.parentElement.clientWidth]")
    assert widths[0] <= widths[1]
    shot(page, "crosscheck_1024")
