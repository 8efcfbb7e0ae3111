"""Reads of prospect promotion: overdue follow-ups, a consultant's day.

Overdue means: the next follow-up date is before the store-local day and the prospect is
still open on that day (sales.funnel.open_on, read from the kept spans), so ordered and lost
prospects never are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import OuterRef, Q, QuerySet, Subquery

from showroom.core.hooks import Hook, Panel
from showroom.customers.models import Customer
from showroom.organization import access
from showroom.organization.models import Staff, Store
from showroom.sales.funnel import open_on
from showroom.sales.models import Activity
from showroom.traffic.models import Call, Lead

# Called with (user=, store=, consultant=): the parts other apps add to a consultant's
# "My day" (the consultant is also in each panel's template context), None for nothing.
my_day_panels: Hook[Panel] = Hook("sales.my_day_panels")


def with_last_contact(qs: QuerySet[Customer]) -> QuerySet[Customer]:
    """Annotate each card with `last_contact`, the date of its latest logged contact."""
    latest = Activity.objects.filter(customer=OuterRef("pk")).order_by("-date").values("date")[:1]
    return qs.annotate(last_contact=Subquery(latest))


def overdue_q(on: date) -> Q:
    # Open read from the kept spans: one index lookup a card rather than every order, loss
    # and re-activation of its history (the same answer, `sales.funnel`).
    return Q(next_follow_up__lt=on) & open_on(on, kept=True)


def overdue_follow_ups(*, user: Staff, store: Store, on: date) -> QuerySet[Customer]:
    """Open prospects of `store` past their follow-up date on `on`, as `user` may see them:
    a consultant their own, store-wide roles the whole store (ordered by consultant)."""
    qs = access.customer_rows(Customer.objects.filter(store=store), user)
    return with_last_contact(
        qs.filter(overdue_q(on))
        .select_related("consultant", "source")
        .order_by("consultant__full_name", "consultant_id", "next_follow_up", "pk")
    )


def consultants_with_overdue_follow_ups(*, store: Store, on: date) -> set[int]:
    """Ids of the consultants of `store` with at least one overdue follow-up on `on`.

    Not scoped to a user: the front desk's rotation asks this for the whole store.
    """
    return set(
        Customer.objects.filter(store=store, consultant__isnull=False)
        .filter(overdue_q(on))
        .values_list("consultant_id", flat=True)
        .distinct()
    )


@dataclass
class Appointment:
    """A visit the customer agreed to come for (from a call row or a lead)."""

    kind: str  # "call" or "lead"
    pk: int
    name: str
    phone: str
    model: str
    customer_id: int | None
    shown_phone: str = ""


@dataclass
class Day:
    """What a consultant has to do on one day."""

    consultant: Staff
    on: date
    overdue: list[Customer] = field(default_factory=list)
    due: list[Customer] = field(default_factory=list)
    appointments: list[Appointment] = field(default_factory=list)
    done: list[Activity] = field(default_factory=list)
    tomorrow: list[Customer] = field(default_factory=list)
    tomorrow_appointments: list[Appointment] = field(default_factory=list)


def appointments(
    *, consultant: Staff, store: Store, days: list[date]
) -> dict[date, list[Appointment]]:
    """Call rows and leads of `consultant` with an appointment on each of `days` (two
    queries for all of them)."""
    found: dict[date, list[Appointment]] = {day: [] for day in days}
    calls = Call.objects.filter(store=store, consultant=consultant, appointment_date__in=days)
    for row in calls.order_by("date", "called_at", "pk"):
        assert row.appointment_date is not None
        found[row.appointment_date].append(
            Appointment("call", row.pk, row.name, row.phone, row.model, row.customer_id)
        )
    leads = Lead.objects.filter(store=store, assigned_to=consultant, appointment_date__in=days)
    for lead in leads.order_by("created_at", "pk"):
        assert lead.appointment_date is not None
        found[lead.appointment_date].append(
            Appointment("lead", lead.pk, lead.name, lead.phone, lead.model, lead.customer_id)
        )
    return found


def my_day(*, consultant: Staff, store: Store, on: date) -> Day:
    """Follow-ups due and overdue on `on`, appointments, contacts already logged that day,
    and tomorrow's plan (follow-ups and appointments). A constant number of queries."""
    tomorrow = on + timedelta(days=1)
    # The day's lists show a card's name, grade, phone, model and dates: no relation joined.
    cards = with_last_contact(Customer.objects.filter(store=store, consultant=consultant))
    plan = list(
        cards.filter(open_on(on, kept=True), next_follow_up__lte=tomorrow).order_by(
            "next_follow_up", "name", "pk"
        )
    )
    done = list(
        Activity.objects.filter(store=store, consultant=consultant, date=on)
        .select_related("customer")
        .order_by("-pk")
    )
    day = Day(consultant=consultant, on=on, done=done)
    for card in plan:
        assert card.next_follow_up is not None
        if card.next_follow_up < on:
            day.overdue.append(card)
        elif card.next_follow_up == on:
            day.due.append(card)
        else:
            day.tomorrow.append(card)
    # A card contacted today has its next follow-up moved on, so it leaves these lists by
    # itself and shows under "done".
    booked = appointments(consultant=consultant, store=store, days=[on, tomorrow])
    day.appointments, day.tomorrow_appointments = booked[on], booked[tomorrow]
    return day
