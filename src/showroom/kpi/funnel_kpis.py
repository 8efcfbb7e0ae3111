"""Prospect, deal and owner KPIs of the registry: one query over the cards, one over the orders and
one over the loss records, each by conditional aggregation whatever the number of rows or
groups. Prospect states come from `showroom.sales.funnel` (states at a date from dated
events), never from a card's status of today.

Grouping (`--by`), each table by its own fields:
- cards (new, carried over, H/A/B/C/O, owners and their retention and churn): the card's
  consultant (today's, so a handed-over card counts with its new consultant), source, model;
- orders (orders, deliveries and every rate over them, source_mix): the order's consultant,
  source and model;
- loss records: the record's consultant, the card's source and model.
A rate whose two counts come from different tables (order_rate, lost_rate, close_rate, …)
divides the group's numerator by the same group's denominator.

A cancelled order (退订) counts until its cancellation date: as an order of a period that
ended before it and as closing the card until then; from that date on it counts nowhere but
in cancelled_orders (the period of its cancellation date). It never was a delivery.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import TruncMonth
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual

from showroom.customers.choices import OwnerKind
from showroom.customers.models import Customer
from showroom.kpi.expressions import DaysBetween
from showroom.kpi.grouping import (
    NONE_KEY,
    TIME_GROUPINGS,
    group_columns,
    grouped,
    is_group_column,
)
from showroom.organization.models import Store
from showroom.owners import spans as owner_spans
from showroom.owners.models import OwnerSpan, ServiceVisit
from showroom.sales.choices import ActivityKind, Channel, LossKind, LossStatus
from showroom.sales.funnel import (
    PROSPECT,
    awaiting_delivery,
    carried_over_into,
    grade_on,
    of_stores,
    open_on,
    open_spans_on,
    order_standing,
    reactivated_within,
)
from showroom.sales.models import Activity, LossReport, Order, ProspectSpan, Reactivation

Stores = Iterable[Store] | QuerySet[Store]

# Counts shared by the rates over all prospects of a period.
_BASE = {"order_rate", "lost_rate", "out_of_control_rate"}
_OWNERS = {"owners", "owner_retention_rate", "owner_churn_rate"}
_ACTIVE = {"active_prospects"}

# Which KPIs need each count of the card query.
_CARD_NEEDS: dict[str, set[str]] = {
    "p_new": {"new_prospects", *_BASE},
    "p_carried": {"carried_over_prospects", *_BASE},
    "p_H": {"prospects_H", *_ACTIVE},
    "p_A": {"prospects_A", *_ACTIVE},
    "p_B": {"prospects_B", *_ACTIVE},
    "p_C": {"prospects_C"},
    "p_O": {"prospects_O"},
    "ow_owners": _OWNERS,
    "ow_retained": {"owner_retention_rate"},
    "ow_churned": {"owner_churn_rate"},
}
CARD_CODES = frozenset().union(*_CARD_NEEDS.values())

_DELIVERY_RATES = {
    "order_delivery_rate",
    "showroom_sales_ratio",
    "delivery_ceremony_rate",
    "insurance_penetration",
    "finance_penetration",
    "accessory_penetration",
    "tradein_penetration",
    "call_3day_rate",
    "letter_7day_rate",
    "owner_referral_rate",
    "source_mix",
}
_ORDER_NEEDS: dict[str, set[str]] = {
    "o_orders": {"orders", "order_rate", "order_delivery_rate"},
    "c_cancelled": {"cancelled_orders"},
    "o_showroom": {"close_rate"},
    "o_from_carried": {"orders_from_carried_over"},
    "o_from_new": {"orders_from_new"},
    "d_deliveries": {"deliveries", *_DELIVERY_RATES},
    "d_showroom": {"showroom_sales_ratio"},
    "d_ceremony": {"delivery_ceremony_rate"},
    "d_insurance": {"insurance_penetration"},
    "d_finance": {"finance_penetration"},
    "d_accessories": {"accessory_penetration"},
    "d_tradein": {"tradein_penetration"},
    "d_call_3day": {"call_3day_rate"},
    "d_letter_7day": {"letter_7day_rate"},
    "d_referral": {"owner_referral_rate"},
}
ORDER_CODES = frozenset().union(*_ORDER_NEEDS.values())

LOSS_CODES = frozenset({"lost_rate", "out_of_control_rate"})

# Owners kept in touch within this many days up to the period's end, and lost after more
# than this many days without a service visit (or, without any, since the delivery): the
# kept owner spans are derived with the same (owners.spans).
RETENTION_DAYS = owner_spans.RETENTION_DAYS
CHURN_DAYS = owner_spans.CHURN_DAYS


# "kept": the card query reads the kept prospect spans (sales.spans) and names the stores
# whatever the caller passed; the owners are counted by a query of their own over the kept
# owner spans (owners.spans, `owner_rows`). "events": the previous plan, every card (owners
# too) decided from its events, the stores named only when given as a list; kept for the
# benchmark's baseline alone (bench/measure.py, user_paths).
PLAN = "kept"

_GRADES = ("H", "A", "B", "C")
_FEW_STORES = 20
# Owner states of a card (`owner_state` below): not an owner, or an owner with these bits.
_NOT_OWNER, _RETAINED, _CHURNED = -1, 1, 2


def card_rows(
    stores: Stores,
    start: date,
    end: date,
    by: str | None,
    wanted: frozenset[str],
    *,
    consultant: int | None = None,
) -> list[dict[str, Any]]:
    """Prospects (new, carried over, by grade at the end, O) and owners at the end.

    The kept plan (`PLAN`) counts each of them from the table it is dated in, grouped there
    (`kept_card_rows`); the owners from their kept spans (`owner_rows`). The previous plan
    decided every count for each card that can count, in one query: a card's grade at the
    end (if open then) was one more grouping column, folded into counts here.
    """
    codes = store_codes(stores)
    if PLAN == "kept":
        return kept_card_rows(codes, start, end, by, wanted, consultant=consultant) + owner_rows(
            codes, end, by, wanted, consultant=consultant
        )
    # For a few stores every subquery names them (of_stores, sales.funnel: measured 1.2 s →
    # 0.15 s for one store of 200 on PostgreSQL); for many, one scan of each whole table is
    # what the planner does best anyway, and naming them all only slows it down.
    # PostgreSQL only: SQLite never hashes a subquery, and the stores' index would lead it to
    # read every order of the store for each card (3.6 s a store-month instead of 0.05 s).
    ids = list(codes)
    few: list[int] | None = None
    # The previous plan named the stores only when given as a list.
    if connection.vendor == "postgresql" and not isinstance(stores, QuerySet):
        few = ids if len(ids) <= _FEW_STORES else None
    delivered = of_stores(Order.objects, few).filter(
        customer=OuterRef("pk"), cancelled=False, delivery_date__lte=end
    )
    aggregates = _needed(
        {
            # A re-activated card is a new prospect again in the re-activation's month.
            "p_new": Count("pk", filter=PROSPECT & Q(created__range=(start, end)))
            + Count("pk", filter=PROSPECT & reactivated_within(start, end)),
            "p_carried": Count("pk", filter=carried_over_into(start, stores=few)),
            "p_O": Count("pk", filter=awaiting_delivery(end, stores=few)),
        },
        _CARD_NEEDS,
        wanted,
    )
    states: dict[str, Any] = {}
    if any(wanted & _CARD_NEEDS[f"p_{g}"] for g in _GRADES):
        states["grade_at_end"] = Case(
            When(open_on(end, stores=few), then=grade_on(end)),
            default=Value(""),
            output_field=CharField(),
        )
    if wanted & _OWNERS:
        # Owner care through its partial index by store and date, one range per store
        # (PostgreSQL; SQLite would read a store's range for each owner).
        cared_in = ids if connection.vendor == "postgresql" else None
        states["owner_state"] = _owner_state(delivered, end, few, cared_in)
    if states:
        aggregates["cards"] = Count("pk")
    if not aggregates and not states:
        return []
    qs = Customer.objects.filter(_counted_from_events(start, end, few), store__in=stores)
    if consultant is not None:
        qs = qs.filter(consultant_id=consultant)
    columns = group_columns(by) if by else {}
    rows = grouped(qs, by, aggregates, columns or None, extra=states)
    return _without_empty(_fold_states(rows) if states else rows)


def kept_card_rows(
    stores: dict[int, str],
    start: date,
    end: date,
    by: str | None,
    wanted: frozenset[str],
    *,
    consultant: int | None = None,
) -> list[dict[str, Any]]:
    """The prospects of the kept plan, each count from the rows it is dated by, grouped
    there, in one query (a UNION ALL of one grouped count per kind; `_fold_kinds`):

    - new: the cards created in the period, plus (again, as before: a card can count twice)
      the cards re-activated in it, prospects both;
    - carried over: the kept spans covering the day before the period (one per card open
      then), open at the end: those covering its end, by the card's grade at the end;
    - O: the cards with an order standing at the end and not delivered by then.

    No card is probed for what it is not counted as: the spans are read from their index by
    store and closing day, and only a card open at the end is looked up, for its grade. By
    store, each row groups by its own store, which is its card's (a card's orders and
    re-activations are its store's; its spans are derived from them, `sales.spans`). By the
    card's consultant, source or model: `_per_card_rows`."""
    ids = list(stores)
    if by in _CARD_GROUPINGS:
        return _per_card_rows(ids, start, end, by, wanted, consultant=consultant)
    kinds: dict[str, QuerySet[Any]] = {}
    card = Q() if consultant is None else Q(customer__consultant_id=consultant)
    if wanted & _CARD_NEEDS["p_new"]:
        created = Customer.objects.filter(PROSPECT, store__in=ids, created__range=(start, end))
        if consultant is not None:
            created = created.filter(consultant_id=consultant)
        kinds["new"] = _kind_count("new", created, by, "", Count("pk"))
        back = Reactivation.objects.filter(
            card,
            store__in=ids,
            date__range=(start, end),
            customer__owner_kind=OwnerKind.NONE,
        )
        kinds["back"] = _kind_count(
            "back", back, by, "customer__", Count("customer_id", distinct=True)
        )
    if wanted & _CARD_NEEDS["p_carried"]:
        before = open_spans_on(start - timedelta(days=1), stores=ids).filter(card)
        kinds["carried"] = _kind_count("carried", before, by, "customer__", Count("pk"))
    if any(wanted & _CARD_NEEDS[f"p_{g}"] for g in _GRADES):
        at_end = open_spans_on(end, stores=ids).filter(card)
        # The card's own grade only when no change is logged by then: looked up only then.
        grade = grade_on(
            end,
            outer="customer_id",
            card_grade=Customer.objects.filter(pk=OuterRef("customer_id")).order_by(),
        )
        kinds["end"] = _kind_count("end", at_end, by, "customer__", Count("pk"), grade=grade)
    if wanted & _CARD_NEEDS["p_O"]:
        pending = Order.objects.filter(
            card,
            order_standing(end),
            _undelivered(end),
            store__in=ids,
        )
        kinds["O"] = _kind_count(
            "O", pending, by, "customer__", Count("customer_id", distinct=True)
        )
    if not kinds:
        return []
    first, *others = kinds.values()
    rows = list(first.union(*others, all=True)) if others else list(first)
    folded = _fold_kinds(rows, wanted)
    return _without_empty(_by_store_code(folded, stores) if by == "store" else folded)


# Groupings by the card's own columns: each counted card is read anyway, so each is decided
# once, by its own index probes (`_per_card_rows`); joining each kind's rows to the cards
# instead would make PostgreSQL hash every card of the stores, once per kind.
_CARD_GROUPINGS = frozenset({"consultant", "source", "model"})


def _per_card_rows(
    ids: list[int],
    start: date,
    end: date,
    by: str,
    wanted: frozenset[str],
    *,
    consultant: int | None = None,
) -> list[dict[str, Any]]:
    """`kept_card_rows` grouped by the card's consultant, source or model: one query over the
    cards that can count (`_counted_cards`), every count decided for each from the kept
    spans and its rows; the grade at the end (if open then) is one more grouping column,
    folded into counts (`_fold_states`)."""
    # For a few stores every subquery names them (see `card_rows`).
    few = ids if connection.vendor == "postgresql" and len(ids) <= _FEW_STORES else None
    aggregates = _needed(
        {
            "p_new": Count("pk", filter=PROSPECT & Q(created__range=(start, end)))
            + Count("pk", filter=PROSPECT & reactivated_within(start, end)),
            "p_carried": Count("pk", filter=carried_over_into(start, stores=few, kept=True)),
            "p_O": Count("pk", filter=awaiting_delivery(end, stores=few)),
        },
        _CARD_NEEDS,
        wanted,
    )
    states: dict[str, Any] = {}
    if any(wanted & _CARD_NEEDS[f"p_{g}"] for g in _GRADES):
        states["grade_at_end"] = Case(
            When(open_on(end, stores=few, kept=True), then=grade_on(end)),
            default=Value(""),
            output_field=CharField(),
        )
        aggregates["cards"] = Count("pk")
    if not aggregates:
        return []
    qs = Customer.objects.filter(store__in=ids).filter(_one_of(_counted_cards(ids, start, end)))
    if consultant is not None:
        qs = qs.filter(consultant_id=consultant)
    rows = grouped(qs, by, aggregates, group_columns(by), extra=states)
    return _without_empty(_fold_states(rows) if states else rows)


def _counted_cards(ids: list[int], start: date, end: date) -> QuerySet[Any]:
    """The ids of the only cards that can count, each read from an index of its own: new in
    the period, open at some time from the day before it to its end (carried over, open at the
    end, open again after a cancellation: the kept spans), re-activated in it (new again), or
    with an order standing at the end and not delivered by then (O). Cards lost long ago, and
    owners (counted from their own spans, `owner_rows`), are never read."""
    return (
        Customer.objects.filter(store__in=ids, created__range=(start, end))
        .order_by()
        .values("pk")
        .union(
            ProspectSpan.objects.filter(store__in=ids, opened_on__lte=end, closed_on__gte=start)
            .order_by()
            .values("customer_id"),
            Order.objects.filter(order_standing(end), _undelivered(end), store__in=ids)
            .order_by()
            .values("customer_id"),
            Reactivation.objects.filter(store__in=ids, date__range=(start, end))
            .order_by()
            .values("customer_id"),
        )
    )


class _IsAnyOf(Func):
    """`value = ANY(array)`, PostgreSQL."""

    template = "(%(expressions)s))"
    arg_joiner = " = ANY("
    output_field = BooleanField()


def _one_of(ids: QuerySet[Any]) -> Q:
    """The card is one of `ids` (a query of card ids). On PostgreSQL as `pk = ANY(ARRAY(…))`:
    the ids are read once and each card then found through the primary key, where
    `pk IN (…)` made PostgreSQL hash them and read every card of the stores (0.27 s of the
    card query at 30 stores, growing with the history)."""
    if connection.vendor == "postgresql":
        return Q(_IsAnyOf(F("pk"), ArraySubquery(ids)))
    return Q(pk__in=ids)


def _kind_count(
    kind: str,
    qs: QuerySet[Any],
    by: str | None,
    card: str,
    count: Count,
    *,
    grade: Any = None,
) -> QuerySet[Any]:
    """One kind of `kept_card_rows`: `count` over `qs` grouped `by` the card's columns (`card`:
    the path from `qs`'s rows to the card), tagged with `kind` and the grade (blank but at
    the end)."""
    columns: dict[str, Any] = {}
    if by == "store":
        columns = _BY_STORE_ID
    elif by:
        columns = group_columns(
            by, consultant=f"{card}consultant", source=f"{card}source", model=f"{card}model"
        )
    blank = Value("", output_field=CharField())
    return (
        qs.order_by()
        .values(
            **columns,
            kind=Value(kind, output_field=CharField()),
            grade_at_end=blank if grade is None else grade,
        )
        .annotate(cards=count)
    )


# What each kind of `kept_card_rows` adds to.
_KIND_COUNTS = {"new": "p_new", "back": "p_new", "carried": "p_carried", "O": "p_O"}


def _fold_kinds(rows: list[dict[str, Any]], wanted: frozenset[str]) -> list[dict[str, Any]]:
    """Rows per (group, kind, grade at end) → rows per group, with the p_… counts wanted."""
    counts = [
        name for name, needs in _CARD_NEEDS.items() if name.startswith("p_") and needs & wanted
    ]
    folded: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        key = tuple(v for k, v in row.items() if is_group_column(k))
        into = folded.get(key)
        if into is None:
            into = {k: v for k, v in row.items() if is_group_column(k)}
            into.update(dict.fromkeys(counts, 0))
            folded[key] = into
        kind = row["kind"]
        if kind == "end":
            name = f"p_{row['grade_at_end']}"
            if name in into and row["grade_at_end"] in _GRADES:
                into[name] += row["cards"]
        else:
            into[_KIND_COUNTS[kind]] += row["cards"]
    return list(folded.values())


# By store, the owners' query groups by the store's id and names the group by its code
# afterwards: joined to the stores, PostgreSQL sorted the rows by code and joined each store
# against all of them (a nested loop over stores × rows).
_BY_STORE_ID = {"g_id": F("store_id")}


def _by_store_code(rows: list[dict[str, Any]], codes: dict[int, str]) -> list[dict[str, Any]]:
    for row in rows:
        row["g_id"] = codes[row["g_id"]]
    return rows


def owner_rows(
    stores: dict[int, str],
    end: date,
    by: str | None,
    wanted: frozenset[str],
    *,
    consultant: int | None = None,
) -> list[dict[str, Any]]:
    """Owners at `end`, and of them the retained and the churned: the kept owner spans
    (owners.spans) covering `end`, one index range per store (ended_on > end). The card's
    consultant, source and model, by which they group, are read from the card only when
    grouping or filtering by them."""
    aggregates = _needed(
        {
            "ow_owners": Count("pk", filter=Q(kind=OwnerSpan.OWNER)),
            "ow_retained": Count("pk", filter=Q(kind=OwnerSpan.RETAINED)),
            "ow_churned": Count("pk", filter=Q(kind=OwnerSpan.CHURNED)),
        },
        _CARD_NEEDS,
        wanted,
    )
    if not aggregates:
        return []
    qs = OwnerSpan.objects.filter(store__in=list(stores), ended_on__gt=end, started_on__lte=end)
    if consultant is not None:
        qs = qs.filter(customer__consultant_id=consultant)
    columns = (
        group_columns(
            by,
            consultant="customer__consultant",
            source="customer__source",
            model="customer__model",
        )
        if by
        else None
    )
    if by == "store":
        return _without_empty(_by_store_code(grouped(qs, by, aggregates, _BY_STORE_ID), stores))
    return _without_empty(grouped(qs, by, aggregates, columns))


def _undelivered(day: date) -> Q:
    return Q(delivery_date__isnull=True) | Q(delivery_date__gt=day)


def _counted_from_events(start: date, end: date, few: list[int] | None) -> Q:
    """The previous plan's filter of the cards that can count: decided for every card of the
    stores from its events (PLAN = "events")."""
    ordered = of_stores(Order.objects, few).filter(order_standing(end), customer=OuterRef("pk"))
    cancelled = of_stores(Order.objects, few).filter(
        customer=OuterRef("pk"), cancelled_on__range=(start, end)
    )
    return (
        Q(created__range=(start, end))
        | carried_over_into(start, stores=few)
        | Q(Exists(ordered))
        | Q(Exists(cancelled))
        | reactivated_within(start, end)
    )


def store_codes(stores: Stores) -> dict[int, str]:
    """The stores' codes by id: every caller (a list, a query of the command line or the API)
    gets the same plan, with the stores named in the SQL."""
    if isinstance(stores, QuerySet):
        return dict(stores.order_by().values_list("pk", "code"))
    return {s.pk: s.code for s in stores}


def _owner_state(
    delivered: QuerySet[Order], end: date, stores: list[int] | None, cared_in: list[int] | None
) -> Case:
    """_NOT_OWNER, or _RETAINED | _CHURNED bits, for the card at OuterRef("pk") on `end`."""
    recent = (end - timedelta(days=RETENTION_DAYS - 1), end)
    cared = of_stores(Activity.objects, cared_in).filter(
        customer=OuterRef("pk"), kind=ActivityKind.OWNER_CARE, date__range=recent
    )
    visits = of_stores(ServiceVisit.objects, stores)
    serviced = visits.filter(customer=OuterRef("pk"), date__range=recent)
    # "Last service visit (or delivery, if none) more than 365 days before the end". For an
    # owner of one car the delivery comes before its visits, so this is: neither a visit nor
    # a delivery within [end - 365, end]; an owner who bought a second car within the year
    # has not stopped coming back, whatever the first car's last visit.
    kept_since = (end - timedelta(days=CHURN_DAYS), end)
    visited_lately = visits.filter(customer=OuterRef("pk"), date__range=kept_since)
    delivered_lately = delivered.filter(delivery_date__range=kept_since)
    retained = Case(
        When(Q(Exists(cared)) | Q(Exists(serviced)), then=Value(_RETAINED)), default=Value(0)
    )
    churned = Case(
        When(Q(Exists(visited_lately)) | Q(Exists(delivered_lately)), then=Value(0)),
        default=Value(_CHURNED),
    )
    return Case(
        When(~Q(Exists(delivered)), then=Value(_NOT_OWNER)),
        default=retained + churned,
        output_field=IntegerField(),
    )


def _fold_states(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows per (group, grade at end, owner state) → rows per group, with p_H…, ow_… counts."""
    folded: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        grade = row.pop("grade_at_end", None)
        state = row.pop("owner_state", None)
        cards = row.pop("cards")
        key = tuple(v for k, v in row.items() if is_group_column(k))
        into = folded.setdefault(key, {k: v for k, v in row.items() if is_group_column(k)})
        for name, value in row.items():
            if not is_group_column(name):
                into[name] = into.get(name, 0) + (value or 0)
        for g in _GRADES:
            into[f"p_{g}"] = into.get(f"p_{g}", 0) + (cards if grade == g else 0)
        if state is not None:
            owner = state != _NOT_OWNER
            into["ow_owners"] = into.get("ow_owners", 0) + (cards if owner else 0)
            into["ow_retained"] = into.get("ow_retained", 0) + (
                cards if owner and state & _RETAINED else 0
            )
            into["ow_churned"] = into.get("ow_churned", 0) + (
                cards if owner and state & _CHURNED else 0
            )
    return list(folded.values())


def order_rows(
    stores: Stores,
    start: date,
    end: date,
    by: str | None,
    wanted: frozenset[str],
    *,
    consultant: int | None = None,
) -> list[dict[str, Any]]:
    """Orders dated in the period and not cancelled by its end, deliveries dated in it, and
    orders cancelled in it.

    By month or day, each kind counts on its own date (orders by order date, deliveries by
    delivery date, cancellations by cancellation date): three queries, one per date. An
    order then stands in its month (day) unless cancelled by that month's (day's) end."""
    ordered = Q(order_date__range=(start, end))
    standing = ordered & order_standing(end)
    delivered = Q(delivery_date__range=(start, end), cancelled_on__isnull=True)
    cancelled = Q(cancelled_on__range=(start, end))
    kept = PLAN == "kept"
    carried = Customer.objects.filter(
        carried_over_into(start, kept=kept), pk=OuterRef("customer_id")
    )
    new = Customer.objects.filter(
        PROSPECT,
        Q(created__range=(start, end)) | reactivated_within(start, end),
        pk=OuterRef("customer_id"),
    )

    def order_side(counted: Q) -> dict[str, Any]:
        return {
            "o_orders": Count("pk", filter=counted),
            "o_showroom": Count("pk", filter=counted & Q(channel=Channel.SHOWROOM)),
            "o_from_carried": Count("pk", filter=counted & Q(Exists(carried))),
            "o_from_new": Count("pk", filter=counted & Q(Exists(new))),
        }

    aggregates: dict[str, Any] = {
        **order_side(standing),
        "c_cancelled": Count("pk", filter=cancelled),
        "d_deliveries": Count("pk", filter=delivered),
        "d_showroom": Count("pk", filter=delivered & Q(channel=Channel.SHOWROOM)),
        "d_ceremony": Count("pk", filter=delivered & Q(ceremony=True)),
        "d_insurance": Count("pk", filter=delivered & Q(insurance=True)),
        "d_finance": Count("pk", filter=delivered & Q(finance=True)),
        "d_accessories": Count("pk", filter=delivered & Q(accessories__gt=0)),
        "d_tradein": Count("pk", filter=delivered & Q(trade_in=True)),
        "d_call_3day": Count("pk", filter=delivered & _done_within("call_3day", 3)),
        "d_letter_7day": Count("pk", filter=delivered & _done_within("letter_7day", 7)),
        "d_referral": Count("pk", filter=delivered & Q(source__code="owner_referral")),
    }
    aggregates = _needed(aggregates, _ORDER_NEEDS, wanted)
    qs = Order.objects.filter(ordered | delivered | cancelled, store__in=stores)
    if consultant is not None:
        qs = qs.filter(consultant_id=consultant)
    if by in TIME_GROUPINGS:
        on_order = {k: v for k, v in aggregates.items() if k.startswith("o_")}
        on_cancel = {k: v for k, v in aggregates.items() if k.startswith("c_")}
        on_delivery = {k: v for k, v in aggregates.items() if k.startswith("d_")}
        # Standing at the end of the order's own month (day), not of the whole range.
        in_own: QuerySet[Any]
        if by == "month":
            in_own = qs.annotate(
                month_cancelled=TruncMonth("cancelled_on", output_field=DateField()),
                month_ordered=TruncMonth("order_date", output_field=DateField()),
            ).filter(Q(cancelled_on__isnull=True) | Q(month_cancelled__gt=F("month_ordered")))
        else:
            in_own = qs.filter(Q(cancelled_on__isnull=True) | Q(cancelled_on__gt=F("order_date")))
        own = {k: v for k, v in order_side(ordered).items() if k in on_order}
        return (
            _order_query(
                in_own.filter(ordered), by, own, group_columns(by, day="order_date"), False
            )
            + _order_query(
                qs.filter(cancelled), by, on_cancel, group_columns(by, day="cancelled_on"), False
            )
            + _order_query(
                qs.filter(delivered),
                by,
                on_delivery,
                group_columns(by, day="delivery_date"),
                "source_mix" in wanted,
            )
        )
    columns = group_columns(by) if by else {}
    return _order_query(qs, by, aggregates, columns, "source_mix" in wanted)


def _order_query(
    qs: QuerySet[Order],
    by: str | None,
    aggregates: dict[str, Any],
    columns: dict[str, Any],
    mix: bool,
) -> list[dict[str, Any]]:
    if not mix:
        return _without_empty(grouped(qs, by, aggregates, columns or None))
    # Deliveries per source: the same query, grouped by the order's source as well.
    rows = grouped(qs, by, aggregates, columns, extra={"mix_source": F("source__code")})
    return _without_empty(_fold_sources(rows))


def _done_within(field: str, days: int) -> Q:
    """The after-delivery contact `field` was done 0 to `days` days after the delivery."""
    gap = DaysBetween(F(field), F("delivery_date"))
    return Q(GreaterThanOrEqual(gap, 0)) & Q(LessThanOrEqual(gap, days))


def _fold_sources(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows per (group, source) → rows per group, with `d_by_source` {source: deliveries}."""
    folded: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        source = row.pop("mix_source") or NONE_KEY
        key = tuple(v for k, v in row.items() if is_group_column(k))
        into = folded.setdefault(key, {k: v for k, v in row.items() if is_group_column(k)})
        for name, value in row.items():
            if not is_group_column(name):
                into[name] = into.get(name, 0) + (value or 0)
        by_source = into.setdefault("d_by_source", {})
        if row.get("d_deliveries"):
            by_source[source] = by_source.get(source, 0) + row["d_deliveries"]
    return list(folded.values())


def loss_rows(
    stores: Stores,
    start: date,
    end: date,
    by: str | None,
    wanted: frozenset[str],
    *,
    consultant: int | None = None,
) -> list[dict[str, Any]]:
    """Confirmed lost and out-of-control records dated in the period (waiting ones don't count)."""
    aggregates: dict[str, Any] = {
        "l_lost": Count("pk", filter=Q(kind=LossKind.LOST)),
        "l_out_of_control": Count("pk", filter=Q(kind=LossKind.OUT_OF_CONTROL)),
    }
    qs = LossReport.objects.filter(
        store__in=stores, status=LossStatus.CONFIRMED, date__range=(start, end)
    )
    if consultant is not None:
        qs = qs.filter(consultant_id=consultant)
    columns = group_columns(by, source="customer__source", model="customer__model") if by else None
    return grouped(qs, by, aggregates, columns)


def _needed(
    aggregates: dict[str, Any], needs: dict[str, set[str]], wanted: frozenset[str]
) -> dict[str, Any]:
    return {name: agg for name, agg in aggregates.items() if needs[name] & wanted}


def _without_empty(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop groups in which nothing counted (a consultant whose cards all closed long ago)."""
    return [
        row
        for row in rows
        if any(value for name, value in row.items() if not is_group_column(name))
    ]
