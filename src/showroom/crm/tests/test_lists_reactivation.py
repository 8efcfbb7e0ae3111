"""Re-activation (客户激活): a lost customer handed back to sales through an activation list is
a new prospect from the assignment day (docs/contracts.md); the months before are unchanged.

BJ01, 2026 (zhang = 张伟):
  X  card 08-10 B, lost 09-15 (confirmed); on the activation list of 11-10, called, submitted
     and assigned to zhang on 11-10 → re-activated 11-10
  Y  card 09-01 B, open throughout
  Z  card 11-05 B, open
Expected (by hand):
  Sep: new Y = 1; carried X = 1; lost 1 → lost_rate 1/2
  Oct: carried Y = 1 (X closed 09-15); new 0; lost_rate 0
  Nov: carried Y = 1 (X still closed on 10-31); new Z + X's re-activation = 2; B at the end
       X, Y, Z = 3; X orders 11-20 → orders 1, from new 1, order_rate 1/3
  Dec: carried Y, Z = 2 (X ordered 11-20)
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from showroom.crm.choices import CallOutcome, ListKind
from showroom.crm.lists import services
from showroom.customers.choices import CustomerType
from showroom.customers.models import Customer
from showroom.kpi.selectors import compute_kpis
from showroom.organization.choices import Role
from showroom.sales.choices import LossKind, LossReason, LossStatus
from showroom.sales.funnel import open_on
from showroom.sales.models import Handover, LossReport, Order, Reactivation
from tests import factories as f

pytestmark = pytest.mark.django_db

CODES = [
    "new_prospects",
    "carried_over_prospects",
    "prospects_B",
    "lost_rate",
    "orders",
    "orders_from_new",
    "orders_from_carried_over",
    "order_rate",
]
TZ = ZoneInfo("Asia/Shanghai")


def month(store, y: int, m: int, last: int):  # type: ignore[no-untyped-def]
    return compute_kpis(
        stores=[store], start=dt.date(y, m, 1), end=dt.date(y, m, last), codes=CODES
    )


@pytest.fixture
def world(store, consultant, consultant2, manager, make_staff):  # type: ignore[no-untyped-def]
    crm = make_staff("crm", Role.CRM, store=store, full_name="CRM小刘")
    x = f.CustomerFactory(
        store=store, consultant=consultant2, name="X", created=dt.date(2026, 8, 10)
    )
    y = f.CustomerFactory(store=store, consultant=consultant, name="Y", created=dt.date(2026, 9, 1))
    z = f.CustomerFactory(
        store=store, consultant=consultant, name="Z", created=dt.date(2026, 11, 5)
    )
    LossReport.objects.create(
        store=store,
        customer=x,
        consultant=consultant2,
        date=dt.date(2026, 9, 15),
        kind=LossKind.LOST,
        reason=LossReason.PRICE,
        status=LossStatus.CONFIRMED,
        decided_by=manager,
        decided_on=dt.date(2026, 9, 15),
    )
    Customer.objects.filter(pk=x.pk).update(customer_type=CustomerType.LOST)
    return crm, x, y, z


def reactivate_through_list(store, crm, manager, consultant, x):  # type: ignore[no-untyped-def]
    with time_machine.travel(dt.datetime(2026, 11, 10, 10, 0, tzinfo=TZ), tick=False):
        call_list = services.create_list(
            store=store, user=crm, kind=ListKind.ACTIVATION, name="激活", params={"days": 90}
        )
        entry = call_list.entries.get()
        assert entry.customer_id == x.pk
        assert services.record_call(
            entry,
            user=crm,
            expected_version=entry.version,
            outcome=CallOutcome.INTERESTED,
            intended_model="途胜",
            notes="想再看看",
        )
        assert services.submit_list(call_list, user=crm) == 1
        entry.refresh_from_db()
        assert services.assign([entry], consultant=consultant, user=manager) == 1
    return entry


def test_lost_in_september_reactivated_in_november(world, store, consultant, manager):
    crm, x, _y, _z = world
    before = {m: month(store, 2026, m, last) for m, last in ((9, 30), (10, 31))}
    entry = reactivate_through_list(store, crm, manager, consultant, x)

    react = Reactivation.objects.get()
    assert (react.customer_id, react.date, react.consultant_id, react.by_id) == (
        x.pk,
        dt.date(2026, 11, 10),
        consultant.pk,
        manager.pk,
    )
    x.refresh_from_db()
    # CRM never becomes the consultant: the card goes to the assigned consultant.
    assert (x.consultant_id, x.customer_type, x.next_follow_up) == (
        consultant.pk,
        CustomerType.PROSPECT,
        dt.date(2026, 11, 10),
    )
    assert Handover.objects.get(customer=x).to_consultant_id == consultant.pk
    assert entry.assigned_on == dt.date(2026, 11, 10)

    # Months before the re-activation are unchanged.
    sep, oct_ = month(store, 2026, 9, 30), month(store, 2026, 10, 31)
    assert sep == before[9]
    assert oct_ == before[10]
    assert (sep["new_prospects"], sep["carried_over_prospects"], sep["lost_rate"]) == (1, 1, 0.5)
    assert (oct_["new_prospects"], oct_["carried_over_prospects"], oct_["lost_rate"]) == (0, 1, 0)

    def is_open(day: dt.date) -> bool:
        return Customer.objects.filter(open_on(day), pk=x.pk).exists()

    assert [is_open(dt.date(2026, 9, 14)), is_open(dt.date(2026, 10, 31))] == [True, False]
    assert [is_open(dt.date(2026, 11, 9)), is_open(dt.date(2026, 11, 10))] == [False, True]

    nov = month(store, 2026, 11, 30)
    assert nov["new_prospects"] == 2  # Z and X's re-activation
    assert nov["carried_over_prospects"] == 1  # Y
    assert nov["prospects_B"] == 3

    Order.objects.create(
        store=store,
        customer=x,
        consultant=consultant,
        order_date=dt.date(2026, 11, 20),
        model="途胜",
    )
    nov = month(store, 2026, 11, 30)
    assert (nov["orders"], nov["orders_from_new"], nov["orders_from_carried_over"]) == (1, 1, 0)
    assert nov["order_rate"] == pytest.approx(1 / 3)
    assert nov["prospects_B"] == 2
    dec = month(store, 2026, 12, 31)
    assert (dec["carried_over_prospects"], dec["new_prospects"]) == (2, 0)


def test_open_dormant_card_is_not_counted_twice(
    store, consultant, consultant2, manager, make_staff
):
    """A dormant card that was never closed is still a carried-over prospect: handing it back
    gives it a consultant and a follow-up today, not a second new prospect."""
    crm = make_staff("crm", Role.CRM, store=store)
    d = f.CustomerFactory(store=store, consultant=consultant2, created=dt.date(2026, 6, 1))
    with time_machine.travel(dt.datetime(2026, 11, 10, 10, 0, tzinfo=TZ), tick=False):
        call_list = services.create_list(
            store=store, user=crm, kind=ListKind.DORMANT, name="休眠", params={"days": 90}
        )
        entry = call_list.entries.get()
        assert entry.customer_id == d.pk
        services.record_call(
            entry,
            user=crm,
            expected_version=entry.version,
            outcome=CallOutcome.INTERESTED,
            intended_model="",
            notes="",
        )
        services.submit_list(call_list, user=crm)
        entry.refresh_from_db()
        services.assign([entry], consultant=consultant, user=manager)
    assert not Reactivation.objects.exists()
    d.refresh_from_db()
    assert (d.consultant_id, d.next_follow_up) == (consultant.pk, dt.date(2026, 11, 10))
    nov = month(store, 2026, 11, 30)
    assert (nov["new_prospects"], nov["carried_over_prospects"]) == (0, 1)
