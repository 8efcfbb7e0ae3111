"""Reads of the call lists: who may see which list and entry, where each entry ended, and each
list's conversion (called → interested → assigned → won or closed).

Where an entry ended is computed, never stored, so it follows the orders and losses:
- won: sales lists — an order of that customer (not cancelled) dated on or after the entry's
  submission; after-sales lists — a service visit of that owner on or after the hand-over;
- closed: the consultant closed it with a reason, or (sales lists) a loss of that customer
  was confirmed with a date on or after the submission;
- open: submitted, neither won nor closed.
A win counts even after a close (the customer came back and bought).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.shortcuts import get_object_or_404

from showroom.core.numbers import percent
from showroom.crm.choices import AFTERSALES_KINDS, CallOutcome, EntryResult, ListKind
from showroom.crm.models import CallList, CallListEntry
from showroom.organization import access
from showroom.organization.models import Staff, Store
from showroom.owners.models import ServiceVisit
from showroom.sales.choices import LossStatus
from showroom.sales.models import LossReport, Order

# Who works the lists (see `access.call_list_rows`).
LIST_ROLES = access.CALL_LIST_ROLES
REACHED = [CallOutcome.INTERESTED, CallOutcome.NOT_INTERESTED, CallOutcome.CALL_BACK]
AFTERSALES = Q(call_list__kind__in=list(AFTERSALES_KINDS))

WON, CLOSED, OPEN = "won", "closed", "open"


def call_list_for(*, user: Staff, pk: int) -> CallList:
    qs = access.call_list_rows(CallList.objects.select_related("store", "created_by"), user)
    return get_object_or_404(qs, pk=pk)


def entry_for(*, user: Staff, pk: int) -> CallListEntry:
    """One entry the user may see, with its `state`."""
    qs = access.call_list_entry_rows(
        CallListEntry.objects.select_related(
            "store", "call_list", "customer", "assigned_to", "vehicle"
        ),
        user,
    )
    return get_object_or_404(with_state(qs), pk=pk)


def entries_of(*, user: Staff, call_list: CallList) -> QuerySet[CallListEntry]:
    """The entries of `call_list` the user may see."""
    return access.call_list_entry_rows(call_list.entries.all(), user)


def won_q() -> Q:
    """The entry is won (see the module's docstring), or was explicitly marked won (imports,
    older data). Use this rather than `result=won` alone: a win is computed, not stored."""
    ordered = Order.objects.filter(
        customer=OuterRef("customer_id"),
        cancelled=False,
        order_date__gte=OuterRef("submitted_on"),
    )
    visited = ServiceVisit.objects.filter(
        customer=OuterRef("customer_id"), date__gte=OuterRef("assigned_on")
    )
    return Q(result=EntryResult.WON) | (
        Q(submitted_on__isnull=False)
        & (
            (AFTERSALES & Q(assigned_on__isnull=False) & Q(Exists(visited)))
            | (~AFTERSALES & Q(Exists(ordered)))
        )
    )


def _lost() -> Q:
    lost = LossReport.objects.filter(
        customer=OuterRef("customer_id"),
        status=LossStatus.CONFIRMED,
        date__gte=OuterRef("submitted_on"),
    )
    return Q(submitted_on__isnull=False) & ~AFTERSALES & Q(Exists(lost))


def _state() -> Case:
    return Case(
        When(won_q(), then=Value(WON)),
        When(Q(result=EntryResult.CLOSED) | _lost(), then=Value(CLOSED)),
        When(submitted_on__isnull=False, then=Value(OPEN)),
        default=Value(""),
        output_field=CharField(),
    )


def with_state(qs: QuerySet[CallListEntry]) -> QuerySet[CallListEntry]:
    """Each entry annotated with `state`: won, closed, open (submitted) or "" (not submitted)."""
    return qs.annotate(state=_state())


@dataclass
class Conversion:
    entries: int = 0
    called: int = 0
    reached: int = 0
    interested: int = 0
    assigned: int = 0
    won: int = 0
    closed: int = 0
    open: int = 0

    @property
    def interest_rate(self) -> float | None:
        """called → interested (submitted)."""
        return self.interested / self.called if self.called else None

    @property
    def win_rate(self) -> float | None:
        """interested → won."""
        return self.won / self.interested if self.interested else None

    @property
    def interest_pct(self) -> str:
        return percent(self.interest_rate, decimals=0)

    @property
    def win_pct(self) -> str:
        return percent(self.win_rate, decimals=0)

    def add(self, other: Conversion) -> None:
        for name in FIGURES:
            setattr(self, name, getattr(self, name) + getattr(other, name))


FIGURES = ("entries", "called", "reached", "interested", "assigned", "won", "closed", "open")


def conversion(entries: QuerySet[CallListEntry]) -> dict[int, Conversion]:
    """{list id: Conversion} of `entries`: one query whatever the number of lists."""
    won, lost = won_q(), _lost()
    closed = ~won & (Q(result=EntryResult.CLOSED) | lost)
    rows = (
        entries.order_by()
        .values("call_list_id")
        .annotate(
            entries=Count("pk"),
            called=Count("pk", filter=~Q(outcome="")),
            reached=Count("pk", filter=Q(outcome__in=REACHED)),
            interested=Count("pk", filter=Q(submitted_on__isnull=False)),
            assigned=Count("pk", filter=Q(assigned_on__isnull=False)),
            won=Count("pk", filter=won),
            closed=Count("pk", filter=closed),
            open=Count("pk", filter=Q(submitted_on__isnull=False) & ~won & ~closed),
        )
    )
    out: dict[int, Conversion] = {}
    for row in rows:
        values: dict[str, Any] = dict(row)
        list_id = values.pop("call_list_id")
        out[list_id] = Conversion(**values)
    return out


@dataclass
class ListIndex:
    lists: list[CallList]
    by_kind: list[tuple[str, Conversion]]
    total: Conversion = field(default_factory=Conversion)


def list_index(*, user: Staff, store: Store, start: date, end: date) -> ListIndex:
    """Lists created in [start, end] with their conversion, and the totals per kind: two
    queries."""
    lists = list(
        access.call_list_rows(CallList.objects.filter(store=store), user)
        .filter(created_on__range=(start, end))
        .select_related("created_by")
    )
    figures = conversion(CallListEntry.objects.filter(call_list__in=[c.pk for c in lists]))
    kinds: dict[str, Conversion] = {}
    total = Conversion()
    for c in lists:
        c.figures = figures.get(c.pk, Conversion())  # type: ignore[attr-defined]
        kinds.setdefault(c.kind, Conversion()).add(c.figures)  # type: ignore[attr-defined]
        total.add(c.figures)  # type: ignore[attr-defined]
    by_kind = [(str(k.label), kinds[k.value]) for k in ListKind if k.value in kinds]
    return ListIndex(lists, by_kind, total)


def my_entries(*, user: Staff, consultant: Staff, store: Store) -> list[Any]:
    """A consultant's assigned entries still open (for "My day"), oldest assignment first."""
    qs = access.call_list_entry_rows(
        CallListEntry.objects.filter(store=store, assigned_to=consultant), user
    )
    # Only a submitted entry not marked won or closed can be open. Most days a consultant has
    # none, and this plain query answers that for a fraction of what building the state's
    # three subqueries costs on every "My day".
    candidates = qs.filter(submitted_on__isnull=False).exclude(
        result__in=[EntryResult.WON, EntryResult.CLOSED]
    )
    if not candidates.exists():
        return []
    # The state only filters here (nothing shows it): as an alias it is not selected too,
    # which had PostgreSQL plan its three subqueries twice.
    return list(
        qs.alias(state=_state())
        .filter(state=OPEN)
        .select_related("call_list", "customer")
        .order_by("assigned_on", "id")
    )
