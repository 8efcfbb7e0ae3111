"""Reads of the deal: a customer's deals, the orders list, the aftercare tasks, the losses
waiting for the manager, and the change history of an order or a loss report.

Deals are the customer's: a consultant sees the deals of their own customers (whoever the
order is credited to), store-wide roles those of the whole store. Every function that
returns rows for a user scopes them through `organization.access`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from showroom.core.history import HistoryEntry, object_history
from showroom.customers.models import Customer
from showroom.organization import access
from showroom.organization.models import Staff, Store
from showroom.sales.choices import LossStatus
from showroom.sales.deals.forms import channel_label
from showroom.sales.deals.services import AFTERCARE_DUE_DAYS
from showroom.sales.models import LossReport, Order, Quote, TestDrive

ORDER_STATUSES = ("open", "delivered", "cancelled")
# The aftercare list follows deliveries of the last two months: a call not made by then is a
# matter for the month's KPI (call_3day_rate), no longer a task to do.
AFTERCARE_LOOKBACK_DAYS = 60

# The columns of the orders and losses forms, in the order the history shows them.
ORDER_COLUMNS = [
    "customer", "order_date", "model", "channel", "source", "consultant", "deposit",
    "contract_no", "cancelled", "delivery_date", "vin", "ceremony", "insurance", "finance",
    "accessories", "extended_warranty", "trade_in", "call_3day", "letter_7day", "price", "colour",
    "expected_delivery", "cancelled_on", "cancelled_by", "cancel_reason",
]  # fmt: skip


def customer_for(*, user: Staff, pk: int | str | None) -> Customer:
    """The card if `user` may read it; 404 otherwise, so that others' cards stay unseen."""
    if not str(pk or "").isdigit():
        raise Http404
    qs = Customer.objects.select_related("store", "consultant", "source")
    return get_object_or_404(access.customer_rows(qs, user), pk=pk)


def order_for(*, user: Staff, pk: int) -> Order:
    qs = Order.objects.select_related("store", "customer", "consultant", "source")
    return get_object_or_404(access.order_rows(qs, user), pk=pk)


@dataclass(frozen=True)
class CustomerDeals:
    test_drives: list[TestDrive]
    quotes: list[Quote]
    orders: list[Order]
    losses: list[LossReport]

    @property
    def open_loss(self) -> LossReport | None:
        """A request waiting for the manager, or a confirmed loss: no new request then."""
        return next(
            (r for r in self.losses if r.status in (LossStatus.REQUESTED, LossStatus.CONFIRMED)),
            None,
        )


def customer_deals(*, customer: Customer) -> CustomerDeals:
    """Everything of the deal on one card (the caller has already checked access)."""
    return CustomerDeals(
        test_drives=list(customer.test_drives.select_related("consultant").order_by("-date")),
        quotes=list(customer.quotes.select_related("consultant").order_by("-date")),
        orders=list(
            customer.orders.select_related("consultant", "source").order_by("-order_date", "-pk")
        ),
        losses=list(
            customer.loss_reports.select_related("consultant", "decided_by").order_by(
                "-date", "-pk"
            )
        ),
    )


def pending_loss(*, customer: Customer) -> LossReport | None:
    return (
        LossReport.objects.filter(
            customer=customer, status__in=[LossStatus.REQUESTED, LossStatus.CONFIRMED]
        )
        .order_by("-pk")
        .first()
    )


# --- Orders list ----------------------------------------------------------------------------


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    nxt = (first + timedelta(days=32)).replace(day=1)
    return first, nxt - timedelta(days=1)


def orders(
    *,
    user: Staff,
    store: Store,
    month: date | None = None,
    by: str = "order",
    status: str = "",
    channel: str = "",
    consultant_id: int | None = None,
) -> QuerySet[Order]:
    """The store's orders `user` may read; `month` applies to the order date, or to the
    delivery date with `by="delivery"`. Status open = neither delivered nor cancelled."""
    qs = access.order_rows(Order.objects.filter(store=store), user).select_related(
        "customer", "consultant", "source"
    )
    if month is not None:
        first, last = month_bounds(month)
        field = "delivery_date" if by == "delivery" else "order_date"
        qs = qs.filter(**{f"{field}__gte": first, f"{field}__lte": last})
    if status == "open":
        qs = qs.filter(cancelled=False, delivery_date__isnull=True)
    elif status == "delivered":
        qs = qs.filter(cancelled=False, delivery_date__isnull=False)
    elif status == "cancelled":
        qs = qs.filter(cancelled=True)
    if channel:
        qs = qs.filter(channel=channel)
    if consultant_id:
        qs = qs.filter(consultant_id=consultant_id)
    return qs.order_by("-order_date", "-pk")


# --- Aftercare (交车3日电话 / 7日信函) -------------------------------------------------------


@dataclass(frozen=True)
class AftercareTask:
    order: Order
    kind: str  # "call_3day" | "letter_7day"
    due: date
    done_on: date | None
    today: date

    @property
    def state(self) -> str:
        if self.done_on is not None:
            return "done"
        return "overdue" if self.today > self.due else "due"

    @property
    def late(self) -> bool:
        """Done after its due date, or not done and past it."""
        return (self.done_on or self.today) > self.due

    @property
    def label(self) -> str:
        return str(_("3-day call") if self.kind == "call_3day" else _("7-day letter"))

    @property
    def consultant(self) -> Staff:
        return self.order.customer.consultant or self.order.consultant


def order_aftercare(order: Order, *, today: date) -> list[AftercareTask]:
    """The two tasks of one delivered order (none before delivery or when cancelled)."""
    if order.delivery_date is None or order.cancelled:
        return []
    return [
        AftercareTask(
            order=order,
            kind=kind,
            due=order.delivery_date + timedelta(days=days),
            done_on=getattr(order, kind),
            today=today,
        )
        for kind, days in AFTERCARE_DUE_DAYS.items()
    ]


def aftercare_tasks(
    *, user: Staff, store: Store, today: date, consultant_id: int | None = None
) -> list[AftercareTask]:
    """The 3-day calls and 7-day letters of the deliveries of the last two months that
    `user` may see, by consultant and due date. One query."""
    since = today - timedelta(days=AFTERCARE_LOOKBACK_DAYS)
    qs = access.order_rows(
        Order.objects.filter(
            store=store, cancelled=False, delivery_date__gte=since, delivery_date__lte=today
        ),
        user,
    ).select_related("customer", "customer__consultant", "consultant")
    if consultant_id:
        qs = qs.filter(
            Q(customer__consultant_id=consultant_id)
            | Q(customer__consultant__isnull=True, consultant_id=consultant_id)
        )
    tasks = [task for o in qs for task in order_aftercare(o, today=today)]
    tasks.sort(key=lambda t: (str(t.consultant), t.consultant.pk, t.due, t.order.pk, t.kind))
    return tasks


# --- History --------------------------------------------------------------------------------


def history(obj: Order | LossReport, *, columns: list[str], user: Staff) -> list[HistoryEntry]:
    """Each saved version of `obj`, newest first, with the fields it changed (old → new)."""
    return object_history(obj, user=user, fields=columns, tz=obj.store.tz, show=shown_value)


def shown_value(obj: Model, name: str, value: Any, *, user: Staff) -> str:
    """A stored value as the order and loss pages show it."""
    if isinstance(value, Model) and not isinstance(value, Customer):
        return str(value)
    if name == "channel" and value:
        return channel_label(value)
    return access.shown_value(obj, name, value, user=user)


def stored_differences(
    obj: Order, *, typed: dict[str, Any], fields: list[str], user: Staff
) -> dict[str, str]:
    """The stored values (as shown) of the fields where what was typed differs."""
    return {
        name: shown_value(obj, name, getattr(obj, name), user=user)
        for name in fields
        if typed.get(name) != getattr(obj, name)
    }
