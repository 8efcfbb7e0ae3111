"""Every URL × every role, GET and POST, against a small world of two stores.

The first store has two consultants (张伟, whose rows are "own", and 李娜, "colleague"); the
second store has one. Each consultant has a customer, a walk-in, a call, an order delivered,
a loss report, a car, a call-list entry, a cross-check exception and an intent check, all
named after their customer. Each request fills the URL's ids with the row of one of them.

A visitor who is not signed in goes to the login page (the API answers 401 itself); a role the
screen table does not admit gets 403; an admitted role gets a page, a redirect, 404 or 405,
never a server error; every answer carries the Content-Security-Policy with scripts from the
site's own files only; and no answer shows the other store's customers to a user of the first
store, nor a colleague's customers to a consultant.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from showroom.organization import permissions
from showroom.organization.choices import Role
from showroom.organization.models import Staff
from showroom.organization.tests.urlwalk import Pattern, accepts_post, url_patterns
from showroom.traffic.api_keys import create_key
from showroom.traffic.models import Appointment, Lead
from tests import factories as f

pytestmark = pytest.mark.django_db

OWN = set(permissions.SCREENS_OF_THEIR_OWN)
PATTERNS = [p for p in url_patterns() if p.namespace not in OWN]
USERS = ["anonymous", *Role.values, "superuser"]
WHOSE = ("own", "colleague", "other_store")

# What each URL's ids stand for (kwarg → kind of row); a new URL with ids must be added here.
ROWS: dict[str, dict[str, str]] = {
    "traffic:desk_duty": {"pk": "staff"},
    "traffic:depart": {"pk": "walkin"},
    "traffic:walkin_cancel": {"pk": "walkin"},
    "traffic:walkin_edit": {"pk": "walkin"},
    "traffic:walkin_history": {"pk": "walkin"},
    "traffic:walkin_link": {"pk": "walkin"},
    "traffic:call_edit": {"pk": "call"},
    "traffic:call_history": {"pk": "call"},
    "traffic:call_link": {"pk": "call"},
    "traffic:api_key_revoke": {"pk": "apikey"},
    "customer_settings:source_edit": {"pk": "source"},
    "customer_settings:model_edit": {"pk": "vehicle_model"},
    "administration:store_edit": {"pk": "store"},
    "administration:store_active": {"pk": "store"},
    "administration:group_edit": {"pk": "group"},
    "administration:staff_edit": {"pk": "staff"},
    "administration:staff_password": {"pk": "staff"},
    "administration:staff_active": {"pk": "staff"},
    "administration:staff_signins": {"pk": "staff"},
    "administration:roster_duty": {"pk": "staff"},
    "administration:roster_move": {"pk": "staff"},
    "traffic:lead": {"pk": "lead"},
    "traffic:lead_contact": {"pk": "lead"},
    "traffic:lead_book": {"pk": "lead"},
    "traffic:lead_convert": {"pk": "lead"},
    "traffic:lead_close": {"pk": "lead"},
    "traffic:lead_assign": {"pk": "lead"},
    "traffic:appointment_shown": {"pk": "appointment"},
    "traffic:appointment_status": {"pk": "appointment"},
    "customers:card": {"pk": "customer"},
    "customers:edit": {"pk": "customer"},
    "customers:history": {"pk": "customer"},
    "sales:log_contact": {"pk": "customer"},
    "deals:customer": {"pk": "customer"},
    "deals:order_detail": {"pk": "order"},
    "deals:order_edit": {"pk": "order"},
    "deals:order_cancel": {"pk": "order"},
    "deals:order_restore": {"pk": "order"},
    "deals:order_history": {"pk": "order"},
    "deals:deliver": {"pk": "order"},
    "deals:aftercare_done": {"pk": "order", "kind": "=call_3day"},
    "deals:loss_detail": {"pk": "loss"},
    "deals:loss_confirm": {"pk": "loss"},
    "deals:loss_return": {"pk": "loss"},
    "deals:loss_reopen": {"pk": "loss"},
    "owners:detail": {"pk": "customer"},
    "owners:vehicle_new": {"pk": "customer"},
    "owners:visit_new": {"pk": "customer"},
    "owners:care_new": {"pk": "customer"},
    "owners:referral_add": {"pk": "customer"},
    "owners:vehicle_edit": {"pk": "vehicle"},
    "crm:crosscheck_explain": {"pk": "exception"},
    "crm:intent_record": {"pk": "intent"},
    "crm:list_detail": {"pk": "list"},
    "crm:list_submit": {"pk": "list"},
    "crm:list_assign": {"pk": "list"},
    "crm:list_close": {"pk": "list"},
    "crm:entry": {"pk": "entry"},
    "crm:entry_call": {"pk": "entry"},
    "crm:entry_card": {"pk": "entry"},
    "crm:entry_close": {"pk": "entry"},
    "crm:interview": {"order_pk": "order"},
    "crm:survey_edit": {"pk": "survey"},
    "crm:survey_take": {"pk": "survey"},
    "crm:survey_results": {"pk": "survey"},
    "crm:report": {"kind": "=dormant"},
    "crm:report_xlsx": {"kind": "=deals"},
    "notices:open": {"pk": "notice"},
    "notices:read": {"pk": "notice"},
    "exchange:import_detail": {"pk": "batch"},
    "exchange:import_confirm": {"pk": "batch"},
    "exchange:import_undo": {"pk": "batch"},
}


# Screens that every admitted role reads but that fewer may change (the view checks the POST).
CHANGED_BY: dict[str, frozenset[str]] = {
    "kpi:value": permissions.MANAGERS,
}


@dataclass
class Person:
    """A consultant's rows: the ids by kind, and what must not leak (name, phone)."""

    rows: dict[str, int]
    secrets: tuple[str, ...]


@dataclass
class World:
    people: dict[str, Person]  # own / colleague / other_store
    sessions: dict[str, str]  # user → session key
    client: Client


def _person(store: Any, consultant: Staff, crm: Staff, tag: str, phone: str) -> Person:
    from showroom.crm.models import CallList, CallListEntry, CrosscheckException, IntentCheck
    from showroom.customers.models import Source, VehicleModel
    from showroom.exchange.models import ImportBatch
    from showroom.notices.models import Notice
    from showroom.owners.models import Vehicle
    from showroom.sales.models import LossReport, Order

    today = timezone.localdate()
    name, lost_name = f"客户{tag}{tag}", f"战败{tag}{tag}"
    lost_phone = phone[:-1] + "9"
    customer = f.CustomerFactory(
        store=store, consultant=consultant, name=name, phone=phone, grade="H", created=today
    )
    lost = f.CustomerFactory(
        store=store, consultant=consultant, name=lost_name, phone=lost_phone, created=today
    )
    walkin = f.WalkInFactory(
        store=store, consultant=consultant, date=today, name=name, phone=phone, customer=customer
    )
    call = f.CallFactory(store=store, consultant=consultant, date=today, name=name, phone=phone)
    order = Order.objects.create(
        store=store,
        customer=customer,
        consultant=consultant,
        order_date=today - dt.timedelta(days=5),
        delivery_date=today - dt.timedelta(days=4),
        model="途胜",
    )
    vehicle = Vehicle.objects.create(
        store=store, customer=customer, order=order, model="途胜", delivery_date=order.delivery_date
    )
    loss = LossReport.objects.create(
        store=store,
        customer=lost,
        consultant=consultant,
        date=today,
        kind="lost",
        reason="price",
    )
    call_list = CallList.objects.create(
        store=store, kind="dormant", name=f"名单{tag}", created_on=today, created_by=crm
    )
    entry = CallListEntry.objects.create(
        store=store,
        call_list=call_list,
        customer=customer,
        name=name,
        phone=phone,
        assigned_to=consultant,
        assigned_on=today,
    )
    exception = CrosscheckException.objects.create(
        store=store,
        code="missing_model",
        key=f"walkin:{walkin.pk}",
        date=today,
        consultant=consultant,
        phone=phone,
        message=name,
        found_on=today,
        last_seen_on=today,
    )
    intent = IntentCheck.objects.create(store=store, customer=customer, sampled_on=today)
    apikey, _raw = create_key(store=store, name=f"网站{tag}", created_by=None)
    lead = Lead.objects.create(
        store=store,
        created_at=timezone.now() - dt.timedelta(hours=2),
        channel=f.source("internet"),
        name=name,
        phone=phone,
        assigned_to=consultant,
        customer=customer,
    )
    appointment = Appointment.objects.create(
        store=store,
        lead=lead,
        customer=customer,
        name=name,
        phone=phone,
        consultant=consultant,
        booked_by=consultant,
        starts_at=timezone.now(),
        purpose="visit",
    )
    survey = f.SurveyFactory(store=store, title=f"调查{tag}")
    # An upload whose error table names the customer.
    batch = ImportBatch.objects.create(
        store=store,
        user=crm,
        actor=crm.username,
        file_names=[f"{name}.xlsx"],
        problems=[[f"{name}.xlsx", "客户信息卡", 2, "联系电话", phone, "联系电话重复"]],
        status="failed",
    )
    f.SurveyQuestionFactory(survey=survey)
    return Person(
        rows={
            "customer": customer.pk,
            "walkin": walkin.pk,
            "call": call.pk,
            "order": order.pk,
            "vehicle": vehicle.pk,
            "loss": loss.pk,
            "list": call_list.pk,
            "entry": entry.pk,
            "exception": exception.pk,
            "intent": intent.pk,
            "survey": survey.pk,
            "apikey": apikey.pk,
            "store": store.pk,
            "staff": consultant.pk,
            "source": Source.objects.create(store=store, code=f"s{tag}", name_zh=f"来源{tag}").pk,
            "vehicle_model": VehicleModel.objects.create(store=store, name=f"车型{tag}").pk,
            "group": store.group_id,
            # The walk-in registered for them (no one signed in made it): their notice.
            "notice": Notice.objects.get(recipient=consultant, key=f"walkin:{walkin.pk}").pk,
            "batch": batch.pk,
            "lead": lead.pk,
            "appointment": appointment.pk,
        },
        secrets=(name, phone, lost_name, lost_phone),
    )


def _build() -> World:
    store = f.StoreFactory(code="BJ01", name="北京一店")
    far = f.StoreFactory(code="SH01", name="上海一店")
    staff = {
        role: f.StaffFactory(username=f"m-{role}", roles=role, store=store, full_name=f"员工{role}")
        for role in Role.values
        if role not in (Role.GROUP, Role.GROUP_ADMIN)
    }
    staff[Role.GROUP] = f.StaffFactory(username="m-group", roles=Role.GROUP, store=None)
    staff[Role.GROUP_ADMIN] = f.StaffFactory(
        username="m-group-admin", roles=Role.GROUP_ADMIN, store=None
    )
    staff["superuser"] = f.StaffFactory(
        username="m-root", roles="", store=None, is_superuser=True, is_staff=True
    )
    zhang = staff[Role.CONSULTANT]
    li = f.StaffFactory(username="m-li", roles=Role.CONSULTANT, store=store, full_name="李娜")
    wu = f.StaffFactory(username="m-wu", roles=Role.CONSULTANT, store=far, full_name="吴刚")
    far_crm = f.StaffFactory(username="m-far-crm", roles=Role.CRM, store=far)
    people = {
        "own": _person(store, zhang, staff[Role.CRM], "甲", "13811110001"),
        "colleague": _person(store, li, staff[Role.CRM], "乙", "13822220002"),
        "other_store": _person(far, wu, far_crm, "丙", "13833330003"),
    }
    sessions = {}
    for user, person in staff.items():
        client = Client()
        client.force_login(person)
        sessions[user] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return World(people=people, sessions=sessions, client=Client())


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """Built once for the module inside a transaction rolled back at its end; each test's
    own changes are rolled back by its `db` savepoint."""
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), transaction.atomic(), fast:
        yield _build()
        transaction.set_rollback(True)


def _path(pattern: Pattern, world: World, whose: str) -> str | None:
    kinds = ROWS.get(pattern.name, {})
    kwargs: dict[str, Any] = {}
    for arg in pattern.converters:
        kind = kinds[arg]
        kwargs[arg] = kind[1:] if kind.startswith("=") else world.people[whose].rows[kind]
    if not kwargs and whose != "own":
        # A screen without ids: ask it for the other store instead (no consultant variant).
        return reverse(pattern.name) + "?store=SH01" if whose == "other_store" else None
    return reverse(pattern.name, kwargs=kwargs)


def _text(response: Any) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body[:2] == b"PK":  # a workbook: read its parts
        with zipfile.ZipFile(io.BytesIO(body)) as z:
            return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    return body.decode("utf-8", "replace")


def _may_not_see(user: str, world: World) -> list[str]:
    if user in ("group", "superuser", "anonymous"):
        return []  # the group and superusers see every store
    hidden = list(world.people["other_store"].secrets)
    if user == Role.CONSULTANT:
        hidden += world.people["colleague"].secrets
    return hidden


def _expected(pattern: Pattern, user: str, whose: str, method: str) -> set[int]:
    entry = permissions.SCREENS[pattern.name]
    if method == "post" and user in entry - CHANGED_BY.get(pattern.name, entry):
        return {200, 403}  # refused, or the page shown again without a change
    if entry == permissions.PUBLIC:
        return {200, 204, 302, 405}
    if entry == permissions.OWN_AUTH:
        return {401, 404, 405} if user == "anonymous" else {200, 401, 403, 404, 405, 422}
    if user == "anonymous":
        return {302}
    if user != "superuser" and entry != permissions.SIGNED_IN and user not in entry:
        return {403}
    if whose == "own" or user in ("group", "superuser"):
        return {200, 302, 404, 405}
    # Somebody else's row, or another store: not found or refused, or a page without it.
    return {200, 302, 403, 404, 405}


CASES = [(p, u) for p in PATTERNS for u in USERS]


def test_the_matrix_asks_every_screen_as_every_role() -> None:
    # No view checks roles itself any more: the matrix is what proves the table is enforced.
    assert {p.name for p, _user in CASES} == set(permissions.SCREENS)
    assert {u for _pattern, u in CASES} == {"anonymous", "superuser", *Role.values}
    assert len(CASES) == len(PATTERNS) * len(USERS)


@pytest.mark.parametrize(("pattern", "user"), CASES, ids=[f"{p.name}-{u}" for p, u in CASES])
def test_matrix(world: World, pattern: Pattern, user: str) -> None:
    post = accepts_post(pattern.callback) or pattern.namespace == "api"
    methods = ["get", "post"] if post else ["get"]
    hidden = _may_not_see(user, world)
    # The group and superusers see every store: only their own request is of interest.
    for whose in WHOSE if user not in ("group", "superuser") else ("own",):
        path = _path(pattern, world, whose)
        if path is None:
            continue
        for method in methods:
            response = getattr(_as(world, user), method)(path)
            where = f"{method.upper()} {path} as {user} ({whose})"
            expected = _expected(pattern, user, whose, method)
            if method == "post" and expected != {403}:
                expected |= {400}  # an empty form may be a bad request
            assert response.status_code in expected, where
            if response.status_code == 302 and user == "anonymous":
                if permissions.SCREENS[pattern.name] != permissions.PUBLIC:
                    assert response["Location"].startswith(reverse("login")), where
            _check_policy(response, where)
            text = _text(response)
            leaked = [s for s in hidden if s in text]
            assert leaked == [], where


def _check_policy(response: Any, where: str) -> None:
    """Every answer carries the Content-Security-Policy; no page may run inline script."""
    parts = (
        part.strip().partition(" ")
        for part in response.get("Content-Security-Policy", "").split(";")
    )
    policy = {name: value for name, _, value in parts if name}
    assert policy.get("script-src") == "'self'", where
    assert policy.get("default-src") == "'self'", where


def _as(world: World, user: str) -> Client:
    client = world.client
    client.cookies = SimpleCookie()
    if user != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[user]
    return client


def test_the_world_shows_each_user_what_is_theirs(world: World) -> None:
    # Without this the matrix's "nothing leaked" could pass on empty pages.
    own, colleague = world.people["own"].secrets[0], world.people["colleague"].secrets[0]
    far = world.people["other_store"].secrets[0]
    mine = _as(world, Role.CONSULTANT).get(reverse("customers:list")).content.decode()
    assert own in mine and colleague not in mine
    store = _as(world, Role.MANAGER).get(reverse("customers:list")).content.decode()
    assert own in store and colleague in store and far not in store
    day = timezone.localdate().isoformat()
    query = {"kpi": "walkin_batches", "store": "SH01", "day": day}
    far_rows = _as(world, Role.GROUP).get(reverse("kpi:drill"), query).content.decode()
    assert far in far_rows
