"""The menu bar: the sales manager's screens in six menus that drop down on a computer and
are sections of the folded menu on a phone; the front desk's duty buttons in the rotation.
Screenshots are kept in /tmp/shots/menu/."""

from __future__ import annotations

from pathlib import Path

import pytest

from showroom.organization.choices import Duty, Role
from tests.e2e.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots/menu")


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def test_the_managers_menus_on_a_computer_and_a_phone(page, live_server, store, make_staff):
    make_staff("boss", Role.MANAGER, store=store, full_name="王经理")
    page.set_viewport_size({"width": 1366, "height": 800})
    login(page, live_server, "boss")
    page.wait_for_url("**/kpi/**")
    labels = page.locator("nav.nav .nav-menu-label")
    assert labels.all_inner_texts() == ["展厅", "客户", "线索", "分析", "管理", "数据"]
    assert page.locator(".topbar").bounding_box()["height"] < 60  # one row
    analysis = page.locator("#nav-analysis")
    assert not analysis.is_visible()
    page.click("nav.nav .nav-menu-label:text-is('分析')")
    assert analysis.is_visible()
    assert analysis.locator("a").first.inner_text() == "经营看板"
    shot(page, "manager_1366_analysis")
    # Another menu's name closes it and opens that one; Escape closes, as a click elsewhere.
    page.click("nav.nav .nav-menu-label:text-is('数据')")
    assert page.locator("#nav-data").is_visible() and not analysis.is_visible()
    page.keyboard.press("Escape")
    assert not page.locator("#nav-data").is_visible()
    page.click("nav.nav .nav-menu-label:text-is('分析')")
    page.locator("h1").click()
    assert not analysis.is_visible()
    page.click("nav.nav .nav-menu-label:text-is('数据')")
    page.click("#nav-data >> text=导入中心")
    page.wait_for_url("**/exchange/imports/**")

    page.set_viewport_size({"width": 390, "height": 844})
    assert not page.locator("#main-nav").is_visible()
    page.click("button.menu-toggle")
    # Folded: every menu a section, its entries listed under its name.
    assert page.locator("#nav-analysis").is_visible() and page.locator("#nav-data").is_visible()
    assert page.locator("#main-nav a").first.inner_text() == "前台接待"
    assert page.evaluate("document.documentElement.scrollWidth") == 390
    shot(page, "manager_390_open")


def test_the_desk_puts_the_next_consultant_at_lunch_in_place(
    page, live_server, store, receptionist, make_staff
):
    a = make_staff("a", Role.CONSULTANT, store=store, full_name="甲", rotation_order=1)
    make_staff("b", Role.CONSULTANT, store=store, full_name="乙", rotation_order=2)
    page.set_viewport_size({"width": 1366, "height": 800})
    login(page, live_server, "reception")
    page.wait_for_url("**/desk/")
    hand_to = page.locator("button.primary.big.wide").first
    assert hand_to.inner_text() == "登记并交给 甲"
    page.locator("li.is-next .duty-seg button", has_text="午休").first.click()
    page.wait_for_function(
        "() => document.querySelector('button.primary.big.wide').textContent.includes('乙')"
    )
    assert page.url.endswith("/desk/")  # swapped in place, no page load
    assert "甲：午休。" in page.locator("#desk-panel ul.messages").inner_text()
    a.refresh_from_db()
    assert a.duty == Duty.LUNCH
    shot(page, "desk_lunch")
    page.locator("ul.off-duty-list button", has_text="回岗").click()
    page.wait_for_function(
        "() => document.querySelector('button.primary.big.wide').textContent.includes('甲')"
    )
    a.refresh_from_db()
    assert a.duty == Duty.ON_DUTY
