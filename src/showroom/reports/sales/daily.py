"""营业日报表, the daily activity report: one consultant's contacts, new cards, register rows,
tomorrow's follow-ups and grade changes of a day, and the store's overview of the day.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from showroom.customers.models import Customer, GradeChange
from showroom.organization import access
from showroom.organization.models import Staff, Store
from showroom.reports.sales.selectors import (
    FIRST_CALL_KEPT,
    FIRST_VISIT_KEPT,
    display_name,
    grade_direction,
    planned_on,
)
from showroom.sales import funnel
from showroom.sales.choices import ActivityCategory
from showroom.sales.models import Activity, DailyReview
from showroom.traffic.models import Call, WalkIn


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
