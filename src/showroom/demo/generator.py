"""Synthetic but realistic dealerships: stores, staff and the traffic registers (SPEC §7 generate).

Each store draws from its own `random.Random`, seeded from (seed, store code), so the same seed
gives the same data whatever else is in the database; nothing reads the global random state
or the clock, except the default start and cut-off of `generate()` (data that ends now).

A store is built in memory (traffic.py), then written with a handful of bulk inserts (bulk.py:
COPY on PostgreSQL, one prepared INSERT on SQLite): no query per row, so that 200 stores × 36
months stay within minutes. `save()` is bypassed, so whatever it would derive (phone_norm,
stay_minutes) is set by the builder.
"""

from __future__ import annotations

import hashlib
import random
import time
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from showroom.customers.models import Customer
from showroom.demo import names
from showroom.demo.bulk import BATCH, Row, insert
from showroom.demo.traffic import TrafficBuilder
from showroom.organization.choices import Role
from showroom.organization.models import DealerGroup, Staff, Store
from showroom.traffic.models import Call, WalkIn

__all__ = [
    "GenerateResult",
    "Row",
    "StoreSummary",
    "add_months",
    "add_store",
    "generate",
    "insert",
    "store_digest",
]

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


@dataclass(frozen=True)
class StoreSummary:
    store: Store
    staff: int
    customers: int
    walk_ins: int
    calls: int
    seconds: float


@dataclass(frozen=True)
class GenerateResult:
    stores: list[StoreSummary]
    seconds: float

    @property
    def counts(self) -> dict[str, int]:
        return {
            "stores": len(self.stores),
            "staff": sum(s.staff for s in self.stores),
            "customers": sum(s.customers for s in self.stores),
            "walk_ins": sum(s.walk_ins for s in self.stores),
            "calls": sum(s.calls for s in self.stores),
        }


def generate(
    *,
    stores: int,
    months: int,
    seed: int = 1,
    start: date | None = None,
    consultants: int = 12,
    progress: Callable[[StoreSummary], None] | None = None,
) -> GenerateResult:
    """Add `stores` new stores (codes S001, S002, … after the highest existing one), each with
    staff and `months` months of traffic from `start` (a month's first day). Without `start`
    the months end with the current one and the data stops now."""
    began = time.monotonic()
    until = None
    if start is None:
        until = timezone.now().astimezone(zoneinfo.ZoneInfo(TIME_ZONE))
        start = add_months(until.date().replace(day=1), -(months - 1))
    group, _ = DealerGroup.objects.get_or_create(name=names.GROUP_NAME)
    taken_codes = set(Store.objects.values_list("code", flat=True))
    taken_names = set(Store.objects.values_list("name", flat=True))
    number = max((int(c[1:]) for c in taken_codes if c[:1] == "S" and c[1:].isdigit()), default=0)
    summaries = []
    for _ in range(stores):
        number += 1
        code = f"S{number:03d}"
        rng = random.Random(f"store-name:{seed}:{code}")
        brand, name = _store_name(rng, taken_names)
        taken_names.add(name)
        summary = add_store(
            code=code,
            name=name,
            brand=brand,
            start=start,
            months=months,
            seed=seed,
            consultants=consultants,
            until=until,
            group=group,
        )
        summaries.append(summary)
        if progress:
            progress(summary)
    return GenerateResult(stores=summaries, seconds=time.monotonic() - began)


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
) -> StoreSummary:
    """One store with its staff and traffic from `start` for `months` months (cut off at
    `until`, a store-local time, if given), written in one transaction."""
    began = time.monotonic()
    rng = random.Random(f"store:{seed}:{code}")
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Don't wait for the disk at commit: a crash could lose the last store, never corrupt.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        store = Store.objects.create(
            code=code, name=name, brand=brand, time_zone=TIME_ZONE, group=group
        )
        staff = _staff(rng, store, consultants)
        Staff.objects.bulk_create(staff, batch_size=BATCH)
        builder = TrafficBuilder(rng, store, [s for s in staff if s.roles == Role.CONSULTANT])
        end = add_months(start.replace(day=1), months)
        builder.run(start, end, until)
        insert(Customer, builder.customers, with_ids=True)
        for row in [*builder.walk_ins, *builder.calls]:
            if card := builder.cards.get(id(row)):  # the card had no id yet when the row was made
                row.customer_id = card.id
        insert(WalkIn, builder.walk_ins)
        insert(Call, builder.calls)
    return StoreSummary(
        store=store,
        staff=len(staff),
        customers=len(builder.customers),
        walk_ins=len(builder.walk_ins),
        calls=len(builder.calls),
        seconds=time.monotonic() - began,
    )


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def store_digest(store: Store) -> str:
    """A fingerprint of everything generated for a store, free of ids and timestamps."""
    digest = hashlib.sha256()
    digest.update(repr((store.code, store.name, store.brand, store.time_zone)).encode())
    tables = [
        Staff.objects.filter(store=store).values_list(
            "username", "full_name", "staff_code", "roles", "rotation_order"
        ),
        Customer.objects.filter(store=store).values_list(
            "name",
            "phone",
            "phone_norm",
            "customer_type",
            "consultant__staff_code",
            "grade",
            "source__code",
            "model",
            "purchase_timeframe",
            "created",
            "notes",
        ),
        WalkIn.objects.filter(store=store).values_list(
            "date",
            "arrived_at",
            "left_at",
            "stay_minutes",
            "party_size",
            "visit_type",
            "name",
            "phone",
            "phone_norm",
            "source__code",
            "model",
            "consultant__staff_code",
            "invited",
            "test_drive",
            "quoted",
            "grade",
            "contact_kept",
            "hand_card",
            "notes",
            "customer__phone_norm",
            "completed",
        ),
        Call.objects.filter(store=store).values_list(
            "date",
            "called_at",
            "call_type",
            "name",
            "phone",
            "phone_norm",
            "source__code",
            "model",
            "consultant__staff_code",
            "contact_kept",
            "appointment_date",
            "grade",
            "notes",
            "customer__phone_norm",
            "completed",
        ),
    ]
    for rows in tables:
        for row in rows.order_by("id"):
            digest.update(repr(row).encode())
    return digest.hexdigest()


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
