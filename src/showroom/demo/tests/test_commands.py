from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation

from showroom.customers.models import Customer, GradeChange
from showroom.demo.services import DEMO_PASSWORD
from showroom.organization.choices import Role
from showroom.organization.models import Staff, Store
from showroom.owners.models import ServiceVisit, Vehicle
from showroom.sales.models import Activity, DailyReview, LossReport, Order, Quote, TestDrive
from showroom.traffic.models import Call, Lead, WalkIn

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=out)
    return out.getvalue()


def test_generate_prints_progress_and_a_summary(db) -> None:  # type: ignore[no-untyped-def]
    with translation.override("en"):
        out = run(
            "generate",
            "--stores",
            "2",
            "--months",
            "1",
            "--start",
            "2025-02",
            "--seed",
            "5",
            "--consultants",
            "4",
        )
    assert "[1/2] S001 " in out and "[2/2] S002 " in out
    lines = set(re.sub(r"\s{2,}", "|", line) for line in out.splitlines())
    assert f"Walk-ins|{WalkIn.objects.count():,}" in lines
    assert f"Calls|{Call.objects.count():,}" in lines
    assert f"Customer cards|{Customer.objects.count():,}" in lines
    assert "Staff|22" in lines  # 2 × (4 consultants + 7 others)
    for label, model in [
        ("Leads", Lead),
        ("Grade changes", GradeChange),
        ("Activities (contacts)", Activity),
        ("Test drives", TestDrive),
        ("Quotes", Quote),
        ("Orders", Order),
        ("Lost / out-of-control requests", LossReport),
        ("Owners' vehicles", Vehicle),
        ("Service visits", ServiceVisit),
        ("Daily report reviews", DailyReview),
    ]:
        assert f"{label}|{model.objects.count():,}" in lines, label
    assert Order.objects.exists() and Vehicle.objects.exists()
    assert "Done in " in out
    assert set(WalkIn.objects.values_list("date__month", flat=True)) == {2}


def test_generate_speaks_chinese_by_default(db) -> None:  # type: ignore[no-untyped-def]
    out = run(
        "generate", "--stores", "1", "--months", "1", "--start", "2025-02", "--consultants", "3"
    )
    assert "来店" in out and "用时" in out and "订单" in out and "保有车辆" in out


@pytest.mark.parametrize(
    "args",
    [
        ["--stores", "0", "--months", "1"],
        ["--stores", "1", "--months", "0"],
        ["--stores", "1", "--months", "1", "--consultants", "0"],
        ["--stores", "1", "--months", "1", "--jobs", "0"],
        ["--stores", "1", "--months", "1", "--start", "2025-13"],
        ["--stores", "1", "--months", "1", "--start", "March"],
    ],
)
def test_generate_rejects_bad_options(db, args: list[str]) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError):
        run("generate", *args)
    assert not Store.objects.exists()


def test_demo_creates_one_login_per_role_and_is_idempotent(db, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = FAST_HASHER
    fetched = []
    monkeypatch.setattr(
        "showroom.demo.management.commands.demo.ensure_assets", lambda **kw: fetched.append(kw)
    )
    with translation.override("en"):
        out = run("demo", "--no-serve")
    assert fetched
    store = Store.objects.get(code="DEMO")
    assert store.name == "北京现代 示范店" and store.brand == "北京现代"
    assert Staff.objects.consultants(store).count() == 12
    logins = {
        "reception": Role.RECEPTIONIST,
        "consultant": Role.CONSULTANT,
        "manager": Role.MANAGER,
        "assistant": Role.ASSISTANT,
        "dcc": Role.DCC,
        "crm": Role.CRM,
        "marketing": Role.MARKETING,
        "gm": Role.GENERAL_MANAGER,
        "group": Role.GROUP,
        "storeadmin": Role.STORE_ADMIN,
        "groupadmin": Role.GROUP_ADMIN,
    }
    for username, role in logins.items():
        staff = Staff.objects.get(username=username)
        assert staff.roles == role
        assert staff.check_password(DEMO_PASSWORD)
        assert staff.store == (None if role in (Role.GROUP, Role.GROUP_ADMIN) else store)
        assert f"{username}  " in out or out.rstrip().endswith(DEMO_PASSWORD)
    assert Staff.objects.get(username="consultant").staff_code == "C01"
    assert out.count(DEMO_PASSWORD) == 11
    assert "Sales consultant" in out and "Receptionist" in out
    walk_ins = WalkIn.objects.filter(store=store).count()
    assert walk_ins > 1000  # about six months
    counts = (
        Store.objects.count(),
        Staff.objects.count(),
        walk_ins,
        Call.objects.count(),
        Customer.objects.count(),
    )
    # Every demo login finds unread notices under the bell, and a second run adds none.
    from showroom.notices.models import Notice
    from showroom.notices.selectors import unread_count

    for username in logins:
        assert unread_count(user=Staff.objects.get(username=username)) > 0, username
    notices = Notice.objects.count()

    with translation.override("en"):
        again = run("demo", "--no-serve")
    assert Notice.objects.count() == notices
    assert "already there" in again and again.count(DEMO_PASSWORD) == 11
    assert counts == (
        Store.objects.count(),
        Staff.objects.count(),
        WalkIn.objects.filter(store=store).count(),
        Call.objects.count(),
        Customer.objects.count(),
    )
    for username in ("reception", "group", "groupadmin"):
        login = Client().post("/login/", {"username": username, "password": DEMO_PASSWORD})
        assert login.status_code == 302, username
    # The CRM's day: today's cross-check recorded, three call lists (made once), the first
    # one called, submitted and its interested people assigned to consultants.
    from showroom.crm.models import CallList, CrosscheckException

    assert CrosscheckException.objects.filter(store=store, status="open").exists()
    lists = list(CallList.objects.filter(store=store).order_by("pk"))
    assert [c.kind for c in lists] == ["activation", "interview_intent", "dormant"]
    activation, interviews, dormant = lists
    assert activation.status == "submitted"
    interested = activation.entries.filter(outcome="interested")
    assert interested.exists() and not interested.filter(assigned_to=None).exists()
    assert not activation.entries.filter(called_on=None).exists()
    assert interviews.entries.exclude(called_on=None).exists()
    assert interviews.entries.filter(called_on=None).exists()
    assert not dormant.entries.exclude(called_on=None).exists()


def test_demo_leaves_other_users_alone(db, settings, monkeypatch, make_staff, other_store) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = FAST_HASHER
    monkeypatch.setattr("showroom.demo.management.commands.demo.ensure_assets", lambda **kw: [])
    someone = make_staff("manager", Role.MANAGER, store=other_store)
    run("demo", "--no-serve")
    someone.refresh_from_db()
    assert someone.check_password("pass-1234") and someone.store == other_store
    demo_manager = Staff.objects.get(username="demo-manager")
    assert demo_manager.store.code == "DEMO" and demo_manager.check_password(DEMO_PASSWORD)
    run("demo", "--no-serve")
    assert Staff.objects.filter(username__endswith="manager").count() == 2


def test_demo_goes_on_without_the_chart_library(db, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = FAST_HASHER

    def offline(**kw: object) -> None:
        raise OSError("network unreachable")

    monkeypatch.setattr("showroom.demo.management.commands.demo.ensure_assets", offline)
    with translation.override("en"):
        out = run("demo", "--no-serve")
    assert "network unreachable" in out and "charts will be empty" in out
    assert Staff.objects.filter(username="gm").exists()
