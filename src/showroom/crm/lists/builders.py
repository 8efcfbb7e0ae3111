"""Who goes on a call list (客户名单筛选, 客户激活, 售后招揽): one selector per
list kind, one query each, returning candidate rows for a store on a day.

Every builder returns dicts with the same keys: `customer_id`, `vehicle_id` (or None), `name`,
`phone`, `due` (the date the list is about: the end of the finance, the loss, the last visit…)
and `detail` (a short fact for the caller: a vehicle, a loss kind). People already on an open
list (being called or submitted) of the same kind are left out, so nobody is called twice for
the same reason; an owner with two cars ending appears once (the earlier date).

Definitions chosen here, where dealer practice leaves a choice:
- dormant 休眠: an open prospect of the sales funnel (sales.funnel.open_on: not ordered, lost
  or out of control) with no logged contact (sales.Activity), no re-activation and no card
  created within the last `days` days (default 90); cards of type dormant qualify
  the same way (an open card of type dormant that was contacted lately is not silent). Lost
  and out-of-control customers go to the activation list instead.
- activation 战败/失控激活: cards closed today by a confirmed loss or out-of-control record
  dated within the last `days` days, not re-activated since and without an order.
- maintenance due 保养: owners whose last service visit (or delivery, without visits) is more
  than `days` days ago (default 180) but not yet more than 365 — those are churned owners and
  go to the win-back list (KPI owner_churn_rate: last visit or delivery > 365 days ago).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import (
    CharField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from showroom.crm.choices import Intent, ListKind, ListStatus
from showroom.crm.models import CallListEntry, DeliveryInterview
from showroom.customers.choices import DORMANT_DAYS, OwnerKind
from showroom.customers.models import Customer, FollowUpSettings
from showroom.organization.models import Store
from showroom.owners.models import RecallCampaign, Vehicle
from showroom.owners.selectors import CHURN_DAYS, OWNER_CARDS, last_seen
from showroom.sales.choices import LossStatus
from showroom.sales.funnel import not_reactivated, open_on
from showroom.sales.models import Activity, LossReport, Order, Reactivation

OPEN_LIST = [ListStatus.WORKING, ListStatus.SUBMITTED]
INTERESTED = [Intent.CERTAIN, Intent.CONSIDERING]
KEYS = ("customer_id", "vehicle_id", "name", "phone", "due", "detail")

MAINTENANCE_DAYS = 180


def _not_listed(kind: str, *, outer: str) -> Q:
    on_open_list = CallListEntry.objects.filter(
        call_list__kind=kind, call_list__status__in=OPEN_LIST, customer=OuterRef(outer)
    )
    return ~Q(Exists(on_open_list))


def _vehicle_rows(qs: QuerySet[Vehicle], kind: str, due: str) -> QuerySet[Any]:
    return (
        qs.filter(_not_listed(kind, outer="customer_id"))
        .order_by(due, "id")
        .values(
            "customer_id",
            vehicle_id=F("pk"),
            name=F("customer__name"),
            phone=F("customer__phone"),
            due=F(due),
            detail=F("model"),
        )
    )


def _card_rows(qs: QuerySet[Customer], kind: str, due: Any, detail: Any) -> QuerySet[Any]:
    return (
        qs.filter(_not_listed(kind, outer="pk"))
        .annotate(due_on=due, detail_text=detail)
        .order_by("due_on", "pk")
        .values(
            "name",
            "phone",
            customer_id=F("pk"),
            vehicle_id=Value(None, output_field=IntegerField()),
            due=F("due_on"),
            detail=F("detail_text"),
        )
    )


def ending(field: str, kind: str) -> Callable[..., QuerySet[Any]]:
    """Vehicles whose finance, warranty or insurance ends within the next `days` days."""

    def build(*, store: Store, on: date, days: int, **_: Any) -> QuerySet[Any]:
        qs = Vehicle.objects.filter(
            store=store, **{f"{field}__range": (on, on + timedelta(days=days))}
        )
        return _vehicle_rows(qs, kind, field)

    return build


def interview_intent(*, store: Store, on: date, days: int, **_: Any) -> QuerySet[Any]:
    """Delivery interviews of the last `days` days where the owner would certainly or maybe
    refer someone or buy again (一定/考虑推荐)."""
    qs = DeliveryInterview.objects.filter(
        Q(referral_intent__in=INTERESTED) | Q(repurchase_intent__in=INTERESTED),
        store=store,
        date__range=(on - timedelta(days=days), on),
    ).filter(_not_listed(ListKind.INTERVIEW_INTENT, outer="customer_id"))
    return qs.order_by("date", "id").values(
        "customer_id",
        vehicle_id=Value(None, output_field=IntegerField()),
        name=F("customer__name"),
        phone=F("customer__phone"),
        due=F("date"),
        detail=F("order__model"),
    )


def quiet_prospects(*, store: Store, on: date, days: int) -> QuerySet[Customer]:
    """休眠: open prospects on `on` with a card older than `days` days and no logged contact in
    those days (a re-activation starts the prospect afresh: it counts as one), each with
    `last_contact`: the last contact or re-activation up to `on`, else the card's date."""
    since = on - timedelta(days=days)
    last_contact = (
        Activity.objects.filter(customer=OuterRef("pk"), date__lte=on)
        .order_by("-date")
        .values("date")[:1]
    )
    last_reactivation = (
        Reactivation.objects.filter(customer=OuterRef("pk"), date__lte=on)
        .order_by("-date")
        .values("date")[:1]
    )
    return (
        Customer.objects.filter(open_on(on), store=store, created__lte=since)
        .annotate(
            last_contact=Greatest(
                Coalesce(Subquery(last_contact), F("created")),
                Coalesce(Subquery(last_reactivation), F("created")),
                F("created"),
            )
        )
        .filter(last_contact__lte=since)
    )


def dormant(*, store: Store, on: date, days: int, **_: Any) -> QuerySet[Any]:
    qs = quiet_prospects(store=store, on=on, days=days)
    return _card_rows(qs, ListKind.DORMANT, F("last_contact"), F("model"))


def activation(*, store: Store, on: date, days: int, **_: Any) -> QuerySet[Any]:
    losses = not_reactivated(
        LossReport.objects.filter(
            customer=OuterRef("pk"),
            status=LossStatus.CONFIRMED,
            date__range=(on - timedelta(days=days), on),
        ),
        "date",
        on,
    )
    ordered = not_reactivated(
        Order.objects.filter(customer=OuterRef("pk"), order_date__lte=on).filter(
            Q(cancelled_on__isnull=True) | Q(cancelled_on__gt=on)
        ),
        "order_date",
        on,
    )
    latest = losses.order_by("-date", "-id")
    qs = Customer.objects.filter(
        Exists(losses), ~Q(Exists(ordered)), store=store, owner_kind=OwnerKind.NONE
    )
    return _card_rows(
        qs,
        ListKind.ACTIVATION,
        Subquery(latest.values("date")[:1]),
        Subquery(latest.values("kind")[:1], output_field=CharField()),
    )


def _owners(store: Store) -> QuerySet[Customer]:
    return Customer.objects.filter(OWNER_CARDS, store=store).annotate(seen=last_seen())


def maintenance_due(*, store: Store, on: date, days: int, **_: Any) -> QuerySet[Any]:
    qs = _owners(store).filter(  # type: ignore[misc]
        seen__lt=on - timedelta(days=days), seen__gte=on - timedelta(days=CHURN_DAYS)
    )
    return _card_rows(qs, ListKind.MAINTENANCE_DUE, F("seen"), F("model"))


def owner_winback(*, store: Store, on: date, days: int = CHURN_DAYS, **_: Any) -> QuerySet[Any]:
    qs = _owners(store).filter(seen__lt=on - timedelta(days=days))  # type: ignore[misc]
    return _card_rows(qs, ListKind.OWNER_WINBACK, F("seen"), F("model"))


def recall(*, store: Store, campaign: RecallCampaign, **_: Any) -> QuerySet[Any]:
    """Owners' vehicles the campaign concerns: its model delivered within its dates, or a
    listed VIN."""
    match = Q(pk__in=[])
    if campaign.model:
        by_model = Q(model=campaign.model)
        if campaign.delivered_from:
            by_model &= Q(delivery_date__gte=campaign.delivered_from)
        if campaign.delivered_to:
            by_model &= Q(delivery_date__lte=campaign.delivered_to)
        match |= by_model
    vins = campaign.vin_list()
    if vins:
        match |= Q(vin__in=vins)
    qs = Vehicle.objects.filter(match, store=store)
    return _vehicle_rows(qs, ListKind.RECALL, "delivery_date")


@dataclass(frozen=True)
class Builder:
    kind: ListKind
    build: Callable[..., QuerySet[Any]]
    days: int | None  # the default of its `days` parameter; None: no such parameter
    days_label: str | Promise = ""


AHEAD = _("Ending within (days)")
BUILDERS: dict[str, Builder] = {
    b.kind.value: b
    for b in (
        Builder(ListKind.FINANCE_ENDING, ending("finance_end", ListKind.FINANCE_ENDING), 30, AHEAD),
        Builder(
            ListKind.WARRANTY_ENDING, ending("warranty_end", ListKind.WARRANTY_ENDING), 30, AHEAD
        ),
        Builder(
            ListKind.INSURANCE_ENDING,
            ending("insurance_end", ListKind.INSURANCE_ENDING),
            30,
            AHEAD,
        ),
        Builder(
            ListKind.INTERVIEW_INTENT, interview_intent, 30, _("Interviews of the last (days)")
        ),
        Builder(ListKind.DORMANT, dormant, DORMANT_DAYS, _("No contact for (days)")),
        Builder(ListKind.ACTIVATION, activation, 90, _("Lost within the last (days)")),
        Builder(
            ListKind.INSURANCE_RENEWAL,
            ending("insurance_end", ListKind.INSURANCE_RENEWAL),
            30,
            AHEAD,
        ),
        Builder(
            ListKind.MAINTENANCE_DUE, maintenance_due, MAINTENANCE_DAYS, _("Last visit over (days)")
        ),
        Builder(ListKind.RECALL, recall, None),
        Builder(ListKind.OWNER_WINBACK, owner_winback, CHURN_DAYS, _("Last visit over (days)")),
    )
}


def default_days(kind: str, store: Store) -> int | None:
    """The days a list of `kind` looks back or ahead when none are given: the store's dormant
    days for the dormant list, the builder's own otherwise."""
    if kind == ListKind.DORMANT:
        return FollowUpSettings.for_store(store).dormant_days
    return BUILDERS[kind].days


def candidates(
    *, kind: str, store: Store, on: date, days: int | None = None, **params: Any
) -> list[dict[str, Any]]:
    """The rows a new list of `kind` would hold today: one query, one row per person."""
    builder = BUILDERS[kind]
    if builder.days is not None:
        params["days"] = builder.days if days is None else days
    seen: set[int] = set()
    rows = []
    for row in builder.build(store=store, on=on, **params):
        if row["customer_id"] in seen:
            continue
        seen.add(row["customer_id"])
        rows.append(row)
    return rows
