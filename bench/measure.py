"""What the benchmark measures, on whatever database Django is connected to (bench/run.py
starts one process per database and calls `main`, which prints one JSON object).

    kpi_pack(...)       one store-month KPI pack (compute_kpis, every implemented code)
    all_stores(...)     the all-store month grouped by store
    dashboard(...)      the manager's dashboard page through Django's test client
    user_paths(...)     the paths users call (`showroom kpi` for all stores by store and for
                        one store, the API, the dashboard), each with the kept state and with
                        the previous plan (the baseline), and the kept state's rebuild
    duckdb_month(...)   the all-store month: export, DuckDB load and DuckDB's KPIs by store, each
                        timed, against `showroom kpi --store all --by store`; equal numbers?
    duckdb_check(...)   export → DuckDB over the CSVs (bench/duckdb_kpis.py) → equal numbers?
    export_all(...)     `showroom export --store all --month M` to CSV: wall and CPU time, rows

Timings are the median of several runs after one warm-up run, in milliseconds, with the SQL
queries of one run counted.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "showroom.settings")
    import django

    django.setup()


def timed(run: Callable[[], Any], *, repeat: int) -> dict[str, Any]:
    """Median milliseconds of `repeat` runs after a warm-up, and the queries of one run."""
    from django.db import connection

    queries: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append(sql)
        return execute(sql, params, many, context)

    # A wrapper survives the reconnects of a request cycle (CaptureQueriesContext does not).
    with connection.execute_wrapper(count):
        run()
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        run()
        times.append((time.perf_counter() - began) * 1000)
    return {
        "ms": statistics.median(times),
        "min_ms": min(times),
        "max_ms": max(times),
        "runs": repeat,
        "queries": len(queries),
    }


def months_of_data() -> list[date]:
    """First days of the months that have walk-ins, oldest first."""
    from django.db.models.functions import TruncMonth

    from showroom.traffic.models import WalkIn

    found = WalkIn.objects.annotate(m=TruncMonth("date")).values_list("m", flat=True).distinct()
    return sorted({m if isinstance(m, date) else m.date() for m in found})


def month_end(first: date) -> date:
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def kpi_pack(*, samples: int, seed: int = 7) -> dict[str, Any]:
    """One store-month, all implemented KPIs, by=None: median over `samples` store-months
    drawn at random (each timed several times)."""
    from showroom.kpi.selectors import compute_kpis
    from showroom.organization.models import Store

    stores = list(Store.objects.order_by("code"))
    months = months_of_data()[1:] or months_of_data()  # a month with a month before it
    rng = random.Random(seed)
    results = []
    for _ in range(samples):
        store, first = rng.choice(stores), rng.choice(months)

        def run(store: Any = store, first: date = first) -> Any:
            return compute_kpis(stores=[store], start=first, end=month_end(first))

        results.append({"store": store.code, "month": f"{first:%Y-%m}", **timed(run, repeat=3)})
    return {
        "ms": statistics.median(r["ms"] for r in results),
        "max_ms": max(r["ms"] for r in results),
        "queries": max(r["queries"] for r in results),
        "samples": results,
    }


def all_stores(*, month: date) -> dict[str, Any]:
    """Every store's KPIs for a month, grouped by store (`showroom kpi --store all --by store`)."""
    from showroom.kpi.selectors import compute_kpis
    from showroom.organization.models import Store

    def run() -> Any:
        return compute_kpis(
            stores=Store.objects.all(), start=month, end=month_end(month), by="store"
        )

    return {"month": f"{month:%Y-%m}", "stores": Store.objects.count(), **timed(run, repeat=3)}


def dashboard(*, month: date) -> dict[str, Any]:
    """The manager's dashboard (kpi:dashboard; kpi:overview while there is none or it fails),
    server time through the test client: URL resolution, middleware, view, template."""
    from django.urls import NoReverseMatch

    try:
        return _page("kpi:dashboard", month=month)
    except NoReverseMatch:
        note = "no kpi:dashboard yet"
    except Exception as exc:  # a page still being built must not stop the benchmark
        note = f"kpi:dashboard failed: {type(exc).__name__}: {exc}"
    try:
        return _page("kpi:overview", month=month, note=note)
    except Exception as exc:
        return {"page": "kpi:dashboard", "error": f"{note}; kpi:overview failed too: {exc}"}


def _page(name: str, *, month: date, note: str = "") -> dict[str, Any]:
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client
    from django.urls import reverse

    from showroom.organization.choices import Role
    from showroom.organization.models import Staff

    url, page = reverse(name), name + (f" ({note})" if note else "")
    manager = (
        Staff.objects.filter(roles__contains=Role.MANAGER, store__isnull=False)
        .order_by("store__code", "pk")
        .first()
    )
    if manager is None:
        return {"page": page, "error": "no manager in the database"}
    if "testserver" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(manager)
    address = f"{url}?month={month:%Y-%m}"
    statuses = []

    def run() -> None:
        statuses.append(client.get(address).status_code)

    def cold() -> None:
        # The figures of periods already over are cached for a few minutes (past_kpis):
        # the first visit after that pays for them, so that is the time the target is about.
        cache.clear()
        run()

    result = timed(cold, repeat=5)
    warm = timed(run, repeat=5)
    return {
        "page": page,
        "url": address,
        "store": manager.store.code,
        "status": statuses[-1],
        **result,
        "warm_ms": warm["ms"],
        "warm_queries": warm["queries"],
    }


def user_paths(*, month: date, repeat: int = 3) -> dict[str, Any]:
    """Each path a user takes, timed with the card query reading the kept spans
    (`funnel_kpis.PLAN = "kept"`, what the program does) and with the previous plan that
    decided every card from its events and named the stores only when given as a list
    ("events", the baseline); the dashboard cold (past periods' cache cleared)."""
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from showroom.kpi import funnel_kpis
    from showroom.organization.choices import Role
    from showroom.organization.models import Staff
    from showroom.sales import spans

    manager = (
        Staff.objects.filter(roles__contains=Role.MANAGER, store__isnull=False)
        .order_by("store__code", "pk")
        .first()
    )
    if manager is None:
        return {"error": "no manager in the database"}
    code, m = manager.store.code, f"{month:%Y-%m}"
    if "testserver" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(manager)

    def command(*args: str) -> None:
        call_command("kpi", *args, stdout=io.StringIO())

    def get(url: str) -> None:
        cache.clear()
        answer = client.get(url)
        if answer.status_code != 200:
            raise RuntimeError(f"{url}: HTTP {answer.status_code}")

    paths: dict[str, Callable[[], Any]] = {
        "kpi --store all --by store": lambda: command(
            "--store", "all", "--by", "store", "--month", m
        ),
        f"kpi --store {code}": lambda: command("--store", code, "--month", m),
        f"API /api/kpi/values?store={code}": lambda: get(f"/api/kpi/values?store={code}&month={m}"),
        "dashboard page, cold": lambda: get(f"{reverse('kpi:dashboard')}?month={m}"),
    }
    found: dict[str, Any] = {"month": m, "store": code, "paths": {}}
    try:
        for name, path in paths.items():
            timings = {}
            for plan in ("events", "kept"):
                funnel_kpis.PLAN = plan
                timings[plan] = timed(path, repeat=repeat)
            found["paths"][name] = {
                "ms": timings["kept"]["ms"],
                "queries": timings["kept"]["queries"],
                "baseline_ms": timings["events"]["ms"],
                "ratio": timings["events"]["ms"] / timings["kept"]["ms"],
            }
    finally:
        funnel_kpis.PLAN = "kept"
    began = time.perf_counter()
    found["rebuild_store_spans"] = spans.refresh(stores=[manager.store])
    found["rebuild_store_s"] = time.perf_counter() - began
    return found


def duckdb_check(
    *, stores: list[str], first: date, last: date, by_groups: bool = True
) -> dict[str, Any]:
    """Export the stores' months first..last to CSV, compute the KPIs with DuckDB over them and
    with compute_kpis, and compare every covered KPI of every store-month (and, per month, the
    stores together grouped by store, and each store by consultant, source and model)."""
    from django.core.management import call_command
    from duckdb_kpis import COVERED, NOT_COVERED, DuckKPIs, differences, grouped_differences

    from showroom.kpi.selectors import compute_kpis
    from showroom.organization.models import Store

    chosen = list(Store.objects.filter(code__in=stores).order_by("code"))
    months = [m for m in months_of_data() if first <= m <= last]
    with tempfile.TemporaryDirectory(prefix="showroom-bench-") as folder:
        began = time.perf_counter()
        for store in chosen:
            out = Path(folder) / store.code
            call_command(
                "export",
                "--store",
                store.code,
                "--month",
                f"{first:%Y-%m}..{last:%Y-%m}",
                str(out),
                stdout=io.StringIO(),
            )
        export_s = time.perf_counter() - began
        exported = {s.code: DuckKPIs(Path(folder) / s.code) for s in chosen}
        rows = sum(d.rows(t) for d in exported.values() for t in _CSV_TABLES)
        load_s = sum(d.load_seconds for d in exported.values())
        ours_ms, theirs_ms, mismatches, packs = [], [], [], 0
        for store in chosen:
            duck = exported[store.code]
            for month in months:
                end = month_end(month)
                began = time.perf_counter()
                ours = compute_kpis(stores=[store], start=month, end=end)
                ours_ms.append((time.perf_counter() - began) * 1000)
                began = time.perf_counter()
                theirs = duck.compute(start=month, end=end)
                theirs_ms.append((time.perf_counter() - began) * 1000)
                mismatches += differences(ours, theirs, label=f"{store.code} {month:%Y-%m} ")
                packs += 1
                if by_groups and month in (months[len(months) // 2], months[-1]):
                    for by in ("consultant", "source", "model"):
                        ours_g = compute_kpis(stores=[store], start=month, end=end, by=by)
                        theirs_g = duck.compute(start=month, end=end, by=by)
                        mismatches += grouped_differences(
                            ours_g, theirs_g, label=f"{store.code} {month:%Y-%m} {by} "
                        )
                        packs += len(ours_g)
        # The stores together (pooled) and grouped by store: each store's own CSV folder holds
        # only that store, so the by-store roll-up is checked against each folder's result.
        for month in months[-2:]:
            end = month_end(month)
            ours_s = compute_kpis(stores=chosen, start=month, end=end, by="store")
            theirs_s = {c: d.compute(start=month, end=end) for c, d in exported.items()}
            mismatches += grouped_differences(ours_s, theirs_s, label=f"all {month:%Y-%m} store ")
            packs += len(ours_s)
    return {
        "stores": [s.code for s in chosen],
        "months": len(months),
        "packs_compared": packs,
        "codes_compared": len(COVERED),
        "not_covered": NOT_COVERED,
        "csv_rows": rows,
        "export_s": export_s,
        "duckdb_load_s": load_s,
        "ours_ms": statistics.median(ours_ms),
        "duckdb_ms": statistics.median(theirs_ms),
        "mismatches": mismatches,
    }


def duckdb_month(*, month: date) -> dict[str, Any]:
    """The all-store month against DuckDB, in the same run: `showroom export --store all` of
    the month to CSV, DuckDB's load of the CSVs and its KPIs by store (bench/duckdb_kpis.py),
    each timed on its own, against `showroom kpi --store all --by store` through the command;
    every number of every store compared."""
    from django.core.management import call_command
    from duckdb_kpis import DuckKPIs, grouped_differences

    from showroom.kpi.selectors import compute_kpis
    from showroom.organization.models import Store

    m, end = f"{month:%Y-%m}", month_end(month)
    with tempfile.TemporaryDirectory(prefix="showroom-bench-month-") as folder:
        out = Path(folder) / "all"
        exported = export_all(month=month, into=out)
        duck = DuckKPIs(out)
        rows = sum(duck.rows(t) for t in _CSV_TABLES)

        def theirs() -> Any:
            return duck.compute(start=month, end=end, by="store")

        def command() -> None:
            args = ["--store", "all", "--by", "store", "--month", m]
            call_command("kpi", *args, stdout=io.StringIO())

        duck_run = timed(theirs, repeat=3)
        ours_run = timed(command, repeat=3)
        ours = compute_kpis(stores=Store.objects.all(), start=month, end=end, by="store")
        mismatches = grouped_differences(ours, theirs(), label=f"all {m} store ")
    return {
        "month": m,
        "stores": len(ours),
        "csv_rows": rows,
        "export_s": exported["s"],
        "export": exported,
        "duckdb_load_s": duck.load_seconds,
        "duckdb_ms": duck_run["ms"],
        "ours_ms": ours_run["ms"],
        "ours_queries": ours_run["queries"],
        "ratio": ours_run["ms"] / duck_run["ms"],
        "mismatches": mismatches,
    }


_CSV_TABLES = (
    "walk_ins",
    "calls",
    "customers",
    "activities",
    "orders",
    "losses",
    "leads",
    "reactivations",
    "service_visits",
    "targets",
)


def export_all(*, month: date, into: Path | None = None) -> dict[str, Any]:
    """`showroom export --store all --month M OUT` (CSV) through the command: its wall time,
    the CPU time of this process and of the processes it writes with (the database server's
    is not counted), the rows written.
    The folder `into` keeps the files (else they are removed)."""
    with tempfile.TemporaryDirectory(prefix="showroom-bench-export-") as folder:
        return _export_all(month, into or Path(folder) / "csv")


def _export_all(month: date, out: Path) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db.models import Sum

    from showroom.organization.models import ExportRecord, Store

    began, cpu = time.perf_counter(), _cpu_with_children()
    call_command(
        "export",
        "--store",
        "all",
        "--month",
        f"{month:%Y-%m}",
        str(out),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    seconds, cpu_s = time.perf_counter() - began, _cpu_with_children() - cpu
    size = sum(p.stat().st_size for p in out.glob("*.csv"))
    rows = ExportRecord.objects.filter(destination=str(out)).aggregate(n=Sum("rows"))["n"]
    return {
        "month": f"{month:%Y-%m}",
        "stores": Store.objects.count(),
        "s": seconds,
        "cpu_s": cpu_s,
        "rows": rows or 0,
        "bytes": size,
    }


def _cpu_with_children() -> float:
    """CPU seconds of this process and of its finished children (the export's workers)."""
    used = os.times()
    return used.user + used.system + used.children_user + used.children_system


def table_rows() -> dict[str, int]:
    """Rows per table of the database (exact counts), and its size where the engine says."""
    from django.apps import apps
    from django.db import connection

    counts = {}
    for model in apps.get_models():
        if model._meta.app_label in {"customers", "traffic", "sales", "owners", "organization"}:
            counts[model._meta.db_table] = model._default_manager.count()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            counts["__bytes"] = cursor.fetchone()[0]
    elif Path(str(connection.settings_dict["NAME"])).exists():  # not an in-memory database
        counts["__bytes"] = Path(connection.settings_dict["NAME"]).stat().st_size
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=7, help="store-months for the KPI pack")
    parser.add_argument("--duckdb-stores", type=int, default=2)
    parser.add_argument("--duckdb-months", type=int, default=0, help="0: every month")
    parser.add_argument("--skip", action="append", default=[], help="a part to leave out")
    args = parser.parse_args(argv)
    setup_django()
    from django.db import connection

    months = months_of_data()
    if not months:
        print(json.dumps({"error": "no data"}))
        return 1
    last_full = months[-2] if len(months) > 1 else months[-1]
    result: dict[str, Any] = {"vendor": connection.vendor, "months": len(months)}
    from showroom.organization.models import Store

    codes = list(Store.objects.order_by("code").values_list("code", flat=True))
    span = months[-args.duckdb_months :] if args.duckdb_months else months
    parts: dict[str, tuple[str, Callable[[], Any]]] = {
        "rows": ("rows", table_rows),
        "pack": ("pack", lambda: kpi_pack(samples=args.samples)),
        "all": ("all_stores", lambda: all_stores(month=last_full)),
        "dashboard": ("dashboard", lambda: dashboard(month=last_full)),
        "paths": ("paths", lambda: user_paths(month=last_full)),
        "duckdb-month": ("duckdb_month", lambda: duckdb_month(month=last_full)),
        # Cards and grades need the activities from the first month (duckdb_kpis.py).
        "duckdb": (
            "duckdb",
            lambda: duckdb_check(
                stores=codes[: args.duckdb_stores], first=months[0], last=span[-1]
            ),
        ),
        # The month's export, timed once: the DuckDB comparison's when it ran.
        "export": (
            "export",
            lambda: result.get("duckdb_month", {}).get("export") or export_all(month=last_full),
        ),
    }
    failed = 0
    for part, (key, measure) in parts.items():
        if part in args.skip:
            continue
        began = time.perf_counter()
        try:
            result[key] = measure()
        except Exception as exc:  # report what was measured, and what failed
            result[key] = {"error": f"{type(exc).__name__}: {exc}"}
            failed += 1
        print(f"  {part}: {time.perf_counter() - began:.1f} s", file=sys.stderr, flush=True)
    print(json.dumps(result, default=str))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
