"""A screening list worked end to end in a real browser: the CRM builds it and calls, submits;
the sales manager assigns; the consultant follows up to an order; the list shows the win."""

import datetime as dt
from pathlib import Path

import pytest

from showroom.crm.models import CallList, CallListEntry
from showroom.customers.choices import CustomerType
from showroom.organization.choices import Role
from showroom.owners.models import Vehicle
from showroom.sales.models import Activity, Order
from tests import factories as f
from tests.e2e.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots")


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"crm_lists_{name}.png"), full_page=True)


def logout(page):  # type: ignore[no-untyped-def]
    page.click("header form.inline button")
    page.wait_for_url("**/login/**")


def test_screening_list_from_call_to_order(
    page, live_server, store, consultant, consultant2, manager, make_staff
):
    make_staff("crm", Role.CRM, store=store, full_name="CRM小刘")
    today = store.today()
    owners = []
    for n, (name, days) in enumerate((("周先生", 10), ("吴女士", 20), ("郑先生", 60))):
        card = f.CustomerFactory(
            store=store,
            consultant=consultant2,
            name=name,
            phone=f"1370000000{n}",
            model="途胜",
            customer_type=CustomerType.OWNER,
            created=today - dt.timedelta(days=700),
        )
        Vehicle.objects.create(
            store=store,
            customer=card,
            model="途胜",
            plate=f"京A1000{n}",
            delivery_date=today - dt.timedelta(days=700),
            finance_end=today + dt.timedelta(days=days),
        )
        owners.append(card)
    zhou = owners[0]

    # 1. The CRM builds a finance-ending list: a preview first, then the list.
    login(page, live_server, "crm")
    page.goto(f"{live_server.url}/crm/lists/")
    page.click("a.button.primary")
    page.select_option("select[name=kind]", "finance_ending")
    page.fill("input[name=days]", "30")
    page.click("button[name=preview]")
    page.wait_for_load_state("networkidle")
    assert page.locator("table.preview tbody tr").count() == 2
    shot(page, "1_preview")
    page.click("#create-list")
    page.wait_for_url("**/crm/lists/*/")
    call_list = CallList.objects.get()
    assert call_list.entries.count() == 2

    # 2. The first call: interested in a new 途胜L; saved inline, the row comes back.
    entry = CallListEntry.objects.get(customer=zhou)
    row = page.locator(f"#entry-{entry.pk}")
    row.locator("select").select_option("interested")
    row.locator("input[name$=intended_model]").fill("途胜L")
    row.locator("input[name$=notes]").fill("贷款快结清，想置换")
    row.locator("button").click()
    page.wait_for_selector(f"#entry-{entry.pk}.saved")
    other = CallListEntry.objects.exclude(pk=entry.pk).get()
    other_row = page.locator(f"#entry-{other.pk}")
    other_row.locator("select").select_option("not_interested")
    other_row.locator("button").click()
    page.wait_for_selector(f"#entry-{other.pk}.saved")
    # The figures above the table follow the calls: 2 called, 2 reached.
    page.wait_for_function(
        "() => document.querySelectorAll('#list-figures .kpi .v')[1].textContent.trim() === '2'"
    )
    shot(page, "2_called")
    page.click("#submit-list")
    page.wait_for_load_state("networkidle")
    entry.refresh_from_db()
    assert (entry.outcome, entry.intended_model, entry.submitted_on) == (
        "interested",
        "途胜L",
        today,
    )
    shot(page, "3_submitted")
    logout(page)

    # 3. The sales manager assigns 周先生 to 张伟.
    login(page, live_server, "boss")
    page.goto(f"{live_server.url}/crm/lists/{call_list.pk}/")
    page.check(f"input[form=assign-form][value='{entry.pk}']")
    page.select_option("#assign-form select[name=consultant]", str(consultant.pk))
    page.click("#assign")
    page.wait_for_load_state("networkidle")
    entry.refresh_from_db()
    zhou.refresh_from_db()
    assert (entry.assigned_to_id, zhou.consultant_id) == (consultant.pk, consultant.pk)
    shot(page, "4_assigned")
    logout(page)

    # 4. 张伟 finds him on "My day", follows up: a call logged on the card, then the order.
    login(page, live_server, "zhang")
    page.goto(f"{live_server.url}/sales/my-day/")
    item = page.locator("ul.crm-entries li", has_text="周先生")
    assert item.is_visible()
    shot(page, "5_my_day")
    item.locator(f"a[href$='/crm/lists/entries/{entry.pk}/']").click()
    page.wait_for_url(f"**/crm/lists/entries/{entry.pk}/")
    shot(page, "6_entry")
    page.click("#open-card")
    page.wait_for_url(f"**/customers/{zhou.pk}/")
    form = page.locator("form.contact")
    form.get_by_label("接触后级别").select_option("H")
    form.get_by_label("接触情况").fill("周六来店看途胜L")
    page.locator("form.contact button.primary").click()
    page.wait_for_load_state("networkidle")
    assert Activity.objects.filter(customer=zhou, consultant=consultant).count() == 1
    page.goto(f"{live_server.url}/deals/orders/new/?customer={zhou.pk}")
    page.fill("input[name=model]", "途胜L")
    page.fill("input[name=deposit]", "5000")
    page.locator("main form button.primary").last.click()
    page.wait_for_load_state("networkidle")
    assert Order.objects.get(customer=zhou).order_date == today
    logout(page)

    # 5. The list shows the win: 2 called, 1 interested, 1 assigned, 1 won.
    login(page, live_server, "crm")
    page.goto(f"{live_server.url}/crm/lists/{call_list.pk}/")
    values = page.locator(".figures .kpi .v").all_inner_texts()
    assert values == ["2", "2", "2", "1", "1", "1", "0", "0", "50%", "100%"]
    assert page.locator(f"#entry-{entry.pk} .state-won").is_visible()
    shot(page, "7_won")
    page.goto(f"{live_server.url}/crm/lists/")
    assert page.locator(f"#list-{call_list.pk} td.num").all_inner_texts() == [
        "2", "2", "2", "1", "1", "1", "0", "0", "50%", "100%",
    ]  # fmt: skip
    shot(page, "8_index")
