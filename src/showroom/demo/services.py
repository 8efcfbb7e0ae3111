"""The dealership of `showroom demo`: one store, six months of traffic, one login per role."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from showroom.demo import names
from showroom.demo.generator import TIME_ZONE, StoreSummary, add_months, add_store
from showroom.organization.choices import Role
from showroom.organization.models import DealerGroup, Staff, Store

DEMO_CODE = "DEMO"
DEMO_PASSWORD = "demo1234"  # printed on the console: a demo, not a deployment
DEMO_MONTHS = 6
DEMO_SEED = 1
# One login per role; the store's staff of that role get these user names.
LOGINS = [
    (Role.RECEPTIONIST, "reception"),
    (Role.CONSULTANT, "consultant"),
    (Role.MANAGER, "manager"),
    (Role.ASSISTANT, "assistant"),
    (Role.DCC, "dcc"),
    (Role.CRM, "crm"),
    (Role.MARKETING, "marketing"),
    (Role.GENERAL_MANAGER, "gm"),
    (Role.GROUP, "group"),
]


@dataclass(frozen=True)
class DemoLogin:
    role: Role
    username: str
    password: str


def ensure_demo_store(*, now: datetime | None = None) -> tuple[Store, StoreSummary | None]:
    """The demo store, generated if the database has none: six months of traffic up to `now`
    (default: the current time). The summary is None when the store was already there."""
    store = Store.objects.filter(code=DEMO_CODE).first()
    if store is not None:
        return store, None
    now = (now or timezone.now()).astimezone(zoneinfo.ZoneInfo(TIME_ZONE))
    group, _ = DealerGroup.objects.get_or_create(name=names.GROUP_NAME)
    summary = add_store(
        code=DEMO_CODE,
        name=names.DEMO_STORE_NAME,
        brand=names.DEMO_BRAND,
        start=add_months(now.date().replace(day=1), -(DEMO_MONTHS - 1)),
        months=DEMO_MONTHS,
        seed=DEMO_SEED,
        until=now,
        group=group,
    )
    return summary.store, summary


@transaction.atomic
def ensure_demo_logins(store: Store) -> list[DemoLogin]:
    """Give one staff member of each role a known user name and the demo password.

    Running it again changes nothing but resetting those passwords. A user name already taken
    by somebody else is left alone and the demo login gets a `demo-` prefix instead.
    """
    password = make_password(DEMO_PASSWORD)  # hashed once: hashing is deliberately slow
    logins = []
    for role, username in LOGINS:
        if role == Role.GROUP:
            staff = Staff.objects.filter(username__in=[username, f"demo-{username}"], store=None)
            staff = staff.with_role(Role.GROUP).order_by("username").first() or Staff(
                store=None, roles=Role.GROUP, full_name=names.DEMO_GROUP_ANALYST
            )
        else:
            staff = (
                Staff.objects.filter(store=store)
                .with_role(role)
                .order_by("rotation_order", "staff_code")
                .first()
            )
            if staff is None:
                continue
        if staff.username not in {username, f"demo-{username}"}:
            taken = Staff.objects.filter(username=username).exclude(pk=staff.pk).exists()
            staff.username = f"demo-{username}" if taken else username
        staff.password = password
        staff.is_active = True
        if staff.pk is None:
            staff.save()
        else:
            staff.save(update_fields=["username", "password", "is_active"])
        logins.append(DemoLogin(role=role, username=staff.username, password=DEMO_PASSWORD))
    return logins
