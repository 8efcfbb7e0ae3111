"""夕会, the evening meeting: the store's day per consultant, its total, and today's lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Count, Q, QuerySet

from showroom.customers.models import Customer, GradeChange
from showroom.kpi.selectors import kpis_by_id
from showroom.organization import access
from showroom.organization.models import Staff, Store
from showroom.reports.sales.selectors import (
    FIRST_CALL_KEPT,
    FIRST_VISIT_KEPT,
    GRADE_RANK,
    display_name,
    planned_on,
)
from showroom.sales import funnel
from showroom.sales.choices import LossStatus
from showroom.sales.models import Activity, DailyReview, LossReport, Order
from showroom.traffic.models import Call, WalkIn

# A grade change towards a higher (lower) rank: a promotion (a demotion).
GRADE_UP = reduce(
    or_,
    (
        Q(old_grade=old, new_grade=new)
        for old in GRADE_RANK
        for new in GRADE_RANK
        if GRADE_RANK[new] > GRADE_RANK[old]
    ),
)
GRADE_DOWN = reduce(
    or_,
    (
        Q(old_grade=old, new_grade=new)
        for old in GRADE_RANK
        for new in GRADE_RANK
        if GRADE_RANK[new] < GRADE_RANK[old]
    ),
)


@dataclass
class EveningLine:
    consultant: Staff | None  # None: the store's total
    first_visits: int = 0
    repeat_visits: int = 0
    calls: int = 0
    kept: int = 0  # first visits and first calls with contact kept
    contacts: int = 0
    new_cards: int = 0
    grades_up: int = 0
    grades_down: int = 0
    orders: int = 0
    deliveries: int = 0
    losses_waiting: int = 0
    overdue: int = 0
    planned_tomorrow: int = 0
    reviewed: bool = False

    NUMBERS = (
        "first_visits",
        "repeat_visits",
        "calls",
        "kept",
        "contacts",
        "new_cards",
        "grades_up",
        "grades_down",
        "orders",
        "deliveries",
        "losses_waiting",
        "overdue",
        "planned_tomorrow",
    )


@dataclass
class EveningReport:
    store: Store
    day: date
    lines: list[EveningLine]
    total: EveningLine
    new_cards: list[Customer]
    orders: list[Order]  # orders signed today
    deliveries: list[Order]  # cars delivered today
    losses_waiting: list[LossReport]


# The numbers of the evening meeting that are KPIs of the registry: line field → KPI code.
EVENING_KPIS: dict[str, str] = {
    "first_visits": "first_visit_batches",
    "repeat_visits": "repeat_visit_batches",
    "calls": "call_batches",
    "orders": "orders",
    "deliveries": "deliveries",
}


def _grouped(qs: QuerySet[Any], key: str, **aggregates: Any) -> dict[int | None, dict[str, Any]]:
    return {row[key]: row for row in qs.order_by().values(key).annotate(**aggregates)}


def evening_meeting(*, user: Staff, store: Store, day: date) -> EveningReport:
    """夕会 of `store` on `day`: per consultant, the store's total, and today's lists.

    The KPIs of the registry among its numbers (visits, calls, orders, deliveries) come from
    compute_kpis by consultant for the day. Fifteen queries, whatever the number of
    consultants or rows.
    """
    tomorrow = day + timedelta(days=1)
    kpis = kpis_by_id(
        stores=[store],
        start=day,
        end=day,
        by="consultant",
        codes=EVENING_KPIS.values(),
        consultant=None if access.sees_all_rows(user) else user.pk,
    )
    walkins = _grouped(
        access.front_desk_rows(WalkIn.objects.all(), user).filter(store=store, date=day),
        "consultant_id",
        kept=Count("pk", filter=FIRST_VISIT_KEPT),
    )
    calls = _grouped(
        access.front_desk_rows(Call.objects.all(), user).filter(store=store, date=day),
        "consultant_id",
        kept=Count("pk", filter=FIRST_CALL_KEPT),
    )
    contacts = _grouped(
        access.activity_rows(Activity.objects.all(), user).filter(store=store, date=day),
        "consultant_id",
        n=Count("pk"),
    )
    customers = access.customer_rows(Customer.objects.all(), user).filter(store=store)
    cards = _grouped(customers.filter(funnel.PROSPECT, created=day), "consultant_id", n=Count("pk"))
    # Open cards read from the kept spans (an index of open cards): deciding it from every
    # order and loss of the store's history cost the page most of its time.
    follow_ups = _grouped(
        customers.filter(funnel.open_on(day, stores=[store], kept=True)).filter(
            Q(next_follow_up__lt=day) | planned_on(tomorrow)
        ),
        "consultant_id",
        overdue=Count("pk", filter=Q(next_follow_up__lt=day)),
        planned=Count("pk", filter=planned_on(tomorrow)),
    )
    grades = _grouped(
        access.grade_change_rows(GradeChange.objects.all(), user).filter(store=store, date=day),
        "customer__consultant_id",
        up=Count("pk", filter=GRADE_UP),
        down=Count("pk", filter=GRADE_DOWN),
    )
    waiting_qs = access.loss_rows(LossReport.objects.all(), user).filter(
        store=store, status=LossStatus.REQUESTED, date__lte=day
    )
    waiting = _grouped(waiting_qs, "consultant_id", n=Count("pk"))
    reviewed = set(
        access.daily_review_rows(DailyReview.objects.all(), user)
        .filter(store=store, date=day)
        .values_list("consultant_id", flat=True)
    )

    consultants = {c.pk: c for c in access.consultant_choices(user=user, store=store)}
    seen = {*walkins, *calls, *contacts, *cards, *follow_ups, *grades, *kpis, *waiting}
    missing = {pk for pk in seen if pk is not None} - set(consultants)
    if missing:
        consultants.update({s.pk: s for s in Staff.objects.filter(pk__in=missing)})

    lines = []
    for pk, consultant in consultants.items():
        follow = follow_ups.get(pk, {})
        line = EveningLine(
            consultant=consultant,
            **{name: kpis.get(pk, {}).get(code, 0) for name, code in EVENING_KPIS.items()},
            kept=walkins.get(pk, {}).get("kept", 0) + calls.get(pk, {}).get("kept", 0),
            contacts=contacts.get(pk, {}).get("n", 0),
            new_cards=cards.get(pk, {}).get("n", 0),
            grades_up=grades.get(pk, {}).get("up", 0),
            grades_down=grades.get(pk, {}).get("down", 0),
            losses_waiting=waiting.get(pk, {}).get("n", 0),
            overdue=follow.get("overdue", 0),
            planned_tomorrow=follow.get("planned", 0),
            reviewed=pk in reviewed,
        )
        lines.append(line)
    lines.sort(key=lambda ln: (ln.consultant.staff_code, display_name(ln.consultant)))  # type: ignore[union-attr]
    total = EveningLine(consultant=None)
    for name in EveningLine.NUMBERS:
        setattr(total, name, sum(getattr(line, name) for line in lines))
    # Cards without a consultant count in the store's total only.
    for name, source, key in (
        ("new_cards", cards, "n"),
        ("overdue", follow_ups, "overdue"),
        ("planned_tomorrow", follow_ups, "planned"),
    ):
        setattr(total, name, getattr(total, name) + source.get(None, {}).get(key, 0))

    return _evening(store, day, lines, total, customers, waiting_qs, user)


def _evening(
    store: Store,
    day: date,
    lines: list[EveningLine],
    total: EveningLine,
    customers: QuerySet[Customer],
    waiting_qs: QuerySet[LossReport],
    user: Staff,
) -> EveningReport:
    deals = list(
        access.order_rows(Order.objects.all(), user)
        .filter(store=store, cancelled=False)
        .filter(Q(order_date=day) | Q(delivery_date=day))
        .select_related("customer", "consultant")
        .order_by("pk")
    )
    return EveningReport(
        store=store,
        day=day,
        lines=lines,
        total=total,
        new_cards=list(
            customers.filter(funnel.PROSPECT, created=day)
            .select_related("consultant", "source")
            .order_by("consultant__staff_code", "pk")
        ),
        orders=[o for o in deals if o.order_date == day],
        deliveries=[o for o in deals if o.delivery_date == day],
        losses_waiting=list(
            waiting_qs.select_related("customer", "consultant").order_by("date", "pk")
        ),
    )
