"""The daily data cross-check (数据交叉比对): the traffic registers, hand cards and
customer cards compared, one exception per finding.

Rows checked are those dated from 29 days before the check date to the check date (cards:
created in those days; owners recorded without a sale here are not prospects and are not
checked). One SQL query per check, whatever the number of rows; people are matched by
normalized phone within the store.

Two readings of the table, on purpose:
- "contact kept" is `CONTACT_KEPT` (是否留档: an explicit yes, or left empty with both name and
  phone given), except for kept_without_phone, which can only be an explicit yes — an empty
  是否留档 without a phone is simply not kept.
- "no phone" is a phone that normalizes to nothing (empty, or no digits such as "无").

Keys identify what an exception is about, so that the same finding on later days stays one
tracked exception: "walkin:<id>", "call:<id>", "customer:<id>", "hand_card:<date>:<number>",
"consultant:<id>" (a retention outlier stays one exception while the consultant stays one).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from showroom.crm.choices import CheckCode, ExceptionStatus
from showroom.crm.models import CrosscheckException, CrosscheckSettings
from showroom.customers.choices import Grade
from showroom.customers.models import Customer
from showroom.organization.models import Staff, Store
from showroom.sales.funnel import PROSPECT
from showroom.traffic.choices import VisitType
from showroom.traffic.models import CONTACT_KEPT, Call, Lead, WalkIn

WINDOW_DAYS = 30  # the check date and the 29 days before it
# The other thresholds are the store's (CrosscheckSettings): customer_without_contact wants a
# contact within contact_days of the card; short_stay_high_grade, a stay under
# short_stay_minutes; a retention outlier has at least outlier_min_first_visits.
HIGH_GRADES = (Grade.H, Grade.A)

CHECK_ORDER = list(CheckCode.values)


@dataclass(frozen=True)
class Finding:
    """One exception of the cross-check, as found (not yet tracked)."""

    code: str
    key: str
    date: date
    consultant_id: int | None
    consultant: str  # the consultant's name, "" when none
    phone: str
    message: str

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "date": self.date.isoformat(),
            "consultant": self.consultant or None,
            "phone": self.phone or None,
            "message": self.message,
            "key": self.key,
        }


def window(on: date) -> tuple[date, date]:
    """The check date's window: the 29 days before it and the day itself."""
    return on - timedelta(days=WINDOW_DAYS - 1), on


def find_exceptions(*, store: Store, on: date) -> list[Finding]:
    """Every exception (of each CheckCode) in `store` as of `on`, ordered by code, date and key.

    Messages are in the active language."""
    start, end = window(on)
    return find_between(store=store, start=start, end=end)


def find_between(*, store: Store, start: date, end: date) -> list[Finding]:
    """The row checks over rows dated start..end; retention_outlier over the 30 days to `end`.

    `find_exceptions` is this over the standard window; the tracking (crosscheck_services)
    looks further back to see whether older open exceptions were fixed."""
    names = _names(store)
    found: list[Finding] = []
    for check in (
        _kept_without_customer,
        _kept_without_phone,
        _customer_without_contact,
        _missing_grade,
        _missing_model,
        _short_stay_high_grade,
        _duplicate_hand_card,
    ):
        found += check(store, start, end, names)
    found += _retention_outliers(store, end, names)
    order = {code: i for i, code in enumerate(CHECK_ORDER)}
    found.sort(key=lambda f: (order[f.code], f.date, f.key))
    return found


def open_count(*, store: Store) -> int:
    """Tracked exceptions of the store still open (for the manager's dashboard)."""
    return CrosscheckException.objects.filter(store=store, status=ExceptionStatus.OPEN).count()


def open_for(*, store: Store, consultant: Staff) -> QuerySet[CrosscheckException]:
    """A consultant's open exceptions in the store, newest first (for "My day")."""
    return CrosscheckException.objects.filter(
        store=store, consultant=consultant, status=ExceptionStatus.OPEN
    ).order_by("-date", "code", "id")


def fix_url(key: str) -> str:
    """Where the row an exception is about gets fixed: the register row, the card, the day's
    register (a hand card); "" when there is no one row (a retention outlier)."""
    kind, _sep, rest = key.partition(":")
    if kind in ("walkin", "call") and rest.isdigit():
        return reverse(f"traffic:{kind}_edit", args=[int(rest)])
    if kind == "customer" and rest.isdigit():
        return reverse("customers:card", args=[int(rest)])
    if kind == "hand_card":
        day = rest.partition(":")[0]
        return reverse("traffic:register") + "?" + urlencode({"date": day})
    return ""


# --- the checks: one query each --------------------------------------------------------------


def _names(store: Store) -> dict[int, str]:
    """Names of the store's staff, in one query; `_name` looks up, once each, anyone on its
    rows who has since moved to another store."""
    return {s.pk: str(s) for s in Staff.objects.filter(store=store)}


def _name(names: dict[int, str], pk: int | None) -> str:
    if pk is None:
        return ""
    if pk not in names:
        # Someone on a row who has moved to another store since: one query, rarely.
        staff = Staff.objects.filter(pk=pk).first()
        names[pk] = str(staff) if staff else ""
    return names[pk]


def _registers(store: Store, start: date, end: date) -> list[tuple[str, Any]]:
    """The two registers' rows of the window, each with its key prefix."""
    return [
        ("walkin", WalkIn.objects.filter(store=store, date__range=(start, end))),
        ("call", Call.objects.filter(store=store, date__range=(start, end))),
    ]


_ROW_FIELDS = ("pk", "date", "consultant_id", "phone", "name")


def _row_label(kind: str) -> str:
    return (
        pgettext("cross-check row", "Walk-in")
        if kind == "walkin"
        else pgettext("cross-check row", "Call")
    )


def _kept_without_customer(
    store: Store, start: date, end: date, names: dict[int, str]
) -> list[Finding]:
    found = []
    cards = Customer.objects.filter(store=store, phone_norm=OuterRef("phone_norm"))
    for kind, qs in _registers(store, start, end):
        rows = qs.filter(CONTACT_KEPT).exclude(phone_norm="").filter(~Exists(cards))
        for r in rows.values(*_ROW_FIELDS):
            found.append(
                _row_finding(
                    CheckCode.KEPT_WITHOUT_CUSTOMER,
                    kind,
                    r,
                    names,
                    _(
                        "%(row)s of %(date)s (%(name)s): contact kept, but no customer card "
                        "has its phone"
                    )
                    % {"row": _row_label(kind), "date": r["date"], "name": _who(r)},
                )
            )
    return found


def _kept_without_phone(
    store: Store, start: date, end: date, names: dict[int, str]
) -> list[Finding]:
    found = []
    for kind, qs in _registers(store, start, end):
        rows = qs.filter(contact_kept=True, phone_norm="")
        for r in rows.values(*_ROW_FIELDS):
            found.append(
                _row_finding(
                    CheckCode.KEPT_WITHOUT_PHONE,
                    kind,
                    r,
                    names,
                    _("%(row)s of %(date)s (%(name)s): marked contact kept, but without a phone")
                    % {"row": _row_label(kind), "date": r["date"], "name": _who(r)},
                )
            )
    return found


def _customer_without_contact(
    store: Store, start: date, end: date, names: dict[int, str]
) -> list[Finding]:
    contact_days = CrosscheckSettings.for_store(store).contact_days
    days = timedelta(days=contact_days)

    def near(model: type[Any]) -> Exists:
        # A card without a phone matches nothing (not even rows without a phone).
        return Exists(
            model.objects.filter(
                store=store,
                phone_norm=OuterRef("phone_norm"),
                date__gte=OuterRef("created") - days,
                date__lte=OuterRef("created") + days,
            ).exclude(phone_norm="")
        )

    cards = (
        Customer.objects.filter(store=store, created__range=(start, end))
        .filter(PROSPECT)
        .filter(~near(WalkIn), ~near(Call), ~near(Lead))
        .values("pk", "created", "consultant_id", "phone", "name")
    )
    return [
        Finding(
            code=CheckCode.CUSTOMER_WITHOUT_CONTACT,
            key=f"customer:{c['pk']}",
            date=c["created"],
            consultant_id=c["consultant_id"],
            consultant=_name(names, c["consultant_id"]),
            phone=c["phone"],
            message=_(
                "Card of %(name)s (%(date)s): no walk-in, call or lead with its phone "
                "within %(days)d days"
            )
            % {"name": c["name"], "date": c["created"], "days": contact_days},
        )
        for c in cards
    ]


def _missing_grade(store: Store, start: date, end: date, names: dict[int, str]) -> list[Finding]:
    rows = WalkIn.objects.filter(
        Q(store=store, date__range=(start, end), visit_type=VisitType.FIRST, grade="")
        & CONTACT_KEPT
    )
    return [
        _row_finding(
            CheckCode.MISSING_GRADE,
            "walkin",
            r,
            names,
            _("First visit of %(date)s (%(name)s): contact kept, but no grade")
            % {"date": r["date"], "name": _who(r)},
        )
        for r in rows.values(*_ROW_FIELDS)
    ]


def _missing_model(store: Store, start: date, end: date, names: dict[int, str]) -> list[Finding]:
    found = []
    for kind, qs in _registers(store, start, end):
        for r in qs.filter(CONTACT_KEPT).filter(model="").values(*_ROW_FIELDS):
            found.append(
                _row_finding(
                    CheckCode.MISSING_MODEL,
                    kind,
                    r,
                    names,
                    _("%(row)s of %(date)s (%(name)s): contact kept, but no intended model")
                    % {"row": _row_label(kind), "date": r["date"], "name": _who(r)},
                )
            )
    return found


def _short_stay_high_grade(
    store: Store, start: date, end: date, names: dict[int, str]
) -> list[Finding]:
    rows = WalkIn.objects.filter(
        store=store,
        date__range=(start, end),
        visit_type=VisitType.FIRST,
        grade__in=HIGH_GRADES,
        stay_minutes__lt=CrosscheckSettings.for_store(store).short_stay_minutes,
    ).values(*_ROW_FIELDS, "grade", "stay_minutes")
    return [
        _row_finding(
            CheckCode.SHORT_STAY_HIGH_GRADE,
            "walkin",
            r,
            names,
            _(
                "First visit of %(date)s (%(name)s): graded %(grade)s after a stay of "
                "%(minutes)d minutes"
            )
            % {
                "date": r["date"],
                "name": _who(r),
                "grade": r["grade"],
                "minutes": r["stay_minutes"],
            },
        )
        for r in rows
    ]


def _duplicate_hand_card(
    store: Store, start: date, end: date, names: dict[int, str]
) -> list[Finding]:
    """One exception per hand card number used on two (or more) walk-in rows of a day.

    It goes to the consultant of those rows when they share one; otherwise to no one in
    particular (the CRM and the managers see it)."""
    same = WalkIn.objects.filter(
        store=store, date=OuterRef("date"), hand_card=OuterRef("hand_card")
    ).exclude(pk=OuterRef("pk"))
    rows = (
        WalkIn.objects.filter(store=store, date__range=(start, end))
        .exclude(hand_card="")
        .filter(Exists(same))
        .order_by("date", "hand_card", "arrived_at", "pk")
        .values("date", "hand_card", "arrived_at", "consultant_id")
    )
    groups: dict[tuple[date, str], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        groups[(r["date"], r["hand_card"])].append(dict(r))
    found = []
    for (day, number), group in groups.items():
        consultants = {r["consultant_id"] for r in group}
        consultant_id = consultants.pop() if len(consultants) == 1 else None
        times = ", ".join(
            f"{r['arrived_at']:%H:%M} {_name(names, r['consultant_id'])}" for r in group
        )
        found.append(
            Finding(
                code=CheckCode.DUPLICATE_HAND_CARD,
                key=f"hand_card:{day.isoformat()}:{number}",
                date=day,
                consultant_id=consultant_id,
                consultant=_name(names, consultant_id),
                phone="",
                message=_("Hand card %(number)s used on %(count)d walk-ins of %(date)s: %(rows)s")
                % {"number": number, "count": len(group), "date": day, "rows": times},
            )
        )
    return found


def retention_by_consultant(*, store: Store, on: date) -> dict[int, tuple[int, int]]:
    """{consultant id: (first visits, of them contact kept)} over the 30 days to `on`: the
    counts of the retention_rate KPI (first-visit rows with CONTACT_KEPT ÷ first-visit rows),
    per consultant, in one query; the store's rate is their pooled sum."""
    start, end = window(on)
    rows = (
        WalkIn.objects.filter(store=store, date__range=(start, end), visit_type=VisitType.FIRST)
        .order_by()
        .values("consultant_id")
        .annotate(first=Count("pk"), kept=Count("pk", filter=CONTACT_KEPT))
    )
    return {r["consultant_id"]: (r["first"], r["kept"]) for r in rows}


def _retention_outliers(store: Store, on: date, names: dict[int, str]) -> list[Finding]:
    counts = retention_by_consultant(store=store, on=on)
    minimum = CrosscheckSettings.for_store(store).outlier_min_first_visits
    store_first = sum(n for n, _k in counts.values())
    store_kept = sum(k for _n, k in counts.values())
    found = []
    for consultant_id, (first, kept) in counts.items():
        # kept/first < (store_kept/store_first) / 2, in integers (no rounding at the edge).
        if first < minimum or 2 * kept * store_first >= store_kept * first:
            continue
        found.append(
            Finding(
                code=CheckCode.RETENTION_OUTLIER,
                key=f"consultant:{consultant_id}",
                date=on,
                consultant_id=consultant_id,
                consultant=_name(names, consultant_id),
                phone="",
                message=_(
                    "%(consultant)s kept the contact of %(kept)d of %(first)d first visits in "
                    "the 30 days (%(rate).1f%%), less than half the store's %(store_rate).1f%%"
                )
                % {
                    "consultant": _name(names, consultant_id),
                    "kept": kept,
                    "first": first,
                    "rate": 100 * kept / first,
                    "store_rate": 100 * store_kept / store_first,
                },
            )
        )
    return found


def _who(row: dict[str, Any]) -> str:
    # Never the phone: messages are shown whole, phones masked for some roles.
    return row["name"] or _("no name")


def _row_finding(
    code: str, kind: str, row: dict[str, Any], names: dict[int, str], message: str
) -> Finding:
    return Finding(
        code=code,
        key=f"{kind}:{row['pk']}",
        date=row["date"],
        consultant_id=row["consultant_id"],
        consultant=_name(names, row["consultant_id"]),
        phone=row["phone"],
        message=message,
    )
