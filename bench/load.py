"""The load test: `.venv/bin/python bench/load.py [--database URL] [--rates 10,25,50,75,100]`.

Starts gunicorn on a free port against `--database` (default: the benchmark's PostgreSQL
database, which `python3 dev.py bench` generates), signs in a sample of each store's staff and
drives a realistic mix with locust (installed by `python3 dev.py bench`), stepping the rate up:

| who | share | what |
| --- | ---: | --- |
| front desk | 20 % | the desk, and logging a walk-in from it (1 in 4) |
| consultants | 35 % | My day, a customer card |
| managers | 25 % | the dashboard (2 in 3), the evening meeting |
| group | 5 % | the stores side by side |
| lead API | 15 % | POST /api/leads with the store's key |

Each simulated person makes one request a second on average (the front desk's walk-in, two), so
the number of people is about the offered rate. Each starts a task at random moments
(exponential gaps, `random_pacing`), as people working on their own do: `--pacing steady` uses
locust's constant_throughput instead, which keeps everyone on the second they started at, so
that the people a step adds, or all who waited out the same slow second, send together every
second from then on (at 42 req/s: up to 22 requests within 100 ms, against 4 on average). Each
step prints the most requests sent within 100 ms beside the mean. They are signed in before the
first step, as at the start of a day's work (a session each, made in the database): the steps
measure the pages, not the password hashing of a login, about half a second of CPU each.
Locust's FastHttpUser (its geventhttpclient client) costs less CPU a request than its
requests-based HttpUser (1.4 ms against 2.4 ms), which matters when locust shares the server's
cores. A page answered with anything but 200 (a redirect to the login page, say) counts as a
failure.

After each page, as in a browser, the page's notice bell asks for its count (`--no-bell`: not).
After each step's warm-up it prints, per page, the requests, failures and p50/p95/p99 server
response times, the CPU a request of gunicorn's workers and of locust (PostgreSQL's is not
counted), and at the end the highest rate held with the pages' p95 ≤ 300 ms (the bell's counts
left out of the p95, not of the load) and no errors (the knee).

It writes to the database it runs against: the front desk's walk-ins and the API's leads, a
session for each sampled person, a lead API key per sampled store (named "load test"), and a
group login `load-group` if there is none. Use a benchmark copy, never a dealer's database.
"""

# ruff: noqa: I001
from __future__ import annotations

# locust patches the standard library (gevent) and must be imported first.
import locust
from locust import FastHttpUser, constant_throughput, task
from locust.env import Environment
from locust.stats import StatsEntry

import argparse
import json
import os
import random
import re
import socket
import subprocess
import sys
import time
from http.cookiejar import Cookie
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import gevent

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_URL = "postgres://postgres@127.0.0.1:5432/showroom_bench"
P95_MS = 300

# Signs in a sample of the stores' staff and returns who is who with their session (runs
# inside Django).
PREPARE = """
import json, sys
import django
django.setup()
from django.conf import settings
from django.test import Client
from showroom.customers.models import Customer
from showroom.notices.models import Notice
from showroom.organization.models import Staff, Store
from showroom.traffic.api_keys import create_key
from showroom.traffic.models import Lead, WalkIn

stores = int(sys.argv[1])
people = {"desk": [], "consultant": [], "manager": [], "group": [], "api": []}

def sign(staff):
    client = Client()
    client.force_login(staff, backend="showroom.organization.backends.StaffBackend")
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {"username": staff.username, "session": session}

# Each run starts from the desk and the lead desk as they were before any load test: the
# walk-ins and leads an earlier run made (all named 压测), and their notices, would make every
# later run's pages longer than the one before.
sampled = Store.objects.order_by("code")[:stores]
walk_ins = WalkIn.with_cancelled.filter(name="压测", store__in=sampled)
leads = Lead.objects.filter(name="压测", store__in=sampled)
keys = [f"walkin:{pk}" for pk in walk_ins.values_list("pk", flat=True)]
keys += [f"lead:{pk}" for pk in leads.values_list("pk", flat=True)]
Notice.objects.filter(key__in=keys).delete()
walk_ins.delete()
leads.delete()
for store in sampled:
    staff = list(Staff.objects.filter(store=store, is_active=True).order_by("pk"))
    desk = [s for s in staff if "receptionist" in s.roles]
    consultants = [s for s in staff if "consultant" in s.roles][:3]
    managers = [s for s in staff if "manager" in s.roles]
    if not (desk and consultants and managers):
        continue
    people["desk"].append(sign(desk[0]))
    for consultant in consultants:
        cards = Customer.objects.filter(consultant=consultant).order_by("-pk")
        cards = list(cards.values_list("pk", flat=True)[:20])
        people["consultant"].append({**sign(consultant), "cards": cards})
    people["manager"].append(sign(managers[0]))
    _, key = create_key(store=store, name="load test", created_by=None)
    people["api"].append({"store": store.code, "key": key})
group = Staff.objects.filter(roles__contains="group", is_active=True).order_by("pk").first()
if group is None:  # the generator makes no group login
    group = Staff.objects.create_user(username="load-group", roles="group", full_name="集团")
people["group"].append(sign(group))
print(json.dumps(people))
"""

PEOPLE: dict[str, list[dict[str, Any]]] = {}


def random_pacing(per_second: float) -> Any:
    """Each person starts a task `per_second` times a second on average, at random moments
    (exponential gaps, measured from the start of the task before): people working on their
    own do not act in step. Locust's constant_throughput keeps the moments people started at:
    those who start together, as a step's new people do, or who all waited out the same slow
    second, then send together every second, in bursts several times the mean rate."""

    def wait(user: Any) -> float:
        now = time.perf_counter()
        started = getattr(user, "_task_started", now)
        pause = max(0.0, started + random.expovariate(per_second) - now)
        user._task_started = now + pause
        return pause

    return wait


# Each page's notice bell asks for its count when the page loads (and every half minute
# after, which a person who moves on within the half minute never sends): `--no-bell` leaves
# it out. A step is held when the pages' own p95 is within P95_MS.
BELL = True
BELL_NAME = "bell (its count)"

# When each request of the running step was sent (seconds since the epoch).
SENT: list[float] = []


def sent(start_time: float = 0.0, **kwargs: Any) -> None:
    SENT.append(start_time)


def bunching(starts: list[float], window: float = 0.1) -> tuple[int, float]:
    """The most requests sent within one `window` of the step, and the mean per window: users
    who send together make a queue that evenly spread ones would not."""
    if not starts:
        return 0, 0.0
    first = min(starts)
    counts: dict[int, int] = {}
    for start in starts:
        slot = int((start - first) / window)
        counts[slot] = counts.get(slot, 0) + 1
    windows = int((max(starts) - first) / window) + 1
    return max(counts.values()), len(starts) / windows


def session_cookie(host: str, key: str) -> Cookie:
    """Django's session cookie for `host`, as the server would have set it at login."""
    return Cookie(
        *(0, "sessionid", key, None, False, host, False, False, "/", True, False, None, True),
        *(None, None, {}),
    )


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CONSULTANT_BUTTON = re.compile(r'name="consultant" value="(\d+)"')


class SignedIn(FastHttpUser):
    """A person signed in before the steps (as at the start of a day's work): the steps
    measure the pages, not the password hashing of a login."""

    abstract = True
    role = ""
    wait_time = random_pacing(1)

    def on_start(self) -> None:
        self.person = random.choice(PEOPLE[self.role])
        host = urlsplit(self.host).hostname or ""
        self.client.cookiejar.set_cookie(session_cookie(host, self.person["session"]))

    def page(self, path: str, name: str) -> Any:
        """GET a page; anything but 200 (a redirect to the login page) is a failure. Then,
        as the page's notice bell does when it loads, its count."""
        with self.client.get(
            path, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
        if BELL:
            with self.client.get(
                "/notices/count/",
                name=BELL_NAME,
                headers={"HX-Request": "true", "X-Background-Poll": "1"},
                allow_redirects=False,
                catch_response=True,
            ) as bell:
                if bell.status_code != 200:
                    bell.failure(f"HTTP {bell.status_code}")
        return response


class FrontDesk(SignedIn):
    role, weight = "desk", 20

    @task(3)
    def desk(self) -> None:
        self.page("/desk/", name="desk")

    @task(1)
    def log_walk_in(self) -> None:
        form = self.page("/desk/", name="desk")
        token, consultant = CSRF.search(form.text), CONSULTANT_BUTTON.search(form.text)
        if not (token and consultant):  # nobody to hand the party to: count it failed
            self.environment.events.request.fire(
                request_type="POST",
                name="log walk-in",
                response_time=0,
                response_length=0,
                exception=RuntimeError("no form or no consultant on the desk"),
                context={},
            )
            return
        with self.client.post(
            "/desk/walk-ins/new/",
            {
                "csrfmiddlewaretoken": token.group(1),
                "party_size": "1",
                "visit_type": "first",
                "consultant": consultant.group(1),
                "name": "压测",
            },
            name="log walk-in",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:  # logged, back to the desk
                response.failure(f"HTTP {response.status_code}")


class Consultant(SignedIn):
    role, weight = "consultant", 35

    @task
    def my_day(self) -> None:
        self.page("/sales/my-day/", name="my day")

    @task
    def card(self) -> None:
        if self.person["cards"]:
            pk = random.choice(self.person["cards"])
            self.page(f"/customers/{pk}/", name="customer card")


class Manager(SignedIn):
    role, weight = "manager", 25

    @task(2)
    def dashboard(self) -> None:
        self.page("/kpi/dashboard/", name="dashboard")

    @task(1)
    def evening(self) -> None:
        self.page("/reports/evening/", name="evening meeting")


class Group(SignedIn):
    role, weight = "group", 5

    @task
    def stores_side_by_side(self) -> None:
        self.page("/kpi/group/", name="group")


class LeadApi(FastHttpUser):
    weight = 15
    wait_time = random_pacing(1)

    def on_start(self) -> None:
        self.person = random.choice(PEOPLE["api"])

    @task
    def lead(self) -> None:
        phone = f"139{random.randrange(10**8):08d}"
        self.client.post(
            "/api/leads",
            json={
                "store": self.person["store"],
                "channel": "internet",
                "phone": phone,
                "name": "压测",
                "model": "A",
            },
            headers={"X-API-Key": self.person["key"]},
            name="lead API",
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    env: dict[str, str], workers: int, threads: int
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    server = subprocess.Popen(
        [
            *(str(BIN / "gunicorn"), "showroom.wsgi", "--workers", str(workers)),
            *("--threads", str(threads)),
            *("--bind", f"127.0.0.1:{port}", "--log-level", "warning"),
        ],
        env=env,
        cwd=ROOT,
    )
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("gunicorn did not start")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and of its children (gunicorn's workers)."""
    total = 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return total
    return total + sum(cpu_seconds(int(child)) for child in children)


def step(env: Environment, rate: int, warmup: float, seconds: float, server: int) -> dict[str, Any]:
    runner = env.runner
    assert runner is not None
    runner.start(rate, spawn_rate=max(rate, 1))
    gevent.sleep(warmup)
    env.stats.reset_all()
    SENT.clear()
    started = time.monotonic()
    locust_cpu, server_cpu = time.process_time(), cpu_seconds(server)
    gevent.sleep(seconds)
    elapsed = time.monotonic() - started
    locust_cpu, server_cpu = time.process_time() - locust_cpu, cpu_seconds(server) - server_cpu
    pages = {}
    for (name, _method), entry in sorted(env.stats.entries.items()):
        if name == "login" or not entry.num_requests:
            continue
        pages[name] = {
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "p50": entry.get_response_time_percentile(0.5),
            "p95": entry.get_response_time_percentile(0.95),
            "p99": entry.get_response_time_percentile(0.99),
        }
    total = env.stats.total
    requests = max(total.num_requests, 1)
    own = StatsEntry(env.stats, "pages", "")
    for (name, _method), entry in env.stats.entries.items():
        if name != BELL_NAME:
            own.extend(entry)
    return {
        "rate": rate,
        "achieved": round(total.num_requests / elapsed, 1),
        "pages_per_s": round(own.num_requests / elapsed, 1),
        "pages_p95": own.get_response_time_percentile(0.95),
        # CPU milliseconds a request: gunicorn's workers (PostgreSQL's not counted) and locust.
        "server_cpu_ms": round(server_cpu * 1000 / requests, 1),
        "locust_cpu_ms": round(locust_cpu * 1000 / requests, 1),
        "load_average": round(os.getloadavg()[0], 1),
        "failures": total.num_failures,
        "p50": total.get_response_time_percentile(0.5),
        "p95": total.get_response_time_percentile(0.95),
        "p99": total.get_response_time_percentile(0.99),
        "pages": pages,
        "bunching": bunching(SENT),
    }


def held(result: dict[str, Any]) -> bool:
    return bool(result["pages_p95"] <= P95_MS and not result["failures"])


def print_step(result: dict[str, Any]) -> None:
    print(
        f"\n{result['rate']:>4} people offered → {result['achieved']:6.1f} req/s "
        f"({result['pages_per_s']} pages/s, the pages' p95 {result['pages_p95']:.0f} ms); all: "
        f"p50 {result['p50']:.0f} ms, p95 {result['p95']:.0f} ms, p99 {result['p99']:.0f} ms, "
        f"{result['failures']} failures — {'held' if held(result) else 'NOT held'}"
    )
    print(
        f"  CPU a request: gunicorn {result['server_cpu_ms']} ms, locust "
        f"{result['locust_cpu_ms']} ms; load average {result['load_average']}"
    )
    most, mean = result["bunching"]
    print(f"  sent within 100 ms: at most {most} requests, {mean:.1f} on average")
    print(f"  {'page':<18}{'req':>6}{'fail':>6}{'p50':>7}{'p95':>7}{'p99':>7}")
    for name, page in result["pages"].items():
        print(
            f"  {name:<18}{page['requests']:>6}{page['failures']:>6}"
            f"{page['p50']:>7.0f}{page['p95']:>7.0f}{page['p99']:>7.0f}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default=PG_URL, help="DATABASE_URL of a benchmark copy")
    parser.add_argument("--rates", default="10,25,50,75,100", help="offered rates, req/s")
    parser.add_argument("--step-seconds", type=float, default=30)
    parser.add_argument("--warmup-seconds", type=float, default=8)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=1, help="threads of each worker")
    parser.add_argument("--stores", type=int, default=20, help="stores whose staff take part")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/3", help="REDIS_URL ('' none)")
    parser.add_argument("--pool", type=int, default=2, help="DB_POOL_SIZE of each worker")
    parser.add_argument(
        "--pacing",
        choices=("random", "steady"),
        default="random",
        help="random: each person's tasks at random moments (default); steady: locust's "
        "constant_throughput, a task every second on the second the person started",
    )
    parser.add_argument(
        "--no-bell", action="store_true", help="leave out the bell's count after each page"
    )
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    global BELL
    BELL = not args.no_bell
    if args.pacing == "steady":
        for user_class in (SignedIn, LeadApi):
            user_class.wait_time = constant_throughput(1)

    env = {
        **os.environ,
        "DATABASE_URL": args.database,
        "SECRET_KEY": os.environ.get("SECRET_KEY", "load-test-only"),
        "ALLOWED_HOSTS": "127.0.0.1",
        "PYTHONPATH": str(ROOT / "src"),
        "DJANGO_SETTINGS_MODULE": "showroom.settings",
        # Every simulated person signs in from 127.0.0.1.
        "SHOWROOM_LOGIN_FAILURE_LIMIT": "100000",
        "SHOWROOM_LEAD_API_RATE": "100000",
        # As a group would run it: one cache shared by the workers (the past periods' figures,
        # the stores side by side), and each worker's PostgreSQL connections pooled.
        "REDIS_URL": args.redis,
        "DB_POOL_SIZE": str(args.pool),
    }
    if not args.redis:
        print("!! no --redis: each gunicorn worker keeps its own cache", file=sys.stderr)
    prepared = subprocess.run(
        [sys.executable, "-c", PREPARE, str(args.stores)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if prepared.returncode:
        print(prepared.stderr[-3000:], file=sys.stderr)
        return 1
    PEOPLE.update(json.loads(prepared.stdout.strip().splitlines()[-1]))
    classes: list[type[locust.User]] = [
        cls
        for cls, role in (
            (FrontDesk, "desk"),
            (Consultant, "consultant"),
            (Manager, "manager"),
            (Group, "group"),
            (LeadApi, "api"),
        )
        if PEOPLE[role]
    ]
    print(
        f"locust {locust.__version__}; {len(PEOPLE['api'])} stores, "
        + ", ".join(f"{len(v)} {k}" for k, v in PEOPLE.items())
        + f"; gunicorn {args.workers} workers × {args.threads} threads, pool {args.pool}"
        + f"; {args.pacing} pacing"
        + ("; each page's bell" if BELL else "; no bell")
        + f"; load average {os.getloadavg()[0]:.1f}"
    )
    server, host = start_server(env, args.workers, args.threads)
    results = []
    try:
        environment = Environment(user_classes=classes, host=host)
        environment.events.request.add_listener(sent)
        environment.create_local_runner()
        for rate in (int(r) for r in args.rates.split(",")):
            result = step(environment, rate, args.warmup_seconds, args.step_seconds, server.pid)
            print_step(result)
            results.append(result)
        assert environment.runner is not None
        environment.runner.quit()
    finally:
        server.terminate()
        server.wait(timeout=30)
    kept = [r for r in results if held(r)]
    knee = max(kept, key=lambda r: r["achieved"]) if kept else None
    print(
        f"\nknee: {knee['achieved']} req/s held ({knee['pages_per_s']} pages/s; offered "
        f"{knee['rate']}) with the pages' p95 ≤ {P95_MS} ms"
        if knee
        else f"\nknee: no step held the pages' p95 ≤ {P95_MS} ms without errors"
    )
    if args.json:
        Path(args.json).write_text(json.dumps({"steps": results, "knee": knee}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
