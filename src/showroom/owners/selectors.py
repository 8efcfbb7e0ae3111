"""Reads of the owners' file (保有客户管理): owner cards filed by delivery month, one owner's
vehicles, visits, referrals and care contacts, and who has stopped coming back (churn).

Every function that returns rows for a user scopes them through `organization.access`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.http import Http404
from django.shortcuts import get_object_or_404

from showroom.customers.choices import CustomerType, OwnerKind
from showroom.customers.models import Customer
from showroom.customers.phones import normalize_phone
from showroom.customers.selectors import name_or_phone
from showroom.organization import access
from showroom.organization.models import Staff, Store
from showroom.owners.models import ServiceVisit, Vehicle
from showroom.sales.choices import ActivityKind
from showroom.sales.models import Activity

# An owner is churned (流失) when the last visit to the workshop — or the delivery, when
# there was none — is more than this many days ago (the KPI owner_churn_rate).
CHURN_DAYS = 365
# The list without a month shows the newest months that have deliveries.
DEFAULT_MONTHS = 3
MAX_ROWS = 500

# Owner cards: sold here (the card turned owner at delivery) or recorded without a sale here.
OWNER_CARDS = Q(customer_type=CustomerType.OWNER) | ~Q(owner_kind=OwnerKind.NONE)
KINDS = ("here", OwnerKind.OWN_BRAND_ELSEWHERE.value, OwnerKind.OTHER_BRAND.value)


def cards_by_plate(*, query: str) -> Q | None:
    """The customer list's search by plate: the cards whose car's plate holds the typed
    text, spaces and the dot of 京A·12345 ignored (None when the text is too short)."""
    plate = "".join(ch for ch in query if ch not in " ·.-").upper()
    if len(plate) < 3:
        return None
    return Q(pk__in=Vehicle.objects.filter(plate__icontains=plate).values("customer"))


def owner_cards(*, user: Staff, store: Store) -> QuerySet[Customer]:
    return access.customer_rows(Customer.objects.filter(store=store).filter(OWNER_CARDS), user)


def owner_for(*, user: Staff, pk: int) -> Customer:
    """The owner card if `user` may read it; 404 otherwise (also for a prospect's card)."""
    qs = Customer.objects.filter(OWNER_CARDS).select_related("store", "consultant", "source")
    return get_object_or_404(access.customer_rows(qs, user), pk=pk)


def vehicle_for(*, user: Staff, pk: int) -> Vehicle:
    qs = Vehicle.objects.select_related("store", "customer", "order")
    vehicle = get_object_or_404(qs, pk=pk)
    owner_for(user=user, pk=vehicle.customer_id)  # 404 unless the owner is readable
    return vehicle


def last_seen(*, outer: str = "pk") -> Coalesce:
    """The owner's last service visit, or the latest delivery when there was no visit."""
    visit = (
        ServiceVisit.objects.filter(customer=OuterRef(outer)).order_by("-date").values("date")[:1]
    )
    delivered = (
        Vehicle.objects.filter(customer=OuterRef(outer), delivery_date__isnull=False)
        .order_by("-delivery_date")
        .values("delivery_date")[:1]
    )
    return Coalesce(Subquery(visit), Subquery(delivered))


def churn_threshold(today: date) -> date:
    return today - timedelta(days=CHURN_DAYS)


def is_churned(seen: date | None, *, today: date) -> bool:
    return seen is not None and seen < churn_threshold(today)


@dataclass(frozen=True)
class MonthCount:
    month: date | None  # None: vehicles without a delivery date
    count: int


def month_index(*, user: Staff, store: Store) -> list[MonthCount]:
    """Delivery months with their number of vehicles, newest first; undated last. One query."""
    rows = (
        Vehicle.objects.filter(customer__in=owner_cards(user=user, store=store))
        .annotate(month=TruncMonth("delivery_date"))
        .values("month")
        .annotate(n=Count("id"))
        .order_by("month")
    )
    counts = [MonthCount(r["month"], r["n"]) for r in rows]
    dated = [c for c in counts if c.month is not None]
    dated.sort(key=lambda c: c.month or date.min, reverse=True)
    return dated + [c for c in counts if c.month is None]


def filed_vehicles(
    *,
    user: Staff,
    store: Store,
    today: date,
    months: list[date | None],
    query: str = "",
    kind: str = "",
    churned: bool = False,
) -> QuerySet[Vehicle]:
    """Owners' vehicles delivered in `months` (None: undated; empty list: every month),
    newest delivery first, each with `last_seen` and `churned` of its owner."""
    qs = Vehicle.objects.filter(customer__in=owner_cards(user=user, store=store))
    if months:
        dated = [m for m in months if m is not None]
        match = Q()
        for m in dated:
            nxt = (m + timedelta(days=32)).replace(day=1)
            match |= Q(delivery_date__gte=m, delivery_date__lt=nxt)
        if None in months:
            match |= Q(delivery_date__isnull=True)
        qs = qs.filter(match)
    query = query.strip()
    if query:
        text = (
            Q(customer__name__icontains=query)
            | Q(plate__icontains=query)
            | Q(vin__icontains=query.upper())
        )
        digits = normalize_phone(query)
        if len(digits) >= 4:
            text |= Q(customer__phone_norm__contains=digits)
        qs = qs.filter(text)
    if kind == "here":
        qs = qs.filter(customer__owner_kind=OwnerKind.NONE)
    elif kind in KINDS:
        qs = qs.filter(customer__owner_kind=kind)
    qs = qs.annotate(last_seen=last_seen(outer="customer")).annotate(
        churned=ExpressionWrapper(
            Q(last_seen__lt=churn_threshold(today)), output_field=BooleanField()
        )
    )
    if churned:
        qs = qs.filter(churned=True)
    return qs.select_related("customer", "customer__consultant").order_by(
        "-delivery_date", "customer__name", "pk"
    )


def owners_without_vehicle(*, user: Staff, store: Store) -> QuerySet[Customer]:
    """Owner cards with no vehicle at all (e.g. imported cards): listed apart."""
    return owner_cards(user=user, store=store).filter(vehicles__isnull=True).order_by("name")


# --- One owner ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OwnerFile:
    owner: Customer
    vehicles: list[Vehicle]
    visits: list[ServiceVisit]
    care: list[Activity]
    referrals: list[Customer]  # those the user may read
    other_referrals: int  # referrals kept by consultants the user may not read
    last_seen: date | None
    churned: bool


def owner_file(*, owner: Customer, user: Staff, today: date) -> OwnerFile:
    vehicles = list(owner.vehicles.select_related("order").order_by("-delivery_date", "pk"))
    visits = list(owner.service_visits.select_related("vehicle").order_by("-date", "-pk"))
    care = list(
        Activity.objects.filter(customer=owner, kind=ActivityKind.OWNER_CARE)
        .select_related("consultant")
        .order_by("-date", "-pk")
    )
    all_referrals = Customer.objects.filter(referred_by=owner)
    referrals = list(
        access.customer_rows(all_referrals, user).select_related("consultant").order_by("-created")
    )
    dates = [v.date for v in visits] or [v.delivery_date for v in vehicles if v.delivery_date]
    seen = max(dates) if dates else None
    return OwnerFile(
        owner=owner,
        vehicles=vehicles,
        visits=visits,
        care=care,
        referrals=referrals,
        other_referrals=all_referrals.count() - len(referrals),
        last_seen=seen,
        churned=is_churned(seen, today=today),
    )


def referral_candidates(
    *, user: Staff, owner: Customer, query: str, limit: int = 20
) -> list[Customer]:
    """Cards of the sales funnel `user` may read that this owner could have sent."""
    match = name_or_phone(query)
    if match is None:
        return []
    qs = access.customer_rows(
        Customer.objects.filter(store_id=owner.store_id, owner_kind=OwnerKind.NONE), user
    ).exclude(pk=owner.pk)
    return list(
        qs.filter(match).select_related("consultant", "referred_by").order_by("name")[:limit]
    )


def referral_candidate(*, user: Staff, owner: Customer, pk: str | int | None) -> Customer:
    if not str(pk or "").isdigit():
        raise Http404
    qs = access.customer_rows(
        Customer.objects.filter(store_id=owner.store_id, owner_kind=OwnerKind.NONE), user
    ).exclude(pk=owner.pk)
    return get_object_or_404(qs, pk=pk)
