"""A consultant's bell counts a walk-in the desk gives them without a reload, and leads to it."""

import pytest

from showroom.notices.models import Notice
from showroom.traffic.models import WalkIn
from showroom.traffic.services import log_walk_in
from tests.e2e.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_bell_counts_a_new_walk_in_and_opens_it(  # type: ignore[no-untyped-def]
    page, live_server, store, receptionist, consultant
):
    page.clock.install()
    login(page, live_server, "zhang")
    page.goto(f"{live_server.url}/desk/mine/")
    page.wait_for_load_state("networkidle")
    bell = page.locator("header a.bell")
    assert bell.is_visible()
    assert bell.locator(".bell-n").count() == 0

    # The desk hands the consultant a party while their page stays open.
    log_walk_in(
        store=store, user=receptionist, consultant=consultant, visit_type="first", name="王先生"
    )
    page.clock.fast_forward("00:31")
    page.wait_for_selector("header a.bell .bell-n")
    assert bell.locator(".bell-n").inner_text() == "1"
    assert page.url.endswith("/desk/mine/")  # no reload

    bell.click()
    page.wait_for_url("**/notices/")
    item = page.locator("ul.notices li.unread")
    assert "有来店客户分配给您" in item.inner_text() and "王先生" in item.inner_text()
    item.locator("a.rowlink").click()
    row = WalkIn.objects.get()
    page.wait_for_url(f"**/desk/walk-ins/{row.pk}/")
    assert Notice.objects.get().read_at is not None
    page.wait_for_load_state("networkidle")
    assert page.locator("header a.bell .bell-n").count() == 0
