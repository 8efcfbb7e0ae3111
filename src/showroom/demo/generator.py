"""Synthetic but realistic dealerships (`showroom generate`): stores, staff, the traffic registers,
and what follows them — grade logs, follow-ups, test drives, quotes, orders and deliveries, loss
requests and the manager's decisions, owners with their vehicles and service visits, leads, and
the manager's reviews of daily reports.

Each store draws from its own `random.Random`, seeded from (seed, store code), so the same seed
gives the same data whatever else is in the database; nothing reads the global random state
or the clock, except the default start and cut-off of `generate()` (data that ends now).

A store is built in memory day by day (traffic.py on people.py, walkins.py and calls.py, then
prospects.py, aftersales.py and store.py on top of it), then written with one bulk insert per
table (bulk.py: binary COPY on PostgreSQL, one prepared INSERT on SQLite): no query per row,
so that 200 stores × 36 months stay within minutes. `save()` is bypassed, so whatever it would
derive (phone_norm, stay_minutes, a lead's date) is set by the builder, and no history rows
are written.
"""

from __future__ import annotations

import multiprocessing
import random
import time
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, connections, transaction
from django.db.models import Model
from django.utils import timezone

from showroom.core.months import add_months
from showroom.core.processes import forget_inherited_connections
from showroom.core.statistics import refresh_statistics
from showroom.crm.models import (
    DeliveryInterview,
    IntentCheck,
    MediaSpend,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
)
from showroom.customers.models import Customer, GradeChange
from showroom.customers.services import ensure_standard_sources
from showroom.demo import names
from showroom.demo.bulk import BATCH, insert
from showroom.demo.crm import CrmBuilder
from showroom.demo.store import StoreBuilder
from showroom.organization.choices import Role
from showroom.organization.models import DealerGroup, Staff, Store
from showroom.owners.models import ServiceVisit, Vehicle
from showroom.sales import spans as kept_state
from showroom.sales.models import (
    Activity,
    DailyReview,
    LossReport,
    Order,
    Quote,
    Reactivation,
    TestDrive,
)
from showroom.targets.services import seed_targets
from showroom.traffic.models import Appointment, Call, Lead, LeadContact, WalkIn

__all__ = ["GenerateResult", "StoreSummary", "add_store", "generate"]

TIME_ZONE = "Asia/Shanghai"

# The store's other staff: role and the letter of their staff code.
OTHER_ROLES = [
    (Role.RECEPTIONIST, "R"),
    (Role.MANAGER, "M"),
    (Role.ASSISTANT, "A"),
    (Role.CRM, "K"),
    (Role.DCC, "D"),
    (Role.MARKETING, "S"),
    (Role.GENERAL_MANAGER, "G"),
]


# The tables a store gets, in the order they are written, each with the builder's list of rows.
TABLES: list[tuple[str, type[Model]]] = [
    ("customers", Customer),
    ("walk_ins", WalkIn),
    ("calls", Call),
    ("leads", Lead),
    ("lead_contacts", LeadContact),
    ("appointments", Appointment),
    ("grade_changes", GradeChange),
    ("activities", Activity),
    ("test_drives", TestDrive),
    ("quotes", Quote),
    ("orders", Order),
    ("losses", LossReport),
    ("reactivations", Reactivation),
    ("vehicles", Vehicle),
    ("service_visits", ServiceVisit),
    ("reviews", DailyReview),
]
# The CRM department's tables (demo/crm.py), written after the store's.
CRM_TABLES: list[tuple[str, type[Model]]] = [
    ("media_spend", MediaSpend),
    ("surveys", Survey),
    ("survey_questions", SurveyQuestion),
    ("intent_checks", IntentCheck),
    ("interviews", DeliveryInterview),
    ("survey_responses", SurveyResponse),
    ("survey_answers", SurveyAnswer),
]


@dataclass(frozen=True)
class StoreSummary:
    store: Store
    staff: int
    rows: dict[str, int]  # rows added per table of TABLES
    seconds: float

    @property
    def customers(self) -> int:
        return self.rows["customers"]

    @property
    def walk_ins(self) -> int:
        return self.rows["walk_ins"]

    @property
    def calls(self) -> int:
        return self.rows["calls"]

    @property
    def counts(self) -> dict[str, int]:
        return {"stores": 1, "staff": self.staff, **self.rows}


@dataclass(frozen=True)
class GenerateResult:
    stores: list[StoreSummary]
    seconds: float

    @property
    def counts(self) -> dict[str, int]:
        totals = {"stores": len(self.stores), "staff": sum(s.staff for s in self.stores)}
        for name, _ in TABLES + CRM_TABLES:
            totals[name] = sum(s.rows[name] for s in self.stores)
        return totals


def generate(
    *,
    stores: int,
    months: int,
    seed: int = 1,
    start: date | None = None,
    consultants: int = 12,
    progress: Callable[[StoreSummary], None] | None = None,
    jobs: int = 1,
    check_references: bool = False,
) -> GenerateResult:
    """Add `stores` new stores (codes S001, S002, … after the highest existing one), each with
    staff and `months` months of data from `start` (a month's first day). Without `start` the
    months end with the current one and the data stops now.

    With `jobs` > 1 on PostgreSQL, outside a transaction, that many processes build and write
    stores side by side; a store's data depends only on the seed and its code, so it is the
    same either way. Progress is reported in store order."""
    began = time.monotonic()
    ensure_standard_sources()
    until = None
    if start is None:
        until = timezone.now().astimezone(zoneinfo.ZoneInfo(TIME_ZONE))
        start = add_months(until.date().replace(day=1), -(months - 1))
    group, _ = DealerGroup.objects.get_or_create(name=names.GROUP_NAME)
    taken_codes = set(Store.objects.values_list("code", flat=True))
    taken_names = set(Store.objects.values_list("name", flat=True))
    number = max((int(c[1:]) for c in taken_codes if c[:1] == "S" and c[1:].isdigit()), default=0)
    tasks: list[dict[str, Any]] = []
    for _ in range(stores):
        number += 1
        code = f"S{number:03d}"
        rng = random.Random(f"store-name:{seed}:{code}")
        brand, name = _store_name(rng, taken_names)
        taken_names.add(name)
        tasks.append(
            {
                "code": code,
                "name": name,
                "brand": brand,
                "start": start,
                "months": months,
                "seed": seed,
                "consultants": consultants,
                "until": until,
                "group": group,
                "check_references": check_references,
            }
        )
    parallel = (
        jobs > 1
        and len(tasks) > 1
        and connection.vendor == "postgresql"
        and not connection.in_atomic_block
        and "fork" in multiprocessing.get_all_start_methods()
    )
    summaries = []
    if parallel:
        connections.close_all()  # each process opens its own; a socket must not be shared
        context = multiprocessing.get_context("fork")
        with context.Pool(min(jobs, len(tasks)), initializer=forget_inherited_connections) as pool:
            for summary in pool.imap(_add_store, tasks):
                summaries.append(summary)
                if progress:
                    progress(summary)
    else:
        for task in tasks:
            summary = add_store(**task)
            summaries.append(summary)
            if progress:
                progress(summary)
    if summaries:
        refresh_statistics(model._meta.db_table for _, model in TABLES + CRM_TABLES)
        kept_state.settle()
    return GenerateResult(stores=summaries, seconds=time.monotonic() - began)


def _add_store(task: dict[str, Any]) -> StoreSummary:
    try:
        return add_store(**task)
    finally:
        connections.close_all()


def add_store(
    *,
    code: str,
    name: str,
    brand: str,
    start: date,
    months: int,
    seed: int = 1,
    consultants: int = 12,
    until: datetime | None = None,
    group: DealerGroup | None = None,
    check_references: bool = False,
) -> StoreSummary:
    """One store with its staff, traffic and all that follows from `start` for `months` months
    (cut off at `until`, a store-local time, if given), written in one transaction.

    On PostgreSQL, a superuser connection skips the per-row foreign key checks unless
    `check_references` is set (see `_fast_writes`)."""
    began = time.monotonic()
    rng = random.Random(f"store:{seed}:{code}")
    with transaction.atomic():
        if connection.vendor == "postgresql":
            _fast_writes(check_references=check_references)
        store = Store.objects.create(
            code=code, name=name, brand=brand, time_zone=TIME_ZONE, group=group
        )
        staff = _staff(rng, store, consultants)
        Staff.objects.bulk_create(staff, batch_size=BATCH)
        builder = StoreBuilder(rng, store, staff)
        end = add_months(start.replace(day=1), months)
        builder.run(start, end, until)
        crm = CrmBuilder(builder, staff, random.Random(f"crm:{seed}:{code}"), start)
        crm.run()
        rows = {}
        for tables, source in ((TABLES, builder), (CRM_TABLES, crm)):
            for table, model in tables:
                built = getattr(source, table)
                insert(model, built)
                rows[table] = len(built)
        # The bulk insert sends no signals: the cards' kept state (prospect and owner spans)
        # is derived once here.
        kept_state.refresh(stores=[store])
        # The manager's monthly delivery targets, set from the store's own history.
        seed_targets(stores=[store], months=[add_months(start, i) for i in range(months)])
    return StoreSummary(store=store, staff=len(staff), rows=rows, seconds=time.monotonic() - began)


def _fast_writes(*, check_references: bool) -> None:
    """Settings for the store's transaction on PostgreSQL.

    The commit does not wait for the disk: a crash could lose the last store, never corrupt
    the database. And the foreign key triggers are off for the transaction when the connection
    may turn them off (a superuser, as pg_restore's --disable-triggers): every reference the
    generator writes points at a row it wrote in the same transaction or read from the
    database, and those checks are more than half of the database's work at group scale. The test
    suite checks the references (SQLite checks them at every test's end; the PostgreSQL tests
    also generate with `check_references`)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO OFF")
        if check_references:
            return
        cursor.execute("SELECT current_setting('is_superuser')")
        if cursor.fetchone()[0] == "on":
            cursor.execute("SET LOCAL session_replication_role = replica")


def _store_name(rng: random.Random, taken: set[str]) -> tuple[str, str]:
    for _ in range(1000):
        brand = rng.choice(list(names.BRANDS))
        city = rng.choice(list(names.CITIES))
        district = rng.choice(names.CITIES[city])
        name = f"{brand} {city}{district}店"
        if name not in taken:
            return brand, name
    raise RuntimeError("no store name left")  # pragma: no cover - 1,900 combinations


def _staff(rng: random.Random, store: Store, consultants: int) -> list[Staff]:
    password = make_password(None)  # generated staff cannot log in until given a password
    used: set[str] = set()

    def unique_name() -> str:
        while (name := names.person_name(rng)) in used:
            pass
        used.add(name)
        return name

    prefix = store.code.lower()
    staff = [
        Staff(
            store=store,
            username=f"{prefix}.c{i:02d}",
            full_name=unique_name(),
            staff_code=f"C{i:02d}",
            roles=Role.CONSULTANT,
            rotation_order=i,
            password=password,
        )
        for i in range(1, consultants + 1)
    ]
    for role, letter in OTHER_ROLES:
        staff.append(
            Staff(
                store=store,
                username=f"{prefix}.{letter.lower()}01",
                full_name=unique_name(),
                staff_code=f"{letter}01",
                roles=role,
                password=password,
            )
        )
    return staff
