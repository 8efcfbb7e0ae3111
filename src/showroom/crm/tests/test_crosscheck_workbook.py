"""Done when: the cross-check finds exactly the exceptions planted in a workbook covering every
check code — none outside the 30-day window, none for owner cards without a sale."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.utils import translation

from showroom.crm.choices import CheckCode
from showroom.crm.crosscheck.checks import find_exceptions, open_count
from showroom.crm.models import CrosscheckException
from showroom.crm.tests import crosscheck_workbook as wb
from showroom.customers.choices import OwnerKind
from showroom.customers.models import Customer
from showroom.exchange.tests.builders import run_command
from showroom.organization.models import Staff
from showroom.traffic.models import Call, WalkIn

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(tmp_path: Path, store, consultant, consultant2, make_staff):  # type: ignore[no-untyped-def]
    make_staff("wang", "consultant", store=store, full_name=wb.WANG, staff_code="C003")
    with translation.override("zh-hans"):
        run = run_command("import", wb.build(tmp_path / "check.xlsx"), store="BJ01")
    assert run.ok, run.error + run.err
    return store


def walkin(phone: str = "", **kw) -> str:  # type: ignore[no-untyped-def]
    return f"walkin:{WalkIn.objects.get(phone_norm=phone, **kw).pk}"


def call(phone: str) -> str:
    return f"call:{Call.objects.get(phone_norm=phone).pk}"


def customer(phone: str) -> str:
    return f"customer:{Customer.objects.get(phone_norm=phone).pk}"


def planted() -> set[tuple[str, str, str]]:
    d = wb.d
    return {
        ("kept_without_customer", walkin("13811110001"), str(d(20))),
        ("kept_without_customer", call("13811110002"), str(wb.FIRST_DAY)),
        ("kept_without_phone", walkin(name="刘女士"), str(d(15))),
        ("customer_without_contact", customer("13822220001"), str(d(10))),
        ("customer_without_contact", customer("13822220002"), str(d(12))),
        ("missing_grade", walkin("13833330001", visit_type="first"), str(d(22))),
        ("missing_model", call("13833330002"), str(d(18))),
        ("short_stay_high_grade", walkin("13833330003"), str(d(25))),
        ("duplicate_hand_card", "hand_card:2026-10-28:A07", str(d(28))),
        (
            "retention_outlier",
            f"consultant:{Staff.objects.get(username='wang').pk}",
            str(wb.CHECK_DATE),
        ),
    }


def test_finds_exactly_the_planted_exceptions(imported):
    found = find_exceptions(store=imported, on=wb.CHECK_DATE)
    assert {(x.code, x.key, str(x.date)) for x in found} == planted()
    assert {x.code for x in found} == set(CheckCode.values)  # every code is covered
    # The owners without a sale are what they seem, so the decoy means something.
    owners = dict(
        Customer.objects.filter(
            phone_norm__in=["13822220002", "13822220003", "13822220004"]
        ).values_list("phone_norm", "owner_kind")
    )
    assert owners == {
        "13822220002": OwnerKind.NONE,
        "13822220003": OwnerKind.OWN_BRAND_ELSEWHERE,
        "13822220004": OwnerKind.OTHER_BRAND,
    }


def test_the_decoys_are_found_a_day_earlier(imported):
    """Day −30 decoys are real exceptions when the window reaches them (so their absence
    above is the window's doing, not a broken decoy)."""
    earlier = {
        (x.code, x.date)
        for x in find_exceptions(store=imported, on=wb.CHECK_DATE.replace(day=30))
        if x.date == wb.DAY_30
    }
    assert earlier == {
        ("kept_without_customer", wb.DAY_30),  # 13811110003, 13855550001, 13855550002, call
        ("kept_without_phone", wb.DAY_30),
        ("customer_without_contact", wb.DAY_30),
        ("missing_grade", wb.DAY_30),
        ("missing_model", wb.DAY_30),
        ("short_stay_high_grade", wb.DAY_30),
        ("duplicate_hand_card", wb.DAY_30),
    }


def test_command_json_lists_the_same_exceptions(imported):
    with translation.override("zh-hans"):
        run = run_command("crosscheck", store="BJ01", date=str(wb.CHECK_DATE), format="json")
    assert run.ok, run.error
    items = json.loads(run.out)
    assert {(x["code"], x["key"], x["date"]) for x in items} == planted()
    by_code = {x["code"]: x for x in items if x["code"] != "kept_without_customer"}
    assert by_code["missing_model"]["consultant"] == "张伟"
    assert by_code["missing_model"]["phone"] == "13833330002"
    assert by_code["retention_outlier"]["phone"] is None
    assert all(x["store"] == "BJ01" and x["message"] for x in items)


def test_command_table_has_chinese_headers(imported):
    with translation.override("zh-hans"):
        run = run_command("crosscheck", store="all", date="2026-10-31", format="table")
    assert run.ok, run.error
    lines = run.out.splitlines()
    assert lines[0] == "门店：BJ01  日期：2026-10-31  异常：10 条"
    assert lines[1].split() == ["检查项", "日期", "销售顾问", "联系电话", "说明"]
    assert len(lines) == 2 + 10


def test_command_record_tracks_the_exceptions(imported):
    with translation.override("zh-hans"):
        run = run_command("crosscheck", store="BJ01", date="2026-10-31", record=True)
        again = run_command("crosscheck", store="BJ01", date="2026-10-31", record=True)
    assert run.ok and again.ok
    assert (
        run.err.strip() == "BJ01 2026-10-31：新增 10 条，重新打开 0 条，已修正 0 条，未处理 10 条"
    )
    assert (
        again.err.strip() == "BJ01 2026-10-31：新增 0 条，重新打开 0 条，已修正 0 条，未处理 10 条"
    )
    tracked = CrosscheckException.objects.filter(store=imported, status="open")
    assert {(x.code, x.key, str(x.date)) for x in tracked} == planted()
    assert open_count(store=imported) == 10


def test_command_refuses_a_bad_date_and_unknown_stores(imported):
    with translation.override("zh-hans"):
        bad_date = run_command("crosscheck", store="BJ01", date="2026-13-01")
        unknown = run_command("crosscheck", store="BJ01,XX09")
    assert not bad_date.ok and bad_date.error == "不是日期：2026-13-01（应为 YYYY-MM-DD）。"
    assert not unknown.ok and "XX09" in unknown.error
