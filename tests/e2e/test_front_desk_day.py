"""A receptionist and a consultant do a day's front-desk work in a real browser."""

import pytest

from showroom.traffic.models import WalkIn
from tests.e2e.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def logout(page):  # type: ignore[no-untyped-def]
    page.click("header form.inline button")
    page.wait_for_url("**/login/**")


def test_walk_in_from_desk_to_monthly_statistics(
    page, live_server, receptionist, consultant, consultant2, manager
):
    # 1. The receptionist logs a party of two; the rotation hands it to the next consultant.
    login(page, live_server, "reception")
    page.wait_for_url("**/desk/")
    assert page.locator("h1").inner_text().startswith("前台接待")
    hand_to = page.locator("button.primary.big.wide").first
    label = hand_to.inner_text()
    assert label.startswith("登记并交给")
    assigned = consultant if consultant.full_name in label else consultant2
    other = consultant2 if assigned is consultant else consultant
    page.locator(".seg label", has_text="2").first.click()
    hand_to.click()

    # The row is on today's register at once, and the rotation moves on.
    page.wait_for_selector(f"#desk-panel table >> text={assigned.full_name}")
    assert other.full_name in page.locator("button.primary.big.wide").first.inner_text()
    row = WalkIn.objects.get()
    assert (row.consultant_id, row.party_size, row.visit_type) == (assigned.pk, 2, "first")
    logout(page)

    # 2. The consultant completes the row after the reception.
    login(page, live_server, assigned.username)
    page.goto(f"{live_server.url}/desk/mine/")
    page.locator("a.rowlink").first.click()
    page.fill("input[name=name]", "王先生")
    page.fill("input[name=phone]", "+86 138-0000-0004")
    page.select_option("select[name=source]", label="路过")
    page.fill("input[name=model]", "途胜L")
    page.check("input[name=test_drive]")
    page.check("input[name=quoted]")
    page.select_option("select[name=grade]", "A")
    page.select_option("select[name=contact_kept]", "true")
    page.fill("input[name=hand_card]", "A-017")
    page.locator("button[name=complete]").click()
    page.wait_for_load_state("networkidle")

    row.refresh_from_db()
    assert row.completed
    assert (row.name, row.phone_norm, row.grade, row.hand_card) == (
        "王先生",
        "13800000004",
        "A",
        "A-017",
    )
    assert row.test_drive and row.quoted and row.is_contact_kept
    logout(page)

    # 3. The manager sees it in this month's walk-in statistics.
    login(page, live_server, "boss")
    page.goto(f"{live_server.url}/kpi/monthly/")
    consultant_row = page.locator("table.stats-consultants tbody tr", has_text=assigned.full_name)
    cells = consultant_row.locator("td").all_inner_texts()
    # first visits, repeat visits, total, kept, retention rate
    assert cells[1:6] == ["1", "0", "1", "1", "100.0%"]
