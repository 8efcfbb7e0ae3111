"""A consultant's day and the manager's evening meeting, in a real browser."""

import datetime as dt

import pytest

from showroom.customers.models import GradeChange
from showroom.owners.models import Vehicle
from showroom.sales.models import Activity, LossReport, Order
from tests import factories as f
from tests.e2e.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def logout(page):  # type: ignore[no-untyped-def]
    page.click("header form.inline button")
    page.wait_for_url("**/login/**")


def submit(page):  # type: ignore[no-untyped-def]
    page.locator("main form button.primary").last.click()
    page.wait_for_load_state("networkidle")


def test_contact_grade_loss_confirmation_order_and_delivery(
    page, live_server, store, consultant, manager
):
    today = store.today()
    zhao = f.CustomerFactory(
        store=store,
        consultant=consultant,
        name="赵先生",
        phone="13900000001",
        grade="B",
        model="途胜L",
        created=today - dt.timedelta(days=10),
    )
    qian = f.CustomerFactory(
        store=store,
        consultant=consultant,
        name="钱女士",
        phone="13900000002",
        grade="A",
        model="伊兰特",
        created=today - dt.timedelta(days=20),
    )

    # 1. The consultant logs a call with 赵先生 and moves him from B to H.
    login(page, live_server, "zhang")
    page.goto(f"{live_server.url}/customers/{zhao.pk}/")
    form = page.locator("form.contact")
    form.get_by_label("接触后级别").select_option("H")
    form.get_by_label("接触情况").fill("选定白色，周六来签约")
    page.locator("form.contact button.primary").click()
    page.wait_for_load_state("networkidle")
    activity = Activity.objects.get(customer=zhao)
    assert (activity.date, activity.grade_after) == (today, "H")
    change = GradeChange.objects.get(customer=zhao, old_grade="B")
    assert (change.new_grade, change.changed_by_id) == ("H", consultant.pk)
    zhao.refresh_from_db()
    assert zhao.next_follow_up == today + dt.timedelta(days=2)  # H: every 2 days

    # 2. 钱女士 bought a competitor's car: the consultant only requests the loss.
    page.goto(f"{live_server.url}/deals/losses/new/?customer={qian.pk}")
    page.check("input[name=kind][value=lost]")
    page.select_option("select[name=reason]", "price")
    page.fill("input[name=competitor_brand]", "丰田")
    page.fill("input[name=competitor_model]", "卡罗拉")
    submit(page)
    loss = LossReport.objects.get(customer=qian)
    assert loss.status == "requested"
    logout(page)

    # 3. The manager confirms it from the queue.
    login(page, live_server, "boss")
    page.goto(f"{live_server.url}/deals/losses/pending/")
    page.locator(f"#loss-{loss.pk} button.primary").click()
    page.wait_for_function(
        "id => !document.querySelector('#loss-' + id + ' button.primary')", arg=loss.pk
    )
    loss.refresh_from_db()
    assert (loss.status, loss.decided_by_id) == ("confirmed", manager.pk)

    # 4. 赵先生 signs: an order, then the delivery with ceremony and insurance.
    page.goto(f"{live_server.url}/deals/orders/new/?customer={zhao.pk}")
    page.fill("input[name=deposit]", "5000")
    submit(page)
    order = Order.objects.get(customer=zhao)
    assert (order.model, order.channel, order.consultant_id) == ("途胜L", "showroom", consultant.pk)
    zhao.refresh_from_db()
    assert zhao.grade == "O"
    page.goto(f"{live_server.url}/deals/orders/{order.pk}/deliver/")
    page.fill("input[name=vin]", "LBEHDAFB0RY000001")
    page.check("input[name=ceremony]")
    page.check("input[name=insurance]")
    submit(page)
    order.refresh_from_db()
    assert order.delivery_date == today and order.ceremony and order.insurance
    assert Vehicle.objects.get(order=order).vin == "LBEHDAFB0RY000001"

    # 5. The evening meeting shows the day per consultant.
    page.goto(f"{live_server.url}/reports/evening/")
    row = page.locator("tr", has_text=consultant.full_name).first
    assert row.is_visible()
    assert "夕会" in page.locator("h1").inner_text()
