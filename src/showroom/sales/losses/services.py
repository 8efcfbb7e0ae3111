"""Writes of the loss workflow (战败/失控): a consultant requests, a manager confirms or sends
it back. Every change to the card moves its version on, as the deals' writes do."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from showroom.core.versions import claim
from showroom.customers.choices import CustomerType
from showroom.customers.models import Customer
from showroom.organization.models import Staff
from showroom.sales.choices import LossKind, LossStatus
from showroom.sales.deals.services import credited, update_card
from showroom.sales.models import LossReport


def request_loss(
    *,
    customer: Customer,
    user: Staff,
    day: date,
    kind: str,
    reason: str,
    grade: str = "",
    competitor_brand: str = "",
    competitor_model: str = "",
    description: str = "",
) -> LossReport:
    """A consultant's request: the prospect stays open until a manager confirms it."""
    report = LossReport(
        store_id=customer.store_id,
        customer=customer,
        consultant=credited(customer, user),
        date=day,
        kind=kind,
        grade=grade,
        competitor_brand=competitor_brand,
        competitor_model=competitor_model,
        reason=reason,
        description=description,
        status=LossStatus.REQUESTED,
    )
    report._history_user = user  # type: ignore[attr-defined]
    report.save()
    return report


def _decide(
    report: LossReport, *, user: Staff, version: int, status: str, also: list[str] | None = None
) -> Customer:
    """Write the manager's decision (and the fields named in `also`) on a report already
    claimed at `version`; returns its card."""
    customer = Customer.objects.select_related("store").get(pk=report.customer_id)
    report.version = version
    report.status = status
    report.decided_by = user
    report.decided_on = customer.store.today()
    report._history_user = user  # type: ignore[attr-defined]
    report.save(update_fields=["status", "decided_by", "decided_on", *(also or []), "version"])
    return customer


def confirm_loss(report: LossReport, *, user: Staff, expected_version: int) -> bool:
    """The manager confirms: the card is lost / out of control from the report's date."""
    with transaction.atomic():
        version = claim(LossReport, report.pk, expected_version, status=LossStatus.REQUESTED)
        if version is None:
            return False
        customer = _decide(report, user=user, version=version, status=LossStatus.CONFIRMED)
        customer.customer_type = (
            CustomerType.LOST if report.kind == LossKind.LOST else CustomerType.OUT_OF_CONTROL
        )
        customer.next_follow_up = None
        update_card(customer, fields=["customer_type", "next_follow_up"], user=user)
    return True


def return_loss(
    report: LossReport, *, user: Staff, expected_version: int, note: str, follow_up: date
) -> bool:
    """Send a request back for more follow-up, or reopen a confirmed loss: the card is a
    prospect again with a follow-up due on `follow_up`; the report keeps its history."""
    with transaction.atomic():
        version = claim(
            LossReport,
            report.pk,
            expected_version,
            status__in=[LossStatus.REQUESTED, LossStatus.CONFIRMED],
        )
        if version is None:
            return False
        report.manager_note = note
        customer = _decide(
            report, user=user, version=version, status=LossStatus.RETURNED, also=["manager_note"]
        )
        fields = ["next_follow_up"]
        if customer.customer_type in (CustomerType.LOST, CustomerType.OUT_OF_CONTROL):
            customer.customer_type = CustomerType.PROSPECT
            fields.append("customer_type")
        customer.next_follow_up = follow_up
        update_card(customer, fields=fields, user=user)
    return True
