"""Writes of the owners' file: owners recorded without a sale here, their vehicles, service
visits, care contacts, and the referral of a new buyer by an owner."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction

from showroom.core.versions import claim
from showroom.customers.choices import CustomerType
from showroom.customers.models import Customer, Source
from showroom.organization.choices import Role
from showroom.organization.models import Staff, Store
from showroom.owners.models import ServiceVisit, Vehicle
from showroom.sales.choices import ActivityKind
from showroom.sales.deals.services import log_owner_activity, update_card
from showroom.sales.models import Activity, Order


class DuplicatePhone(Exception):
    """The store already has a card with this number (a colleague saved it a moment ago)."""


def create_owner(
    *,
    store: Store,
    user: Staff,
    name: str,
    phone: str,
    owner_kind: str,
    model: str,
    brand: str = "",
    vin: str = "",
    plate: str = "",
    delivery_date: date | None = None,
    insurance_end: date | None = None,
    finance_end: date | None = None,
    warranty_end: date | None = None,
    notes: str = "",
) -> Customer:
    """An owner met through after-sales (他销 / 他厂牌): a card outside the sales funnel, with
    the car they drive. A consultant who records one keeps it; otherwise it is the store's."""
    card = Customer(
        store=store,
        name=name,
        phone=phone,
        customer_type=CustomerType.OWNER,
        owner_kind=owner_kind,
        consultant=user if user.has_role(Role.CONSULTANT) else None,
        created=store.today(),
        notes=notes,
    )
    card._history_user = user  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            card.save()
            Vehicle.objects.create(
                store=store,
                customer=card,
                vin=vin,
                plate=plate,
                brand=brand,
                model=model,
                delivery_date=delivery_date,
                insurance_end=insurance_end,
                finance_end=finance_end,
                warranty_end=warranty_end,
            )
    except IntegrityError as error:
        raise DuplicatePhone from error
    return card


def add_vehicle(*, owner: Customer, values: dict[str, object]) -> Vehicle:
    return Vehicle.objects.create(store_id=owner.store_id, customer=owner, **values)


def save_vehicle(vehicle: Vehicle, *, fields: Iterable[str], expected_version: int) -> bool:
    """Write `fields` if the vehicle is still at `expected_version`; False (nothing written)
    if someone else saved it in between."""
    with transaction.atomic():
        version = claim(Vehicle, vehicle.pk, expected_version)
        if version is None:
            return False
        vehicle.version = version
        vehicle.save(update_fields=[*fields, "version"])
    return True


def record_visit(
    *,
    owner: Customer,
    day: date,
    kind: str,
    amount: Decimal = Decimal(0),
    vehicle: Vehicle | None = None,
    notes: str = "",
) -> ServiceVisit:
    """回厂: a visit to the workshop (it also ends a churn)."""
    return ServiceVisit.objects.create(
        store_id=owner.store_id,
        customer=owner,
        vehicle=vehicle,
        date=day,
        kind=kind,
        amount=amount,
        notes=notes,
    )


def log_care(*, owner: Customer, user: Staff, day: date, notes: str) -> Activity:
    """保有维系: a care contact with an owner, on the back of the card."""
    return log_owner_activity(owner, user=user, day=day, kind=ActivityKind.OWNER_CARE, notes=notes)


def set_referrer(*, customer: Customer, owner: Customer, user: Staff) -> None:
    """The owner sent this customer (老客户推荐). A card without a source takes that one."""
    customer.referred_by = owner
    fields = ["referred_by"]
    if customer.source_id is None:
        customer.source = Source.objects.get(store__isnull=True, code="owner_referral")
        fields.append("source")
    update_card(customer, fields=fields, user=user)


# Fields of an order that the vehicle sold with it mirrors.
VEHICLE_MIRRORS = ("vin", "model", "delivery_date")


def vehicle_for_delivery(*, order: Order, customer: Customer, plate: str) -> Vehicle:
    """The owner's vehicle sold with `order`, as it is delivered."""
    return Vehicle.objects.create(
        store_id=order.store_id,
        customer=customer,
        order=order,
        vin=order.vin,
        plate=plate,
        brand=customer.store.brand,
        model=order.model,
        delivery_date=order.delivery_date,
    )


def mirror_order(*, order: Order, fields: Iterable[str]) -> None:
    """The vehicle sold with a delivered order follows its VIN, model and delivery date."""
    mirrored = [name for name in VEHICLE_MIRRORS if name in fields]
    if mirrored and order.delivery_date is not None:
        Vehicle.objects.filter(order=order).update(
            **{name: getattr(order, name) for name in mirrored}
        )
