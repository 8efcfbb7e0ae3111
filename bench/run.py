"""The benchmark: `python3 dev.py bench` (or `.venv/bin/python bench/run.py`).

1. PostgreSQL (own database, dropped and created again: --pg-url): `showroom generate` of
   --stores × --months (default 200 × 36; target under 10 minutes on 2 cores), ANALYZE, its
   tables and indexes read once (pg_prewarm: the figures of a warm cache), then in that
   database: one store-month KPI pack (≤ 100 ms), the all-store month by store (≤ 2 s), the
   manager's dashboard page (≤ 300 ms server time), the SQL queries of each.
2. SQLite (a throw-away data folder): the same for one store × --sqlite-months (default 36).
3. On each: the CSV export of a few stores' months, the same KPIs computed by DuckDB over the
   CSVs (bench/duckdb_kpis.py, written from the formulas alone), every number compared, both times
   and their ratio (target: within 2× of DuckDB). Any difference makes the exit status 1.
4. On each: `showroom export --store all` of the last full month to CSV (≤ 60 s), with its
   CPU time and rows per second.

`--quick` is a smoke run of a few seconds (2 stores × 3 months); `--no-postgres`,
`--no-sqlite` leave one out; `--reuse` measures an existing PostgreSQL benchmark database
again without generating. Timings on a shared machine vary: the output says what ran beside.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SHOWROOM = BIN / "showroom"
PG_URL = "postgres://postgres@127.0.0.1:5432/showroom_bench"

# The times to stay under (milliseconds; generate in seconds).
GENERATE_S = 600
PACK_MS = 100
ALL_STORES_MS = 2000
DASHBOARD_MS = 300
DUCKDB_RATIO = 2.0
EXPORT_S = 60


def default_start(months: int) -> date:
    """The first month of `months` whole months ending with the last complete one."""
    today = date.today()
    index = today.year * 12 + today.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def children_cpu() -> float:
    """CPU seconds of this process's finished children and theirs (the generator's workers)."""
    try:
        import resource
    except ImportError:  # not on Windows
        return 0.0
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall and CPU seconds of a command and its children (the database server's CPU is not
    counted: on a shared machine the wall time says little alone), and what it printed."""
    cpu = children_cpu()
    began = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
        raise SystemExit(f"failed ({done.returncode}): {' '.join(cmd)}")
    return seconds, children_cpu() - cpu, done.stdout


def measure(env: dict[str, str], options: list[str]) -> dict[str, Any]:
    """bench/measure.py in the database of `env`; its progress goes to our stderr."""
    cmd = [sys.executable, str(ROOT / "bench" / "measure.py"), *options]
    done = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True, check=False)
    lines = done.stdout.strip().splitlines()
    if not lines or not lines[-1].startswith("{"):
        raise SystemExit(f"failed ({done.returncode}): {' '.join(cmd)}")
    return json.loads(lines[-1])


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def analyze(url: str) -> float:
    import psycopg

    began = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE")
    return time.perf_counter() - began


def warm(url: str) -> float | None:
    """Reads every table and index of the database once (pg_prewarm, into the operating
    system's cache), so that the figures do not depend on what other work pushed out of it: a
    first export after other work, partly read from disk, took 68 s instead of 45 s. None
    where pg_prewarm cannot be installed (it needs a superuser)."""
    import psycopg

    began = time.perf_counter()
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
            conn.execute(
                "SELECT pg_prewarm(c.oid::regclass, 'read') FROM pg_class c"
                " WHERE c.relkind IN ('r', 'i', 't') AND c.relnamespace = 'public'::regnamespace"
            )
    except psycopg.Error as exc:
        print(f"!! the database's files not read beforehand ({exc}): first figures may be cold")
        return None
    return time.perf_counter() - began


def reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5432), 2):
            return True
    except OSError:
        return False


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def bench_database(
    label: str, env: dict[str, str], args: argparse.Namespace, *, stores: int, months: int
) -> dict[str, Any]:
    print(f"\n== {label}: {stores} store(s) × {months} months (load average {load_average()})")
    result: dict[str, Any] = {"label": label, "stores": stores, "months": months}
    if not (args.reuse and label.startswith("PostgreSQL")):
        result["migrate_s"], _, _ = run([str(SHOWROOM), "migrate", "-v0"], env)
        start = args.start or default_start(months)
        cmd = [
            str(SHOWROOM),
            "generate",
            f"--stores={stores}",
            f"--months={months}",
            f"--seed={args.seed}",
            f"--start={start:%Y-%m}",
            f"--jobs={args.jobs}",
        ]
        print("  " + " ".join(cmd[1:]), flush=True)
        result["generate_s"], result["generate_cpu_s"], _ = run(cmd, env)
        result["load_after_generate"] = load_average()
        print(f"  generated in {result['generate_s']:.1f} s", flush=True)
    if args.reuse and label.startswith("PostgreSQL"):
        run([str(SHOWROOM), "migrate", "-v0"], env)  # a database from before the last schema
    if label.startswith("PostgreSQL"):
        # The kept state derived again from the events for every store (the generator keeps it
        # already): how long a rebuild takes, and a database from before it gets it.
        if "rebuild" not in args.skip:  # `--skip rebuild`: the kept state is known current
            rebuild = [str(SHOWROOM), "rebuild_kpi_state", "--store=all"]
            result["rebuild_s"], _, _ = run(rebuild, env)
        # A bulk load leaves the planner without statistics until autovacuum gets there (never,
        # where it is off): without them the store-month card query took 8 s instead of 0.1 s.
        result["analyze_s"] = analyze(env["DATABASE_URL"])
        result["warm_s"] = warm(env["DATABASE_URL"])
    options = [
        f"--samples={args.samples}",
        f"--duckdb-stores={args.duckdb_stores}",
    ]
    options += [f"--skip={part}" for part in args.skip]
    result.update(measure(env, options))
    return result


def report(results: list[dict[str, Any]]) -> int:
    lines: list[tuple[str, str, str, str]] = []
    mismatches: list[str] = []

    def row(figure: str, value: float | None, target: float | None, unit: str) -> None:
        if value is None:
            return
        shown = f"{value:,.1f} {unit}" if unit else f"{value:,.0f}"
        if target is None:
            lines.append((figure, shown, "", ""))
            return
        ratio = value / target
        verdict = "ok" if ratio <= 1 else f"MISSED by {100 * (ratio - 1):.0f}%"
        lines.append((figure, shown, f"≤ {target:,.0f} {unit}", f"{ratio:.2f} {verdict}"))

    for r in results:
        name = r["label"]
        parts = ("rows", "pack", "all_stores", "dashboard", "paths", "duckdb_month", "duckdb")
        for part in (*parts, "export"):
            if isinstance(r.get(part), dict) and "error" in r[part]:
                mismatches.append(f"{name}: {part} failed: {r[part]['error']}")
                del r[part]
        rows = {k: v for k, v in r.get("rows", {}).items() if not k.startswith("__")}
        size = r.get("rows", {}).get("__bytes")
        lines.append((f"[{name}]", f"{r['stores']} stores × {r['months']} months", "", ""))
        row("  rows in the database", sum(rows.values()), None, "")
        if size:
            lines.append(("  database size", f"{size / 2**30:.2f} GB", "", ""))
        if "generate_s" in r:
            target = GENERATE_S if name.startswith("PostgreSQL") else None
            row("  showroom generate", r["generate_s"], target, "s")
            if "generate_cpu_s" in r:
                row("    its CPU time (Python side)", r["generate_cpu_s"], None, "s")
            row("  rows generated per second", sum(rows.values()) / r["generate_s"], None, "")
        if "rebuild_s" in r:
            row("  showroom rebuild_kpi_state --store all", r["rebuild_s"], None, "s")
        if "analyze_s" in r:
            row("  ANALYZE after the bulk load", r["analyze_s"], None, "s")
        if r.get("warm_s") is not None:
            row("  the database's files read once beforehand", r["warm_s"], None, "s")
        if "pack" in r:
            p = r["pack"]
            row(f"  store-month KPI pack, median of {len(p['samples'])}", p["ms"], PACK_MS, "ms")
            row("    slowest sample", p["max_ms"], PACK_MS, "ms")
            lines.append(("    SQL queries", str(p["queries"]), "", ""))
        if "all_stores" in r:
            a = r["all_stores"]
            row(f"  all {a['stores']} stores, {a['month']}, by store", a["ms"], ALL_STORES_MS, "ms")
            lines.append(("    SQL queries", str(a["queries"]), "", ""))
        if "dashboard" in r:
            d = r["dashboard"]
            if "error" in d:
                lines.append(("  dashboard", d["error"], "", ""))
            else:
                row(f"  {d['page']} (HTTP {d['status']}), cold", d["ms"], DASHBOARD_MS, "ms")
                lines.append(("    SQL queries", str(d["queries"]), "", ""))
                if "warm_ms" in d:
                    warm = f"{d['warm_ms']:.0f} ms, {d['warm_queries']} queries"
                    lines.append(("    again within minutes (cached past periods)", warm, "", ""))
                if d["status"] != 200:
                    mismatches.append(f"{name}: dashboard answered HTTP {d['status']}")
        if "paths" in r:
            u = r["paths"]
            lines.append(
                (f"  paths users call, {u['month']}", "kept state / previous plan", "", "")
            )
            targets = {"kpi --store all": ALL_STORES_MS, "kpi --store": PACK_MS, "API": PACK_MS}
            for name, t in u["paths"].items():
                target = next((v for k, v in targets.items() if name.startswith(k)), DASHBOARD_MS)
                row(f"    {name}", t["ms"], target, "ms")
                shown = f"{t['baseline_ms']:,.1f} ms ({t['ratio']:.1f}× slower)"
                lines.append(("      baseline (previous plan)", shown, "", ""))
                lines.append(("      SQL queries", str(t["queries"]), "", ""))
            row(f"    rebuild_kpi_state, store {u['store']}", u["rebuild_store_s"], None, "s")
        if "duckdb_month" in r:
            k = r["duckdb_month"]
            lines.append(
                (
                    f"  all {k['stores']} stores, {k['month']}, against DuckDB",
                    f"{k['csv_rows']:,} CSV rows",
                    "",
                    f"{len(k['mismatches'])} mismatches",
                )
            )
            row("    showroom export --store all (CSV)", k["export_s"], None, "s")
            row("    DuckDB CSV load", k["duckdb_load_s"], None, "s")
            row("    DuckDB, KPIs by store", k["duckdb_ms"], None, "ms")
            row("    showroom kpi --store all --by store", k["ours_ms"], ALL_STORES_MS, "ms")
            row("    ratio showroom kpi / DuckDB", k["ratio"], DUCKDB_RATIO, "×")
            mismatches += [f"{name}: {m}" for m in k["mismatches"]]
        if "export" in r:
            e = r["export"]
            row(f"  export --store all, {e['month']}, CSV", e["s"], EXPORT_S, "s")
            row("    its CPU time (Python side, its workers too)", e["cpu_s"], None, "s")
            row("    rows written", e["rows"], None, "")
            row("    rows per second", e["rows"] / e["s"] if e["s"] else None, None, "")
        if "duckdb" in r:
            k = r["duckdb"]
            lines.append(
                (
                    "  DuckDB check",
                    f"{', '.join(k['stores'])}: {k['months']} months, "
                    f"{k['packs_compared']} packs × {k['codes_compared']} KPIs",
                    "",
                    f"{len(k['mismatches'])} mismatches",
                )
            )
            row("    CSV export (rows)", k["csv_rows"], None, "")
            row("    CSV export", k["export_s"], None, "s")
            row("    DuckDB CSV load", k["duckdb_load_s"], None, "s")
            row("    compute_kpis, store-month median", k["ours_ms"], None, "ms")
            row("    DuckDB, store-month median", k["duckdb_ms"], None, "ms")
            ratio = k["ours_ms"] / k["duckdb_ms"] if k["duckdb_ms"] else 0.0
            row("    ratio compute_kpis / DuckDB", ratio, DUCKDB_RATIO, "×")
            mismatches += [f"{name}: {m}" for m in k["mismatches"]]

    width = max(len(line[0]) for line in lines) + 2
    print()
    print(f"{'figure':<{width}}{'value':<30}{'target':<14}ratio")
    for figure, value, target, ratio in lines:
        print(f"{figure:<{width}}{value:<30}{target:<14}{ratio}")
    if results and "duckdb" in results[0]:
        duck = results[0]["duckdb"]
        if duck.get("not_covered"):
            print("\nNot compared (no CSV column carries them):")
            for code, why in duck["not_covered"].items():
                print(f"  {code}: {why}")
        elif "codes_compared" in duck:
            print(f"\nEvery KPI of the registry compared ({duck['codes_compared']} codes).")
    if mismatches:
        print(f"\n{len(mismatches)} MISMATCHES between compute_kpis and DuckDB, or failures:")
        for m in mismatches[:200]:
            print("  " + m)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stores", type=int, default=200)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--sqlite-months", type=int, default=36)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--start", type=lambda s: date.fromisoformat(s + "-01"), default=None)
    parser.add_argument("--jobs", type=int, default=min(4, os.cpu_count() or 1))
    parser.add_argument("--samples", type=int, default=7, help="store-months timed for the pack")
    parser.add_argument("--duckdb-stores", type=int, default=2)
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_POSTGRES_URL", PG_URL))
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="PostgreSQL: measure, no generate")
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        help="rebuild, rows, pack, all, dashboard, paths, duckdb-month, duckdb, export",
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run: 2 stores × 3 months")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if args.quick:
        args.stores, args.months, args.sqlite_months = 2, 3, 3
        args.samples, args.duckdb_stores = 2, 1

    print(f"machine: {os.cpu_count()} cores, load average {load_average()}")
    results = []
    base = {**os.environ, "PYTHONUNBUFFERED": "1"}
    if not args.no_postgres:
        if reachable(args.pg_url):
            if not args.reuse:
                recreate_database(args.pg_url)
            env = {**base, "DATABASE_URL": args.pg_url}
            label = f"PostgreSQL {urlsplit(args.pg_url).path.lstrip('/')}"
            results.append(bench_database(label, env, args, stores=args.stores, months=args.months))
        else:
            print(f"!! PostgreSQL not reachable at {args.pg_url}: skipped")
    if not args.no_sqlite:
        folder = tempfile.mkdtemp(prefix="showroom-bench-sqlite-")
        try:
            env = {**base, "DATABASE_URL": "", "SHOWROOM_DATA_DIR": folder}
            results.append(bench_database("SQLite", env, args, stores=1, months=args.sqlite_months))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str))
    return report(results)


if __name__ == "__main__":
    sys.exit(main())
