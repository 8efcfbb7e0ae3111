"""The forms of re-activations (激活), service visits (回厂) and targets (销售目标): imported,
found again, and their impossible values refused with a Chinese reason, nothing written.
The store's clock: 2026-10-06 07:02 (Asia/Shanghai)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine

from showroom.customers.models import Customer
from showroom.exchange.tests.builders import run_command
from showroom.owners.models import ServiceVisit, Vehicle
from showroom.sales.models import Reactivation
from showroom.targets.models import ConsultantTarget, StoreTarget, WeeklyTarget

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():  # type: ignore[no-untyped-def]
    with time_machine.travel(dt.datetime(2026, 10, 5, 23, 2, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def card(store, consultant):  # type: ignore[no-untyped-def]
    return Customer.objects.create(
        store=store,
        name="王先生",
        phone="13800000001",
        consultant=consultant,
        created=dt.date(2026, 5, 1),
        customer_type="lost",
    )


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8-sig")
    return path


def test_a_reactivation_is_imported_once(tmp_path: Path, store, consultant, card) -> None:
    path = write(
        tmp_path,
        "reactivations.csv",
        "date,phone,consultant,list,notes\n2026-09-20,138 0000 0001,C001,战败激活 9月,仍在看车\n",
    )

    first = run_command("import", path, store=store.code)
    again = run_command("import", path, store=store.code)

    assert first.ok and again.ok, first.err + again.err
    found = Reactivation.objects.get()
    assert (found.date, found.customer, found.consultant, found.by) == (
        dt.date(2026, 9, 20),
        card,
        consultant,
        consultant,
    )
    assert (found.list_name, found.reason) == ("战败激活 9月", "仍在看车")
    assert "新增 0 行，更新 0 行" in again.out


def test_a_service_visit_finds_the_owners_car(tmp_path: Path, store, card) -> None:
    car = Vehicle.objects.create(
        store=store, customer=card, vin="LSVAB12C3D4567890", plate="京A12345", model="朗逸"
    )
    path = write(
        tmp_path,
        "回厂.csv",
        "日期,联系电话,车架号,车牌号,类型,里程,金额,服务顾问\n"
        '2026-09-01,13800000001,lsvab12c3d4567890,京A12345,保养,"12,300",¥480,刘建\n',
    )

    run = run_command("import", path, store=store.code)

    assert run.ok, run.err
    visit = ServiceVisit.objects.get()
    assert (visit.vehicle, visit.kind, visit.mileage, visit.amount, visit.advisor) == (
        car,
        "maintenance",
        12300,
        Decimal("480.00"),
        "刘建",
    )


def test_targets_make_the_store_target_its_split_and_weeks(
    tmp_path: Path, store, consultant, consultant2
) -> None:
    path = write(
        tmp_path,
        "targets.csv",
        "month,consultant,deliveries,orders,walk_ins,new_prospects\n"
        "2026-10,,30,36,400,120\n2026-10,张伟,18,20,,\n2026-10,C002,12,16,,\n",
    )

    first = run_command("import", path, store=store.code)
    again = run_command("import", path, store=store.code)

    assert first.ok and again.ok, first.err + again.err
    target = StoreTarget.objects.get()
    assert (target.month, target.deliveries, target.orders, target.walk_ins) == (
        dt.date(2026, 10, 1),
        30,
        36,
        400,
    )
    assert target.new_prospects == 120
    splits = {s.consultant.staff_code: (s.deliveries, s.orders) for s in target.splits.all()}
    assert splits == {"C001": (18, 20), "C002": (12, 16)}
    # October 2026 has five clipped weeks; each consultant's weeks add up to the month.
    weeks = WeeklyTarget.objects.filter(split__consultant=consultant)
    assert (weeks.count(), sum(w.deliveries for w in weeks)) == (5, 18)
    assert "新增 0 行，更新 0 行" in again.out


def refused(tmp_path: Path, store, name: str, text: str) -> list[str]:
    run = run_command("import", write(tmp_path, name, text), store=store.code)
    assert not run.ok
    assert [
        Reactivation.objects.count(),
        ServiceVisit.objects.count(),
        StoreTarget.objects.count(),
        ConsultantTarget.objects.count(),
    ] == [0, 0, 0, 0]
    return [line.split("：", 1)[1] for line in run.lines]


def test_a_reactivation_in_the_future_is_refused(tmp_path: Path, store, consultant, card) -> None:
    lines = refused(
        tmp_path,
        store,
        "reactivations.csv",
        "date,phone,consultant\n2026-10-07,13800000001,张伟\n",
    )
    assert lines == ["激活日期不能是将来（2026-10-07；今天是 2026-10-06）。"]


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (
            "2026-10-09,13800000001,保养,100",
            "回厂日期不能是将来（2026-10-09；今天是 2026-10-06）。",
        ),
        ("2026-09-09,13800000001,保养,-5", "数字不正确，应为 0 到 2000000 之间的整数"),
        ("2026-09-09,13800000001,保养,12.5", "数字不正确，应为 0 到 2000000 之间的整数"),
        ("1999-12-31,13800000001,保养,100", "日期早于2000年，不可能正确（1999-12-31）。"),
        ("2026-09-09,13800000009,保养,100", "没有对应的客户信息卡"),
    ],
)
def test_impossible_service_visits_are_refused(
    tmp_path: Path, store, card, cells: str, expected: str
) -> None:
    lines = refused(tmp_path, store, "service_visits.csv", f"date,phone,kind,mileage\n{cells}\n")
    assert lines == [expected]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            "2026-10,,30\n2026-10,张伟,18\n2026-10,李娜,11\n",
            "2026-10 顾问交车目标合计 29，与门店目标 30 不一致",
        ),
        ("2026-10,张伟,18\n", "该月没有门店目标；请加上门店目标一行（销售顾问留空）"),
        ("2026-13,,30\n", "月份不正确，应为 YYYY-MM"),
        ("2026-10,,-1\n", "数字不正确，应为 0 到 100000 之间的整数"),
    ],
)
def test_impossible_targets_are_refused(
    tmp_path: Path, store, consultant, consultant2, rows: str, expected: str
) -> None:
    lines = refused(tmp_path, store, "targets.csv", f"month,consultant,deliveries\n{rows}")
    assert lines == [expected]
