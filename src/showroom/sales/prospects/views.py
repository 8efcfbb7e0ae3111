"""Prospect promotion screens: "my day", logging a contact, overdue follow-ups."""

from __future__ import annotations

from itertools import groupby
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from showroom.core import hooks
from showroom.core.row_urls import row_url
from showroom.customers.selectors import card_for
from showroom.organization import access
from showroom.organization.choices import Role
from showroom.organization.models import Staff
from showroom.organization.requests import Request, next_url, requested_store
from showroom.sales.prospects import selectors, services
from showroom.sales.prospects.forms import ContactForm

# --- My day ------------------------------------------------------------------------------------


def my_day(request: Request) -> HttpResponse:
    """A consultant's day: overdue and due follow-ups, appointments, what is already done,
    tomorrow's plan. A manager views any consultant of the store with ?consultant=ID."""
    user = request.user
    store = requested_store(request)
    is_manager = access.may_follow_colleagues(user)
    raw = request.GET.get("consultant", "")
    own_day = not raw and user.has_role(Role.CONSULTANT) and user.store_id == store.pk
    # A consultant's own day needs no list of the store's consultants (only a manager picks).
    consultants = (
        []
        if own_day and not is_manager
        else list(Staff.objects.consultants(store).order_by("full_name", "username"))
    )
    if raw:
        if not is_manager and raw != str(user.pk):
            raise PermissionDenied
        consultant = next((c for c in consultants if str(c.pk) == raw), None)
        if consultant is None:
            raise Http404
    elif own_day:
        consultant = user
    elif consultants:
        consultant = consultants[0]
    else:
        consultant = None
    today = store.today()
    day = (
        selectors.my_day(consultant=consultant, store=store, on=today)
        if consultant is not None
        else None
    )
    can_log = consultant is not None and (consultant.pk == user.pk or is_manager)
    # Other apps' parts of the day (the CRM's data exceptions and call lists), rendered here
    # with the consultant they are about.
    panels = [
        render_to_string(p.template, {"consultant": consultant, **p.context}, request=request)
        for p in (
            hooks.panels(selectors.my_day_panels, user=user, store=store, consultant=consultant)
            if consultant is not None
            else []
        )
    ]
    if day is not None:
        access.with_shown_phones([*day.overdue, *day.due, *day.tomorrow], user)
        for a in [*day.appointments, *day.tomorrow_appointments]:
            a.shown_phone = access.shown_phone(user, a.phone, owner_id=day.consultant.pk)
        if can_log:
            # The contact form is fetched when opened (sales:log_contact): a day of a hundred
            # follow-ups rendered a hundred hidden forms, most of a request's time.
            for c in [*day.overdue, *day.due]:
                c.may_log = True  # type: ignore[attr-defined]
        card_url, log_url = row_url("customers:card"), row_url("sales:log_contact")
        for c in [*day.overdue, *day.due, *day.tomorrow]:
            c.card_url = card_url(c.pk)  # type: ignore[attr-defined]
            c.log_url = log_url(c.pk)  # type: ignore[attr-defined]
    return render(
        request,
        "sales/my_day.html",
        {
            "store": store,
            "today": today,
            "day": day,
            "consultant": consultant,
            "consultants": consultants if is_manager else [],
            "can_log": can_log,
            "panels": panels,
            # Each follow-up's "?next=": this page, as the urlencode filter writes it.
            "back": quote(request.get_full_path()),
        },
    )


# --- Logging a contact -------------------------------------------------------------------------


def log_contact(request: Request, pk: int) -> HttpResponse:
    """The contact form of one card: GET gives the (HTMX) form, POST logs the contact.

    Inline (HTMX), success swaps the form for a one-line summary; otherwise it returns to
    `next` (the card, by default)."""
    user = request.user
    customer = card_for(user=user, pk=pk)
    if not access.may_log_contact(user, customer):
        raise PermissionDenied
    today = customer.store.today()
    inline = bool(request.htmx)
    card_url = reverse("customers:card", args=[customer.pk])
    if request.method == "POST":
        form = ContactForm(request.POST, customer=customer, today=today)
        if form.is_valid():
            data = form.cleaned_data
            try:
                activity = services.log_contact(
                    customer=customer,
                    user=user,
                    date=data["date"],
                    kind=data["kind"],
                    category=data["category"],
                    grade_after=data["grade_after"],
                    next_date=data["next_date"],
                    later_reason=data["later_reason"],
                    notes=data["notes"],
                    not_closed_reason=data["not_closed_reason"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if inline:
                    return render(
                        request,
                        "sales/_contact_done.html",
                        {"customer": customer, "activity": activity},
                    )
                messages.success(
                    request,
                    _("Contact logged; next follow-up %(day)s.")
                    % {
                        "day": customer.next_follow_up.isoformat()
                        if customer.next_follow_up
                        else "—"
                    },
                )
                return redirect(next_url(request, card_url))
    else:
        form = ContactForm(customer=customer, today=today)
    context: dict[str, Any] = {
        "customer": customer,
        "form": form,
        "inline": inline,
        "next": next_url(request, card_url),
    }
    if inline:
        return render(request, "sales/_contact_form.html", context)
    return render(request, "sales/contact.html", context)


# --- Overdue follow-ups ------------------------------------------------------------------------


def overdue(request: Request) -> HttpResponse:
    """Prospects past their follow-up date: a consultant's own; the store's for a manager,
    grouped by consultant."""
    user = request.user
    store = requested_store(request)
    today = store.today()
    cards = access.with_shown_phones(
        list(selectors.overdue_follow_ups(user=user, store=store, on=today)), user
    )
    for c in cards:
        c.days_late = (today - c.next_follow_up).days  # type: ignore[attr-defined,operator]
    groups = [
        (consultant, list(rows)) for consultant, rows in groupby(cards, key=lambda c: c.consultant)
    ]
    return render(
        request,
        "sales/overdue.html",
        {
            "store": store,
            "today": today,
            "groups": groups,
            "total": len(cards),
            "grouped": access.sees_all_rows(user),
            "is_manager": access.may_follow_colleagues(user),
        },
    )
