"""Reads of the front desk: rotation, registers, duplicate check, link search, row history.

Every function that returns rows for a user scopes them through `organization.access`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from django.db.models import Max, Model, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from showroom.core.history import HistoryEntry, object_history
from showroom.core.hooks import Hook
from showroom.customers.models import Customer
from showroom.customers.phones import normalize_phone
from showroom.customers.selectors import name_or_phone
from showroom.organization import access
from showroom.organization.models import Staff, Store
from showroom.traffic.models import Call, WalkIn

Row = TypeVar("Row", WalkIn, Call)

SKIP_BUSY = _("With a customer in the showroom")
SKIP_OVERDUE = _("Has overdue follow-ups")

# Called with (store=, on=): the ids of the store's consultants with a follow-up past its
# date on the day `on`. The app that keeps the follow-ups registers.
overdue_follow_ups: Hook[set[int]] = Hook("traffic.overdue_follow_ups")

# A number shorter than this is still being typed: no duplicate check yet.
MIN_PHONE_DIGITS = 7
# "My receptions" lists earlier days' unfinished rows, but not forever: a row left open for
# a month is a matter for the manager's review, not the consultant's daily list.
OPEN_ROWS_LOOKBACK_DAYS = 31


# The columns of the registers (docs/contracts.md), in the order forms and history show them.
WALK_IN_COLUMNS = [
    "arrived_at", "left_at", "party_size", "visit_type", "consultant", "name", "phone", "source",
    "model", "invited", "test_drive", "quoted", "grade", "contact_kept", "hand_card", "notes",
    "customer", "completed",
]  # fmt: skip
CALL_COLUMNS = [
    "called_at", "call_type", "consultant", "name", "phone", "source", "model", "contact_kept",
    "appointment_date", "grade", "notes", "customer", "completed",
]  # fmt: skip


def column_order(model: type[Model]) -> list[str]:
    return WALK_IN_COLUMNS if model is WalkIn else CALL_COLUMNS


# --- Rotation (排班 / 接待轮序) ------------------------------------------------------------


@dataclass(frozen=True)
class RotationEntry:
    consultant: Staff
    position: int  # 1-based place in the turn order, skipped consultants included
    received_today: int
    last_received_at: time | None  # arrival time of their latest walk-in today
    busy_since: time | None  # arrival time of a party of theirs still in the showroom
    skip_reason: Promise | str = ""
    is_next: bool = False

    @property
    def skipped(self) -> bool:
        return bool(self.skip_reason)


def consultants_with_overdue_follow_ups(*, store: Store, at: datetime) -> set[int]:
    """Ids of the store's consultants with a follow-up past its date on the
    store-local day of `at`; the rotation skips them if the store chooses."""
    day = timezone.localtime(at, store.tz).date()
    return set().union(*overdue_follow_ups.results(store=store, on=day))


def rotation(*, store: Store, at: datetime) -> list[RotationEntry]:
    """On-duty active consultants of `store` in turn on the store-local day of `at`.

    Whoever received a walk-in or took a call least recently today goes next; those with
    neither yet today come first, by `rotation_order` and then name. Those at lunch or out are
    not in it. Consultants with a party still in the showroom (a walk-in today without
    departure time) and those with overdue follow-ups keep their place but are skipped, each
    if the store's rules say so. Three queries.
    """
    day = timezone.localtime(at, store.tz).date()
    consultants = list(Staff.objects.consultants(store).on_duty())
    received: dict[int, int] = {}
    last: dict[int, tuple[time, int]] = {}
    busy: dict[int, time] = {}
    todays = WalkIn.objects.filter(
        store=store, date=day, consultant__in=[c.pk for c in consultants]
    )
    for cid, arrived, left, pk in todays.values_list(
        "consultant_id", "arrived_at", "left_at", "pk"
    ):
        received[cid] = received.get(cid, 0) + 1
        if cid not in last or (arrived, pk) > last[cid]:
            last[cid] = (arrived, pk)
        if left is None and (cid not in busy or arrived < busy[cid]):
            busy[cid] = arrived
    # A call of the same minute as a walk-in counts after it (0 < 1).
    turns = {cid: (arrived, 0, pk) for cid, (arrived, pk) in last.items()}
    for cid, called in _calls_taken(store, day, consultants).items():
        if cid not in turns or (called, 1, 0) > turns[cid]:
            turns[cid] = (called, 1, 0)
    overdue = (
        consultants_with_overdue_follow_ups(store=store, at=at)
        if store.rotation_skips_overdue
        else set()
    )

    def turn(c: Staff) -> tuple[Any, ...]:
        if c.pk in turns:
            return (1, *turns[c.pk])
        return (0, c.rotation_order, c.full_name or c.username, c.pk)

    entries: list[RotationEntry] = []
    next_found = False
    for position, c in enumerate(sorted(consultants, key=turn), start=1):
        reason: Promise | str = ""
        if c.pk in busy and store.rotation_skips_busy:
            reason = SKIP_BUSY
        elif c.pk in overdue:
            reason = SKIP_OVERDUE
        is_next = not reason and not next_found
        next_found = next_found or is_next
        entries.append(
            RotationEntry(
                consultant=c,
                position=position,
                received_today=received.get(c.pk, 0),
                last_received_at=last[c.pk][0] if c.pk in last else None,
                busy_since=busy.get(c.pk),
                skip_reason=reason,
                is_next=is_next,
            )
        )
    return entries


def _calls_taken(store: Store, day: date, consultants: list[Staff]) -> dict[int, time]:
    """Each consultant's latest call of the day: a call moves the rotation on like a walk-in."""
    latest: dict[int, time] = {}
    for cid, called in Call.objects.filter(
        store=store, date=day, consultant__in=[c.pk for c in consultants]
    ).values_list("consultant_id", "called_at"):
        if cid not in latest or called > latest[cid]:
            latest[cid] = called
    return latest


def next_in_rotation(entries: list[RotationEntry]) -> Staff | None:
    return next((e.consultant for e in entries if e.is_next), None)


# --- Registers ------------------------------------------------------------------------------


def register_walk_ins(
    *, user: Staff, store: Store, day: date, cancelled: bool = False
) -> QuerySet[WalkIn]:
    """The day's walk-ins; with `cancelled`, the rows cancelled at the desk too."""
    manager = WalkIn.with_cancelled if cancelled else WalkIn.objects
    qs = manager.filter(store=store, date=day).select_related("consultant", "source", "customer")
    return access.front_desk_rows(qs, user)


def register_calls(*, user: Staff, store: Store, day: date) -> QuerySet[Call]:
    qs = Call.objects.filter(store=store, date=day).select_related(
        "consultant", "source", "customer"
    )
    return access.front_desk_rows(qs, user)


def _card_number(text: str) -> int | None:
    """The sequence number of a hand card ("7", "07", "1206-07" → 7); None if it has none."""
    digits = ""
    for ch in reversed(text.strip()):
        if not ch.isdigit():
            break
        digits = ch + digits
    return int(digits) if digits else None


def day_hand_cards(*, store: Store, day: date) -> list[str]:
    """The hand cards written on the day's walk-ins, cancelled ones included (their card was
    handed out): what `next_hand_card` and `hand_cards_without_walk_in` read, one query."""
    return list(
        WalkIn.with_cancelled.filter(store=store, date=day)
        .exclude(hand_card="")
        .values_list("hand_card", flat=True)
    )


def next_hand_card(*, store: Store, day: date, cards: list[str] | None = None) -> str:
    """The day's next hand card: one more than the highest number given out, cancelled
    walk-ins included (their card was handed out), written like that card ("1206-07" →
    "1206-08"; "7" → "8"); "1" for the day's first. `cards`: the day's, if already read."""
    top: tuple[int, str] | None = None
    for text in day_hand_cards(store=store, day=day) if cards is None else cards:
        number = _card_number(text)
        if number is not None and (top is None or number > top[0]):
            top = (number, text.strip())
    if top is None:
        return "1"
    number, text = top
    digits = len(text) - len(text.rstrip("0123456789"))
    return text[: len(text) - digits] + str(number + 1).zfill(digits)


def hand_cards_without_walk_in(
    *, store: Store, day: date, cards: list[str] | None = None
) -> list[int]:
    """Card numbers below the day's highest that no walk-in row carries: cards given out (or
    skipped) with no party logged, for the front desk to account for before the day closes.
    A cancelled walk-in accounts for its card. `cards`: the day's, if already read."""
    used = {
        _card_number(text)
        for text in (day_hand_cards(store=store, day=day) if cards is None else cards)
    }
    used.discard(None)
    top = max((n for n in used if n is not None), default=0)
    return [n for n in range(1, top + 1) if n not in used]


def open_rows(*, user: Staff, today: date) -> tuple[QuerySet[WalkIn], QuerySet[Call]]:
    """A consultant's own rows of `today` plus earlier ones not yet completed.

    Imported rows come from a finished paper form and are never "open".
    """
    since = today - timedelta(days=OPEN_ROWS_LOOKBACK_DAYS)
    mine = Q(consultant=user, import_key="") & (
        Q(date=today) | Q(date__gte=since, date__lt=today, completed=False)
    )
    walk_ins = WalkIn.objects.filter(mine).select_related("store", "source", "customer")
    calls = Call.objects.filter(mine).select_related("store", "source", "customer")
    return (
        access.front_desk_rows(walk_ins, user).order_by("-date", "arrived_at", "pk"),
        access.front_desk_rows(calls, user).order_by("-date", "called_at", "pk"),
    )


def register_totals(rows: list[WalkIn]) -> dict[str, int]:
    rows = [r for r in rows if r.cancelled_at is None]
    return {
        "parties": len(rows),
        "people": sum(r.party_size for r in rows),
        "first": sum(1 for r in rows if r.visit_type == "first"),
        "repeat": sum(1 for r in rows if r.visit_type == "repeat"),
        "kept": sum(1 for r in rows if r.is_contact_kept),
        "in_showroom": sum(1 for r in rows if r.left_at is None),
    }


# --- Duplicate check (撞单) -----------------------------------------------------------------


@dataclass(frozen=True)
class PhoneMatch:
    """Whose number this is, and how much of it the asking user may see."""

    consultant: Staff | None
    is_own: bool
    full: bool  # the user may see the customer's details (own customer, or a store-wide role)
    customer: Customer | None = None  # the card, when there is one
    name: str = ""
    grade: str = ""
    last_visit: date | None = None
    earlier_rows: int = 0


def phone_match(
    *, user: Staff, store: Store, phone: str, exclude: Model | None = None
) -> PhoneMatch | None:
    """Who already has this number in `store`: a customer card first, else earlier rows.

    The card is looked up store-wide on purpose (a duplicate belongs to *another*
    consultant); what is revealed is decided by the user's access to that card or row.
    """
    norm = normalize_phone(phone)
    if len(norm) < MIN_PHONE_DIGITS:
        return None
    walk_ins = WalkIn.objects.filter(store=store, phone_norm=norm)
    calls = Call.objects.filter(store=store, phone_norm=norm)
    if isinstance(exclude, WalkIn):
        walk_ins = walk_ins.exclude(pk=exclude.pk)
    elif isinstance(exclude, Call):
        calls = calls.exclude(pk=exclude.pk)
    customer = (
        Customer.objects.filter(store=store, phone_norm=norm).select_related("consultant").first()
    )
    if customer is not None:
        visits = WalkIn.objects.filter(Q(phone_norm=norm) | Q(customer=customer), store=store)
        if isinstance(exclude, WalkIn):
            visits = visits.exclude(pk=exclude.pk)
        full = access.customer_rows(Customer.objects.filter(pk=customer.pk), user).exists()
        return PhoneMatch(
            consultant=customer.consultant,
            is_own=customer.consultant_id == user.pk,
            full=full,
            customer=customer,
            name=customer.name if full else "",
            grade=customer.grade if full else "",
            last_visit=visits.aggregate(d=Max("date"))["d"] if full else None,
        )
    latest: WalkIn | Call | None = None
    for qs in (walk_ins, calls):
        row = qs.select_related("consultant").order_by("-date", "-pk").first()
        if row is not None and (latest is None or row.date > latest.date):
            latest = row
    if latest is None:
        return None
    full = (
        access.can_see_phone(user)
        and access.scope(type(latest).objects.filter(pk=latest.pk), user).exists()
    )
    return PhoneMatch(
        consultant=latest.consultant,
        is_own=latest.consultant_id == user.pk,
        full=full,
        name=latest.name if full else "",
        grade=latest.grade if full else "",
        last_visit=walk_ins.aggregate(d=Max("date"))["d"] if full else None,
        earlier_rows=walk_ins.count() + calls.count() if full else 0,
    )


def customer_for_phone(*, store: Store, phone: str) -> Customer | None:
    """The store's card with this number, if any: the one a register row links to."""
    norm = normalize_phone(phone)
    if not norm:
        return None
    return Customer.objects.filter(store=store, phone_norm=norm).first()


# --- Linking anonymous rows -----------------------------------------------------------------


def customers_to_link(*, user: Staff, store: Store, query: str, limit: int = 20) -> list[Customer]:
    """The store's customers visible to `user` whose name or phone matches `query`."""
    match = name_or_phone(query)
    if match is None:
        return []
    qs = access.customer_rows(Customer.objects.filter(store=store), user)
    return list(qs.filter(match).select_related("consultant").order_by("name", "pk")[:limit])


# --- History --------------------------------------------------------------------------------


def row_history(*, row: WalkIn | Call, user: Staff) -> list[HistoryEntry]:
    return object_history(
        row, user=user, fields=column_order(type(row)), tz=row.store.tz, show=access.shown_value
    )
