"""The dealership of `showroom demo`: one store, six months of traffic, one login per role."""

from __future__ import annotations

import math
import random
import zoneinfo
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from showroom.core.months import add_months
from showroom.demo import names
from showroom.demo.generator import TIME_ZONE, StoreSummary, add_store
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
    (Role.STORE_ADMIN, "storeadmin"),
    (Role.GROUP_ADMIN, "groupadmin"),
]
# Logins the generated staff do not include: made for the demo (group-level ones without a store).
MADE_FOR_DEMO = {
    Role.GROUP: names.DEMO_GROUP_ANALYST,
    Role.GROUP_ADMIN: names.DEMO_GROUP_ADMIN,
    Role.STORE_ADMIN: names.DEMO_STORE_ADMIN,
}
GROUP_LEVEL = {Role.GROUP, Role.GROUP_ADMIN}


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
        if role in GROUP_LEVEL:
            staff = Staff.objects.filter(username__in=[username, f"demo-{username}"], store=None)
            staff = staff.with_role(role).order_by("username").first() or Staff(
                store=None, roles=role, full_name=MADE_FOR_DEMO[role]
            )
        else:
            staff = (
                Staff.objects.filter(store=store)
                .with_role(role)
                .order_by("rotation_order", "staff_code")
                .first()
            )
            if staff is None and role in MADE_FOR_DEMO:
                staff = Staff(store=store, roles=role, full_name=MADE_FOR_DEMO[role])
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


@transaction.atomic
def ensure_demo_call_lists(store: Store) -> int:
    """Three call lists as the CRM would have them today, unless the store has lists already:
    lost customers for activation, called and submitted, the interested handed to consultants
    by the manager; owners who would refer or buy again (delivery interviews) half called;
    dormant customers not yet called. Returns
    how many lists were made."""
    from showroom.crm.choices import CallOutcome, ListKind
    from showroom.crm.lists import services as list_services
    from showroom.crm.models import CallList

    if CallList.objects.filter(store=store).exists():
        return 0
    crm = Staff.objects.filter(store=store).with_role(Role.CRM).order_by("pk").first()
    manager = Staff.objects.filter(store=store).with_role(Role.MANAGER).order_by("pk").first()
    consultants = list(Staff.objects.consultants(store).order_by("rotation_order", "pk"))
    if crm is None or manager is None or not consultants:
        return 0
    rng = random.Random(f"demo-lists:{store.code}")
    outcomes = [
        CallOutcome.INTERESTED,
        CallOutcome.NOT_INTERESTED,
        CallOutcome.NOT_REACHED,
        CallOutcome.CALL_BACK,
    ]
    plans = [
        (ListKind.ACTIVATION, _("Lost customers, last 14 days"), 14, 1.0, True),
        (ListKind.INTERVIEW_INTENT, _("Would refer or buy again, last 14 days"), 14, 0.5, False),
        (ListKind.DORMANT, _("Dormant customers"), 90, 0.0, False),
    ]
    made = 0
    for kind, name, days, called, submit in plans:
        call_list = list_services.create_list(
            store=store, user=crm, kind=kind, name=str(name), params={"days": days}
        )
        made += 1
        entries = list(call_list.entries.order_by("pk"))
        for entry in entries[: math.ceil(len(entries) * called)]:
            outcome = rng.choices(outcomes, weights=(30, 35, 25, 10))[0]
            list_services.record_call(
                entry,
                user=crm,
                expected_version=entry.version,
                outcome=outcome,
                intended_model=entry.customer.model if entry.customer else "",
                notes="",
            )
        if submit and call_list.entries.filter(outcome=CallOutcome.INTERESTED).exists():
            list_services.submit_list(call_list, user=crm)
            interested = list(call_list.entries.filter(outcome=CallOutcome.INTERESTED))
            for i, entry in enumerate(interested):
                list_services.assign(
                    [entry], consultant=consultants[i % len(consultants)], user=manager
                )
    return made
