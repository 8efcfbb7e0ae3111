"""The funnel as a cohort of people: the period's new prospects and how far each got by the
period's end.

The cohort is every prospect card created in the period (new_prospects without the
re-activated: people met for the first time). Each stage counts the people of the cohort who
reached it or a later one on or before the period's end, so that no stage exceeds the one
before:
- visited: a walk-in row of the same store and phone (any date up to the end);
- test drive: a test drive on the card, or a walk-in row with a test drive;
- quote: a quote on the card, or a walk-in row with a quote;
- order: an order dated by the end and not cancelled by then;
- delivery: an order delivered by the end and not cancelled.

The traffic of the period (walk-in rows, test drives, quotes: parties, not people) is the
registry's KPIs and is shown beside the funnel, never as one of its stages.

One query, whatever the number of cards.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from showroom.customers.models import Customer
from showroom.organization.models import Store
from showroom.sales.funnel import PROSPECT, order_standing
from showroom.sales.models import Order, Quote, TestDrive
from showroom.traffic.models import WalkIn

# The stages, top first.
STAGES: tuple[str, ...] = ("prospects", "visited", "test_drive", "quote", "order", "delivery")


def funnel_cohort(
    *, stores: Sequence[Store] | QuerySet[Store], start: date, end: date
) -> dict[str, int]:
    """{stage: people of the cohort who reached it or a later one by `end`}, in STAGES order."""
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    walk_ins = WalkIn.objects.filter(
        store=OuterRef("store"), phone_norm=OuterRef("phone_norm"), date__lte=end
    ).exclude(phone_norm="")
    delivered = Q(
        Exists(
            Order.objects.filter(customer=OuterRef("pk"), cancelled=False, delivery_date__lte=end)
        )
    )
    ordered = delivered | Q(
        Exists(Order.objects.filter(order_standing(end), customer=OuterRef("pk")))
    )
    quoted = (
        ordered
        | Q(Exists(Quote.objects.filter(customer=OuterRef("pk"), date__lte=end)))
        | Q(Exists(walk_ins.filter(quoted=True)))
    )
    tested = (
        quoted
        | Q(Exists(TestDrive.objects.filter(customer=OuterRef("pk"), date__lte=end)))
        | Q(Exists(walk_ins.filter(test_drive=True)))
    )
    visited = tested | Q(Exists(walk_ins))
    counts = Customer.objects.filter(
        PROSPECT, store__in=stores, created__range=(start, end)
    ).aggregate(
        prospects=Count("pk"),
        visited=Count("pk", filter=visited),
        test_drive=Count("pk", filter=tested),
        quote=Count("pk", filter=quoted),
        order=Count("pk", filter=ordered),
        delivery=Count("pk", filter=delivered),
    )
    return {stage: counts[stage] or 0 for stage in STAGES}
