"""What each page of the load test's mix costs: `.venv/bin/python bench/pages.py --database URL`.

Runs the pages of `bench/load.py`'s mix through Django's test client, in this process, against
`--database` (it writes: walk-ins and leads, like the load test; use a benchmark copy), and
prints per page the CPU time of the application (this process: the median request's) and of
PostgreSQL (the connection's server process, read from /proc: the mean), the SQL queries and
the median wall time over `--repeat` requests after one warm-up, and the mix's mean cost per
request. CPU time
is what the two cores share under load; wall time on a busy machine is not.

`--profile PAGE` also prints that page's cProfile (cumulative, the top 40 lines).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

# Each page's share of the mix's tasks: bench/load.py's weights, one task a second per person;
# the front desk's walk-in task is two requests (the desk, then the form's post).
MIX = {
    "desk": 20 * 0.75,
    "log walk-in": 20 * 0.25,
    "my day": 35 * 0.5,
    "customer card": 35 * 0.5,
    "dashboard": 25 * 2 / 3,
    "evening meeting": 25 / 3,
    "group": 5,
    "lead API": 15,
}


def clock_ticks(pid: int) -> float:
    """User + system CPU seconds of a process (a PostgreSQL backend)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", required=True, help="DATABASE_URL of a benchmark copy")
    parser.add_argument("--redis", default="", help="REDIS_URL ('' in-process cache)")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--store", type=int, default=0, help="which store (in code order)")
    parser.add_argument("--pages", default=",".join(MIX), help="comma-separated pages")
    parser.add_argument("--profile", default="", help="print this page's cProfile")
    parser.add_argument(
        "--cold",
        action="store_true",
        help="the running figures counted again for each request (without --redis: all)",
    )
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database
    os.environ["REDIS_URL"] = args.redis
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "showroom.settings")
    os.environ.setdefault("SHOWROOM_LEAD_API_RATE", "100000")
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    from showroom.customers.models import Customer
    from showroom.organization.models import Staff, Store
    from showroom.traffic.api_keys import create_key

    settings.ALLOWED_HOSTS = ["testserver"]
    store = Store.objects.order_by("code")[args.store]
    staff = list(Staff.objects.filter(store=store, is_active=True).order_by("pk"))
    desk = next(s for s in staff if "receptionist" in s.roles)
    consultant = next(s for s in staff if "consultant" in s.roles)
    manager = next(s for s in staff if "manager" in s.roles)
    group = Staff.objects.filter(roles__contains="group", is_active=True).order_by("pk").first()
    if group is None:
        group = Staff.objects.create_user(username="load-group", roles="group", full_name="集团")
    cards = list(
        Customer.objects.filter(consultant=consultant).order_by("-pk").values_list("pk", flat=True)
    )[:20]
    _, key = create_key(store=store, name="load test", created_by=None)

    clients: dict[str, Client] = {}
    for role, person in (
        ("desk", desk),
        ("consultant", consultant),
        ("manager", manager),
        ("group", group),
    ):
        clients[role] = Client()
        clients[role].force_login(person)
    api = Client()

    def log_walk_in() -> Any:
        form = clients["desk"].get("/desk/").content.decode()
        import re

        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
        option = re.search(r'name="consultant" value="(\d+)"', form)
        response = clients["desk"].post(
            "/desk/walk-ins/new/",
            {
                "csrfmiddlewaretoken": token.group(1) if token else "",
                "party_size": "1",
                "visit_type": "first",
                "consultant": option.group(1) if option else "",
                "name": "压测",
            },
        )
        if response.status_code != 302:  # logged, back to the desk
            print(f"!! log walk-in: HTTP {response.status_code}", file=sys.stderr)
        return response

    def lead() -> Any:
        return api.post(
            "/api/leads",
            {
                "store": store.code,
                "channel": "internet",
                "phone": f"139{random.randrange(10**8):08d}",
                "name": "压测",
                "model": "A",
            },
            content_type="application/json",
            headers={"X-API-Key": key},
        )

    pages: dict[str, Callable[[], Any]] = {
        "desk": lambda: clients["desk"].get("/desk/"),
        "log walk-in": log_walk_in,
        "my day": lambda: clients["consultant"].get("/sales/my-day/"),
        "customer card": lambda: clients["consultant"].get(f"/customers/{random.choice(cards)}/"),
        "dashboard": lambda: clients["manager"].get("/kpi/dashboard/"),
        "evening meeting": lambda: clients["manager"].get("/reports/evening/"),
        "group": lambda: clients["group"].get("/kpi/group/"),
        "lead API": lead,
    }

    def forget_running() -> None:
        # What expires every minute under load: the running period's figures (the past
        # periods' stay, keyed by the stores' data versions). Without Redis, everything.
        if not args.redis:
            cache.clear()
            return
        client = cache._cache.get_client()  # type: ignore[attr-defined]
        for pattern in ("*kpi:figures:*", "*kpi:side-by-side:*", "*kpi:group-table:*"):
            if found := client.keys(pattern):
                client.delete(*found)

    queries = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    print(
        f"store {store.code}; {args.repeat} requests a page after a warm-up; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(f"  {'page':<16}{'app ms':>8}{'db ms':>8}{'cpu ms':>8}{'queries':>8}{'wall ms':>9}")
    found: dict[str, float] = {}
    chosen = [p for p in args.pages.split(",") if p]
    with connection.execute_wrapper(count):
        for name in chosen:
            run = pages[name]
            response = run()
            if response.status_code >= 400:
                print(f"!! {name}: HTTP {response.status_code}", file=sys.stderr)
            connection.ensure_connection()
            backend = connection.connection.info.backend_pid  # type: ignore[union-attr]
            queries = 0
            db = 0.0
            apps, walls = [], []
            for _ in range(args.repeat):
                if args.cold:
                    forget_running()
                db0, app0, wall0 = clock_ticks(backend), time.process_time(), time.perf_counter()
                run()
                apps.append(time.process_time() - app0)
                walls.append(time.perf_counter() - wall0)
                db += clock_ticks(backend) - db0
            n = args.repeat
            # The median request's CPU (a busy machine's noise falls on a few requests); the
            # server process's CPU is counted in ticks of 10 ms, so its mean over the requests.
            app, wall = statistics.median(apps) * n, statistics.median(walls) * n
            found[name] = (app + db) / n * 1000
            print(
                f"  {name:<16}{app / n * 1000:>8.1f}{db / n * 1000:>8.1f}{found[name]:>8.1f}"
                f"{queries / n:>8.1f}{wall / n * 1000:>9.1f}"
            )
            if name == args.profile:
                profile = cProfile.Profile()
                profile.runcall(run)
                stats = pstats.Stats(profile).sort_stats(os.environ.get("SORT", "cumulative"))
                stats.print_stats(int(os.environ.get("LINES", "40")))
    if set(MIX) <= set(found):
        requests = sum(w * (2 if p == "log walk-in" else 1) for p, w in MIX.items())
        mean = sum(found[p] * w for p, w in MIX.items()) / requests
        print(f"  the mix: {mean:.1f} ms of CPU a request (application and PostgreSQL)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
