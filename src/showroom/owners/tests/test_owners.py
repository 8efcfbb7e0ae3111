"""The owners' file: filed by delivery month, owners recorded without a sale, churn,
service visits, care contacts, referrals, and who sees which owners."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from showroom.customers.models import Customer
from showroom.owners.models import ServiceVisit, Vehicle
from showroom.owners.selectors import month_index
from showroom.sales import funnel
from showroom.sales.models import Activity, Order
from tests import factories as f

pytestmark = pytest.mark.django_db

D = dt.date
NOW = dt.datetime(2026, 10, 15, 4, 0, tzinfo=dt.UTC)  # 12:00 in Shanghai
TODAY = D(2026, 10, 15)


def sold(store, consultant, name, delivered, **vehicle):
    card = f.CustomerFactory(
        store=store, consultant=consultant, name=name, customer_type="owner", grade="O"
    )
    order = None
    if delivered is not None:
        order = Order.objects.create(
            store=store,
            customer=card,
            consultant=consultant,
            order_date=delivered - dt.timedelta(days=7),
            model="途胜",
            delivery_date=delivered,
        )
    Vehicle.objects.create(
        store=store,
        customer=card,
        order=order,
        model=vehicle.pop("model", "途胜"),
        delivery_date=delivered,
        **vehicle,
    )
    return card


@time_machine.travel(NOW, tick=False)
def test_owners_are_filed_by_delivery_month_newest_first(
    client, store, consultant, consultant2, manager
):
    sold(store, consultant, "十月", D(2026, 10, 3), plate="京A10001")
    sold(store, consultant, "九月初", D(2026, 9, 1))
    sold(store, consultant2, "九月中", D(2026, 9, 15))
    sold(store, consultant, "六月", D(2026, 6, 20))
    sold(store, consultant, "一月", D(2026, 1, 20))
    sold(store, consultant, "无日期", None)
    f.CustomerFactory(store=store, consultant=consultant, name="意向客户")  # not an owner
    client.force_login(manager)
    response = client.get(reverse("owners:list"))
    assert response.status_code == 200
    groups = [(m, [v.customer.name for v in vs]) for m, vs in response.context["groups"]]
    assert groups == [
        (D(2026, 10, 1), ["十月"]),
        (D(2026, 9, 1), ["九月中", "九月初"]),
        (D(2026, 6, 1), ["六月"]),
    ]
    assert [(c.month, c.count) for c in response.context["index"]] == [
        (D(2026, 10, 1), 1),
        (D(2026, 9, 1), 2),
        (D(2026, 6, 1), 1),
        (D(2026, 1, 1), 1),
        (None, 1),
    ]
    january = client.get(reverse("owners:list"), {"month": "2026-01"})
    assert [(m, len(vs)) for m, vs in january.context["groups"]] == [(D(2026, 1, 1), 1)]
    undated = client.get(reverse("owners:list"), {"month": "none"})
    assert [[v.customer.name for v in vs] for _m, vs in undated.context["groups"]] == [["无日期"]]
    found = client.get(reverse("owners:list"), {"q": "京A10001"})
    assert [[v.customer.name for v in vs] for _m, vs in found.context["groups"]] == [["十月"]]
    assert "保有客户" in response.content.decode()
    # A consultant's file holds their own owners only.
    client.force_login(consultant2)
    mine = client.get(reverse("owners:list"))
    assert [(m, [v.customer.name for v in vs]) for m, vs in mine.context["groups"]] == [
        (D(2026, 9, 1), ["九月中"])
    ]
    assert [(c.month, c.count) for c in month_index(user=consultant2, store=store)] == [
        (D(2026, 9, 1), 1)
    ]


@time_machine.travel(NOW, tick=False)
def test_an_owner_recorded_without_a_sale_here_is_not_a_prospect(client, store, consultant):
    client.force_login(consultant)
    page = client.get(reverse("owners:new"))
    assert page.status_code == 200
    response = client.post(
        reverse("owners:new"),
        {
            "name": "钱先生",
            "phone": "139 0000 1111",
            "owner_kind": "elsewhere",
            "model": "索纳塔",
            "vin": "LBEHDAFB8KX654321",
            "plate": "京B22222",
            "delivery_date": "2024-05-01",
            "insurance_end": "2026-11-30",
        },
    )
    owner = Customer.objects.get()
    assert response["Location"] == reverse("owners:detail", args=[owner.pk])
    assert (owner.name, owner.phone_norm, owner.customer_type, owner.owner_kind) == (
        "钱先生",
        "13900001111",
        "owner",
        "elsewhere",
    )
    assert (owner.consultant, owner.created, owner.grade) == (consultant, TODAY, "")
    vehicle = Vehicle.objects.get()
    assert (vehicle.customer, vehicle.order, vehicle.brand, vehicle.model, vehicle.vin) == (
        owner,
        None,
        "北京现代",
        "索纳塔",
        "LBEHDAFB8KX654321",
    )
    assert (vehicle.plate, vehicle.delivery_date, vehicle.insurance_end) == (
        "京B22222",
        D(2024, 5, 1),
        D(2026, 11, 30),
    )
    assert not Customer.objects.filter(funnel.PROSPECT).exists()
    assert not Customer.objects.filter(funnel.open_on(TODAY)).exists()
    # Other-brand owners keep the brand given; the same number twice is refused.
    response = client.post(
        reverse("owners:new"),
        {"name": "孙女士", "phone": "13900001111", "owner_kind": "other_brand", "model": "卡罗拉"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["phone"] == [
        "这个号码在本店已有客户卡（销售顾问：张伟）。"
    ]
    assert response.context["existing"] == owner
    assert Customer.objects.count() == 1


@time_machine.travel(NOW, tick=False)
def test_churn_is_a_year_without_a_visit_or_since_delivery(client, store, consultant, manager):
    gone = sold(store, consultant, "流失", D(2025, 9, 1))
    came_back = sold(store, consultant, "回厂", D(2025, 9, 1))
    ServiceVisit.objects.create(
        store=store, customer=came_back, date=D(2026, 1, 10), kind="maintenance"
    )
    exactly = sold(store, consultant, "刚满一年", D(2025, 10, 15))
    old_visit = sold(store, consultant, "一年零一天", D(2024, 3, 1))
    ServiceVisit.objects.create(
        store=store, customer=old_visit, date=D(2025, 10, 14), kind="repair"
    )
    client.force_login(manager)
    response = client.get(reverse("owners:list"), {"churned": "on"})
    names = sorted(v.customer.name for _m, vs in response.context["groups"] for v in vs)
    assert names == ["一年零一天", "流失"]
    flags = {
        name: client.get(reverse("owners:detail", args=[c.pk])).context["file"].churned
        for name, c in [("gone", gone), ("came_back", came_back), ("exactly", exactly)]
    }
    assert flags == {"gone": True, "came_back": False, "exactly": False}
    detail = client.get(reverse("owners:detail", args=[old_visit.pk]))
    assert (detail.context["file"].last_seen, detail.context["file"].churned) == (
        D(2025, 10, 14),
        True,
    )
    # A visit today ends it. The owner's one car is preselected.
    page = client.get(reverse("owners:visit_new", args=[gone.pk]))
    assert page.context["form"]["vehicle"].value() == gone.vehicles.get().pk
    response = client.post(
        reverse("owners:visit_new", args=[gone.pk]),
        {
            "date": "2026-10-15",
            "kind": "maintenance",
            "amount": "680.50",
            "notes": "首保",
            "vehicle": str(gone.vehicles.get().pk),
        },
    )
    assert response.status_code == 302
    visit = ServiceVisit.objects.get(customer=gone)
    assert (visit.store, visit.date, visit.kind, visit.amount, visit.notes, visit.vehicle) == (
        store,
        TODAY,
        "maintenance",
        Decimal("680.50"),
        "首保",
        gone.vehicles.get(),
    )
    assert client.get(reverse("owners:detail", args=[gone.pk])).context["file"].churned is False


@time_machine.travel(NOW, tick=False)
def test_care_contacts_and_vehicle_dates(client, store, consultant):
    owner = sold(store, consultant, "周先生", D(2026, 8, 8), vin="LBEHDAFB8KX111111")
    client.force_login(consultant)
    client.post(
        reverse("owners:care_new", args=[owner.pk]),
        {"date": "2026-10-14", "notes": "提醒首保"},
    )
    care = Activity.objects.get()
    assert (care.customer, care.kind, care.category, care.date, care.consultant, care.notes) == (
        owner,
        "owner_care",
        "management",
        D(2026, 10, 14),
        consultant,
        "提醒首保",
    )
    vehicle = owner.vehicles.get()
    page = client.get(reverse("owners:vehicle_edit", args=[vehicle.pk]))
    # Sold here: VIN, model and delivery date are the order's.
    assert list(page.context["form"].fields) == [
        "plate", "brand", "insurance_end", "finance_end", "warranty_end", "version",
    ]  # fmt: skip
    response = client.post(
        reverse("owners:vehicle_edit", args=[vehicle.pk]),
        {
            "plate": "京C33333",
            "brand": "北京现代",
            "insurance_end": "2027-08-07",
            "finance_end": "2029-08-07",
            "warranty_end": "2029-08-08",
            "version": "1",
        },
    )
    assert response.status_code == 302
    vehicle.refresh_from_db()
    assert (
        vehicle.plate,
        vehicle.insurance_end,
        vehicle.finance_end,
        vehicle.warranty_end,
        vehicle.vin,
        vehicle.delivery_date,
    ) == (
        "京C33333",
        D(2027, 8, 7),
        D(2029, 8, 7),
        D(2029, 8, 8),
        "LBEHDAFB8KX111111",
        D(2026, 8, 8),
    )
    detail = client.get(reverse("owners:detail", args=[owner.pk]))
    assert [a.notes for a in detail.context["file"].care] == ["提醒首保"]


@time_machine.travel(NOW, tick=False)
def test_an_owner_refers_a_new_buyer(client, store, consultant, consultant2):
    owner = sold(store, consultant, "老车主", D(2025, 5, 5))
    buyer = f.CustomerFactory(store=store, consultant=consultant, name="新客户", source=None)
    walk_in = f.CustomerFactory(
        store=store, consultant=consultant, name="新客户二", source=f.source("walk_by")
    )
    theirs = f.CustomerFactory(store=store, consultant=consultant2, name="新客户三")
    client.force_login(consultant)
    found = client.get(reverse("owners:detail", args=[owner.pk]), {"q": "新客户"})
    assert [c.name for c in found.context["candidates"]] == ["新客户", "新客户二"]
    for card in (buyer, walk_in):
        response = client.post(
            reverse("owners:referral_add", args=[owner.pk]), {"customer": card.pk}
        )
        assert response.status_code == 302
    buyer.refresh_from_db()
    walk_in.refresh_from_db()
    assert (buyer.referred_by, buyer.source.code, buyer.version) == (
        owner,
        "owner_referral",
        2,
    )
    assert (walk_in.referred_by, walk_in.source.code) == (owner, "walk_by")
    assert (
        client.post(
            reverse("owners:referral_add", args=[owner.pk]), {"customer": theirs.pk}
        ).status_code
        == 404
    )
    # The colleague's customer, referred through the card, counts without being shown.
    theirs.referred_by = owner
    theirs.save()
    detail = client.get(reverse("owners:detail", args=[owner.pk]))
    assert sorted(c.name for c in detail.context["file"].referrals) == ["新客户", "新客户二"]
    assert detail.context["file"].other_referrals == 1
    assert "新客户三" not in detail.content.decode()


@time_machine.travel(NOW, tick=False)
def test_owner_pages_are_scoped(client, store, consultant, consultant2, receptionist):
    owner = sold(store, consultant, "周先生", D(2026, 8, 8))
    prospect = f.CustomerFactory(store=store, consultant=consultant)
    client.force_login(consultant2)
    for name in ("detail", "vehicle_new", "visit_new", "care_new"):
        assert client.get(reverse(f"owners:{name}", args=[owner.pk])).status_code == 404
    vehicle = owner.vehicles.get()
    assert client.get(reverse("owners:vehicle_edit", args=[vehicle.pk])).status_code == 404
    client.force_login(consultant)
    assert client.get(reverse("owners:detail", args=[prospect.pk])).status_code == 404
    client.force_login(receptionist)
    assert client.get(reverse("owners:list")).status_code == 403
