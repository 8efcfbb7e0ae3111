"""Export → import into the store the export came from changes no row: every exported row
carries its reference (编号), by which the import finds it again, whether it was generated,
typed on the screens or imported."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.db import models
from openpyxl import load_workbook

from showroom.core.months import month_range
from showroom.customers.models import Customer, GradeChange
from showroom.demo.generator import generate
from showroom.exchange.tests.builders import run_command
from showroom.kpi.selectors import compute_kpis
from showroom.organization.models import Store
from showroom.owners.models import ServiceVisit, Vehicle
from showroom.sales.choices import LossStatus
from showroom.sales.models import Activity, LossReport, Order, Reactivation
from showroom.targets.models import ConsultantTarget, StoreTarget, WeeklyTarget
from showroom.traffic.models import Call, Lead, WalkIn

pytestmark = pytest.mark.django_db

TABLES: tuple[type[models.Model], ...] = (
    WalkIn,
    Call,
    Customer,
    Activity,
    Order,
    LossReport,
    Lead,
    Vehicle,
    GradeChange,
    Reactivation,
    ServiceVisit,
    StoreTarget,
    ConsultantTarget,
    WeeklyTarget,
)


def snapshot() -> dict[str, list[dict[str, Any]]]:
    return {
        model.__name__: list(model.objects.order_by("pk").values())  # type: ignore[attr-defined]
        for model in TABLES
    }


@pytest.fixture
def generated_store():  # type: ignore[no-untyped-def]
    result = generate(stores=1, months=3, seed=5, start=date(2026, 1, 1), consultants=4)
    return result.stores[0].store


@pytest.mark.parametrize("out", ["export.xlsx", "csv"])
def test_an_export_imported_into_its_own_store_changes_no_row(
    generated_store, tmp_path: Path, out: str
) -> None:
    code = generated_store.code
    if not Reactivation.objects.exists():  # as the CRM's activation list records one
        lost = LossReport.objects.filter(status="confirmed", date__lt=date(2026, 2, 1)).first()
        assert lost is not None
        Reactivation.objects.create(
            store=generated_store,
            customer=lost.customer,
            date=date(2026, 2, 10),
            consultant=lost.consultant,
            by=lost.consultant,
            list_name="战败客户激活",
        )
    before = snapshot()
    assert all(before[name] for name in ("WalkIn", "Call", "Activity", "Order", "LossReport"))
    assert before["Reactivation"]
    assert before["ServiceVisit"] and before["StoreTarget"] and before["ConsultantTarget"]

    exported = run_command("export", tmp_path / out, store=code, month="2026-02")
    assert exported.ok, exported.error
    files = [tmp_path / out] if out.endswith(".xlsx") else sorted((tmp_path / out).glob("*.csv"))
    run = run_command("import", *files, store=code)

    assert run.ok, run.err
    after = snapshot()
    for name, rows in before.items():
        assert len(after[name]) == len(rows), name
        changed = [
            (name, a["id"], {k: (v, b[k]) for k, v in a.items() if b[k] != v})
            for a, b in zip(rows, after[name], strict=True)
            if a != b
        ]
        assert changed == []
    assert "新增 0 行，更新 0 行" in run.out


def test_an_edited_row_is_found_by_its_reference(generated_store, tmp_path: Path) -> None:
    """The reference outlives the row's content: an export made before an edit on the screens
    still names the same row, which the import sets back."""
    code = generated_store.code
    run_command("export", tmp_path / "csv", store=code, month="2026-02")
    walk_in = WalkIn.objects.filter(date__month=2).order_by("pk").first()
    assert walk_in is not None
    arrived = walk_in.arrived_at
    WalkIn.objects.filter(pk=walk_in.pk).update(arrived_at="07:00", phone="13000000000")
    count = WalkIn.objects.count()

    run = run_command("import", tmp_path / "csv" / "walk_ins.csv", store=code)

    assert run.ok, run.err
    walk_in.refresh_from_db()
    assert (walk_in.arrived_at, WalkIn.objects.count()) == (arrived, count)
    assert "新增 0 行，更新 1 行" in run.out


def _rename_stores(out: Path, codes: list[str]) -> list[Path]:
    """The exported files with every row's store S00n renamed N00n: new, empty stores."""
    if out.suffix == ".xlsx":
        workbook = load_workbook(out)
        for sheet in workbook.worksheets:
            if sheet.cell(1, 1).value == "门店":
                for (cell,) in sheet.iter_rows(min_row=2, max_col=1):
                    if cell.value in codes:
                        cell.value = f"N{cell.value[1:]}"
        workbook.save(out)
        return [out]
    for path in out.glob("*.csv"):
        text = path.read_text("utf-8-sig")
        for code in codes:
            text = text.replace(f"\n{code},", f"\nN{code[1:]},")
        path.write_text(text, "utf-8-sig")
    return sorted(out.glob("*.csv"))


@pytest.mark.parametrize("out", ["csv", "export.xlsx"])
def test_an_export_imported_into_empty_stores_gives_the_same_kpis(tmp_path: Path, out: str) -> None:
    """Three generated stores × four months, exported together and imported into new stores:
    every KPI of every month is the same, the first month's and the owner KPIs and
    target_attainment too. The activities before the range carry each card's grade into it,
    the import rebuilds the grade history from the activities' 级别, and the rows before the
    range that the range's KPIs read come along (exchange/carried.py)."""
    months = ["2026-03", "2026-04", "2026-05", "2026-06"]
    generate(stores=3, months=6, seed=7, start=date(2026, 1, 1), consultants=4)
    codes = ["S001", "S002", "S003"]
    # The generated data has what the contract is about: dated cancellations, requests the
    # manager sent back, re-activations, service visits and targets.
    assert Order.objects.filter(cancelled_on__range=(date(2026, 3, 1), date(2026, 6, 30))).exists()
    assert LossReport.objects.filter(status=LossStatus.RETURNED).exists()
    assert Reactivation.objects.filter(date__lte=date(2026, 6, 30)).count() >= 3
    assert ServiceVisit.objects.exclude(mileage=None).exists()
    assert StoreTarget.objects.filter(month=date(2026, 3, 1)).count() == 3
    exported = run_command(
        "export", tmp_path / out, store=",".join(codes), month=f"{months[0]}..{months[-1]}"
    )
    assert exported.ok, exported.error
    files = _rename_stores(tmp_path / out, codes)

    run = run_command(
        "import", *files, store="N001,N002,N003", create_store=True, create_staff=True
    )

    assert run.ok, run.err
    differ = {}
    for month in months:
        start, end = month_range(month)
        for code in codes:
            source, copy = (
                compute_kpis(stores=Store.objects.filter(code=c), start=start, end=end)
                for c in (code, f"N{code[1:]}")
            )
            assert source["prospects_H"] > 0
            assert source["owners"] > 0 and source["target_attainment"] is not None
            differ.update(
                ((month, code, k), (v, copy[k])) for k, v in source.items() if copy[k] != v
            )
    assert differ == {}


def test_a_range_before_the_cards_became_owners_gives_the_same_kpis(tmp_path: Path) -> None:
    """A range that ends before some of its cards were sold: their 客户类型 says owner today,
    and the sale that made them owners comes along, so that the import does not take them
    for owners sold elsewhere (which are no prospects) and every KPI of the range stays."""
    generate(stores=1, months=6, seed=11, start=date(2026, 1, 1), consultants=4)
    months = ["2026-02", "2026-03"]
    end = month_range(months[-1])[1]
    sold_later = Customer.objects.filter(
        customer_type="owner", created__lte=end, orders__order_date__gt=end
    ).exclude(orders__order_date__lte=end)
    assert sold_later.exists()
    exported = run_command("export", tmp_path / "csv", store="S001", month="2026-02..2026-03")
    assert exported.ok, exported.error
    files = _rename_stores(tmp_path / "csv", ["S001"])

    run = run_command("import", *files, store="N001", create_store=True, create_staff=True)

    assert run.ok, run.err
    assert "sold elsewhere" not in run.out and "他销" not in run.out
    for month in months:
        start, end = month_range(month)
        source, copy = (
            compute_kpis(stores=Store.objects.filter(code=c), start=start, end=end)
            for c in ("S001", "N001")
        )
        assert source["new_prospects"] > 0
        assert {k: (v, copy[k]) for k, v in source.items() if copy[k] != v} == {}


def test_imported_activities_rebuild_the_grade_history(tmp_path: Path, store, consultant) -> None:
    cards = tmp_path / "customers.csv"
    cards.write_text("name,phone,grade,created\n王先生,13800000001,C,2026-09-20\n", "utf-8-sig")
    activities = tmp_path / "activities.csv"
    activities.write_text(
        "date,consultant,phone,activity,grade_after\n"
        f"2026-10-01,{consultant.full_name},13800000001,reception,B\n"
        f"2026-10-03,{consultant.full_name},13800000001,call,\n"
        f"2026-10-05,{consultant.full_name},13800000001,call,B\n"
        f"2026-10-09,{consultant.full_name},13800000001,test_drive,H\n",
        "utf-8-sig",
    )

    run = run_command("import", cards, activities, store=store.code)

    assert run.ok, run.err
    history = GradeChange.objects.filter(customer__phone_norm="13800000001").order_by("date")
    assert [(str(g.date), g.old_grade, g.new_grade) for g in history] == [
        ("2026-10-01", "", "B"),
        ("2026-10-09", "B", "H"),
    ]
