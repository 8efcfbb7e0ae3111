"""Writes of the deal (成交客户管理): test drives, quotes, orders and their delivery, the
aftercare after delivery, and the loss workflow (a consultant requests, a manager decides).

Saving an existing order or loss report claims its version with one `UPDATE … WHERE
version = n` first (as the front desk does): of two people saving the same version, the
second is told so and nothing of theirs is written. Every change to a customer card made
here also moves the card's version on, so that a colleague's open card form notices it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from showroom.core.hooks import Hook
from showroom.core.versions import claim
from showroom.customers.choices import CADENCE_DAYS, CustomerType, Grade
from showroom.customers.models import Customer, GradeChange, Source
from showroom.customers.services import record_grade_change
from showroom.organization.models import Staff
from showroom.sales.choices import ActivityCategory, ActivityKind
from showroom.sales.models import Activity, Order, Quote, TestDrive
from showroom.sales.prospects.services import log_contact

# After delivery (回访): the phone call is due 3 days, the letter 7 days after it.
AFTERCARE_DUE_DAYS: dict[str, int] = {"call_3day": 3, "letter_7day": 7}
# Called with (order=, customer=, plate=) inside the transaction that delivers an order: the
# owners' file makes the owner's vehicle from it.
order_delivered: Hook[object] = Hook("sales.order_delivered")
# Called with (order=, fields=) inside the transaction that saves fields of an order, so that
# what mirrors the order (the vehicle sold with it) follows.
order_saved: Hook[object] = Hook("sales.order_saved")


# --- Cards, contacts ------------------------------------------------------------------------


def update_card(customer: Customer, *, fields: Iterable[str], user: Staff) -> None:
    """Write `fields` of a card and move its version on (a colleague's open card form then
    reports a conflict instead of silently putting the old grade or type back)."""
    with transaction.atomic():
        Customer.objects.filter(pk=customer.pk).update(version=F("version") + 1)
        customer.version = Customer.objects.values_list("version", flat=True).get(pk=customer.pk)
        customer._history_user = user  # type: ignore[attr-defined]
        customer.save(update_fields={*fields, "version"})


def log_owner_activity(
    customer: Customer,
    *,
    user: Staff,
    day: date,
    kind: str,
    notes: str = "",
    category: str = ActivityCategory.MANAGEMENT,
) -> Activity:
    """A contact with an owner (delivery, aftercare, care): no grade, no prospect follow-up."""
    activity = Activity(
        store_id=customer.store_id,
        customer=customer,
        consultant=user,
        date=day,
        kind=kind,
        category=category,
        grade_after=customer.grade,
        notes=notes[:500],
    )
    activity._history_user = user  # type: ignore[attr-defined]
    activity.save()
    return activity


def credited(customer: Customer, user: Staff) -> Staff:
    """Whose deal it is: the card's consultant (a manager may record it for them)."""
    return customer.consultant or user


def _joined(*parts: object) -> str:
    return " · ".join(str(p) for p in parts if p)


# --- Test drives and quotes ----------------------------------------------------------------


def record_test_drive(
    *,
    customer: Customer,
    user: Staff,
    day: date,
    model: str,
    route: str = "",
    duration_minutes: int | None = None,
) -> TestDrive:
    """试乘试驾, and the contact on the card (its grade unchanged, next follow-up from it)."""
    with transaction.atomic():
        drive = TestDrive.objects.create(
            store_id=customer.store_id,
            customer=customer,
            consultant=credited(customer, user),
            date=day,
            model=model,
            route=route,
            duration_minutes=duration_minutes,
        )
        minutes = _("%(n)s min") % {"n": duration_minutes} if duration_minutes else ""
        log_contact(
            customer=customer,
            user=user,
            date=day,
            kind=ActivityKind.TEST_DRIVE,
            category=ActivityCategory.PROMOTION,
            grade_after=customer.grade,
            notes=_joined(model, route, minutes),
        )
    return drive


def record_quote(
    *,
    customer: Customer,
    user: Staff,
    day: date,
    model: str,
    amount: Decimal | None = None,
    notes: str = "",
) -> Quote:
    with transaction.atomic():
        quote = Quote.objects.create(
            store_id=customer.store_id,
            customer=customer,
            consultant=credited(customer, user),
            date=day,
            model=model,
            amount=amount,
            notes=notes,
        )
        log_contact(
            customer=customer,
            user=user,
            date=day,
            kind=ActivityKind.QUOTE,
            category=ActivityCategory.PROMOTION,
            grade_after=customer.grade,
            notes=_joined(model, f"{amount:,.2f}" if amount else "", notes),
        )
    return quote


# --- Orders ----------------------------------------------------------------------------------


def record_order(
    *,
    customer: Customer,
    user: Staff,
    order_date: date,
    model: str,
    channel: str,
    source: Source | None = None,
    deposit: Decimal | None = None,
    contract_no: str = "",
    consultant: Staff | None = None,
    price: Decimal | None = None,
    colour: str = "",
    expected_delivery: date | None = None,
) -> Order:
    """订单: the card becomes grade O (logged) and is followed up weekly until delivery."""
    consultant = consultant or credited(customer, user)
    with transaction.atomic():
        order = Order(
            store_id=customer.store_id,
            customer=customer,
            consultant=consultant,
            order_date=order_date,
            model=model,
            channel=channel,
            source=source,
            deposit=deposit,
            contract_no=contract_no,
            price=price,
            colour=colour,
            expected_delivery=expected_delivery,
        )
        order._history_user = user  # type: ignore[attr-defined]
        order.save()
        log_contact(
            customer=customer,
            user=user,
            date=order_date,
            kind=ActivityKind.ORDER,
            category=ActivityCategory.PROMOTION,
            grade_after=Grade.O,
            notes=_joined(model, contract_no),
        )
        # An order typed after a later contact: the card is O all the same (the grade
        # change is already logged on the order date).
        if customer.grade != Grade.O:
            customer.grade = Grade.O
            customer.next_follow_up = order_date + timedelta(days=CADENCE_DAYS[Grade.O])
            update_card(customer, fields=["grade", "next_follow_up"], user=user)
    return order


def save_order(order: Order, *, fields: Iterable[str], expected_version: int, user: Staff) -> bool:
    """Write `fields` of `order` if it is still at `expected_version`; False if someone else
    saved it in between (nothing is written then).

    Cancelling an order that was the card's only open one puts the card back to the grade
    it had before the order (logged); taking the cancellation back makes it O again. The
    vehicle sold with the order follows its VIN, model and delivery date.
    """
    fields = set(fields)
    with transaction.atomic():
        before = Order.objects.values("cancelled").get(pk=order.pk)
        version = claim(Order, order.pk, expected_version)
        if version is None:
            return False
        order.version = version
        order._history_user = user  # type: ignore[attr-defined]
        order.save(update_fields={*fields, "version"})
        if "cancelled" in fields and before["cancelled"] != order.cancelled:
            _regrade_after_cancel(order, user=user)
        for changed in order_saved:
            changed(order=order, fields=fields)
    return True


def cancel_order(
    order: Order, *, user: Staff, expected_version: int, day: date, reason: str
) -> bool:
    """退订 on `day`: from then on the order counts nowhere (periods that ended before keep
    it) and the card goes back to the grade it had before the order. False if someone else
    saved the order meanwhile, or it is delivered or cancelled already (nothing written)."""
    with transaction.atomic():
        version = claim(
            Order, order.pk, expected_version, delivery_date__isnull=True, cancelled=False
        )
        if version is None:
            return False
        order.version = version
        order.cancelled_on = day
        order.cancelled_by = user
        order.cancel_reason = reason
        order._history_user = user  # type: ignore[attr-defined]
        order.save(update_fields=["cancelled_on", "cancelled_by", "cancel_reason", "version"])
        _regrade_after_cancel(order, user=user)
    return True


def restore_order(order: Order, *, user: Staff, expected_version: int) -> bool:
    """Take a cancellation back (typed in error): the order counts again from its date and
    the card is O again. False if someone else saved the order meanwhile."""
    with transaction.atomic():
        version = claim(Order, order.pk, expected_version, cancelled=True)
        if version is None:
            return False
        order.version = version
        order.cancelled_on = None
        order.cancelled = False
        order.cancelled_by = None
        order.cancel_reason = ""
        order._history_user = user  # type: ignore[attr-defined]
        order.save(update_fields=["cancelled_on", "cancelled_by", "cancel_reason", "version"])
        _regrade_after_cancel(order, user=user)
    return True


def _regrade_after_cancel(order: Order, *, user: Staff) -> None:
    customer = Customer.objects.get(pk=order.customer_id)
    # The grade changes with the cancellation, on its date; taken back, today.
    day = order.cancelled_on or customer.store.today()
    still_open = Order.objects.filter(
        customer=customer, cancelled=False, delivery_date__isnull=True
    ).exclude(pk=order.pk)
    if order.cancelled:
        if customer.grade != Grade.O or still_open.exists() or order.delivery_date:
            return
        to_o = (
            GradeChange.objects.filter(customer=customer, new_grade=Grade.O)
            .order_by("-date", "-id")
            .first()
        )
        previous = to_o.old_grade if to_o and to_o.old_grade != Grade.O else ""
        if not previous:
            return  # nothing to go back to: the consultant grades the card at the next contact
        _set_grade(customer, grade=previous, day=day, user=user)
    elif order.delivery_date is None and customer.grade != Grade.O:
        _set_grade(customer, grade=Grade.O, day=day, user=user)


def _set_grade(customer: Customer, *, grade: str, day: date, user: Staff) -> None:
    record_grade_change(customer=customer, old=customer.grade, new=grade, day=day, user=user)
    customer.grade = grade
    update_card(customer, fields=["grade"], user=user)


def deliver_order(
    order: Order,
    *,
    user: Staff,
    expected_version: int,
    delivery_date: date,
    vin: str = "",
    plate: str = "",
    ceremony: bool = False,
    insurance: bool = False,
    finance: bool = False,
    accessories: Decimal = Decimal(0),
    extended_warranty: bool = False,
    trade_in: bool = False,
) -> bool:
    """交车: the delivery and its value-added items on the order, the owner's vehicle (sold
    here, through `order_delivered`), and the card becomes an owner's — still a card of the
    sales funnel. False if the order was saved by someone else meanwhile or is already
    delivered."""
    with transaction.atomic():
        version = claim(
            Order, order.pk, expected_version, delivery_date__isnull=True, cancelled=False
        )
        if version is None:
            return False
        order.version = version
        order.delivery_date = delivery_date
        order.vin = vin
        order.ceremony = ceremony
        order.insurance = insurance
        order.finance = finance
        order.accessories = accessories
        order.extended_warranty = extended_warranty
        order.trade_in = trade_in
        order._history_user = user  # type: ignore[attr-defined]
        order.save(
            update_fields=[
                "delivery_date", "vin", "ceremony", "insurance", "finance", "accessories",
                "extended_warranty", "trade_in", "version",
            ]
        )  # fmt: skip
        customer = Customer.objects.select_related("store").get(pk=order.customer_id)
        for delivered in order_delivered:
            delivered(order=order, customer=customer, plate=plate)
        # Owners are looked after through the aftercare tasks and care contacts now.
        customer.customer_type = CustomerType.OWNER
        customer.next_follow_up = None
        update_card(customer, fields=["customer_type", "next_follow_up"], user=user)
        log_owner_activity(
            customer,
            user=user,
            day=delivery_date,
            kind=ActivityKind.DELIVERY,
            notes=_joined(order.model, vin),
            category=ActivityCategory.PROMOTION,
        )
    return True


def mark_aftercare_done(order: Order, *, kind: str, user: Staff, day: date) -> bool:
    """The one tap "done today" on a 3-day call or 7-day letter. False if already done."""
    if kind not in AFTERCARE_DUE_DAYS:
        raise ValueError(kind)
    with transaction.atomic():
        claimed = Order.objects.filter(
            pk=order.pk, delivery_date__isnull=False, **{f"{kind}__isnull": True}
        ).update(version=F("version") + 1)
        if not claimed:
            return False
        order.version = Order.objects.values_list("version", flat=True).get(pk=order.pk)
        setattr(order, kind, day)
        order._history_user = user  # type: ignore[attr-defined]
        order.save(update_fields=[kind, "version"])
        what = (
            _("3-day call after delivery")
            if kind == "call_3day"
            else _("7-day letter after delivery")
        )
        customer = Customer.objects.get(pk=order.customer_id)
        log_owner_activity(
            customer, user=user, day=day, kind=ActivityKind.OWNER_CARE, notes=str(what)
        )
    return True
