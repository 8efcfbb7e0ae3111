"""Administration on the product's own screens: stores, staff, the roster, the record of
changes, and setting up an empty database."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from showroom.organization import access
from showroom.organization.administration import selectors, services
from showroom.organization.choices import Duty, Role
from showroom.organization.models import DealerGroup, Staff, Store
from showroom.traffic import selectors as traffic
from tests import factories as f

pytestmark = pytest.mark.django_db

PASSWORD = "Dealer-Pass-2026"


@pytest.fixture
def group_admin(make_staff):
    return make_staff("gadmin", Role.GROUP_ADMIN, store=None, full_name="集团管理员")


@pytest.fixture
def store_admin(make_staff, store):
    return make_staff("sadmin", Role.STORE_ADMIN, store=store, full_name="门店管理员")


@pytest.fixture
def gm(make_staff, store):
    return make_staff("gm", Role.GENERAL_MANAGER, store=store, full_name="总经理")


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def signs_in(username, password):
    """Whether the login page lets `username` in (a fresh browser each time)."""
    response = Client().post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302


# --- First run and `showroom setup` ----------------------------------------------------------


def test_first_run_sets_up_an_empty_database_in_the_browser(client):
    login = client.get(reverse("home"), follow=True).content.decode()
    assert "数据库还是空的，尚无任何账号可以登录。" in login
    page = client.get(reverse("first_run"))
    assert "初始设置" in page.content.decode()
    response = client.post(
        reverse("first_run"),
        {
            "group": "华北汽车集团",
            "store_code": "BJ01",
            "store_name": "北京一店",
            "brand": "北京现代",
            "time_zone": "Asia/Shanghai",
            "username": "admin",
            "full_name": "刘管理",
            "password": PASSWORD,
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("administration:staff")
    admin = Staff.objects.get()
    assert (admin.username, admin.roles, admin.store, admin.must_change_password) == (
        "admin",
        "group_admin",
        None,
        False,
    )
    store = Store.objects.get()
    assert (store.code, store.name, store.group.name) == ("BJ01", "北京一店", "华北汽车集团")
    assert response.context["user"] == admin
    # Once anyone exists, the page leads home and creates nothing.
    again = Client().post(reverse("first_run"), {"group": "x"})
    assert again["Location"] == reverse("home")
    assert Staff.objects.count() == 1


def test_first_run_refuses_bad_values_with_chinese_messages(client):
    response = client.post(
        reverse("first_run"),
        {"group": "集团", "store_code": "北京 1", "store_name": "店", "time_zone": "Mars/Base"},
    )
    errors = response.context["form"].errors
    assert "time_zone" in errors and "store_code" in errors and "username" in errors
    assert errors["time_zone"] == ["未知时区：Mars/Base"]
    assert Staff.objects.count() == 0 and Store.objects.count() == 0


def test_setup_command_without_questions():
    call_command(
        "setup",
        "--no-input",
        "--skip-migrate",
        "--group=华北汽车集团",
        "--store-code=BJ01",
        "--store-name=北京一店",
        "--username=admin",
        f"--password={PASSWORD}",
    )
    admin = Staff.objects.get(username="admin")
    assert admin.check_password(PASSWORD)
    assert admin.has_role(Role.GROUP_ADMIN) and admin.store is None
    assert Store.objects.get().time_zone == "Asia/Shanghai"
    with pytest.raises(CommandError, match="门店 BJ01 已存在"):
        call_command(
            "setup",
            "--no-input",
            "--skip-migrate",
            "--group=华北汽车集团",
            "--store-code=BJ01",
            "--store-name=x",
            "--username=admin2",
            f"--password={PASSWORD}",
        )


def test_setup_command_asks_in_chinese_until_each_answer_is_valid(monkeypatch):
    import io

    answers = iter(["华北汽车集团", "BJ 01", "BJ01", "北京一店", "", "", "admin", ""])
    asked: list[str] = []

    def answer(prompt: str) -> str:
        asked.append(prompt)
        return next(answers)

    passwords = iter(["short", "short", PASSWORD, "typo", PASSWORD, PASSWORD])
    monkeypatch.setattr("builtins.input", answer)
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(passwords))
    err = io.StringIO()
    call_command("setup", "--skip-migrate", stderr=err, stdout=io.StringIO())
    assert asked[0] == "经销商集团名称："
    assert asked[4] == "品牌（可留空）："
    assert asked[5] == "时区 [Asia/Shanghai]："
    problems = err.getvalue().splitlines()
    assert problems[0] == "输入由字母，数字，下划线或连字符号组成的有效“字段”。"
    assert problems[-1] == "两次输入的密码不一致。"
    admin = Staff.objects.get(username="admin")
    assert admin.check_password(PASSWORD)
    assert Store.objects.get().time_zone == "Asia/Shanghai"


def test_setup_command_reports_a_weak_password():
    with pytest.raises(CommandError, match="密码"):
        call_command(
            "setup",
            "--no-input",
            "--skip-migrate",
            "--group=G",
            "--store-code=BJ01",
            "--store-name=北京一店",
            "--username=admin",
            "--password=123",
        )
    assert not Store.objects.exists()


# --- Stores -----------------------------------------------------------------------------------


def test_group_admin_creates_edits_and_closes_a_store(client, group_admin, store, consultant):
    client.force_login(group_admin)
    response = client.post(
        reverse("administration:store_new"),
        {
            "group": store.group_id,
            "code": "TJ01",
            "name": "天津一店",
            "brand": "北京现代",
            "time_zone": "Asia/Shanghai",
            "address": "天津市河西区",
            "opening_time": "08:30",
            "closing_time": "19:00",
        },
        follow=True,
    )
    assert messages_of(response) == ["门店 天津一店 (TJ01) 已创建。"]
    tianjin = Store.objects.get(code="TJ01")
    assert (tianjin.address, tianjin.opening_time) == ("天津市河西区", dt.time(8, 30))

    # Closing BJ01: out of every picker, and its staff can no longer sign in.
    consultant.set_password(PASSWORD)
    consultant.save()
    signed_in = Client()
    signed_in.post(reverse("login"), {"username": "zhang", "password": PASSWORD})
    assert signed_in.get(reverse("sales:my_day")).status_code == 200
    client.post(reverse("administration:store_active", args=[store.pk]), {"active": "0"})
    store.refresh_from_db()
    assert store.is_active is False
    assert not signs_in("zhang", PASSWORD)
    assert signed_in.get(reverse("sales:my_day"))["Location"].startswith(reverse("login"))
    assert list(access.visible_stores(group_admin)) == [tianjin]
    assert store in access.administered_stores(group_admin)
    # Reopened, they sign in again.
    client.post(reverse("administration:store_active", args=[store.pk]), {"active": "1"})
    assert signs_in("zhang", PASSWORD)


def test_renaming_the_group_is_on_the_record(client, group_admin, store):
    client.force_login(group_admin)
    client.post(reverse("administration:group_edit", args=[store.group_id]), {"name": "华北集团"})
    renamed = [c for c in selectors.change_log(user=group_admin) if c.what == "华北集团"]
    assert [(c.who, [(x.old, x.new) for x in c.changes]) for c in renamed] == [
        ("集团管理员", [("测试集团", "华北集团")])
    ]


def test_a_store_admin_edits_their_store_only(client, store_admin, store, other_store):
    client.force_login(store_admin)
    assert client.get(reverse("administration:store_new")).status_code == 403
    assert (
        client.get(reverse("administration:store_edit", args=[other_store.pk])).status_code == 404
    )
    page = client.get(reverse("administration:store_edit", args=[store.pk]))
    assert page.status_code == 200
    response = client.post(
        reverse("administration:store_edit", args=[store.pk]),
        {
            "code": "HACK",
            "name": "北京一店（亦庄）",
            "brand": "北京现代",
            "time_zone": "Asia/Shanghai",
            "address": "北京市大兴区",
            "opening_time": "09:00",
            "closing_time": "18:00",
            "version": store.version,
        },
    )
    assert response.status_code == 302
    store.refresh_from_db()
    assert (store.code, store.name, store.address) == ("BJ01", "北京一店（亦庄）", "北京市大兴区")


def test_a_stale_store_edit_is_refused(client, group_admin, store):
    client.force_login(group_admin)
    data = {
        "group": store.group_id,
        "code": "BJ01",
        "name": "旧名",
        "time_zone": "Asia/Shanghai",
        "opening_time": "09:00",
        "closing_time": "18:00",
        "version": store.version,
    }
    client.post(reverse("administration:store_edit", args=[store.pk]), {**data, "name": "新名"})
    response = client.post(
        reverse("administration:store_edit", args=[store.pk]), {**data, "name": "旧名"}, follow=True
    )
    assert messages_of(response) == [
        "门店 新名 (BJ01) 已保存。",
        "在此期间已有其他人保存过。现在显示的是对方的版本，请重新修改。",
    ]
    store.refresh_from_db()
    assert store.name == "新名"


# --- Staff ------------------------------------------------------------------------------------


def _new_staff(client, at, **extra):
    data = {
        "username": "wang",
        "full_name": "王芳",
        "staff_code": "C009",
        "store": at.pk,
        "role_list": [Role.CONSULTANT],
        "password": PASSWORD,
        **extra,
    }
    return client.post(reverse("administration:staff_new"), data, follow=True)


def test_new_staff_must_choose_their_own_password(client, store_admin, store, consultant):
    client.force_login(store_admin)
    response = _new_staff(client, store)
    assert messages_of(response) == ["王芳 可以用 wang 登录，登录后必须设置自己的密码。"]
    wang = Staff.objects.get(username="wang")
    assert (wang.roles, wang.staff_code, wang.store, wang.must_change_password) == (
        "consultant",
        "C009",
        store,
        True,
    )
    assert wang.rotation_order == consultant.rotation_order + 1  # joins the end of the turn

    person = Client()
    person.post(reverse("login"), {"username": "wang", "password": PASSWORD})
    assert person.get(reverse("sales:my_day"))["Location"] == reverse("password_change")
    page = person.get(reverse("password_change")).content.decode()
    assert "您的密码已被管理员重置" in page
    # The bell's poll on that page is answered empty, not sent to the page again (a reload loop);
    # any other htmx request is.
    poll = person.get(
        reverse("notices:count"), headers={"HX-Request": "true", "X-Background-Poll": "1"}
    )
    assert (poll.status_code, poll.get("HX-Redirect")) == (204, None)
    swap = person.get(reverse("sales:my_day"), headers={"HX-Request": "true"})
    assert (swap.status_code, swap["HX-Redirect"]) == (204, reverse("password_change"))
    person.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Own-Choice-77",
            "new_password2": "Own-Choice-77",
        },
    )
    wang.refresh_from_db()
    assert wang.must_change_password is False
    assert person.get(reverse("sales:my_day")).status_code == 200


def test_only_group_roles_go_without_a_store(client, group_admin, store):
    client.force_login(group_admin)
    response = _new_staff(client, store, store="")
    assert response.context["form"].errors["store"] == [
        "请选择门店：只有集团角色可以不属于任何门店。"
    ]
    _new_staff(client, store, store="", role_list=[Role.GROUP])
    assert Staff.objects.get(username="wang").store is None


def test_staff_code_is_unique_in_the_store(client, store_admin, store, consultant):
    client.force_login(store_admin)
    response = _new_staff(client, store, staff_code="C001")
    assert response.context["form"].errors["staff_code"] == ["本店已有员工使用此工号。"]


def test_a_store_admin_cannot_make_group_logins_or_touch_other_stores(
    client, store_admin, store, other_store, make_staff
):
    client.force_login(store_admin)
    response = _new_staff(client, store, role_list=[Role.GROUP_ADMIN])
    assert "role_list" in response.context["form"].errors
    response = _new_staff(client, other_store)
    assert "store" in response.context["form"].errors
    assert not Staff.objects.filter(username="wang").exists()
    far = make_staff("far", Role.CONSULTANT, store=other_store)
    for name in ("staff_edit", "staff_signins"):
        assert client.get(reverse(f"administration:{name}", args=[far.pk])).status_code == 404
    assert client.post(reverse("administration:staff_active", args=[far.pk])).status_code == 404
    far.refresh_from_db()
    assert far.is_active


def test_roles_are_edited_and_recorded(client, store_admin, consultant):
    client.force_login(store_admin)
    client.post(
        reverse("administration:staff_edit", args=[consultant.pk]),
        {
            "username": "zhang",
            "full_name": "张伟",
            "staff_code": "C001",
            "store": consultant.store_id,
            "role_list": [Role.CONSULTANT, Role.DCC],
            "version": consultant.version,
        },
    )
    consultant.refresh_from_db()
    assert consultant.role_set == {"consultant", "dcc"}
    log = selectors.change_log(user=store_admin)
    latest = log[0]
    assert (latest.who, latest.what) == ("门店管理员", "张伟")
    assert [(c.label, c.old, c.new) for c in latest.changes] == [
        ("角色", "销售顾问", "销售顾问、DCC专员")
    ]
    page = client.get(reverse("administration:changes")).content.decode()
    assert "门店管理员" in page and "角色" in page
    assert "pbkdf2" not in page and "md5$" not in page


def test_password_reset_forces_a_new_one(client, store_admin, consultant):
    client.force_login(store_admin)
    response = client.post(
        reverse("administration:staff_password", args=[consultant.pk]),
        {"password": "Temp-Pass-4521"},
        follow=True,
    )
    assert messages_of(response) == ["张伟 的密码已重置：下次登录时必须设置新密码。"]
    consultant.refresh_from_db()
    assert consultant.check_password("Temp-Pass-4521") and consultant.must_change_password


def test_deactivating_a_consultant_leads_to_the_handover(client, gm, consultant, store):
    client.force_login(gm)
    response = client.post(
        reverse("administration:staff_active", args=[consultant.pk]), {"active": "0"}
    )
    assert (
        response["Location"] == reverse("customers:handover") + f"?store=BJ01&from={consultant.pk}"
    )
    consultant.refresh_from_db()
    assert consultant.is_active is False
    assert not signs_in("zhang", "pass-1234")


def test_a_store_admin_is_told_who_hands_over(client, store_admin, consultant):
    client.force_login(store_admin)
    response = client.post(
        reverse("administration:staff_active", args=[consultant.pk]), {"active": "0"}, follow=True
    )
    assert messages_of(response) == ["张伟 已停用，不能再登录。", "请销售经理移交 张伟 的客户。"]


def test_nobody_deactivates_themselves(client, gm):
    client.force_login(gm)
    client.post(reverse("administration:staff_active", args=[gm.pk]), {"active": "0"})
    gm.refresh_from_db()
    assert gm.is_active


def test_sign_in_history_keeps_good_and_refused_sign_ins(client, store_admin, consultant):
    consultant.set_password(PASSWORD)
    consultant.save()
    Client().post(reverse("login"), {"username": "zhang", "password": "wrong"})
    Client().post(reverse("login"), {"username": "zhang", "password": PASSWORD})
    rows = selectors.sign_ins(staff=consultant)
    assert [r.succeeded for r in rows] == [True, False]
    assert [r.device for r in rows] == ["", ""]  # the test client sends no user agent
    consultant.refresh_from_db()
    assert consultant.last_login is not None
    # A sign-in is no change of the login: its history has only the saves above.
    assert consultant.history.count() == 2
    client.force_login(store_admin)
    page = client.get(reverse("administration:staff_signins", args=[consultant.pk]))
    assert page.content.decode().count("登录成功") == 1
    assert page.content.decode().count("被拒绝") == 1


# --- The roster -------------------------------------------------------------------------------


def test_the_desk_puts_a_consultant_at_lunch_and_the_rotation_passes_them(
    client, receptionist, consultant, consultant2, store
):
    client.force_login(receptionist)
    at = dt.datetime.now(dt.UTC)
    first = traffic.next_in_rotation(traffic.rotation(store=store, at=at))
    other = consultant2 if first == consultant else consultant
    page = client.get(reverse("administration:roster")).content.decode()
    assert "午休" in page and "上移" not in page  # the desk marks duty, not the order
    client.post(reverse("administration:roster_duty", args=[first.pk]), {"duty": Duty.LUNCH})
    first.refresh_from_db()
    assert first.duty == Duty.LUNCH and not first.on_duty
    assert traffic.next_in_rotation(traffic.rotation(store=store, at=at)) == other
    assert list(Staff.objects.on_duty().filter(store=store).with_role(Role.CONSULTANT)) == [other]
    assert client.post(reverse("administration:roster_move", args=[first.pk])).status_code == 403


def test_managers_order_the_rotation_and_set_its_rules(client, manager, store, make_staff):
    a = make_staff("a", Role.CONSULTANT, store=store, full_name="甲", rotation_order=5)
    b = make_staff("b", Role.CONSULTANT, store=store, full_name="乙", rotation_order=5)
    c = make_staff("c", Role.CONSULTANT, store=store, full_name="丙", rotation_order=9)
    client.force_login(manager)
    client.post(reverse("administration:roster_move", args=[c.pk]), {"direction": "up"})
    order = list(Staff.objects.consultants(store).order_by("rotation_order"))
    # 乙 sorts before 甲 among equals: 乙 1, 丙 2, 甲 3.
    assert order == [b, c, a]
    assert [s.rotation_order for s in order] == [1, 2, 3]
    client.post(reverse("administration:roster_move", args=[order[0].pk]), {"direction": "up"})
    assert [
        s.rotation_order for s in Staff.objects.consultants(store).order_by("rotation_order")
    ] == [
        1,
        2,
        3,
    ]
    client.post(
        reverse("administration:roster_rules"),
        {"store": "BJ01", "rotation_skips_overdue": "on"},
    )
    store.refresh_from_db()
    assert (store.rotation_skips_busy, store.rotation_skips_overdue) == (False, True)


def test_a_closed_store_is_in_no_picker(store, other_store, group_analyst):
    services.set_store_active(other_store, active=False, user=group_analyst)
    assert list(access.visible_stores(group_analyst)) == [store]
    assert DealerGroup.objects.count() == 1


def test_navigation_offers_administration_to_admins_only(client, store_admin, consultant):
    client.force_login(store_admin)
    labels = [str(i["label"]) for i in client.get(reverse("administration:staff")).context["nav"]]
    assert labels[0] == "员工" and "今日排班" in labels and "门店设置" in labels
    client.force_login(consultant)
    labels = [str(i["label"]) for i in client.get(reverse("sales:my_day")).context["nav"]]
    assert "员工" not in labels and "今日排班" not in labels


def test_group_admin_lands_on_the_stores(client, group_admin, store):
    client.force_login(group_admin)
    assert client.get(reverse("home"))["Location"] == reverse("administration:stores")
    page = client.get(reverse("administration:stores")).content.decode()
    assert "北京一店" in page and "营业中" in page and "停用门店" in page
    assert "<td>北京时间</td>" in page and "Asia/Shanghai" not in page


def test_factories_still_make_store_less_group_staff(group_analyst):
    assert f.StaffFactory(username="x", roles=Role.GROUP, store=None).store is None


def test_a_store_and_a_group_have_a_name_a_person_a_full_name(client, group_admin, store):
    client.force_login(group_admin)
    pages = {
        url: client.get(url).content.decode()
        for url in (
            reverse("administration:store_edit", args=[store.pk]),
            reverse("administration:group_edit", args=[store.group_id]),
            reverse("administration:staff_edit", args=[group_admin.pk]),
        )
    }
    store_page, group_page, staff_page = pages.values()
    # 名称 of a thing, 姓名 of a person (the people's word showed on the stores and groups).
    assert 'for="id_name">名称' in store_page and 'for="id_name">名称' in group_page
    assert 'for="id_full_name">姓名' in staff_page
