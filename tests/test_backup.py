"""`showroom backup` then `showroom restore` into an empty database gives the same rows (a
count of every table) and the same KPIs: on SQLite, and on PostgreSQL when it is reachable
and pg_dump/pg_restore are installed (skipped with the reason otherwise)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from showroom.demo.generator import generate
from showroom.exchange.tests.builders import run_command
from showroom.kpi.selectors import compute_kpis
from showroom.organization.models import Store

ROOT = Path(__file__).resolve().parents[1]
START, END = date(2026, 9, 1), date(2026, 10, 31)
PG_SERVER = os.environ.get("TEST_POSTGRES_SERVER", "postgres://postgres@127.0.0.1:5432")


def rows_and_kpis() -> dict[str, Any]:
    """The row count of every table and each store's KPIs over the generated months."""
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    kpis = {
        store.code: compute_kpis(stores=[store], start=START, end=END)
        for store in Store.objects.order_by("code")
    }
    return json.loads(json.dumps({"rows": counts, "kpis": kpis}, default=str))


# Measures the database of DATABASE_URL / SHOWROOM_DATA_DIR in a process of its own.
MEASURE = (
    "import os, django, json; os.environ['DJANGO_SETTINGS_MODULE'] = 'showroom.settings'; "
    "django.setup(); from tests.test_backup import rows_and_kpis; "
    "print(json.dumps(rows_and_kpis()))"
)


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT)])
    env.update(extra)
    return env


def _showroom(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "showroom", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _measure(env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", MEASURE],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


# Transactional: a backup and a restore work on committed rows. Not a serialized rollback:
# reloading the serialized rows collides with the content types that an earlier
# transactional test's flush recreated under other ids.
ROLLBACK = pytest.mark.django_db(transaction=True)


@pytest.fixture
def generated() -> dict[str, Any]:
    generate(stores=1, months=2, start=START, consultants=3)
    measured = rows_and_kpis()
    assert measured["rows"]["traffic_walkin"] > 100
    assert measured["rows"]["customers_customer"] > 10
    return measured


@ROLLBACK
@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backup")
def test_sqlite_backup_restores_every_row_and_the_same_kpis(generated, tmp_path, settings):
    out = tmp_path / "backup.sqlite3"
    run = run_command("backup", out)
    assert run.ok, run.error
    assert out.read_bytes()[:16] == b"SQLite format 3\x00"

    # Into a database that has never been migrated (a new server): a file of its own.
    fresh = tmp_path / "fresh"
    env = _env(SHOWROOM_DATA_DIR=str(fresh), DATABASE_URL="")
    done = _showroom(env, "restore", str(out))
    assert done.returncode == 0, done.stderr
    assert _measure(env) == generated

    # Into this database emptied, in this process.
    call_command("flush", interactive=False, verbosity=0)
    assert rows_and_kpis() != generated
    run = run_command("restore", out)
    assert run.ok, run.error
    assert rows_and_kpis() == generated


@ROLLBACK
def test_a_restore_into_a_database_with_data_is_refused(generated, tmp_path):
    out = tmp_path / "backup"
    out.mkdir()
    assert run_command("backup", out).ok
    (made,) = out.iterdir()
    run = run_command("restore", made)
    assert run.ok is False
    assert run.error == (
        "数据库中已有数据：请恢复到空数据库，或加上 --replace 覆盖其中的全部数据。"
    )
    assert rows_and_kpis() == generated


@pytest.mark.django_db
def test_bad_paths_and_files_are_messages(tmp_path):
    run = run_command("backup", tmp_path / "nowhere" / "b.sqlite3")
    assert run.error == f"文件夹 {tmp_path / 'nowhere'} 不存在。"
    taken = tmp_path / "taken.sqlite3"
    taken.write_text("x")
    run = run_command("backup", taken)
    assert run.error == f"{taken} 已存在；请换一个名字，或加上 --overwrite。"
    run = run_command("restore", taken)
    assert run.error == f"{taken} 不是 showroom backup 生成的备份。"
    run = run_command("restore", tmp_path / "missing")
    assert run.error == f"{tmp_path / 'missing'} 不是文件。"
    pg = tmp_path / "pg.dump"
    pg.write_bytes(b"PGDMP" + bytes(20))
    if connection.vendor == "sqlite":
        run = run_command("restore", pg)
        assert run.error == (
            f"{pg} 是 PostgreSQL 数据库的备份；当前数据库是 SQLite。请恢复到同一种数据库中。"
        )


def _pg_ready() -> str:
    """Why the PostgreSQL test cannot run, or "" when it can."""
    for tool in ("pg_dump", "pg_restore", "psql"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    done = subprocess.run(
        ["psql", f"{PG_SERVER}/postgres", "-tAc", "SELECT 1"],
        capture_output=True,
        text=True,
        check=False,
    )
    return "" if done.returncode == 0 else f"PostgreSQL not reachable at {PG_SERVER}"


def _psql(sql: str) -> None:
    subprocess.run(["psql", f"{PG_SERVER}/postgres", "-qc", sql], check=True, capture_output=True)


def test_postgresql_backup_restores_every_row_and_the_same_kpis(tmp_path):
    reason = _pg_ready()
    if reason:
        pytest.skip(f"PostgreSQL backup test SKIPPED: {reason}")
    source, target = "showroom_backup_src", "showroom_backup_dst"
    for name in (source, target):
        _psql(f'DROP DATABASE IF EXISTS "{name}"')
        _psql(f'CREATE DATABASE "{name}"')
    try:
        data = str(tmp_path / "data")
        src = _env(SHOWROOM_DATA_DIR=data, DATABASE_URL=f"{PG_SERVER}/{source}")
        dst = _env(SHOWROOM_DATA_DIR=data, DATABASE_URL=f"{PG_SERVER}/{target}")
        for args in (
            ("migrate", "--verbosity", "0"),
            ("generate", "--stores", "1", "--months", "2", "--start", "2026-09"),
        ):
            done = _showroom(src, *args)
            assert done.returncode == 0, done.stderr
        out = tmp_path / "backup.dump"
        done = _showroom(src, "backup", str(out))
        assert done.returncode == 0, done.stderr
        assert out.read_bytes()[:5] == b"PGDMP"
        done = _showroom(dst, "restore", str(out))
        assert done.returncode == 0, done.stderr
        before = _measure(src)
        assert before["rows"]["traffic_walkin"] > 100
        assert _measure(dst) == before
    finally:
        for name in (source, target):
            _psql(f'DROP DATABASE IF EXISTS "{name}"')
