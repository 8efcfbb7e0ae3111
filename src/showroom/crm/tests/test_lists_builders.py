"""The list builders (crm.lists) on a store built for the purpose, the day 2026-11-10.

Owners (BJ01):
  O1 owner  V1 途胜 delivered 2026-03-01, finance ends 11-20, insurance 11-10, visit 2026-04-01;
            interview 11-01 would certainly refer
  O2 owner  V2 途胜 delivered 2025-06-01 finance 12-10 insurance 12-11; V3 名图 VIN …03
            delivered 2025-09-01 finance 11-15; no visit; interview 10-01 considering (too old)
  O3 bought elsewhere: V4 索纳塔 warranty 11-30, finance 11-09 (past); visit 2026-10-01;
            interview 11-05 would not refer or buy again
  SH01 vehicle with finance 11-20 (another store)
Prospects: D1 06-01 last contact 07-01; D2 06-01 contact 09-01; D3 09-01 no contact;
  D5 04-01 type dormant, no contact; every L card dated 08-01 without contacts;
Losses: D4 lost 06-01 (too old); L1 lost 09-15; L2 out of control 10-20; L3 lost 10-01 only
  requested; L5 lost 09-20 re-activated 10-01; L6 lost 10-05 then ordered 10-10.
"""

from __future__ import annotations

import datetime as dt

import pytest

from showroom.crm.choices import Intent, ListKind, ListStatus
from showroom.crm.lists.builders import candidates
from showroom.crm.models import CallList, CallListEntry, DeliveryInterview
from showroom.customers.choices import CustomerType, OwnerKind
from showroom.organization.choices import Role
from showroom.owners.choices import ServiceKind
from showroom.owners.models import RecallCampaign, ServiceVisit, Vehicle
from showroom.sales.choices import ActivityCategory, ActivityKind, LossKind, LossReason, LossStatus
from showroom.sales.models import Activity, LossReport, Order, Reactivation
from tests import factories as f

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 11, 10)
D = dt.date


@pytest.fixture
def w(store, other_store, consultant, manager):  # type: ignore[no-untyped-def]
    def card(name: str, created: dt.date, **kw):  # type: ignore[no-untyped-def]
        return f.CustomerFactory(
            store=store, consultant=consultant, name=name, created=created, **kw
        )

    def order(customer, day):  # type: ignore[no-untyped-def]
        return Order.objects.create(
            store=store, customer=customer, consultant=consultant, order_date=day, model="途胜"
        )

    def vehicle(customer, **kw):  # type: ignore[no-untyped-def]
        return Vehicle.objects.create(store=customer.store, customer=customer, **kw)

    def loss(customer, day, kind=LossKind.LOST, status=LossStatus.CONFIRMED):  # type: ignore[no-untyped-def]
        return LossReport.objects.create(
            store=store,
            customer=customer,
            consultant=consultant,
            date=day,
            kind=kind,
            reason=LossReason.PRICE,
            status=status,
        )

    owner = CustomerType.OWNER
    o1 = card("O1", D(2026, 2, 1), customer_type=owner)
    o2 = card("O2", D(2025, 5, 1), customer_type=owner)
    o3 = card("O3", D(2026, 1, 1), owner_kind=OwnerKind.OWN_BRAND_ELSEWHERE)
    v1 = vehicle(
        o1, model="途胜", delivery_date=D(2026, 3, 1), finance_end=D(2026, 11, 20),
        insurance_end=D(2026, 11, 10),
    )  # fmt: skip
    v2 = vehicle(
        o2, model="途胜", delivery_date=D(2025, 6, 1), finance_end=D(2026, 12, 10),
        insurance_end=D(2026, 12, 11),
    )  # fmt: skip
    v3 = vehicle(
        o2, model="名图", vin="LVIN0000000000003", delivery_date=D(2025, 9, 1),
        finance_end=D(2026, 11, 15),
    )  # fmt: skip
    v4 = vehicle(o3, model="索纳塔", warranty_end=D(2026, 11, 30), finance_end=D(2026, 11, 9))
    sh = f.CustomerFactory(store=other_store, consultant=None, customer_type=owner)
    vehicle(sh, model="途胜", finance_end=D(2026, 11, 20))
    ServiceVisit.objects.create(
        store=store, customer=o1, vehicle=v1, date=D(2026, 4, 1), kind=ServiceKind.MAINTENANCE
    )
    ServiceVisit.objects.create(
        store=store, customer=o3, vehicle=v4, date=D(2026, 10, 1), kind=ServiceKind.REPAIR
    )
    for who, day, ref, rep in (
        (o1, D(2026, 11, 1), Intent.CERTAIN, ""),
        (o2, D(2026, 10, 1), "", Intent.CONSIDERING),
        (o3, D(2026, 11, 5), Intent.NO, Intent.NO),
    ):
        DeliveryInterview.objects.create(
            store=store,
            order=order(who, day - dt.timedelta(days=20)),
            customer=who,
            date=day,
            referral_intent=ref,
            repurchase_intent=rep,
        )
    d1 = card("D1", D(2026, 6, 1))
    d2 = card("D2", D(2026, 6, 1))
    card("D3", D(2026, 9, 1))
    d4 = card("D4", D(2026, 5, 1))
    card("D5", D(2026, 4, 1), customer_type=CustomerType.DORMANT)
    for who, day in ((d1, D(2026, 7, 1)), (d2, D(2026, 9, 1))):
        Activity.objects.create(
            store=store,
            customer=who,
            consultant=consultant,
            date=day,
            kind=ActivityKind.CALL,
            category=ActivityCategory.MANAGEMENT,
        )
    loss(d4, D(2026, 6, 1))
    l1, l2, l3 = card("L1", D(2026, 8, 1)), card("L2", D(2026, 8, 1)), card("L3", D(2026, 8, 1))
    l5, l6 = card("L5", D(2026, 8, 1)), card("L6", D(2026, 8, 1))
    loss(l1, D(2026, 9, 15))
    loss(l2, D(2026, 10, 20), kind=LossKind.OUT_OF_CONTROL)
    loss(l3, D(2026, 10, 1), status=LossStatus.REQUESTED)
    loss(l5, D(2026, 9, 20))
    Reactivation.objects.create(
        store=store, customer=l5, date=D(2026, 10, 1), consultant=consultant, by=manager
    )
    loss(l6, D(2026, 10, 5))
    order(l6, D(2026, 10, 10))
    return {"v1": v1, "v2": v2, "v3": v3, "v4": v4, "o1": o1}


def rows(kind: str, store, **kw):  # type: ignore[no-untyped-def]
    return [
        (r["name"], r["due"], r["vehicle_id"])
        for r in candidates(kind=kind, store=store, on=ON, **kw)
    ]


def test_ending_lists(w, store):  # type: ignore[no-untyped-def]
    v1, v3, v4 = w["v1"].pk, w["v3"].pk, w["v4"].pk
    # O2 has two cars ending: once, with the earlier date.
    assert rows(ListKind.FINANCE_ENDING, store, days=30) == [
        ("O2", D(2026, 11, 15), v3),
        ("O1", D(2026, 11, 20), v1),
    ]
    assert rows(ListKind.FINANCE_ENDING, store, days=5) == [("O2", D(2026, 11, 15), v3)]
    assert rows(ListKind.WARRANTY_ENDING, store) == [("O3", D(2026, 11, 30), v4)]
    assert rows(ListKind.INSURANCE_ENDING, store, days=30) == [("O1", D(2026, 11, 10), v1)]
    assert rows(ListKind.INSURANCE_RENEWAL, store, days=31) == [
        ("O1", D(2026, 11, 10), v1),
        ("O2", D(2026, 12, 11), w["v2"].pk),
    ]


def test_nobody_twice_on_open_lists_of_the_same_kind(w, store, make_staff):  # type: ignore[no-untyped-def]
    crm = make_staff("crm", Role.CRM, store=store)
    listed = CallList.objects.create(
        store=store, kind=ListKind.FINANCE_ENDING, name="x", created_on=ON, created_by=crm
    )
    CallListEntry.objects.create(store=store, call_list=listed, customer=w["o1"], name="O1")
    assert [r[0] for r in rows(ListKind.FINANCE_ENDING, store)] == ["O2"]
    # Another kind is another reason to call.
    assert [r[0] for r in rows(ListKind.INSURANCE_ENDING, store)] == ["O1"]
    listed.status = ListStatus.CLOSED
    listed.save()
    assert [r[0] for r in rows(ListKind.FINANCE_ENDING, store)] == ["O2", "O1"]


def test_interview_dormant_and_activation(w, store):  # type: ignore[no-untyped-def]
    assert rows(ListKind.INTERVIEW_INTENT, store, days=30) == [("O1", D(2026, 11, 1), None)]
    assert rows(ListKind.INTERVIEW_INTENT, store, days=45) == [
        ("O2", D(2026, 10, 1), None),
        ("O1", D(2026, 11, 1), None),
    ]
    # L3's loss is only requested: still open and silent since its card date. L5 was
    # re-activated on 10-01: a prospect afresh.
    assert rows(ListKind.DORMANT, store, days=90) == [
        ("D5", D(2026, 4, 1), None),
        ("D1", D(2026, 7, 1), None),
        ("L3", D(2026, 8, 1), None),
    ]
    got = candidates(kind=ListKind.ACTIVATION, store=store, on=ON, days=90)
    assert [(r["name"], r["due"], r["detail"]) for r in got] == [
        ("L1", D(2026, 9, 15), LossKind.LOST),
        ("L2", D(2026, 10, 20), LossKind.OUT_OF_CONTROL),
    ]
    assert [r[0] for r in rows(ListKind.ACTIVATION, store, days=200)] == ["D4", "L1", "L2"]


def test_aftersales_lists(w, store):  # type: ignore[no-untyped-def]
    assert rows(ListKind.MAINTENANCE_DUE, store) == [("O1", D(2026, 4, 1), None)]
    assert rows(ListKind.OWNER_WINBACK, store) == [("O2", D(2025, 9, 1), None)]
    campaign = RecallCampaign.objects.create(
        store=store,
        name="转向机召回",
        model="途胜",
        delivered_from=D(2025, 1, 1),
        delivered_to=D(2025, 12, 31),
        vins="lvin0000000000003, LVIN-NOT-OURS",
        created_on=ON,
    )
    assert rows(ListKind.RECALL, store, campaign=campaign) == [("O2", D(2025, 6, 1), w["v2"].pk)]
    campaign.model = ""
    assert rows(ListKind.RECALL, store, campaign=campaign) == [("O2", D(2025, 9, 1), w["v3"].pk)]


@pytest.mark.parametrize(
    "kind",
    [
        ListKind.FINANCE_ENDING,
        ListKind.WARRANTY_ENDING,
        ListKind.INSURANCE_ENDING,
        ListKind.INTERVIEW_INTENT,
        ListKind.DORMANT,
        ListKind.ACTIVATION,
        ListKind.INSURANCE_RENEWAL,
        ListKind.MAINTENANCE_DUE,
        ListKind.OWNER_WINBACK,
    ],
)
def test_one_query_each(w, store, kind, django_assert_num_queries):  # type: ignore[no-untyped-def]
    with django_assert_num_queries(1):
        candidates(kind=kind, store=store, on=ON)


def test_a_new_dormant_list_looks_back_the_store_s_dormant_days(store):  # type: ignore[no-untyped-def]
    from showroom.crm.lists.forms import NewListForm
    from showroom.customers.models import FollowUpSettings

    def params(**data):  # type: ignore[no-untyped-def]
        form = NewListForm({"kind": ListKind.DORMANT, **data}, store=type(store).objects.get())
        assert form.is_valid(), form.errors
        return form.params()

    assert params() == {"days": 90}
    FollowUpSettings.objects.create(store=store, dormant_days=120)
    assert params() == {"days": 120}
    assert params(days=45) == {"days": 45}
