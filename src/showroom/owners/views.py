"""Owners' screens (保有客户管理): the file by delivery month, one owner's card with vehicles,
service visits, referrals and care contacts, and owners recorded without a sale here."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from showroom.customers.models import Customer
from showroom.organization import access
from showroom.organization.requests import Request, asked_store
from showroom.owners import forms, selectors, services
from showroom.sales.deals.forms import parse_month


def _shown(request: Request, customer: Customer) -> str:
    return access.shown_phone(request.user, customer.phone, owner_id=customer.consultant_id)


def _detail(owner: Customer) -> str:
    return reverse("owners:detail", args=[owner.pk])


def owner_list(request: Request) -> HttpResponse:
    """保有客户 filed by delivery month, newest first."""
    user = request.user
    store = asked_store(request)
    today = store.today()
    form = forms.OwnerFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    raw_month = data.get("month", "")
    index = selectors.month_index(user=user, store=store)
    searching = bool(data.get("q") or data.get("churned") or data.get("kind"))
    months: list[date | None]
    if raw_month == "none":
        months = [None]
    elif raw_month:
        months = [parse_month(raw_month)]
    elif searching:
        months = []  # a search goes through every month
    else:
        months = [c.month for c in index if c.month is not None]
        months = months[: selectors.DEFAULT_MONTHS]
    rows: list[Any] = []
    if months or searching:
        rows = list(
            selectors.filed_vehicles(
                user=user,
                store=store,
                today=today,
                months=months,
                query=data.get("q", ""),
                kind=data.get("kind", ""),
                churned=bool(data.get("churned")),
            )[: selectors.MAX_ROWS]
        )
    groups: dict[date | None, list[Any]] = {}
    for vehicle in rows:
        vehicle.shown_phone = _shown(request, vehicle.customer)
        key = vehicle.delivery_date.replace(day=1) if vehicle.delivery_date else None
        groups.setdefault(key, []).append(vehicle)
    return render(
        request,
        "owners/list.html",
        {
            "store": store,
            "today": today,
            "form": form,
            "index": index,
            "month": raw_month,
            "groups": list(groups.items()),
            "truncated": len(rows) == selectors.MAX_ROWS,
            "without_vehicle": list(
                selectors.owners_without_vehicle(user=user, store=store)[: selectors.MAX_ROWS]
            )
            if raw_month == "none"
            else [],
        },
    )


def new(request: Request) -> HttpResponse:
    """An owner recorded without a sale here (met through after-sales): not a prospect."""
    store = asked_store(request)
    form = forms.OwnerForm(request.POST or None, store=store)
    if request.method == "POST" and form.is_valid():
        try:
            owner = services.create_owner(store=store, user=request.user, **form.cleaned_data)
        except services.DuplicatePhone:
            form.add_error("phone", _("This number already has a card in the store."))
        else:
            messages.success(request, _("Owner %(name)s recorded.") % {"name": owner.name})
            return redirect(_detail(owner))
    existing = form.existing
    visible = existing is not None and access.card_visible(request.user, existing)
    return render(
        request,
        "owners/new.html",
        {"form": form, "store": store, "existing": existing if visible else None},
    )


def detail(request: Request, pk: int) -> HttpResponse:
    owner = selectors.owner_for(user=request.user, pk=pk)
    today = owner.store.today()
    owner.shown_phone = _shown(request, owner)  # type: ignore[attr-defined]
    file = selectors.owner_file(owner=owner, user=request.user, today=today)
    for c in file.referrals:
        c.shown_phone = _shown(request, c)  # type: ignore[attr-defined]
    search = forms.SearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    candidates = selectors.referral_candidates(user=request.user, owner=owner, query=query)
    for c in candidates:
        c.shown_phone = _shown(request, c)  # type: ignore[attr-defined]
    return render(
        request,
        "owners/detail.html",
        {
            "owner": owner,
            "file": file,
            "today": today,
            "search": search,
            "query": query,
            "candidates": candidates,
        },
    )


def vehicle_new(request: Request, pk: int) -> HttpResponse:
    owner = selectors.owner_for(user=request.user, pk=pk)
    form = forms.VehicleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.add_vehicle(owner=owner, values=form.cleaned_data)
        messages.success(request, _("Vehicle added."))
        return redirect(_detail(owner))
    return render(
        request, "owners/form.html", {"owner": owner, "form": form, "title": _("Add a vehicle")}
    )


def vehicle_edit(request: Request, pk: int) -> HttpResponse:
    vehicle = selectors.vehicle_for(user=request.user, pk=pk)
    form = forms.VehicleForm(request.POST or None, instance=vehicle)
    status = 200
    if request.method == "POST" and form.is_valid():
        fields = [name for name in form.fields if name != "version"]
        if services.save_vehicle(
            vehicle, fields=fields, expected_version=form.cleaned_data["version"]
        ):
            messages.success(request, _("Vehicle saved."))
            return redirect(_detail(vehicle.customer))
        # Saving again now overwrites what the other person saved, knowingly.
        current = selectors.vehicle_for(user=request.user, pk=pk)
        data = request.POST.copy()
        data["version"] = str(current.version)
        form = forms.VehicleForm(data, instance=current)
        form.add_error(
            None,
            _(
                "Not saved: someone else changed this vehicle after you opened it. "
                "What you typed is kept; check it and save again."
            ),
        )
        status = 409
    return render(
        request,
        "owners/form.html",
        {
            "owner": vehicle.customer,
            "form": form,
            "title": _("Vehicle %(model)s") % {"model": vehicle},
            "vehicle": vehicle,
        },
        status=status,
    )


def visit_new(request: Request, pk: int) -> HttpResponse:
    owner = selectors.owner_for(user=request.user, pk=pk)
    form = forms.ServiceVisitForm(request.POST or None, owner=owner)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.record_visit(
            owner=owner,
            day=data["date"],
            kind=data["kind"],
            amount=data["amount"],
            vehicle=data["vehicle"],
            notes=data["notes"],
        )
        messages.success(request, _("Service visit recorded."))
        return redirect(_detail(owner))
    return render(
        request,
        "owners/form.html",
        {"owner": owner, "form": form, "title": _("Service visit")},
    )


def care_new(request: Request, pk: int) -> HttpResponse:
    owner = selectors.owner_for(user=request.user, pk=pk)
    form = forms.CareForm(request.POST or None, store=owner.store)
    if request.method == "POST" and form.is_valid():
        services.log_care(
            owner=owner,
            user=request.user,
            day=form.cleaned_data["date"],
            notes=form.cleaned_data["notes"],
        )
        messages.success(request, _("Care contact recorded."))
        return redirect(_detail(owner))
    return render(
        request, "owners/form.html", {"owner": owner, "form": form, "title": _("Care contact")}
    )


@require_POST
def referral_add(request: Request, pk: int) -> HttpResponse:
    """This owner sent that customer: set the new card's referrer."""
    owner = selectors.owner_for(user=request.user, pk=pk)
    form = forms.ReferralForm(request.POST)
    if form.is_valid():
        customer = selectors.referral_candidate(
            user=request.user, owner=owner, pk=form.cleaned_data["customer"]
        )
        services.set_referrer(customer=customer, owner=owner, user=request.user)
        messages.success(
            request,
            _("%(customer)s is recorded as referred by %(owner)s.")
            % {"customer": customer.name, "owner": owner.name},
        )
    return redirect(_detail(owner) + "#referrals")
