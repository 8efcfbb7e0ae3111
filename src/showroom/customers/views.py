"""The store's customer settings: its sources (信息来源) beside the standard ones, the
vehicle models and trims it offers, the follow-up cadence per grade and the dormant days.
Linked from the store settings screen (organization.hooks.store_settings_links)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from showroom.customers import selectors
from showroom.customers.models import FollowUpSettings
from showroom.customers.settings_forms import (
    FollowUpSettingsForm,
    SourceForm,
    VehicleModelForm,
)
from showroom.organization import access
from showroom.organization.models import Staff, Store


def _store(request: HttpRequest) -> Store:
    user: Staff = request.user  # type: ignore[assignment]
    return access.store_for(user, request.GET.get("store") or request.POST.get("store") or None)


def _back(name: str, store: Store) -> HttpResponse:
    return redirect(reverse(name) + f"?store={store.code}")


def sources(request: HttpRequest) -> HttpResponse:
    store = _store(request)
    form = SourceForm(request.POST or None, store=store)
    if request.method == "POST" and form.is_valid():
        source = form.save(commit=False)
        source.store = store
        source.save()
        messages.success(request, _("Source %(name)s added.") % {"name": source.name_zh})
        return _back("customer_settings:sources", store)
    standard, own = selectors.store_sources(store=store)
    context = {"store": store, "form": form, "standard": standard, "own": own}
    return render(request, "customers/settings/sources.html", context)


def source_edit(request: HttpRequest, pk: int) -> HttpResponse:
    store = _store(request)
    _standard, own = selectors.store_sources(store=store)
    source = get_object_or_404(own, pk=pk)
    if request.method == "POST" and "active" in request.POST:
        source.active = request.POST["active"] == "1"
        source.save(update_fields=["active"])
        return _back("customer_settings:sources", store)
    form = SourceForm(request.POST or None, instance=source, store=store)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Source %(name)s saved.") % {"name": source.name_zh})
        return _back("customer_settings:sources", store)
    context = {"store": store, "form": form, "source": source}
    return render(request, "customers/settings/source_edit.html", context)


def vehicle_models(request: HttpRequest) -> HttpResponse:
    store = _store(request)
    form = VehicleModelForm(request.POST or None, store=store)
    if request.method == "POST" and form.is_valid():
        model = form.save(commit=False)
        model.store = store
        model.save()
        messages.success(request, _("Model %(name)s added.") % {"name": model.name})
        return _back("customer_settings:models", store)
    rows = selectors.store_vehicle_models(store=store)
    return render(
        request, "customers/settings/models.html", {"store": store, "form": form, "rows": rows}
    )


def vehicle_model_edit(request: HttpRequest, pk: int) -> HttpResponse:
    store = _store(request)
    model = get_object_or_404(selectors.store_vehicle_models(store=store), pk=pk)
    form = VehicleModelForm(request.POST or None, instance=model, store=store)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Model %(name)s saved.") % {"name": model.name})
        return _back("customer_settings:models", store)
    context = {"store": store, "form": form, "model": model}
    return render(request, "customers/settings/model_edit.html", context)


def follow_up(request: HttpRequest) -> HttpResponse:
    store = _store(request)
    settings = FollowUpSettings.for_store(store)
    form = FollowUpSettingsForm(request.POST or None, instance=settings)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Follow-up settings saved."))
        return _back("customer_settings:follow_up", store)
    return render(request, "customers/settings/follow_up.html", {"store": store, "form": form})
