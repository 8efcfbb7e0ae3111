"""The rows before (and just after) an export's range that the range's KPIs read.

"A month's KPIs need what is carried into it" (docs/contracts.md): an export imported into
an empty database must give the same KPIs for every month of its range, the first one too.
Besides the rows of the range, the export adds:
- cards: those that can count in a KPI of the range (`cards` below), the owners sold
  elsewhere, and every card an exported row names;
- orders: those standing on some day from the month before the range to its end (an order
  closes its card, is O or makes an owner while it stands; one cancelled earlier does
  nothing in the range), and the later sale of an exported card that is its store's owner
  today (its 客户类型 says owner: without the sale the import would record an owner sold
  elsewhere, no prospect);
- losses, re-activations: each exported card's last confirmed loss and last re-activation
  before the range (whether it is open on the range's first day: a later one of each
  decides it alone, see sales.funnel.open_spans);
- service visits: each exported card's last visit in the CHURN_DAYS before the range (an
  owner is retained or churned by whether there was a visit in a window up to a period's
  end, and only the last one before the range can decide that);
- activities: each open card's last graded activity before the range (its grade on the
  range's first day), and the owner-care contacts of the RETENTION_DAYS before the range
  (an owner is retained by a care contact in the 180 days up to a period's end);
- calls: the first-time calls of the month before the range (call_invitation_rate of the
  first month is over them);
- leads: the leads with an appointment date in the range, whenever made (show_rate);
- walk-ins: those of the same phone, on or after such a call or lead, before the range, and
  those up to SHOW_GRACE_DAYS after it of a lead appointed in the range (a lead "shows" up to
  that many days after its appointment).
Cards closed before the month before the range, and untouched since, count in no KPI of it
and are left out, with their history: an export's size follows the range, not the database.
Each function returns the ids of the extra rows of `rows` (a form's rows of the exported
stores), as queries of one column that the caller unions with the range's own ids. Ids, not
rows: each layer of `rows.filter(pk__in=...)` made PostgreSQL read the whole table again to
join it to the set.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from django.db.models import Exists, Min, OuterRef, Q, QuerySet, Subquery

from showroom.core.months import previous_month_range
from showroom.customers.choices import CustomerType, OwnerKind
from showroom.customers.models import Customer
from showroom.kpi.funnel_kpis import CHURN_DAYS, RETENTION_DAYS
from showroom.kpi.lead_kpis import SHOW_GRACE_DAYS
from showroom.organization.models import Store
from showroom.owners.models import ServiceVisit
from showroom.sales.choices import ActivityKind, LossStatus
from showroom.sales.models import Activity, LossReport, Order, ProspectSpan, Reactivation
from showroom.traffic.choices import CallType
from showroom.traffic.models import Call, Lead

Stores = Sequence[Store]
Ids = list[QuerySet[Any]]  # queries of one column, the rows' ids


def _ids(rows: QuerySet[Any]) -> QuerySet[Any]:
    return rows.order_by().values("pk")


def _window(start: date) -> date:
    """The first day of the month before the range: cards open from then on come along (as
    the first-time calls of that month do), so that the prospects closed just before the
    range are in the export with what closed them."""
    return previous_month_range(start)[0]


def _standing(start: date, end: date) -> Q:
    """Orders standing on some day from the month before the range to its end."""
    return Q(order_date__lte=end) & (
        Q(cancelled_on__isnull=True) | Q(cancelled_on__gte=_window(start))
    )


def open_cards(stores: Stores, start: date, end: date) -> QuerySet[Any]:
    """The ids of the cards open on some day from the month before the range to its end, or
    made in that time: the only ones whose grade a KPI of the range can read."""
    since = _window(start)
    return (
        ProspectSpan.objects.filter(store__in=stores, opened_on__lte=end, closed_on__gt=since)
        .order_by()
        .values("customer_id")
        .union(
            Customer.objects.filter(store__in=stores, created__range=(since, end))
            .order_by()
            .values("pk")
        )
    )


def cards(stores: Stores, start: date, end: date) -> QuerySet[Any]:
    """The ids of the exported cards: those that can count in a KPI of the range (open or
    made from the month before it, with an order standing in that time: O, owners), the
    owners sold elsewhere (the owner base care and service work from), and those that a row
    of the range, or an owner-care contact carried into it, names."""
    named = (
        Customer.objects.filter(store__in=stores, created__lte=end).exclude(
            owner_kind=OwnerKind.NONE
        ),
        Activity.objects.filter(store__in=stores, date__range=(start, end)),
        _care(Activity.objects.filter(store__in=stores), start),
        LossReport.objects.filter(store__in=stores, date__range=(start, end)),
        Reactivation.objects.filter(store__in=stores, date__range=(start, end)),
        ServiceVisit.objects.filter(store__in=stores, date__range=(start, end)),
        Order.objects.filter(_standing(start, end), store__in=stores),
    )
    return open_cards(stores, start, end).union(
        named[0].order_by().values("pk"),
        *(rows.order_by().values("customer_id") for rows in named[1:]),
    )


def customers(rows: QuerySet[Any], stores: Stores, start: date, end: date) -> Ids:
    return [_ids(rows.filter(created__lt=start, pk__in=cards(stores, start, end)))]


def orders(rows: QuerySet[Any], stores: Stores, start: date, end: date) -> Ids:
    # A card sold after the range says owner (保有) today: without its sale the import's
    # owner rule would take it for an owner sold elsewhere, which is no prospect. An order
    # dated after the range counts in none of its KPIs.
    sold_later = rows.filter(
        order_date__gt=end,
        cancelled=False,
        customer__customer_type=CustomerType.OWNER,
        customer__owner_kind=OwnerKind.NONE,
        customer__in=cards(stores, start, end),
    )
    before = rows.filter(_standing(start, end), order_date__lt=start)
    return [_ids(before), _ids(sold_later)]


def _last_before(
    rows: QuerySet[Any], start: date, ids: QuerySet[Any], *, order: tuple[str, ...]
) -> QuerySet[Any]:
    """Of `rows` before the range, the id of each card's (of `ids`) last one by `order`, or
    None for a card without one. Looked up card by card: a card has few rows, and the cards
    are fewer than their rows before the range (a lookup per row read the stores' whole
    history of activities)."""
    before = rows.filter(date__lt=start)
    last = before.filter(customer=OuterRef("pk")).order_by(*order).values("pk")[:1]
    return Customer.objects.filter(pk__in=ids).order_by().values(last=Subquery(last))


def losses(rows: QuerySet[Any], stores: Stores, start: date, end: date) -> Ids:
    confirmed = rows.filter(status=LossStatus.CONFIRMED)
    return [_last_before(confirmed, start, cards(stores, start, end), order=("-date", "-id"))]


def reactivations(rows: QuerySet[Any], stores: Stores, start: date, end: date) -> Ids:
    return [_last_before(rows, start, cards(stores, start, end), order=("-date", "-id"))]


def service_visits(rows: QuerySet[Any], stores: Stores, start: date, end: date) -> Ids:
    recent = rows.filter(date__gte=start - timedelta(days=CHURN_DAYS))
    return [_last_before(recent, start, cards(stores, start, end), order=("-date", "-id"))]


def calls(rows: QuerySet[Any], stores: Stores, start: date, end: date) -> Ids:
    prev_start, prev_end = previous_month_range(start)
    first = rows.filter(date__range=(prev_start, prev_end), call_type=CallType.FIRST)
    return [_ids(first.exclude(phone_norm=""))]


def leads(rows: QuerySet[Any], stores: Stores, start: date, end: date) -> Ids:
    appointed = rows.filter(appointment_date__range=(start, end))
    return [_ids(appointed.exclude(date__range=(start, end)))]


def walk_ins(rows: QuerySet[Any], stores: Stores, start: date, end: date) -> Ids:
    prev_start, prev_end = previous_month_range(start)
    called = Call.objects.filter(
        store=OuterRef("store"),
        phone_norm=OuterRef("phone_norm"),
        date__range=(prev_start, prev_end),
        call_type=CallType.FIRST,
        date__lte=OuterRef("date"),
    )
    appointed = Lead.objects.filter(
        store=OuterRef("store"),
        phone_norm=OuterRef("phone_norm"),
        appointment_date__range=(start, end),
        date__lte=OuterRef("date"),
    )
    after = (end + timedelta(days=1), end + timedelta(days=SHOW_GRACE_DAYS))
    # No walk-in before the earliest such call or lead can count: a bound for the index, so
    # that the lookups run for a few weeks of walk-ins rather than the store's whole history.
    made = Lead.objects.filter(store__in=stores, appointment_date__range=(start, end)).aggregate(
        first=Min("date")
    )
    since = min(prev_start, made["first"] or start)
    return [
        _ids(
            rows.exclude(phone_norm="").filter(
                (
                    Q(date__range=(since, start - timedelta(days=1)))
                    & (Q(Exists(called)) | Q(Exists(appointed)))
                )
                | (Q(date__range=after) & Q(Exists(appointed)))
            )
        )
    ]


def _care(rows: QuerySet[Any], start: date) -> QuerySet[Any]:
    return rows.filter(
        kind=ActivityKind.OWNER_CARE,
        date__range=(start - timedelta(days=RETENTION_DAYS), start - timedelta(days=1)),
    )


def activities(rows: QuerySet[Any], stores: Stores, start: date, end: date) -> Ids:
    graded = rows.exclude(grade_after="")
    last = _last_before(graded, start, open_cards(stores, start, end), order=("-date", "-id"))
    return [_ids(_care(rows, start)), last]
