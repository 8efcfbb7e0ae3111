"""Export → import into the store the export came from changes no row: every exported row
carries its reference (编号), by which the import finds it again, whether it was generated,
typed on the screens or imported."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.db import models

from showroom.customers.choices import STANDARD_SOURCES
from showroom.customers.models import Customer, GradeChange, Source
from showroom.demo.generator import generate
from showroom.exchange.tests.builders import run_command
from showroom.owners.models import ServiceVisit, Vehicle
from showroom.sales.models import Activity, LossReport, Order, Reactivation
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
)


def snapshot() -> dict[str, list[dict[str, Any]]]:
    return {
        model.__name__: list(model.objects.order_by("pk").values())  # type: ignore[attr-defined]
        for model in TABLES
    }


@pytest.fixture
def generated_store():  # type: ignore[no-untyped-def]
    for code, zh, en in STANDARD_SOURCES:
        Source.objects.get_or_create(store=None, code=code, defaults={"name_zh": zh, "name_en": en})
    result = generate(stores=1, months=3, seed=5, start=date(2026, 1, 1), consultants=4)
    return result.stores[0].store


@pytest.mark.parametrize("out", ["export.xlsx", "csv"])
def test_an_export_imported_into_its_own_store_changes_no_row(
    generated_store, tmp_path: Path, out: str
) -> None:
    code = generated_store.code
    before = snapshot()
    assert all(before[name] for name in ("WalkIn", "Call", "Activity", "Order", "LossReport"))

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
