"""The loss workflow on the screens: the consultant requests (战败/失控申请), the manager
confirms, sends back or reopens (审批)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from showroom.core.history import format_local, last_change
from showroom.organization import access, permissions
from showroom.organization.requests import Request, asked_store, next_url
from showroom.sales.choices import LossStatus
from showroom.sales.deals import selectors as deal_selectors
from showroom.sales.deals.views import (
    _can_request_loss,
    _customer,
    _customer_url,
    _form_page,
)
from showroom.sales.losses import forms, selectors, services
from showroom.sales.models import LossReport


def loss_request(request: Request) -> HttpResponse:
    """The consultant's request: the prospect stays open until the manager confirms it."""
    card = _customer(request)
    if not _can_request_loss(card):
        messages.error(request, _("Only a prospect can be reported lost or out of control."))
        return redirect(_customer_url(card))
    waiting = deal_selectors.pending_loss(customer=card)
    if waiting is not None:
        messages.info(
            request,
            _("A lost / out-of-control record of this customer is already %(status)s.")
            % {"status": waiting.get_status_display()},
        )
        return redirect(reverse("deals:loss_detail", args=[waiting.pk]))
    form = forms.LossRequestForm(request.POST or None, store=card.store, customer=card)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        report = services.request_loss(
            customer=card,
            user=request.user,
            day=data["date"],
            kind=data["kind"],
            reason=data["reason"],
            grade=data["grade"],
            competitor_brand=data["competitor_brand"].strip(),
            competitor_model=data["competitor_model"].strip(),
            description=data["description"].strip(),
        )
        messages.success(
            request,
            _("Request sent to the manager. %(name)s stays your prospect until it is confirmed.")
            % {"name": card.name},
        )
        return redirect(reverse("deals:loss_detail", args=[report.pk]))
    return _form_page(
        request,
        title=_("Report lost / out of control"),
        form=form,
        customer=card,
        submit=_("Send to the manager"),
    )


def losses(request: Request) -> HttpResponse:
    """Lost / out-of-control records: a consultant's own (with the manager's notes on those
    sent back), or the store's."""
    store = asked_store(request)
    status = request.GET.get("status", "")
    if status not in LossStatus.values:
        status = ""
    reports = list(selectors.losses(user=request.user, store=store, status=status)[:500])
    for r in reports:
        access.with_shown_phone(r.customer, request.user)
    return render(
        request,
        "sales/deals/losses.html",
        {
            "store": store,
            "reports": reports,
            "status": status,
            "statuses": LossStatus.choices,
        },
    )


def losses_pending(request: Request) -> HttpResponse:
    """The manager's queue: confirm, or send back for more follow-up with a note."""
    store = asked_store(request)
    reports = list(selectors.pending_losses(user=request.user, store=store))
    today = store.today()
    return render(
        request,
        "sales/deals/losses_pending.html",
        {
            "store": store,
            "items": [_loss_item(request, r, today=today) for r in reports],
        },
    )


def _loss_item(
    request: Request,
    report: LossReport,
    *,
    today: date,
    form: forms.LossDecisionForm | None = None,
    done: str = "",
) -> dict[str, Any]:
    return {
        "report": report,
        "customer": access.with_shown_phone(report.customer, request.user),
        "form": form
        or forms.LossDecisionForm(initial={"version": report.version, "follow_up": today}),
        "done": done,
        "can_decide": permissions.allows(request.user, "deals:loss_confirm"),
    }


def loss_detail(request: Request, pk: int) -> HttpResponse:
    report = selectors.loss_for(user=request.user, pk=pk)
    return render(
        request,
        "sales/deals/loss_detail.html",
        {
            "item": _loss_item(request, report, today=report.store.today()),
            "entries": deal_selectors.history(
                report, columns=selectors.LOSS_COLUMNS, user=request.user
            ),
        },
    )


def _after_decision(
    request: Request, report: LossReport, *, done: str, form: Any = None, failed: bool = False
) -> HttpResponse:
    if request.htmx:
        # Always 200: htmx swaps no 4xx answer, and the item itself says what happened.
        item = _loss_item(request, report, today=report.store.today(), form=form, done=done)
        list(messages.get_messages(request))
        return render(request, "sales/deals/_loss_item.html", {"item": item})
    if failed:
        return redirect(reverse("deals:loss_detail", args=[report.pk]))
    return redirect(next_url(request, reverse("deals:losses_pending")))


@require_POST
def loss_confirm(request: Request, pk: int) -> HttpResponse:
    report = selectors.loss_for(user=request.user, pk=pk)
    form = forms.LossDecisionForm(request.POST)
    if form.is_valid() and services.confirm_loss(
        report, user=request.user, expected_version=form.cleaned_data["version"]
    ):
        report = selectors.loss_for(user=request.user, pk=pk)
        messages.success(
            request,
            _("Confirmed: %(name)s counts as %(kind)s from %(date)s.")
            % {
                "name": report.customer.name,
                "kind": report.get_kind_display(),
                "date": report.date.isoformat(),
            },
        )
        return _after_decision(request, report, done="confirmed")
    report = selectors.loss_for(user=request.user, pk=pk)
    messages.error(request, _stale_message(report))
    return _after_decision(request, report, done="stale", failed=True)


def _decide_return(request: Request, pk: int, *, from_status: str) -> HttpResponse:
    report = selectors.loss_for(user=request.user, pk=pk)
    if report.status != from_status:
        messages.error(request, _stale_message(report))
        return _after_decision(request, report, done="stale", failed=True)
    form = forms.LossDecisionForm(request.POST, returning=True, today=report.store.today())
    if not form.is_valid():
        if request.htmx:
            return _after_decision(request, report, done="", form=form, failed=True)
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(reverse("deals:loss_detail", args=[report.pk]))
    follow_up = form.cleaned_data["follow_up"] or report.store.today()
    if not services.return_loss(
        report,
        user=request.user,
        expected_version=form.cleaned_data["version"],
        note=form.cleaned_data["note"].strip(),
        follow_up=follow_up,
    ):
        report = selectors.loss_for(user=request.user, pk=pk)
        messages.error(request, _stale_message(report))
        return _after_decision(request, report, done="stale", failed=True)
    report = selectors.loss_for(user=request.user, pk=pk)
    messages.success(
        request,
        _("Sent back to %(consultant)s: %(name)s stays a prospect, follow-up due %(date)s.")
        % {
            "consultant": report.customer.consultant or report.consultant,
            "name": report.customer.name,
            "date": follow_up.isoformat(),
        },
    )
    return _after_decision(request, report, done="returned")


@require_POST
def loss_return(request: Request, pk: int) -> HttpResponse:
    return _decide_return(request, pk, from_status=LossStatus.REQUESTED)


@require_POST
def loss_reopen(request: Request, pk: int) -> HttpResponse:
    """A confirmed loss back to sales (e.g. the customer did not buy elsewhere after all)."""
    return _decide_return(request, pk, from_status=LossStatus.CONFIRMED)


def _stale_message(report: LossReport) -> str:
    who, when = last_change(report)
    return _(
        "Not saved: %(who)s changed this record at %(when)s (now: %(status)s). "
        "Check it and decide again."
    ) % {
        "who": who,
        "when": format_local(when),
        "status": report.get_status_display(),
    }
