"""Deal screens (成交客户管理): test drives, quotes, orders, delivery, aftercare, and the
lost / out-of-control workflow between the consultant and the manager."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from showroom.core.history import format_local, last_change
from showroom.customers.choices import CustomerType, OwnerKind
from showroom.customers.models import Customer
from showroom.organization import access, permissions
from showroom.organization.models import Store
from showroom.organization.requests import Request, asked_store, next_url
from showroom.sales.deals import forms, selectors, services
from showroom.sales.models import Order

ORDERS_PER_PAGE = 100


def _customer(request: Request) -> Customer:
    pk = request.GET.get("customer") or request.POST.get("customer")
    return selectors.customer_for(user=request.user, pk=pk)


def _form_page(
    request: Request,
    *,
    title: str,
    form: Any,
    customer: Customer,
    submit: str,
    order: Order | None = None,
    status: int = 200,
    conflict: str = "",
) -> HttpResponse:
    return render(
        request,
        "sales/deals/form.html",
        {
            "title": title,
            "form": form,
            "customer": access.with_shown_phone(customer, request.user),
            "order": order,
            "submit": submit,
            "conflict": conflict,
        },
        status=status,
    )


def _customer_url(customer: Customer) -> str:
    return reverse("deals:customer", args=[customer.pk])


# --- A customer's deals ----------------------------------------------------------------------


def customer(request: Request, pk: int) -> HttpResponse:
    """The deal side of one card: what to record next, and everything recorded so far."""
    card = selectors.customer_for(user=request.user, pk=pk)
    deals = selectors.customer_deals(customer=card)
    return render(
        request,
        "sales/deals/customer.html",
        {
            "customer": access.with_shown_phone(card, request.user),
            "deals": deals,
            "in_funnel": card.owner_kind == OwnerKind.NONE,
            "can_order": _can_order(card),
            "can_request_loss": _can_request_loss(card)
            and deals.open_loss is None
            and permissions.allows(request.user, "deals:loss_request"),
        },
    )


def _can_order(card: Customer) -> bool:
    """A card already lost or out of control is past an order until it is reactivated."""
    return card.customer_type not in (CustomerType.LOST, CustomerType.OUT_OF_CONTROL)


def _can_request_loss(card: Customer) -> bool:
    return card.owner_kind == OwnerKind.NONE and card.customer_type in (
        CustomerType.PROSPECT,
        CustomerType.DORMANT,
    )


def test_drive_new(request: Request) -> HttpResponse:
    card = _customer(request)
    form = forms.TestDriveForm(
        request.POST or None, store=card.store, initial={"model": card.model}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.record_test_drive(
            customer=card,
            user=request.user,
            day=data["date"],
            model=data["model"],
            route=data["route"],
            duration_minutes=data["duration_minutes"],
        )
        messages.success(request, _("Test drive recorded for %(name)s.") % {"name": card.name})
        return redirect(next_url(request, _customer_url(card)))
    return _form_page(
        request, title=_("Test drive"), form=form, customer=card, submit=_("Save test drive")
    )


def quote_new(request: Request) -> HttpResponse:
    card = _customer(request)
    form = forms.QuoteForm(request.POST or None, store=card.store, initial={"model": card.model})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.record_quote(
            customer=card,
            user=request.user,
            day=data["date"],
            model=data["model"],
            amount=data["amount"],
            notes=data["notes"],
        )
        messages.success(request, _("Quote recorded for %(name)s.") % {"name": card.name})
        return redirect(next_url(request, _customer_url(card)))
    return _form_page(request, title=_("Quote"), form=form, customer=card, submit=_("Save quote"))


# --- Orders ----------------------------------------------------------------------------------


def order_new(request: Request) -> HttpResponse:
    card = _customer(request)
    if not _can_order(card):
        messages.error(
            request,
            _("%(name)s is %(status)s: reactivate the card before recording an order.")
            % {"name": card.name, "status": card.get_customer_type_display()},
        )
        return redirect(_customer_url(card))
    pick = access.may_choose_consultant(request.user)
    form = forms.OrderForm(
        request.POST or None, store=card.store, customer=card, pick_consultant=pick
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        order = services.record_order(
            customer=card,
            user=request.user,
            order_date=data["order_date"],
            model=data["model"],
            channel=data["channel"],
            source=data["source"],
            deposit=data["deposit"],
            contract_no=data["contract_no"],
            consultant=data.get("consultant"),
            price=data["price"],
            colour=data["colour"],
            expected_delivery=data["expected_delivery"],
        )
        messages.success(
            request,
            _("Order recorded: %(name)s, %(model)s. The card is now grade O.")
            % {"name": card.name, "model": order.model},
        )
        return redirect(reverse("deals:order_detail", args=[order.pk]))
    return _form_page(
        request, title=_("New order"), form=form, customer=card, submit=_("Save order")
    )


def order_detail(request: Request, pk: int) -> HttpResponse:
    order = selectors.order_for(user=request.user, pk=pk)
    tasks = selectors.order_aftercare(order, today=order.store.today())
    return render(
        request,
        "sales/deals/order_detail.html",
        {
            "order": order,
            "customer": access.with_shown_phone(order.customer, request.user),
            "tasks": tasks,
            "vehicle": getattr(order, "vehicle", None) if order.delivery_date else None,
        },
    )


def order_edit(request: Request, pk: int) -> HttpResponse:
    """Correct an order. Saving a version someone else has meanwhile saved is refused (409):
    what was typed stays in the form, the values now stored are shown beside it."""
    order = selectors.order_for(user=request.user, pk=pk)
    stored: dict[str, str] = {}
    conflict: dict[str, Any] | None = None
    status = 200
    if request.method == "POST":
        form = forms.OrderEditForm(request.POST, instance=order)
        if form.is_valid():
            if services.save_order(
                order,
                fields=form.model_fields,
                expected_version=form.cleaned_data["version"],
                user=request.user,
            ):
                messages.success(request, _("Order saved."))
                return redirect(reverse("deals:order_detail", args=[order.pk]))
            current = selectors.order_for(user=request.user, pk=pk)
            stored = selectors.stored_differences(
                current, typed=form.cleaned_data, fields=form.model_fields, user=request.user
            )
            who, when = last_change(current)
            conflict = {"who": who, "when": format_local(when)}
            data = request.POST.copy()
            data["version"] = str(current.version)  # saving again now overwrites, knowingly
            form = forms.OrderEditForm(data, instance=selectors.order_for(user=request.user, pk=pk))
            form.is_valid()
            order = current
            status = 409
    else:
        form = forms.OrderEditForm(instance=order)
    return render(
        request,
        "sales/deals/order_edit.html",
        {
            "order": order,
            "form": form,
            "fields": [(form[name], stored.get(name)) for name in form.model_fields],
            "conflict": conflict,
        },
        status=status,
    )


def order_history(request: Request, pk: int) -> HttpResponse:
    order = selectors.order_for(user=request.user, pk=pk)
    entries = selectors.history(order, columns=selectors.ORDER_COLUMNS, user=request.user)
    return render(
        request,
        "sales/deals/history.html",
        {
            "title": _("Order %(date)s %(model)s")
            % {"date": order.order_date.isoformat(), "model": order.model},
            "back": reverse("deals:order_detail", args=[order.pk]),
            "entries": entries,
        },
    )


def _close_order(
    request: Request,
    pk: int,
    *,
    form_class: type[forms.DeliveryForm] | type[forms.CancelOrderForm],
    save: Callable[[Order, dict[str, Any]], str | None],
    title: str,
    submit: str,
) -> HttpResponse:
    """Deliver or cancel an open order: the form, then `save`, which returns the message of
    success, or None when someone else saved the order meanwhile. Then what was typed stays in
    the form, against the version now stored (409)."""
    order = selectors.order_for(user=request.user, pk=pk)
    if order.cancelled or order.delivery_date is not None:
        messages.info(
            request,
            _("This order is cancelled.") if order.cancelled else _("Already delivered."),
        )
        return redirect(reverse("deals:order_detail", args=[order.pk]))
    form = form_class(request.POST or None, order=order)
    conflict = ""
    status = 200
    if request.method == "POST" and form.is_valid():
        done = save(order, form.cleaned_data)
        if done is not None:
            messages.success(request, done)
            return redirect(reverse("deals:order_detail", args=[order.pk]))
        current = selectors.order_for(user=request.user, pk=pk)
        if current.delivery_date is not None or current.cancelled:
            messages.warning(
                request,
                _("Not saved: someone else has meanwhile delivered or cancelled this order."),
            )
            return redirect(reverse("deals:order_detail", args=[order.pk]))
        who, when = last_change(current)
        conflict = _(
            "Not saved: %(who)s changed this order at %(when)s, after you opened it. "
            "Your entries are kept below; check the order and save again."
        ) % {"who": who, "when": format_local(when)}
        data_in = request.POST.copy()
        data_in["version"] = str(current.version)
        form = form_class(data_in, order=current)
        form.is_valid()
        order = current
        status = 409
    return _form_page(
        request,
        title=title,
        form=form,
        customer=order.customer,
        order=order,
        submit=submit,
        status=status,
        conflict=conflict,
    )


def deliver(request: Request, pk: int) -> HttpResponse:
    def save(order: Order, data: dict[str, Any]) -> str | None:
        values = {name: value for name, value in data.items() if name != "version"}
        if not services.deliver_order(
            order, user=request.user, expected_version=data["version"], **values
        ):
            return None
        today = order.store.today()
        due = {t.kind: t.due.isoformat() for t in selectors.order_aftercare(order, today=today)}
        return _(
            "Delivered. %(name)s is now an owner; the 3-day call is due on %(call)s "
            "and the 7-day letter on %(letter)s."
        ) % {
            "name": order.customer.name,
            "call": due["call_3day"],
            "letter": due["letter_7day"],
        }

    return _close_order(
        request,
        pk,
        form_class=forms.DeliveryForm,
        save=save,
        title=_("Delivery"),
        submit=_("Save delivery"),
    )


def order_cancel(request: Request, pk: int) -> HttpResponse:
    """退订: the cancellation's date (today unless told otherwise) and reason, kept in the
    order's history. Saving over someone else's change is refused (409) like other edits."""

    def save(order: Order, data: dict[str, Any]) -> str | None:
        if not services.cancel_order(
            order,
            user=request.user,
            expected_version=data["version"],
            day=data["cancelled_on"],
            reason=data["cancel_reason"],
        ):
            return None
        return _("Order cancelled as of %(date)s.") % {"date": data["cancelled_on"].isoformat()}

    return _close_order(
        request,
        pk,
        form_class=forms.CancelOrderForm,
        save=save,
        title=_("Cancel the order"),
        submit=_("Cancel the order"),
    )


@require_POST
def order_restore(request: Request, pk: int) -> HttpResponse:
    """Take back a cancellation typed in error (managers only)."""
    order = selectors.order_for(user=request.user, pk=pk)
    version = request.POST.get("version", "")
    if not order.cancelled:
        messages.info(request, _("This order is not cancelled."))
    elif version.isdigit() and services.restore_order(
        order, user=request.user, expected_version=int(version)
    ):
        messages.success(request, _("The cancellation is taken back."))
    else:
        messages.warning(
            request, _("Not saved: someone else has changed this order meanwhile. Check it.")
        )
    return redirect(reverse("deals:order_detail", args=[order.pk]))


def _consultant_filter(request: Request, store: Store) -> int | None:
    raw = request.GET.get("consultant", "")
    if raw.isdigit() and access.sees_all_rows(request.user):
        return int(raw)
    return None


def orders(request: Request) -> HttpResponse:
    """订单交车: the store's orders, by month, status, channel and consultant."""
    user = request.user
    store = asked_store(request)
    today = store.today()
    params = request.GET.copy()
    if "month" not in params:
        params["month"] = today.strftime("%Y-%m")
    pick = access.sees_all_rows(user)
    form = forms.OrderFilterForm(params, store=store, pick_consultant=pick)
    data = form.cleaned_data if form.is_valid() else {}
    month = forms.parse_month(data.get("month"))
    consultant = data.get("consultant")
    qs = selectors.orders(
        user=user,
        store=store,
        month=month,
        by=data.get("by") or "order",
        status=data.get("status", ""),
        channel=data.get("channel", ""),
        consultant_id=consultant.pk if consultant else None,
    )
    page = Paginator(qs, ORDERS_PER_PAGE).get_page(request.GET.get("page"))
    query = params.copy()
    query.pop("page", None)
    return render(
        request,
        "sales/deals/orders.html",
        {
            "store": store,
            "form": form,
            "page": page,
            "orders": list(page.object_list),
            "query": query.urlencode(),
            "month": month,
        },
    )


# --- Aftercare -------------------------------------------------------------------------------


def aftercare(request: Request) -> HttpResponse:
    """The 3-day calls and 7-day letters after delivery: due, overdue, done."""
    store = asked_store(request)
    today = store.today()
    consultant_id = _consultant_filter(request, store)
    tasks = selectors.aftercare_tasks(
        user=request.user, store=store, today=today, consultant_id=consultant_id
    )
    groups: dict[int, dict[str, Any]] = {}
    for task in tasks:
        group = groups.setdefault(
            task.consultant.pk,
            {"consultant": task.consultant, "overdue": [], "due": [], "done": []},
        )
        group[task.state].append(task)
    return render(
        request,
        "sales/deals/aftercare.html",
        {
            "store": store,
            "today": today,
            "groups": list(groups.values()),
            "consultants": (
                forms.consultant_choices(store) if access.sees_all_rows(request.user) else []
            ),
            "consultant_id": consultant_id,
            "counts": {
                state: sum(1 for t in tasks if t.state == state)
                for state in ("overdue", "due", "done")
            },
        },
    )


@require_POST
def aftercare_done(request: Request, pk: int, kind: str) -> HttpResponse:
    if kind not in services.AFTERCARE_DUE_DAYS:
        raise Http404
    order = selectors.order_for(user=request.user, pk=pk)
    if order.delivery_date is None or order.cancelled:
        raise Http404
    today = order.store.today()
    if services.mark_aftercare_done(order, kind=kind, user=request.user, day=today):
        messages.success(request, _("Marked as done today."))
    else:
        messages.info(request, _("This was already marked as done."))
        order = selectors.order_for(user=request.user, pk=pk)
    if request.htmx:
        task = next(t for t in selectors.order_aftercare(order, today=today) if t.kind == kind)
        list(messages.get_messages(request))  # shown in the row itself
        return render(request, "sales/deals/_aftercare_task.html", {"task": task, "today": today})
    return redirect(next_url(request, reverse("deals:aftercare")))


# --- Lost / out of control -------------------------------------------------------------------
