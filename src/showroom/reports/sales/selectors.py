"""The sales reports of SPEC §4.2: 营业日报表, 夕会, 意向客户接触状况表, 战败(失控)分析表.

Every report is a fixed handful of queries, whatever the number of days, consultants or rows:
grouped aggregates and annotated subqueries, grouped in Python only after fetching. Prospect
states come from `showroom.sales.funnel`; every queryset is scoped through
`showroom.organization.access` for the user asking, so a consultant reads only their own.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import pgettext_lazy

from showroom.customers.choices import Grade
from showroom.customers.models import Customer, GradeChange
from showroom.organization import access
from showroom.organization.models import Staff, Store
from showroom.sales import funnel
from showroom.sales.choices import ActivityCategory, ActivityKind, LossKind, LossStatus
from showroom.sales.models import Activity, DailyReview, LossReport, Order
from showroom.sales.prospects.selectors import overdue_q
from showroom.traffic.choices import CallType, VisitType
from showroom.traffic.models import CONTACT_KEPT, Call, WalkIn

# Grades from the highest (an order) down: a change towards O is a promotion.
GRADE_RANK: dict[str, int] = {Grade.O: 5, Grade.H: 4, Grade.A: 3, Grade.B: 2, Grade.C: 1}
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

# The short mark of each kind of contact in the day grid of the contact status sheet.
KIND_MARKS: dict[str, Any] = {
    ActivityKind.RECEPTION: pgettext_lazy("contact mark", "Vis"),
    ActivityKind.CALL: pgettext_lazy("contact mark", "Tel"),
    ActivityKind.MESSAGE: pgettext_lazy("contact mark", "Msg"),
    ActivityKind.HOME_VISIT: pgettext_lazy("contact mark", "Home"),
    ActivityKind.INVITATION: pgettext_lazy("contact mark", "Inv"),
    ActivityKind.TEST_DRIVE: pgettext_lazy("contact mark", "TD"),
    ActivityKind.QUOTE: pgettext_lazy("contact mark", "Qt"),
    ActivityKind.ORDER: pgettext_lazy("contact mark", "Ord"),
    ActivityKind.DELIVERY: pgettext_lazy("contact mark", "Del"),
    ActivityKind.OWNER_CARE: pgettext_lazy("contact mark", "Care"),
}
PLANNED_MARK = "*"

ORDERED = "ordered"
CLOSE_LABELS: dict[str, Any] = {
    ORDERED: pgettext_lazy("closing state", "Ordered"),
    LossKind.LOST: LossKind.LOST.label,
    LossKind.OUT_OF_CONTROL: LossKind.OUT_OF_CONTROL.label,
}

FIRST_VISIT_KEPT = Q(visit_type=VisitType.FIRST) & CONTACT_KEPT
FIRST_CALL_KEPT = Q(call_type=CallType.FIRST) & CONTACT_KEPT


def grade_direction(old: str, new: str) -> str:
    """ "up", "down", "new" (the card's first grade) or "" (no rank change)."""
    if not old:
        return "new" if new else ""
    if old not in GRADE_RANK or new not in GRADE_RANK or old == new:
        return ""
    return "up" if GRADE_RANK[new] > GRADE_RANK[old] else "down"


def planned_on(day: date) -> Q:
    """A follow-up is planned on `day`: the card's next follow-up, or a contact's next date."""
    by_contact = Activity.objects.filter(customer=OuterRef("pk"), next_date=day)
    return Q(next_follow_up=day) | Q(Exists(by_contact))


def display_name(staff: Staff | None) -> str:
    if staff is None:
        return ""
    return staff.full_name or staff.username


# Who a report is about: `access.consultant_choices` and `access.pick_consultant`.


# --- 营业日报表: the daily activity report -------------------------------------------


@dataclass
class CategoryCounts:
    """Contacts of a day by category: 管理 / 促进 / 开拓 (and those left unclassified)."""

    management: int = 0
    promotion: int = 0
    development: int = 0
    unclassified: int = 0

    @property
    def total(self) -> int:
        return self.management + self.promotion + self.development + self.unclassified

    @classmethod
    def from_values(cls, values: Any) -> CategoryCounts:
        return cls(**{name: values.get(name) or 0 for name in CATEGORY_AGGREGATES})


CATEGORY_AGGREGATES: dict[str, Any] = {
    "management": Count("pk", filter=Q(category=ActivityCategory.MANAGEMENT)),
    "promotion": Count("pk", filter=Q(category=ActivityCategory.PROMOTION)),
    "development": Count("pk", filter=Q(category=ActivityCategory.DEVELOPMENT)),
    "unclassified": Count("pk", filter=~Q(category__in=ActivityCategory.values)),
}


def _card_of_row(store: Store, day: date) -> Exists:
    """The register row at OuterRef has a card of the store by `day` (linked or same phone)."""
    cards = Customer.objects.filter(store=store, created__lte=day).filter(
        Q(pk=OuterRef("customer_id")) | (Q(phone_norm=OuterRef("phone_norm")) & ~Q(phone_norm=""))
    )
    return Exists(cards)


def _row_of_card(store: Store, day: date) -> Q:
    """The card at OuterRef has a kept first visit or first call of `day` in the registers."""

    def rows(model: type[WalkIn] | type[Call], kept: Q) -> Exists:
        return Exists(
            model.objects.filter(store=store, date=day)
            .filter(kept)
            .filter(
                Q(customer_id=OuterRef("pk"))
                | (Q(phone_norm=OuterRef("phone_norm")) & ~Q(phone_norm=""))
            )
        )

    return Q(rows(WalkIn, FIRST_VISIT_KEPT)) | Q(rows(Call, FIRST_CALL_KEPT))


def new_cards_of_day(*, user: Staff, store: Store, day: date) -> QuerySet[Customer]:
    """Prospect cards created on `day`, each annotated with `in_register`."""
    return (
        access.customer_rows(Customer.objects.all(), user)
        .filter(funnel.PROSPECT, store=store, created=day)
        .annotate(in_register=_row_of_card(store, day))
    )


def kept_register_rows(
    *, user: Staff, store: Store, day: date
) -> tuple[QuerySet[WalkIn], QuerySet[Call]]:
    """Kept first visits and first calls of `day`, each annotated with `has_card`."""
    walkins = (
        access.front_desk_rows(WalkIn.objects.all(), user)
        .filter(FIRST_VISIT_KEPT, store=store, date=day)
        .annotate(has_card=_card_of_row(store, day))
    )
    calls = (
        access.front_desk_rows(Call.objects.all(), user)
        .filter(FIRST_CALL_KEPT, store=store, date=day)
        .annotate(has_card=_card_of_row(store, day))
    )
    return walkins, calls


@dataclass
class DailyLine:
    """One consultant's line of the store's overview of the day."""

    consultant: Staff
    counts: CategoryCounts = field(default_factory=CategoryCounts)
    new_cards: int = 0
    cards_not_registered: int = 0
    kept_rows: int = 0
    rows_without_card: int = 0
    review: DailyReview | None = None

    @property
    def agrees(self) -> bool:
        return not self.cards_not_registered and not self.rows_without_card


@dataclass
class DailyReport:
    store: Store
    consultant: Staff
    day: date
    contacts: list[Activity]
    counts: CategoryCounts
    new_cards: list[Any]  # Customer, annotated in_register
    walkins: list[Any]  # WalkIn: kept first visits, annotated has_card
    calls: list[Any]  # Call: kept first calls, annotated has_card
    planned: list[Any]  # Customer: tomorrow's follow-ups, annotated grade_then
    grade_changes: list[GradeChange]  # with .direction
    review: DailyReview | None

    @property
    def tomorrow(self) -> date:
        return self.day + timedelta(days=1)

    @property
    def kept_rows(self) -> int:
        return len(self.walkins) + len(self.calls)

    @property
    def agrees(self) -> bool:
        """New prospects agree with the registers (the seed's rule for 营业日报表)."""
        return all(c.in_register for c in self.new_cards) and all(
            r.has_card for r in [*self.walkins, *self.calls]
        )


def daily_report(*, user: Staff, store: Store, consultant: Staff, day: date) -> DailyReport:
    """营业日报表 of one consultant for one day, as `user` may see it (8 queries)."""
    contacts = list(
        access.activity_rows(Activity.objects.all(), user)
        .filter(store=store, consultant=consultant, date=day)
        .select_related("customer")
        .order_by("created_at", "pk")
    )
    counts = CategoryCounts(
        management=sum(a.category == ActivityCategory.MANAGEMENT for a in contacts),
        promotion=sum(a.category == ActivityCategory.PROMOTION for a in contacts),
        development=sum(a.category == ActivityCategory.DEVELOPMENT for a in contacts),
        unclassified=sum(a.category not in ActivityCategory.values for a in contacts),
    )
    new_cards = list(
        new_cards_of_day(user=user, store=store, day=day)
        .filter(consultant=consultant)
        .select_related("source")
        .order_by("pk")
    )
    walkins, calls = kept_register_rows(user=user, store=store, day=day)
    tomorrow = day + timedelta(days=1)
    planned = list(
        access.customer_rows(Customer.objects.all(), user)
        .filter(store=store, consultant=consultant)
        .filter(funnel.open_on(day))
        .filter(planned_on(tomorrow))
        .annotate(grade_then=funnel.grade_on(day))
        .select_related("source")
        .order_by("name", "pk")
    )
    changes = list(
        access.grade_change_rows(GradeChange.objects.all(), user)
        .filter(store=store, date=day, customer__consultant=consultant)
        .select_related("customer", "changed_by")
        .order_by("created_at", "pk")
    )
    for change in changes:
        change.direction = grade_direction(change.old_grade, change.new_grade)  # type: ignore[attr-defined]
    review = (
        access.daily_review_rows(DailyReview.objects.all(), user)
        .filter(store=store, consultant=consultant, date=day)
        .select_related("reviewed_by")
        .first()
    )
    return DailyReport(
        store=store,
        consultant=consultant,
        day=day,
        contacts=contacts,
        counts=counts,
        new_cards=new_cards,
        walkins=list(walkins.filter(consultant=consultant).order_by("arrived_at", "pk")),
        calls=list(calls.filter(consultant=consultant).order_by("called_at", "pk")),
        planned=planned,
        grade_changes=changes,
        review=review,
    )


def daily_overview(*, user: Staff, store: Store, day: date) -> list[DailyLine]:
    """Every consultant's counts of the day (those `user` may see), for the manager (6 queries)."""
    lines: dict[int, DailyLine] = {
        c.pk: DailyLine(consultant=c) for c in access.consultant_choices(user=user, store=store)
    }

    activities = (
        access.activity_rows(Activity.objects.all(), user)
        .filter(store=store, date=day)
        .order_by()
        .values("consultant_id")
        .annotate(**CATEGORY_AGGREGATES)
    )
    by_consultant = {row["consultant_id"]: CategoryCounts.from_values(row) for row in activities}
    cards = (
        new_cards_of_day(user=user, store=store, day=day)
        .order_by()
        .values("consultant_id")
        .annotate(n=Count("pk"), missing=Count("pk", filter=Q(in_register=False)))
    )
    card_counts: dict[int, Any] = {row["consultant_id"]: row for row in cards}
    rows: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for register in kept_register_rows(user=user, store=store, day=day):
        grouped = (
            register.order_by()
            .values("consultant_id")
            .annotate(n=Count("pk"), missing=Count("pk", filter=Q(has_card=False)))
        )
        for row in grouped:
            rows[row["consultant_id"]][0] += row["n"]
            rows[row["consultant_id"]][1] += row["missing"]
    reviews = {
        r.consultant_id: r
        for r in access.daily_review_rows(DailyReview.objects.all(), user)
        .filter(store=store, date=day)
        .select_related("reviewed_by")
    }
    staff_ids = {*by_consultant, *card_counts, *rows, *reviews} - {None} - set(lines)  # type: ignore[arg-type]
    for staff in Staff.objects.filter(pk__in=staff_ids):
        lines[staff.pk] = DailyLine(consultant=staff)
    for pk, line in lines.items():
        line.counts = by_consultant.get(pk, CategoryCounts())
        line.new_cards = card_counts.get(pk, {}).get("n", 0)
        line.cards_not_registered = card_counts.get(pk, {}).get("missing", 0)
        line.kept_rows, line.rows_without_card = rows.get(pk, (0, 0))
        line.review = reviews.get(pk)
    return sorted(
        lines.values(),
        key=lambda ln: (ln.consultant.staff_code, display_name(ln.consultant), ln.consultant.pk),
    )


# --- 夕会: the evening meeting ---------------------------------------------------------


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
    from showroom.kpi.selectors import kpis_by_id

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
    follow_ups = _grouped(
        customers.filter(funnel.open_on(day)).filter(overdue_q(day) | planned_on(tomorrow)),
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
