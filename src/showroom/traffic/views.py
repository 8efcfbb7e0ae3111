"""Front desk screens: the receptionist's desk, the consultant's receptions, the registers."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, cast
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from showroom.core.history import format_local, last_change
from showroom.core.row_urls import row_url
from showroom.customers.selectors import visible_customers
from showroom.organization import access, permissions
from showroom.organization.administration import services as administration
from showroom.organization.administration.forms import DutyForm
from showroom.organization.choices import Duty, Role
from showroom.organization.models import Staff, Store
from showroom.organization.requests import Request, next_url, requested_store
from showroom.traffic import forms, selectors, services
from showroom.traffic.leads import selectors as lead_selectors
from showroom.traffic.leads import services as lead_services
from showroom.traffic.models import Appointment, Call, WalkIn

MODELS: dict[str, type[WalkIn] | type[Call]] = {"walkin": WalkIn, "call": Call}


def _store_query(request: Request, store: Store) -> str:
    """`?store=CODE` when the page is not about the user's own store."""
    return "" if store.pk == request.user.store_id else "?" + urlencode({"store": store.code})


def _row(request: Request, kind: str, pk: int) -> WalkIn | Call:
    """The row if the user may read it; 404 otherwise, so that others' rows stay unseen.
    A cancelled walk-in is found too (its history is kept); only cancelling writes to it."""
    model = MODELS.get(kind)
    if model is None:
        raise Http404
    manager = WalkIn.with_cancelled if model is WalkIn else Call.objects
    qs = manager.select_related("store", "consultant", "source", "customer")
    return cast("WalkIn | Call", get_object_or_404(access.front_desk_rows(qs, request.user), pk=pk))


# --- The desk --------------------------------------------------------------------------------


def _desk_context(
    request: Request,
    store: Store,
    *,
    walk_in_form: forms.QuickWalkInForm | None = None,
    call_form: forms.QuickCallForm | None = None,
) -> dict[str, Any]:
    user = request.user
    now = store.now()
    entries = selectors.rotation(store=store, at=now)
    upcoming = selectors.next_in_rotation(entries)
    initial = {"consultant": upcoming.pk if upcoming else None}
    on_duty = {e.consultant.pk for e in entries}
    team = list(
        Staff.objects.consultants(store).order_by("rotation_order", "full_name", "username", "pk")
    )
    # The desk's rows show their consultant, not their card or source: those not joined.
    walk_ins = list(
        selectors.register_walk_ins(user=user, store=store, day=now.date(), cancelled=True)
        .select_related(None)
        .select_related("consultant")
    )
    duty = row_url("traffic:desk_duty")
    for c in team:
        c.duty_url = duty(c.pk)  # type: ignore[attr-defined]
    cards = selectors.day_hand_cards(store=store, day=now.date())
    history, depart, edit, cancel = (
        row_url(name)
        for name in (
            "traffic:walkin_history",
            "traffic:depart",
            "traffic:walkin_edit",
            "traffic:walkin_cancel",
        )
    )
    for r in walk_ins:
        r.history_url = history(r.pk)  # type: ignore[attr-defined]
        r.depart_url = depart(r.pk)  # type: ignore[attr-defined]
        r.edit_url = edit(r.pk)  # type: ignore[attr-defined]
        r.cancel_url = cancel(r.pk)  # type: ignore[attr-defined]
    calls = list(
        selectors.register_calls(user=user, store=store, day=now.date())
        .select_related(None)
        .select_related("consultant")
    )
    call_edit = row_url("traffic:call_edit")
    for c in calls:
        c.edit_url = call_edit(c.pk)  # type: ignore[attr-defined]
    desk_url = reverse("traffic:desk") + _store_query(request, store)
    return {
        "store": store,
        "store_query": _store_query(request, store),
        "desk_url": desk_url,
        # Each row's "?next=": the desk, as the urlencode filter writes it.
        "desk_next": quote(desk_url),
        "now_text": now.strftime("%H:%M"),
        "rotation": entries,
        "upcoming": upcoming,
        "off_duty": [c for c in team if c.pk not in on_duty],
        # The rotation's duty buttons: a form for each consultant of the store.
        "team": team,
        "duties": Duty.choices,
        "walk_in_form": walk_in_form or forms.QuickWalkInForm(store=store, initial=initial),
        "call_form": call_form or forms.QuickCallForm(store=store, initial=initial),
        "walk_ins": access.with_shown_phones(walk_ins, user),
        "live_walk_ins": sum(1 for r in walk_ins if r.cancelled_at is None),
        "next_hand_card": selectors.next_hand_card(store=store, day=now.date(), cards=cards),
        "missing_hand_cards": selectors.hand_cards_without_walk_in(
            store=store, day=now.date(), cards=cards
        ),
        "can_cancel": permissions.allows(user, "traffic:walkin_cancel"),
        "cancel_form": forms.CancelWalkInForm(),
        "calls": access.with_shown_phones(calls, user),
        # The lead desk's appointments of today, marked shown with one tap.
        "expected": access.with_shown_phones(
            list(lead_selectors.expected_today(user=user, store=store, day=now.date())), user
        ),
        "expected_day": now.date(),
    }


def _render_desk(request: Request, store: Store, **forms_: Any) -> HttpResponse:
    template = "traffic/_desk_panel.html" if request.htmx else "traffic/desk.html"
    return render(request, template, _desk_context(request, store, **forms_))


def _after_desk_post(request: Request, store: Store) -> HttpResponse:
    if request.htmx:
        return _render_desk(request, store)
    return redirect(reverse("traffic:desk") + _store_query(request, store))


def desk(request: Request) -> HttpResponse:
    """The receptionist's page: rotation, one-tap logging of walk-ins and calls, today's rows."""
    return _render_desk(request, requested_store(request))


@require_POST
def desk_duty(request: Request, pk: int) -> HttpResponse:
    """One tap in the desk's rotation: a consultant at lunch, out or back on duty (the roster's
    duty, recorded in the same record of changes); the rotation follows at once."""
    member = get_object_or_404(access.roster_rows(Staff.objects.all(), request.user), pk=pk)
    assert member.store is not None
    form = DutyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose on duty, at lunch or out."))
    elif administration.set_duty(member, duty=form.cleaned_data["duty"], user=request.user):
        messages.success(
            request,
            _("%(name)s: %(duty)s.") % {"name": member, "duty": member.get_duty_display()},
        )
    else:
        messages.info(
            request,
            _("%(name)s is already: %(duty)s.")
            % {"name": member, "duty": member.get_duty_display()},
        )
    return _after_desk_post(request, member.store)


@require_POST
def log_walk_in(request: Request) -> HttpResponse:
    store = requested_store(request)
    form = forms.QuickWalkInForm(request.POST, store=store)
    if not form.is_valid():
        return _render_desk(request, store, walk_in_form=form)
    row, appointment = lead_services.log_walk_in(
        store=store, user=request.user, **form.cleaned_data
    )
    messages.success(
        request,
        _("Walk-in logged: %(time)s, %(size)s people, %(type)s, received by %(consultant)s.")
        % {
            "time": row.arrived_at.strftime("%H:%M"),
            "size": row.party_size,
            "type": row.get_visit_type_display(),
            "consultant": row.consultant,
        },
    )
    if appointment is not None:
        messages.info(request, _shown_message(appointment, row))
    return _after_desk_post(request, store)


def _shown_message(appointment: Appointment, row: WalkIn) -> str:
    return _("%(name)s was expected at %(time)s: the appointment is marked shown.") % {
        "name": row.name or row.phone,
        "time": appointment.starts_at.astimezone(row.store.tz).strftime("%H:%M"),
    }


@require_POST
def log_call(request: Request) -> HttpResponse:
    store = requested_store(request)
    agent = _call_agent(request)
    form = forms.QuickCallForm(request.POST, store=store, agent=agent)
    # Whoever may not open the desk (a DCC agent) logs calls on the call register.
    from_register = (not request.htmx and bool(request.POST.get("next"))) or not (
        permissions.allows(request.user, "traffic:desk")
    )
    if not form.is_valid():
        if from_register:  # the call register's form: say what is wrong there
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, str(error))
            return redirect(next_url(request, reverse("traffic:calls")))
        return _render_desk(request, store, call_form=form)
    row = services.log_call(store=store, user=request.user, **form.cleaned_data)
    messages.success(
        request,
        _("Call logged: %(time)s, %(type)s, put through to %(consultant)s.")
        % {
            "time": row.called_at.strftime("%H:%M"),
            "type": row.get_call_type_display(),
            "consultant": row.consultant,
        },
    )
    if from_register:
        return redirect(next_url(request, reverse("traffic:calls")))
    return _after_desk_post(request, store)


def _call_agent(request: Request) -> Staff | None:
    """A DCC agent (not at the desk) who logs the calls they take themselves."""
    user = request.user
    return (
        user if user.has_role(Role.DCC) and not permissions.allows(user, "traffic:desk") else None
    )


@require_POST
def depart(request: Request, pk: int) -> HttpResponse:
    row = _row(request, "walkin", pk)
    assert isinstance(row, WalkIn)
    refused = services.departure_errors(row) if row.left_at is None else []
    if refused:
        messages.error(
            request,
            _("Departure not recorded: %(reason)s Correct the row's times instead.")
            % {"reason": refused[0][1]},
        )
    elif services.mark_departed(row, user=request.user) and row.left_at is not None:
        messages.success(
            request,
            _("%(consultant)s's party of %(time)s left at %(left)s.")
            % {
                "consultant": row.consultant,
                "time": row.arrived_at.strftime("%H:%M"),
                "left": row.left_at.strftime("%H:%M"),
            },
        )
    else:
        messages.info(request, _("That party had already left."))
    if request.htmx and permissions.allows(request.user, "traffic:desk"):
        return _render_desk(request, row.store)
    return redirect(
        next_url(request, reverse("traffic:register") + _store_query(request, row.store))
    )


@require_POST
def cancel_walk_in(request: Request, pk: int) -> HttpResponse:
    """A mis-tapped walk-in leaves every count; the row and the reason stay in its history."""
    row = _row(request, "walkin", pk)
    assert isinstance(row, WalkIn)
    form = forms.CancelWalkInForm(request.POST)
    if row.cancelled_at is not None:
        messages.info(request, _("That walk-in was already cancelled."))
    elif row.import_key:
        messages.error(
            request,
            _("An imported walk-in is not cancelled here: correct the file and import it again."),
        )
    elif not form.is_valid():
        messages.error(
            request,
            _("Walk-in not cancelled: %(reason)s")
            % {"reason": " ".join(str(e) for errors in form.errors.values() for e in errors)},
        )
    elif services.cancel_walk_in(
        row,
        reason=form.cleaned_data["reason"],
        user=request.user,
        expected_version=form.cleaned_data["version"],
    ):
        messages.success(
            request,
            _("The walk-in of %(time)s (%(consultant)s) is cancelled and no longer counted.")
            % {"time": row.arrived_at.strftime("%H:%M"), "consultant": row.consultant},
        )
    else:
        who, when = last_change(_row(request, "walkin", pk))
        messages.error(
            request,
            _("Not cancelled: %(who)s changed this row at %(when)s. Check it and try again.")
            % {"who": who, "when": format_local(when)},
        )
    if request.htmx and permissions.allows(request.user, "traffic:desk"):
        return _render_desk(request, row.store)
    return redirect(next_url(request, reverse("traffic:desk") + _store_query(request, row.store)))


# --- Duplicate check -------------------------------------------------------------------------


def phone_check(request: Request) -> HttpResponse:
    """HTMX: whose customer the number being typed already is (as much as the role may see)."""
    store = requested_store(request)
    exclude = None
    kind, _sep, pk = request.GET.get("row", "").partition(":")
    if kind in MODELS and pk.isdigit():
        exclude = _row(request, kind, int(pk))
    match = selectors.phone_match(
        user=request.user,
        store=store,
        phone=request.GET.get("phone", ""),
        exclude=exclude,
    )
    return render(request, "traffic/_phone_check.html", {"match": match})


# --- Consultant: my receptions and the row form ---------------------------------------------


def my_rows(request: Request) -> HttpResponse:
    """The consultant's walk-ins and calls of today and earlier ones still to complete."""
    store = requested_store(request)
    today = store.today()
    walk_ins, calls = selectors.open_rows(user=request.user, today=today)
    return render(
        request,
        "traffic/my_rows.html",
        {
            "today": today,
            "walk_ins": access.with_shown_phones(list(walk_ins), request.user),
            "calls": access.with_shown_phones(list(calls), request.user),
        },
    )


def _default_after_save(request: Request, row: WalkIn | Call) -> str:
    user = request.user
    if row.consultant_id == user.pk and permissions.allows(user, "traffic:my_rows"):
        return reverse("traffic:my_rows")
    name = "traffic:register" if isinstance(row, WalkIn) else "traffic:calls"
    return reverse(name) + "?" + urlencode({"store": row.store.code, "date": row.date.isoformat()})


def row_edit(request: Request, kind: str, pk: int) -> HttpResponse:
    """Complete or correct one row. Saving a version someone else has meanwhile saved is
    refused (409): the typed values stay in the form, the stored ones are shown beside."""
    user = request.user
    row = _row(request, kind, pk)
    if isinstance(row, WalkIn) and row.cancelled_at is not None:
        messages.info(request, _("This walk-in was cancelled; its history is kept."))
        return redirect(reverse("traffic:walkin_history", args=[row.pk]))
    fields = forms.editable_fields(row, user)
    if not fields:
        raise PermissionDenied
    form_class = forms.row_form_class(row, fields)
    stored: dict[str, str] = {}
    conflict: dict[str, Any] | None = None
    status = 200
    if request.method == "POST":
        form = form_class(request.POST, instance=row)
        if form.is_valid():
            shown: Appointment | None = None
            if isinstance(row, WalkIn):
                saved, shown = lead_services.save_walk_in(
                    row,
                    fields=list(form.model_fields),
                    expected_version=form.cleaned_data["version"],
                    user=user,
                    complete="complete" in request.POST,
                )
            else:
                saved = services.save_row(
                    row,
                    fields=form.model_fields,
                    expected_version=form.cleaned_data["version"],
                    user=user,
                    complete="complete" in request.POST,
                )
            if saved:
                messages.success(request, _("Saved."))
                if shown is not None:
                    messages.info(request, _shown_message(shown, cast(WalkIn, row)))
                return redirect(next_url(request, _default_after_save(request, row)))
            current = _row(request, kind, pk)
            who, when = last_change(current)
            for name in form.model_fields:
                if form.cleaned_data.get(name) != getattr(current, name):
                    stored[name] = access.shown_value(
                        current, name, getattr(current, name), user=user
                    )
            conflict = {"who": who, "when": format_local(when)}
            data = request.POST.copy()
            data["version"] = str(current.version)  # saving again now overwrites, knowingly
            form = form_class(data, instance=_row(request, kind, pk))
            row = current
            status = 409
    else:
        form = form_class(instance=row)
    phone = form["phone"].value() if "phone" in form.fields else row.phone
    context = {
        "row": row,
        "kind": kind,
        "form": form,
        "fields": [(form[name], stored.get(name)) for name in form.model_fields],
        "conflict": conflict,
        "next": next_url(request, ""),
        "match": selectors.phone_match(user=user, store=row.store, phone=phone or "", exclude=row),
        "can_complete": access.may_complete_row(user) and "name" in fields,
        "can_link": permissions.allows(user, f"traffic:{kind}_link"),
        "shown_phone": access.shown_phone(user, row.phone, owner_id=row.consultant_id),
    }
    return render(request, "traffic/row_form.html", context, status=status)


def row_history(request: Request, kind: str, pk: int) -> HttpResponse:
    """Who changed what and when, old → new, newest first."""
    row = _row(request, kind, pk)
    entries = selectors.row_history(row=row, user=request.user)
    return render(request, "traffic/history.html", {"row": row, "kind": kind, "entries": entries})


def row_link(request: Request, kind: str, pk: int) -> HttpResponse:
    """Link a row (typically an anonymous visit) to one of the store's customer cards."""
    user = request.user
    row = _row(request, kind, pk)
    if not forms.editable_fields(row, user) or getattr(row, "cancelled_at", None) is not None:
        raise PermissionDenied
    customers = visible_customers(user=user, store=row.store)
    if request.method == "POST":
        form = forms.LinkForm(request.POST)
        if form.is_valid():
            customer = get_object_or_404(customers, pk=form.cleaned_data["customer"])
            if services.link_customer(
                row, customer=customer, user=user, expected_version=form.cleaned_data["version"]
            ):
                messages.success(request, _("Linked to %(name)s.") % {"name": customer.name})
                return redirect(reverse(f"traffic:{kind}_edit", args=[row.pk]))
            who, when = last_change(_row(request, kind, pk))
            messages.error(
                request,
                _("Not linked: %(who)s changed this row at %(when)s. Check it and link again.")
                % {"who": who, "when": format_local(when)},
            )
            return redirect(reverse(f"traffic:{kind}_link", args=[row.pk]))
    search = forms.LinkSearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    results = selectors.customers_to_link(user=user, store=row.store, query=query)
    access.with_shown_phones(results, user)
    return render(
        request,
        "traffic/link.html",
        {"row": row, "kind": kind, "search": search, "query": query, "results": results},
    )


# --- Registers of any day --------------------------------------------------------------------


def _day(request: Request, store: Store) -> date:
    raw = request.GET.get("date", "").strip()
    if raw:
        try:
            return date.fromisoformat(raw)
        except ValueError:
            messages.error(
                request,
                _("“%(value)s” is not a date (YYYY-MM-DD); showing today.") % {"value": raw},
            )
    return store.today()


def _register_context(request: Request, store: Store, day: date) -> dict[str, Any]:
    def link(d: date) -> str:
        params = {"date": d.isoformat()}
        if store.pk != request.user.store_id:
            params["store"] = store.code
        return "?" + urlencode(params)

    stores = access.visible_stores(request.user)
    return {
        "store": store,
        "day": day,
        "today": store.today(),
        "prev_url": link(day - timedelta(days=1)),
        "next_url": link(day + timedelta(days=1)),
        "today_url": link(store.today()),
        "stores": list(stores[:200]) if access.sees_several_stores(request.user) else [],
        "next": request.get_full_path(),
    }


def register(request: Request) -> HttpResponse:
    """来店客户登记表 of one day, as the user may see it."""
    user = request.user
    store = requested_store(request)
    day = _day(request, store)
    every = list(selectors.register_walk_ins(user=user, store=store, day=day, cancelled=True))
    rows = access.with_shown_phones([r for r in every if r.cancelled_at is None], user)
    context = _register_context(request, store, day)
    context.update(
        rows=rows,
        cancelled=[r for r in every if r.cancelled_at is not None],
        missing_hand_cards=selectors.hand_cards_without_walk_in(store=store, day=day),
        totals=selectors.register_totals(rows),
        can_depart=permissions.allows(user, "traffic:depart"),
        can_link=permissions.allows(user, "traffic:walkin_link"),
    )
    return render(request, "traffic/register.html", context)


def calls(request: Request) -> HttpResponse:
    """来电客户登记表 of one day, as the user may see it."""
    user = request.user
    store = requested_store(request)
    day = _day(request, store)
    rows = access.with_shown_phones(
        list(selectors.register_calls(user=user, store=store, day=day)), user
    )
    context = _register_context(request, store, day)
    context.update(
        rows=rows,
        kept=sum(1 for r in rows if r.is_contact_kept),
        can_link=permissions.allows(user, "traffic:call_link"),
        call_form=(
            forms.QuickCallForm(
                store=store, agent=_call_agent(request), initial={"consultant": user.pk}
            )
            if permissions.allows(user, "traffic:log_call") and day == store.today()
            else None
        ),
    )
    return render(request, "traffic/calls.html", context)
