"""A dealer group starts from an empty database and runs a store without a shell: the group
admin sets up, opens a store and its staff; the front desk sends a consultant to lunch and the
rotation passes them; the general manager deactivates a consultant and hands over their
customers."""

import pytest

from showroom.customers.models import Customer
from showroom.organization.models import Staff, Store
from showroom.traffic.models import WalkIn
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADMIN_PASSWORD = "Group-Admin-2026"
FIRST = "First-Pass-2026"  # what the admin gives each new person
OWN = "Own-Choice-2026"  # what each person then chooses


def sign_in(page, live_server, username, password):  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button.primary")
    page.wait_for_load_state("networkidle")


def sign_out(page):  # type: ignore[no-untyped-def]
    page.click("header form.inline button")
    page.wait_for_url("**/login/**")


def first_sign_in(page, live_server, username):  # type: ignore[no-untyped-def]
    """A new person signs in with the password they were given and must choose their own."""
    sign_in(page, live_server, username, FIRST)
    page.wait_for_url("**/password/")
    assert "您的密码已被管理员重置" in page.content()
    page.fill("input[name=old_password]", FIRST)
    page.fill("input[name=new_password1]", OWN)
    page.fill("input[name=new_password2]", OWN)
    page.click("form button.primary")
    page.wait_for_url("**/password/done/")


def add_staff(page, live_server, username, name, code, role, store="TJ01"):  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/manage/staff/new/?store={store}")
    page.fill("input[name=username]", username)
    page.fill("input[name=full_name]", name)
    page.fill("input[name=staff_code]", code)
    page.check(f"input[name=role_list][value={role}]")
    page.fill("input[name=password]", FIRST)
    page.click("#staff-form button.primary")
    page.wait_for_url("**/manage/staff/?store=*")
    assert f"{name} 可以用 {username} 登录" in page.locator("ul.messages").inner_text()


def test_a_group_admin_sets_up_a_store_and_its_people_run_it(page, live_server):
    # 1. On an empty database the login page leads to the first run.
    page.goto(f"{live_server.url}/")
    page.click("#first-run a")
    page.wait_for_url("**/welcome/")
    assert page.locator("h1").inner_text() == "初始设置"
    page.fill("input[name=group]", "华北汽车集团")
    page.fill("input[name=store_code]", "BJ01")
    page.fill("input[name=store_name]", "北京一店")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=full_name]", "刘管理")
    page.fill("input[name=password]", ADMIN_PASSWORD)
    page.click("form button.primary")
    page.wait_for_url("**/manage/staff/")

    # 2. The group admin opens a second store.
    page.click("nav.nav >> text=门店")
    page.click("text=新建门店")
    page.select_option("select[name=group]", label="华北汽车集团")
    page.fill("input[name=code]", "TJ01")
    page.fill("input[name=name]", "天津一店")
    page.fill("input[name=brand]", "北京现代")
    page.fill("input[name=address]", "天津市河西区友谊路 1 号")
    page.click("form.card button.primary")
    page.wait_for_url("**/manage/stores/")
    assert "门店 天津一店 (TJ01) 已创建。" in page.locator("ul.messages").inner_text()
    store = Store.objects.get(code="TJ01")

    # 3. …and its people: a general manager, a receptionist, three consultants.
    add_staff(page, live_server, "tj-gm", "赵总", "M001", "general_manager")
    add_staff(page, live_server, "tj-desk", "前台小陈", "R001", "receptionist")
    for i, name in enumerate(["孙磊", "周敏", "吴刚"], start=1):
        add_staff(page, live_server, f"tj-c{i}", name, f"C00{i}", "consultant")
    team = list(Staff.objects.consultants(store).order_by("rotation_order"))
    assert [c.full_name for c in team] == ["孙磊", "周敏", "吴刚"]
    sign_out(page)
    # The third consultant already has customers (from before the system, say).
    leaving = team[2]
    for n in range(3):
        f.CustomerFactory(
            store=store, consultant=leaving, name=f"老客户{n}", phone=f"1390000000{n}"
        )

    # 4. The receptionist puts the first consultant at lunch with one tap on the roster…
    first_sign_in(page, live_server, "tj-desk")
    page.goto(f"{live_server.url}/manage/roster/")
    row = page.locator(f"#roster tr[data-staff='{team[0].pk}']")
    row.locator("button", has_text="午休").click()
    page.wait_for_url("**/manage/roster/?store=TJ01")
    assert "孙磊：午休。" in page.locator("ul.messages").inner_text()

    # …and a walk-in goes to the next one on duty.
    page.click("nav.nav .nav-menu-label:text-is('展厅')")  # the bar's menu, then its entry
    page.click("nav.nav >> text=前台接待")
    page.wait_for_url("**/desk/")
    hand_to = page.locator("button.primary.big.wide").first
    assert "周敏" in hand_to.inner_text()
    hand_to.click()
    page.wait_for_selector("#desk-panel table >> text=周敏")
    assert WalkIn.objects.get().consultant == team[1]
    sign_out(page)

    # 5. The general manager deactivates the third consultant and hands over the customers.
    first_sign_in(page, live_server, "tj-gm")
    page.goto(f"{live_server.url}/manage/staff/")
    page.locator("tr", has_text="吴刚").locator("a", has_text="编辑").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#deactivate")
    page.wait_for_url("**/customers/handover/**")
    assert "吴刚 已停用，不能再登录。" in page.locator("ul.messages").inner_text()
    selected = page.locator("select[name=from_consultant] option:checked").inner_text()
    assert selected.startswith("吴刚")
    page.check(f"input[name=receivers][value='{team[0].pk}']")
    page.check(f"input[name=receivers][value='{team[1].pk}']")
    page.click("form.card button.primary")
    page.wait_for_load_state("networkidle")
    assert "3" in page.locator("ul.messages").inner_text()
    holders = sorted(
        Customer.objects.filter(store=store).values_list("consultant__full_name", flat=True)
    )
    assert holders == ["周敏", "周敏", "孙磊"]  # in turn, 周敏 first by name
    leaving.refresh_from_db()
    assert leaving.is_active is False

    # The change is on the record, with who made it.
    sign_out(page)
    sign_in(page, live_server, "admin", ADMIN_PASSWORD)
    page.goto(f"{live_server.url}/manage/changes/")
    record = page.locator("table").inner_text()
    assert "赵总" in record and "吴刚" in record
