"""The import benchmark's file (bench/imports.py) on a small scale, and what the bulk write of
its rows leaves in the database: the rows, their history, found again by a second import."""

from __future__ import annotations

import sys
from datetime import date, time
from pathlib import Path

import pytest

from showroom.demo.generator import generate
from showroom.exchange.exports import export
from showroom.exchange.services import import_files
from showroom.organization.models import Store
from showroom.traffic.models import WalkIn

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import imports

pytestmark = pytest.mark.django_db


def test_bench_file_imports_with_history(tmp_path: Path) -> None:
    generate(stores=1, months=1, seed=3, start=date(2025, 6, 1), consultants=3)
    store = Store.objects.get(code="S001")
    export(tmp_path / "out", stores=[store], start=date(2025, 6, 1), end=date(2025, 6, 30))
    made = tmp_path / "walk_ins.csv"
    assert imports.make_walk_ins(tmp_path / "out" / "walk_ins.csv", made, rows=250) == 250
    again = tmp_path / "again.csv"
    imports.make_walk_ins(tmp_path / "out" / "walk_ins.csv", again, rows=250)
    assert again.read_bytes() == made.read_bytes()  # the same template, the same file

    before = WalkIn.objects.count()
    report = import_files([made], stores="S001")
    assert report.ok, report.problems[:3]
    counts = report.counts["walk_ins", "S001"]
    assert (counts.new, counts.updated, counts.unchanged) == (250, 0, 0)
    new = WalkIn.objects.filter(date__lt=date(2025, 1, 1)).order_by("date", "arrived_at")
    assert WalkIn.objects.count() == before + 250 and new.count() == 250
    first = new[0]
    assert (first.date, first.arrived_at, first.completed) == (date(2023, 1, 2), time(9, 0), True)
    assert first.store_id == store.pk and first.consultant_id is not None
    assert first.created_at is not None and len(first.import_key) == 64
    assert first.stay_minutes == (
        None if first.left_at is None else first.left_at.hour * 60 + first.left_at.minute - 540
    )
    # One "+" history row each, with the import's reason and the row's values.
    history = WalkIn.history.filter(id__in=new.values("id"))
    assert history.count() == 250
    assert set(history.values_list("history_type", "history_change_reason")) == {("+", "import")}
    kept = history.get(id=first.pk)
    assert (kept.date, kept.arrived_at, kept.consultant_id) == (
        first.date,
        first.arrived_at,
        first.consultant_id,
    )
    # A row that keeps its card's phone is linked to the card (one row in ten).
    linked = new.exclude(customer=None)
    assert linked.count() > 0
    assert all(w.customer.phone_norm == w.phone_norm for w in linked)

    report = import_files([made], stores="S001")
    counts = report.counts["walk_ins", "S001"]
    assert (counts.new, counts.updated, counts.unchanged) == (0, 0, 250)
    assert WalkIn.history.filter(id__in=new.values("id")).count() == 250
