"""What the sales reports (营业日报表, 夕会, 意向客户接触状况表, 战败分析表) share: the
grades' order, the marks of the contact grid, the closing states, who a report is about.

Every report is a fixed handful of queries, whatever the number of days, consultants or rows:
grouped aggregates and annotated subqueries, grouped in Python only after fetching. Prospect
states come from `showroom.sales.funnel`; every queryset is scoped through
`showroom.organization.access` for the user asking, so a consultant reads only their own.
The reports themselves are in daily.py (营业日报表), evening.py (夕会) and monthly.py.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import pgettext_lazy

from showroom.customers.choices import Grade
from showroom.organization.models import Staff
from showroom.sales.choices import ActivityKind, LossKind
from showroom.sales.models import Activity
from showroom.traffic.choices import CallType, VisitType
from showroom.traffic.models import CONTACT_KEPT

# Grades from the highest (an order) down: a change towards O is a promotion.
GRADE_RANK: dict[str, int] = {Grade.O: 5, Grade.H: 4, Grade.A: 3, Grade.B: 2, Grade.C: 1}

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
