"""Screens of the targets: the month's target, split and progress; setting the target; the split.

Managers, general managers and sales assistants set targets; consultants read their own
target and progress; group analysts read.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from showroom.core.months import add_months, month_weeks
from showroom.core.periods import requested_month
from showroom.organization import access, permissions
from showroom.organization.models import Store
from showroom.organization.requests import Request
from showroom.targets import selectors, services
from showroom.targets.forms import SplitForm, TargetForm
from showroom.targets.models import StoreTarget


def _url(name: str, store: Store, month: date) -> str:
    return reverse(name) + "?" + urlencode({"store": store.code, "month": f"{month:%Y-%m}"})


def _common(request: Request, store: Store, month: date) -> dict[str, Any]:
    stores = access.visible_stores(request.user)
    return {
        "store": store,
        "stores": stores if access.sees_several_stores(request.user) else None,
        "month": month,
        "month_value": f"{month:%Y-%m}",
        "previous_url": _url("targets:index", store, add_months(month, -1)),
        "next_url": _url("targets:index", store, add_months(month, 1)),
        "index_url": _url("targets:index", store, month),
        "can_edit": permissions.allows(request.user, "targets:set"),
    }


def index(request: Request) -> HttpResponse:
    store = access.store_for(request.user, request.GET.get("store"))
    month, _end = requested_month(request, today=store.today())
    today = store.today()
    progress = selectors.month_progress(store=store, month=month, today=today)
    everyone = access.sees_all_rows(request.user)
    weeks = month_weeks(month)
    weekly = selectors.split_weeks(target=progress.target) if progress.target else {}
    rows = [
        {
            "progress": row,
            "weeks": weekly.get(row.consultant_id, [None] * len(weeks)),
            "mine": row.consultant_id == request.user.pk,
        }
        for row in progress.consultants
        if everyone or row.consultant_id == request.user.pk
    ]
    running = progress.forecast is not None
    # A consultant's headline is their own target; everyone else's the store's.
    head: dict[str, Any] = {
        "target": progress.target_deliveries,
        "achieved": progress.achieved,
        "remaining": progress.remaining,
    }
    if not everyone:
        own = next((r for r in progress.consultants if r.consultant_id == request.user.pk), None)
        head = {
            "target": own.target if own else None,
            "achieved": own.achieved if own else 0,
            "remaining": own.remaining if own else None,
        }
    head["pace"] = (
        head["remaining"] / progress.days_left
        if head["remaining"] is not None and progress.days_left
        else None
    )
    context = {
        **_common(request, store, month),
        "progress": progress,
        "head": head,
        "target": progress.target,
        "rows": rows,
        "weeks": weeks,
        "everyone": everyone,
        "this_week": progress.week,
        "week_index": weeks.index(progress.week) if progress.week else None,
        "refill": selectors.refill(store=store, on=today) if running and everyone else None,
        "forecast": progress.forecast if everyone else None,
        "set_url": _url("targets:set", store, month),
        "split_url": _url("targets:split", store, month),
    }
    return render(request, "targets/index.html", context)


def set_target(request: Request) -> HttpResponse:
    """Set or change the month's target and its factors. A save over someone else's newer
    one is refused (409): what was typed stays, with a message."""
    store = access.store_for(request.user, request.GET.get("store"))
    month, _end = requested_month(request, today=store.today())
    target = selectors.store_target(store=store, month=month)
    basis = selectors.history_basis(store=store, month=month)
    status = 200
    if request.method == "POST":
        form = TargetForm(request.POST, instance=target)
        if form.is_valid():
            expected = form.cleaned_data.get("version") if target else None
            saved = services.save_target(
                store=store,
                month=month,
                values=form.cleaned_data,
                user=request.user,
                expected_version=expected if target else None,
            )
            if saved is not None:
                messages.success(
                    request,
                    _(
                        "Target saved. The split was proposed from each consultant's "
                        "deliveries; check it."
                    )
                    if target is None
                    else _("Target saved."),
                )
                return redirect(_url("targets:index", store, month))
            current = selectors.store_target(store=store, month=month)
            messages.error(request, _conflict_message(current))
            data = request.POST.copy()
            data["version"] = str(current.version) if current else ""
            form = TargetForm(data, instance=current)
            form.is_valid()
            target = current
            status = 409
    else:
        initial = {"history_basis": basis, "deliveries": basis} if target is None else {}
        form = TargetForm(
            instance=target, initial={**initial, "version": getattr(target, "version", None)}
        )
    return render(
        request,
        "targets/target_form.html",
        {**_common(request, store, month), "form": form, "target": target, "basis": basis},
        status=status,
    )


def edit_split(request: Request) -> HttpResponse:
    """Edit the split of the month's target into consultants and weeks."""
    store = access.store_for(request.user, request.GET.get("store"))
    month, _end = requested_month(request, today=store.today())
    target = selectors.store_target(store=store, month=month)
    if target is None:
        messages.info(request, _("Set the store's target for the month first."))
        return redirect(_url("targets:set", store, month))
    weeks = month_weeks(month)
    current = dict(target.splits.values_list("consultant_id", "deliveries"))
    consultants = selectors.split_consultants(store=store, target=target)
    kwargs: dict[str, Any] = {
        "total": target.deliveries,
        "consultants": consultants,
        "weeks": weeks,
    }
    status = 200
    if request.method == "POST":
        form = SplitForm(request.POST, **kwargs)
        if form.is_valid():
            if services.save_split(
                target=target,
                lines=form.lines(),
                user=request.user,
                expected_version=form.cleaned_data["version"],
            ):
                messages.success(request, _("Split saved."))
                return redirect(_url("targets:index", store, month))
            target.refresh_from_db()
            messages.error(request, _conflict_message(target))
            data = request.POST.copy()
            data["version"] = str(target.version)
            form = SplitForm(data, **kwargs)
            form.is_valid()
            status = 409
    else:
        weekly = selectors.split_weeks(target=target)
        initial: dict[str, Any] = {"version": target.version}
        for person in consultants:
            initial[f"c{person.pk}"] = current.get(person.pk, 0)
            for i, n in enumerate(weekly.get(person.pk, [])):
                initial[f"c{person.pk}_w{i}"] = n
        form = SplitForm(initial=initial, **kwargs)
    proposal = {
        line.consultant.pk: line
        for line in selectors.proposed_split(store=store, month=month, total=target.deliveries)
    }
    return render(
        request,
        "targets/split_form.html",
        {
            **_common(request, store, month),
            "form": form,
            "target": target,
            "weeks": weeks,
            "proposal": proposal,
            "rows": [
                {**row, "proposed": proposal.get(row["consultant"].pk)} for row in form.rows()
            ],
        },
        status=status,
    )


def _conflict_message(target: StoreTarget | None) -> str:
    if target is None or target.set_by is None:
        return _(
            "Not saved: someone else changed this target after you opened it. Check and save again."
        )
    return _(
        "Not saved: %(who)s changed this target after you opened it. What you typed is kept; "
        "check it against the page and save again."
    ) % {"who": target.set_by}
