"""Screens of the lead desk: the inbox, a lead's page and its actions, the escalation list,
the appointments calendar, the front desk's one tap on an expected arrival, the no-shows."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from showroom.customers.selectors import visible_customers
from showroom.organization import access, permissions
from showroom.organization.models import Staff, Store
from showroom.organization.requests import Request, asked_store, next_url
from showroom.traffic.choices import AppointmentStatus, CloseReason, LeadStatus
from showroom.traffic.intake.leads import LeadError, NewLead, save_lead
from showroom.traffic.leads import forms, selectors, services
from showroom.traffic.models import Appointment, Lead
from showroom.traffic.selectors import customer_for_phone

# The inbox lists this many leads, newest first; the filters narrow it down.
INBOX_ROWS = 100

CONFLICT = gettext_lazy("Someone else changed this lead meanwhile: nothing was saved. Look again.")


def _lead(request: Request, pk: int) -> Lead:
    """The lead if the user may work it; 404 otherwise."""
    qs = Lead.objects.select_related("store", "channel", "assigned_to", "customer")
    return get_object_or_404(access.lead_rows(qs, request.user), pk=pk)


def _appointment(request: Request, pk: int) -> Appointment:
    qs = Appointment.objects.select_related("store", "lead", "customer", "consultant")
    return get_object_or_404(access.appointment_rows(qs, request.user), pk=pk)


def _store_query(request: Request, store: Store) -> str:
    return "" if store.pk == request.user.store_id else "?" + urlencode({"store": store.code})


def _lead_phones(rows: list[Lead], user: Staff) -> list[Lead]:
    for row in rows:
        row.shown_phone = access.shown_phone(  # type: ignore[attr-defined]
            user, row.phone, owner_id=row.assigned_to_id
        )
    return rows


def _lead_url(lead: Lead) -> str:
    return reverse("traffic:lead", args=[lead.pk])


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _day(request: Request, store: Store) -> date:
    try:
        return date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return store.today()


# --- The inbox --------------------------------------------------------------------------------


def inbox(request: Request) -> HttpResponse:
    """The lead inbox: the leads the user may work, by stage, with the first-response clock."""
    user = request.user
    store = asked_store(request)
    now = store.now()
    form = forms.InboxFilter(request.GET or None, store=store)
    wanted: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    leads = selectors.inbox(
        user=user,
        store=store,
        now=now,
        status=wanted.get("status") or "",
        channel=wanted["channel"].pk if wanted.get("channel") else None,
        model=wanted.get("model") or "",
        age=wanted.get("age") or "",
        owner=wanted["owner"].pk if wanted.get("owner") else None,
        unassigned=bool(wanted.get("unassigned")),
    )
    rows = _lead_phones(
        selectors.with_clocks(list(leads[: INBOX_ROWS + 1]), store=store, now=now), user
    )
    counts = {s: 0 for s in LeadStatus.values}
    counts.update(selectors.stage_counts(user=user, store=store))
    return render(
        request,
        "traffic/leads/inbox.html",
        {
            "store": store,
            "store_query": _store_query(request, store),
            "form": form,
            "rows": rows[:INBOX_ROWS],
            "more": len(rows) > INBOX_ROWS,
            "statuses": [(s, label, counts[s]) for s, label in LeadStatus.choices],
            "chosen_status": wanted.get("status") or "",
            "settings": services.desk_settings(store),
            "escalated": selectors.escalations(user=user, store=store, now=now).count(),
        },
    )


def new_lead(request: Request) -> HttpResponse:
    """A lead taken on the screen (a phone enquiry to the DCC line): routed like the others."""
    store = asked_store(request)
    form = forms.NewLeadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            lead, created = save_lead(
                NewLead(
                    store=store,
                    channel=data["channel"],
                    name=data["name"],
                    phone=data["phone"],
                    model=data["model"],
                    notes=data["notes"],
                ),
                user=request.user,
            )
        except LeadError as exc:
            form.add_error("phone", str(exc))
        else:
            if created:
                messages.success(
                    request,
                    _("Lead saved, assigned to %(who)s.")
                    % {"who": lead.assigned_to or _("nobody yet (no DCC agent on duty)")},
                )
            else:
                messages.info(request, _("This lead was already there."))
            if access.lead_rows(Lead.objects.filter(pk=lead.pk), request.user).exists():
                return redirect(_lead_url(lead))
            return redirect(reverse("traffic:leads") + _store_query(request, store))
    return render(request, "traffic/leads/new.html", {"store": store, "form": form})


# --- One lead ---------------------------------------------------------------------------------


def detail(request: Request, pk: int) -> HttpResponse:
    lead = _lead(request, pk)
    return _render_detail(request, lead)


def _render_detail(request: Request, lead: Lead, **bound: Any) -> HttpResponse:
    user = request.user
    store = lead.store
    now = store.now()
    settings = services.desk_settings(store)
    one = selectors.with_status(Lead.objects.filter(pk=lead.pk))
    status = one.values_list("status", flat=True)[0]  # type: ignore[misc]  # an annotation
    selectors.with_clocks([lead], store=store, now=now)
    initial = {"version": lead.version}
    tomorrow = store.today() + timedelta(days=1)
    misses = selectors.misses(lead)
    context = {
        "lead": lead,
        "store": store,
        "status": LeadStatus(status),
        "phone": access.shown_phone(user, lead.phone, owner_id=lead.assigned_to_id),
        "settings": settings,
        "contacts": selectors.contacts(lead),
        "appointments": selectors.lead_appointments(lead),
        "misses": misses,
        "may_give_up": misses >= settings.tries_before_giving_up,
        "contact_form": bound.get("contact_form") or forms.ContactForm(initial=initial),
        "appointment_form": bound.get("appointment_form")
        or forms.AppointmentForm(
            store=store, initial={"day": tomorrow, "at": "10:00", "version": lead.version}
        ),
        "convert_form": bound.get("convert_form") or forms.ConvertForm(store=store),
        "close_form": bound.get("close_form") or forms.CloseForm(initial=initial),
        "assign_form": bound.get("assign_form")
        or forms.AssignForm(store=store, initial={**initial, "agent": lead.assigned_to_id}),
        "card_visible": lead.customer is not None and access.card_visible(user, lead.customer),
        "may_assign": permissions.allows(user, "traffic:lead_assign"),
    }
    return render(request, "traffic/leads/detail.html", context)


@require_POST
def contact(request: Request, pk: int) -> HttpResponse:
    lead = _lead(request, pk)
    form = forms.ContactForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, lead, contact_form=form)
    data = form.cleaned_data
    done = services.record_contact(
        lead,
        user=request.user,
        medium=data["medium"],
        outcome=data["outcome"],
        next_step=data["next_step"],
        expected_version=data["version"],
    )
    if done is None:
        messages.error(request, CONFLICT)
    else:
        messages.success(request, _("Contact recorded."))
    return redirect(_lead_url(lead))


@require_POST
def book(request: Request, pk: int) -> HttpResponse:
    lead = _lead(request, pk)
    if lead.closed_at is not None:
        messages.error(request, _("The lead is closed: reopen it first."))
        return redirect(_lead_url(lead))
    form = forms.AppointmentForm(request.POST, store=lead.store)
    if not form.is_valid():
        return _render_detail(request, lead, appointment_form=form)
    data = form.cleaned_data
    appointment = services.book(
        store=lead.store,
        user=request.user,
        consultant=data["consultant"],
        starts_at=data["starts_at"],
        purpose=data["purpose"],
        lead=lead,
        notes=data["notes"],
        expected_version=data["version"] or lead.version,
    )
    if appointment is None:
        messages.error(request, CONFLICT)
        return redirect(_lead_url(lead))
    messages.success(
        request,
        _("Appointment booked: %(when)s, %(purpose)s with %(consultant)s.")
        % {
            "when": appointment.starts_at.astimezone(lead.store.tz).strftime("%Y-%m-%d %H:%M"),
            "purpose": appointment.get_purpose_display(),
            "consultant": appointment.consultant,
        },
    )
    return redirect(_lead_url(lead))


@require_POST
def convert(request: Request, pk: int) -> HttpResponse:
    lead = _lead(request, pk)
    form = forms.ConvertForm(request.POST, store=lead.store)
    if not form.is_valid():
        return _render_detail(request, lead, convert_form=form)
    card = services.convert(lead, consultant=form.cleaned_data["consultant"], user=request.user)
    messages.success(request, _("The lead is on the card of %(name)s.") % {"name": card.name})
    return redirect(_lead_url(lead))


@require_POST
def close(request: Request, pk: int) -> HttpResponse:
    lead = _lead(request, pk)
    if "reopen" in request.POST:
        version = _int(request.POST.get("version"))
        if lead.closed_at is None or version is None:
            return redirect(_lead_url(lead))
        if not services.reopen(lead, user=request.user, expected_version=version):
            messages.error(request, CONFLICT)
        return redirect(_lead_url(lead))
    form = forms.CloseForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, lead, close_form=form)
    reason = form.cleaned_data["reason"]
    settings = services.desk_settings(lead.store)
    if reason == CloseReason.NO_ANSWER and selectors.misses(lead) < settings.tries_before_giving_up:
        form.add_error(
            "reason",
            _("Closed for no answer only after %(n)d calls that did not get through.")
            % {"n": settings.tries_before_giving_up},
        )
        return _render_detail(request, lead, close_form=form)
    if not services.close(
        lead, reason=reason, user=request.user, expected_version=form.cleaned_data["version"]
    ):
        messages.error(request, CONFLICT)
    else:
        messages.success(request, _("Lead closed."))
    return redirect(_lead_url(lead))


@require_POST
def assign(request: Request, pk: int) -> HttpResponse:
    lead = _lead(request, pk)
    form = forms.AssignForm(request.POST, store=lead.store)
    if not form.is_valid():
        return _render_detail(request, lead, assign_form=form)
    data = form.cleaned_data
    if not services.reassign(
        lead, agent=data["agent"], user=request.user, expected_version=data["version"]
    ):
        messages.error(request, CONFLICT)
    else:
        messages.success(request, _("Lead assigned to %(who)s.") % {"who": data["agent"]})
    return redirect(next_url(request, _lead_url(lead)))


def escalations(request: Request) -> HttpResponse:
    """The manager's escalation list: leads nobody has contacted past the store's limit."""
    store = asked_store(request)
    now = store.now()
    rows = _lead_phones(
        selectors.with_clocks(
            list(selectors.escalations(user=request.user, store=store, now=now)),
            store=store,
            now=now,
        ),
        request.user,
    )
    return render(
        request,
        "traffic/leads/escalations.html",
        {
            "store": store,
            "rows": rows,
            "settings": services.desk_settings(store),
            "agents": selectors.lead_agents(store),
            "next": request.get_full_path(),
        },
    )


def desk_settings(request: Request) -> HttpResponse:
    """The store's first-response targets, escalation limit and routing rule, with the lines
    of a by-channel or by-model rule."""
    store = asked_store(request)
    back = reverse("traffic:lead_settings") + _store_query(request, store)
    instance = services.desk_settings(store)
    posted = request.POST if request.method == "POST" else None
    form = forms.DeskSettingsForm(
        posted if posted and "save" in posted else None, instance=instance
    )
    route_form = forms.RouteForm(posted if posted and "add_route" in posted else None, store=store)
    if posted and "save" in posted and form.is_valid():
        form.save()
        messages.success(request, _("Lead desk settings saved."))
        return redirect(back)
    if posted and "add_route" in posted and route_form.is_valid():
        data = route_form.cleaned_data
        services.add_route(store, channel=data["channel"], model=data["model"], agent=data["agent"])
        messages.success(request, _("Routing line added."))
        return redirect(back)
    if posted and "remove_route" in posted:
        services.remove_route(store, pk=_int(posted.get("remove_route")) or 0)
        return redirect(back)
    return render(
        request,
        "traffic/leads/settings.html",
        {
            "store": store,
            "form": form,
            "route_form": route_form,
            "routes": selectors.routes(store),
        },
    )


# --- The calendar -----------------------------------------------------------------------------


def calendar(request: Request) -> HttpResponse:
    """Appointments by day or week, for the store, one consultant or the DCC's bookings."""
    user = request.user
    store = asked_store(request)
    day = _day(request, store)
    week = request.GET.get("view") == "week"
    start = day - timedelta(days=day.weekday()) if week else day
    end = start + timedelta(days=6) if week else day
    consultant = _int(request.GET.get("consultant"))
    dcc = request.GET.get("dcc") == "1"
    rows = access.with_shown_phones(
        list(
            selectors.calendar(
                user=user, store=store, start=start, end=end, consultant=consultant, dcc=dcc
            )
        ),
        user,
    )
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    by_day = [(d, [r for r in rows if r.date == d]) for d in days]
    step = timedelta(days=7 if week else 1)
    base = {"view": "week" if week else "day"}
    if consultant:
        base["consultant"] = str(consultant)
    if dcc:
        base["dcc"] = "1"
    if store.pk != user.store_id:
        base["store"] = store.code

    def url(d: date) -> str:
        return reverse("traffic:calendar") + "?" + urlencode({**base, "date": d.isoformat()})

    return render(
        request,
        "traffic/leads/calendar.html",
        {
            "store": store,
            "day": day,
            "week": week,
            "by_day": by_day,
            "counts": {s: sum(1 for r in rows if r.status == s) for s in AppointmentStatus.values},
            "total": len(rows),
            "consultants": Staff.objects.consultants(store),
            "consultant": consultant,
            "dcc": dcc,
            "prev_url": url(start - step),
            "next_url": url(start + step),
            "day_url": reverse("traffic:calendar") + "?" + urlencode({**base, "view": "day"}),
            "week_url": reverse("traffic:calendar") + "?" + urlencode({**base, "view": "week"}),
            "today": store.today(),
            "may_mark": permissions.allows(user, "traffic:appointment_shown"),
            "may_book": permissions.allows(user, "traffic:appointment_new"),
            "next": request.get_full_path(),
        },
    )


def new_appointment(request: Request) -> HttpResponse:
    """An appointment booked from a card or at the front desk (leads book on their page)."""
    user = request.user
    store = asked_store(request)
    card = None
    card_pk = _int(request.GET.get("customer") or request.POST.get("customer"))
    if card_pk is not None:
        card = visible_customers(user=user, store=store).filter(pk=card_pk).first()
        if card is None:
            raise Http404
    initial = {"day": store.today() + timedelta(days=1), "at": "10:00"}
    if card is not None:
        initial.update(name=card.name, phone=card.phone, consultant=card.consultant_id)
    form = forms.DeskAppointmentForm(request.POST or None, store=store, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if card is None:
            found = customer_for_phone(store=store, phone=data["phone"])
            card = found if found is not None and access.card_visible(user, found) else None
        appointment = services.book(
            store=store,
            user=user,
            consultant=data["consultant"],
            starts_at=data["starts_at"],
            purpose=data["purpose"],
            customer=card,
            name=data["name"],
            phone=data["phone"],
            notes=data["notes"],
        )
        assert appointment is not None  # no lead, nothing claimed
        messages.success(request, _("Appointment booked."))
        query = {"date": appointment.date.isoformat()}
        if store.pk != user.store_id:
            query["store"] = store.code
        return redirect(reverse("traffic:calendar") + "?" + urlencode(query))
    return render(
        request, "traffic/leads/appointment_new.html", {"store": store, "form": form, "card": card}
    )


@require_POST
def shown(request: Request, pk: int) -> HttpResponse:
    """The front desk's one tap: the expected person has arrived."""
    appointment = _appointment(request, pk)
    version = _int(request.POST.get("version"))
    walk_in = None
    if version is not None:
        walk_in = services.mark_shown(appointment, user=request.user, expected_version=version)
    if walk_in is None:
        messages.error(request, _("This appointment was already handled: nothing was changed."))
    else:
        messages.success(
            request,
            _("%(name)s has arrived: walk-in logged at %(time)s for %(consultant)s.")
            % {
                "name": walk_in.name or _("The customer"),
                "time": walk_in.arrived_at.strftime("%H:%M"),
                "consultant": walk_in.consultant,
            },
        )
    return redirect(next_url(request, reverse("traffic:desk")))


@require_POST
def set_status(request: Request, pk: int) -> HttpResponse:
    """Cancel a booked appointment, or mark it a no-show after the follow-up call."""
    appointment = _appointment(request, pk)
    status = request.POST.get("status", "")
    version = _int(request.POST.get("version"))
    if status not in forms.STATUS_ACTIONS or version is None:
        messages.error(request, _("Choose what happened to the appointment."))
    elif not services.set_status(
        appointment, status=status, user=request.user, expected_version=version
    ):
        messages.error(request, _("This appointment was already handled: nothing was changed."))
    else:
        messages.success(
            request, _("Appointment marked: %(status)s.") % {"status": forms.STATUS_ACTIONS[status]}
        )
    return redirect(next_url(request, reverse("traffic:calendar")))


def no_shows(request: Request) -> HttpResponse:
    """The morning's list: who did not come to yesterday's appointments, to call back."""
    store = asked_store(request)
    day = _day(request, store)
    rows = access.with_shown_phones(
        list(selectors.no_shows(user=request.user, store=store, day=day)), request.user
    )
    return render(
        request,
        "traffic/leads/no_shows.html",
        {"store": store, "day": day, "rows": rows, "next": request.get_full_path()},
    )
