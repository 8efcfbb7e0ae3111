"""The benchmark (bench/) on a tiny store, so that its code does not rot between full runs:
every measurement of bench/measure.py on the test database and the report of bench/run.py."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest

from showroom.demo.generator import generate

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
pytest.importorskip("duckdb", reason="needs duckdb (the test extra)")
import measure
import run

pytestmark = pytest.mark.django_db


def test_measure_and_report(capsys: pytest.CaptureFixture[str]) -> None:
    generate(stores=2, months=2, seed=3, start=date(2026, 5, 1), consultants=3)
    first, last = date(2026, 5, 1), date(2026, 6, 1)
    assert measure.months_of_data() == [first, last]

    result = {
        "label": "SQLite smoke",
        "stores": 2,
        "months": 2,
        "generate_s": 1.0,
        "rows": measure.table_rows(),
        "pack": measure.kpi_pack(samples=1),
        "all_stores": measure.all_stores(month=last),
        "dashboard": measure.dashboard(month=last),
        "paths": measure.user_paths(month=last, repeat=1),
        "duckdb": measure.duckdb_check(stores=["S002"], first=first, last=last),
        "export": measure.export_all(month=last),
    }
    assert result["rows"]["traffic_walkin"] > 100
    # About one query per table family, as many for two stores grouped as for one.
    assert result["pack"]["queries"] <= 8
    assert result["all_stores"]["stores"] == 2
    # The stores, given as a query, are read once more (funnel_kpis.store_ids).
    assert result["all_stores"]["queries"] == result["pack"]["queries"] + 1
    assert result["dashboard"]["status"] == 200
    paths = result["paths"]["paths"]
    assert len(paths) == 4 and all(p["ms"] > 0 and p["baseline_ms"] > 0 for p in paths.values())
    assert result["paths"]["rebuild_store_spans"] > 10
    check = result["duckdb"]
    assert check["mismatches"] == []
    assert check["months"] == 2 and check["packs_compared"] > 4 and check["csv_rows"] > 1000

    export = result["export"]
    assert (export["month"], export["stores"]) == ("2026-06", 2)
    assert export["rows"] > 1000 and export["bytes"] > 0 and export["s"] > 0

    assert run.report([result]) == 0
    out = capsys.readouterr().out
    assert "store-month KPI pack, median of 1" in out
    assert "kpi --store all --by store" in out and "baseline (previous plan)" in out
    assert "ratio compute_kpis / DuckDB" in out
    assert "export --store all, 2026-06, CSV" in out and "rows per second" in out
    assert "Every KPI of the registry compared" in out and "Not compared" not in out


def test_a_mismatch_fails_the_run(capsys: pytest.CaptureFixture[str]) -> None:
    result = {
        "label": "made up",
        "stores": 1,
        "months": 1,
        "duckdb": {
            "stores": ["S001"],
            "months": 1,
            "packs_compared": 1,
            "codes_compared": 47,
            "not_covered": {},
            "csv_rows": 10,
            "export_s": 0.1,
            "duckdb_load_s": 0.1,
            "ours_ms": 30.0,
            "duckdb_ms": 10.0,
            "mismatches": ["S001 2026-05 orders: compute_kpis=3 duckdb=4"],
        },
    }
    assert run.report([result]) == 1
    out = capsys.readouterr().out
    assert "3.0 ×" in out and "MISSED by 50%" in out
    assert "1 MISMATCHES" in out and "orders: compute_kpis=3 duckdb=4" in out
