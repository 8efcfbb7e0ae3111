"""Call-list screens (客户名单筛选 / 客户激活 / 售后招揽): the CRM builds and calls lists and
submits the interested people, the sales manager assigns them, the consultant follows up.

Rows come through crm.lists.selectors, which scope them with organization.access
(call_list_rows, call_list_entry_rows): the CRM and managers see every list of their store,
a consultant only the entries assigned to him, marketing nothing.
"""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from showroom.crm.choices import AFTERSALES_KINDS, CallOutcome, ListKind, ListStatus
from showroom.crm.lists import builders as lists
from showroom.crm.lists import selectors, services
from showroom.crm.lists.forms import (
    AssignForm,
    CallForm,
    CloseEntryForm,
    ImportForm,
    NewListForm,
    RecallCampaignForm,
)
from showroom.crm.models import CallList, CallListEntry
from showroom.organization import access, permissions
from showroom.organization.models import Staff
from showroom.organization.requests import Request, requested_store

PREVIEW_ROWS = 20
PAGE_ROWS = 100
# The detail page's filters: who is left to call, the interested, the submitted.
SHOW = {
    "to_call": Q(outcome__in=["", CallOutcome.NOT_REACHED, CallOutcome.CALL_BACK]),
    "interested": Q(outcome=CallOutcome.INTERESTED),
    "submitted": Q(submitted_on__isnull=False),
}


def _list(request: Request, pk: int) -> CallList:
    return selectors.call_list_for(user=request.user, pk=pk)


def _entry(request: Request, pk: int) -> CallListEntry:
    return selectors.entry_for(user=request.user, pk=pk)


def _can_call(user: Staff, call_list: CallList) -> bool:
    return permissions.allows(user, "crm:entry_call") and call_list.status != ListStatus.CLOSED


def _can_assign(user: Staff) -> bool:
    return permissions.allows(user, "crm:list_assign")


def _shown(user: Staff, entry: CallListEntry) -> str:
    owner = entry.customer.consultant_id if entry.customer else entry.assigned_to_id
    if entry.assigned_to_id == user.pk:
        owner = user.pk
    return access.shown_phone(user, entry.phone, owner_id=owner)


def _period(request: Request, today: date) -> tuple[date, date]:
    def parse(name: str) -> date | None:
        try:
            return date.fromisoformat(request.GET.get(name, ""))
        except ValueError:
            return None

    end = parse("end") or today
    start = parse("start") or end.replace(day=1) - timedelta(days=60)
    start = start.replace(day=1) if not request.GET.get("start") else start
    return (start, end) if start <= end else (end, start)


# --- Index and new lists ------------------------------------------------------------------------


def index(request: Request) -> HttpResponse:
    """The lists created in a period with their conversion, and the totals per kind."""
    store = requested_store(request)
    start, end = _period(request, store.today())
    result = selectors.list_index(user=request.user, store=store, start=start, end=end)
    return render(
        request,
        "crm/lists/index.html",
        {
            "store": store,
            "start": start,
            "end": end,
            "index": result,
        },
    )


def new(request: Request) -> HttpResponse:
    """Choose a list and its rule; preview how many people it holds; create it."""
    store = requested_store(request)
    today = store.today()
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = NewListForm(data, store=store)
    preview: list[dict[str, Any]] | None = None
    count = 0
    if form.is_bound and form.is_valid():
        kind = form.cleaned_data["kind"]
        params = form.params()
        if request.method == "POST":
            name = form.cleaned_data["name"] or _default_name(kind, today)
            call_list = services.create_list(
                store=store, user=request.user, kind=kind, name=name, params=params
            )
            messages.success(
                request,
                _("List created with %(n)d people.") % {"n": call_list.entries.count()},
            )
            return redirect("crm:list_detail", call_list.pk)
        rows = lists.candidates(kind=kind, store=store, on=today, **params)
        count = len(rows)
        preview = rows[:PREVIEW_ROWS]
        for row in preview:
            row["shown_phone"] = access.shown_phone(request.user, row["phone"])
            row["detail"] = services._detail(kind, row["detail"])
    return render(
        request,
        "crm/lists/new.html",
        {
            "store": store,
            "form": form,
            "preview": preview,
            "count": count,
            "builders": lists.BUILDERS,
        },
    )


def _default_name(kind: str, today: date) -> str:
    return f"{ListKind(kind).label} {today:%Y-%m-%d}"


def import_list(request: Request) -> HttpResponse:
    """An exhibition or partner list from a workbook: every row or none."""
    store = requested_store(request)
    errors: list[str] = []
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            suffix = Path(upload.name).suffix.lower() or ".xlsx"
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / f"upload{suffix}"
                with path.open("wb") as out:
                    for chunk in upload.chunks():
                        out.write(chunk)
                result = services.import_partner_list(
                    store=store,
                    user=request.user,
                    name=form.cleaned_data["name"],
                    path=path,
                    filename=upload.name,
                )
            if result.call_list is not None:
                messages.success(
                    request,
                    _("List imported with %(n)d people.") % {"n": result.call_list.entries.count()},
                )
                return redirect("crm:list_detail", result.call_list.pk)
            errors = result.errors
    else:
        form = ImportForm()
    return render(
        request, "crm/lists/import.html", {"store": store, "form": form, "errors": errors}
    )


def recall_new(request: Request) -> HttpResponse:
    store = requested_store(request)
    form = RecallCampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        campaign = form.save(commit=False)
        campaign.store = store
        campaign.created_on = store.today()
        campaign.save()
        messages.success(request, _("Recall campaign saved."))
        return redirect(f"{reverse('crm:list_new')}?kind={ListKind.RECALL}&campaign={campaign.pk}")
    return render(request, "crm/lists/recall_new.html", {"store": store, "form": form})


# --- One list -----------------------------------------------------------------------------------


def _row_context(user: Staff, entry: CallListEntry, *, form: CallForm | None = None) -> Any:
    entry.shown_phone = _shown(user, entry)  # type: ignore[attr-defined]
    entry.call_form = form or CallForm(  # type: ignore[attr-defined]
        initial={
            "outcome": entry.outcome,
            "intended_model": entry.intended_model,
            "notes": entry.notes,
            "version": entry.version,
        },
        prefix=f"e{entry.pk}",
    )
    return entry


def detail(request: Request, pk: int) -> HttpResponse:
    user = request.user
    call_list = _list(request, pk)
    figures = selectors.conversion(call_list.entries.all()).get(
        call_list.pk, selectors.Conversion()
    )
    if request.GET.get("part") == "figures":  # refreshed after each inline call
        return render(
            request,
            "crm/lists/_list_figures.html",
            {"call_list": call_list, "figures": figures},
        )
    show = request.GET.get("show", "")
    qs = selectors.entries_of(user=user, call_list=call_list)
    if show in SHOW:
        qs = qs.filter(SHOW[show])
    page = Paginator(
        selectors.with_state(qs.select_related("customer", "assigned_to", "vehicle")),
        PAGE_ROWS,
    ).get_page(request.GET.get("page"))
    for entry in page:
        _row_context(user, entry)
    can_assign = _can_assign(user)
    return render(
        request,
        "crm/lists/detail.html",
        {
            "call_list": call_list,
            "entries": page,
            "show": show if show in SHOW else "",
            "figures": figures,
            "can_call": _can_call(user, call_list),
            "can_assign": can_assign,
            "show_assign": can_assign and figures.open > 0,
            "assign_form": AssignForm(store=call_list.store, entry_ids=[]) if can_assign else None,
            "aftersales": call_list.kind in AFTERSALES_KINDS,
        },
    )


@require_POST
def call(request: Request, pk: int) -> HttpResponse:
    """Record one call (HTMX: the row comes back; typed input kept on errors and conflicts)."""
    user = request.user
    entry = _entry(request, pk)
    if not _can_call(user, entry.call_list):
        raise PermissionDenied
    form = CallForm(request.POST, prefix=f"e{entry.pk}")
    status = "saved"
    if form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.record_call(
                entry,
                user=user,
                expected_version=data["version"],
                outcome=data["outcome"],
                intended_model=data["intended_model"],
                notes=data["notes"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            status = "error"
        else:
            if saved:
                entry = _entry(request, pk)
                form = None  # type: ignore[assignment]
            else:
                # Someone else saved it: show theirs, keep what was typed for a second try.
                status = "stale"
                current = _entry(request, pk)
                bound = request.POST.copy()
                bound[f"e{pk}-version"] = str(current.version)
                form = CallForm(bound, prefix=f"e{pk}")
                form.is_valid()
                entry = current
    else:
        status = "error"
    if not request.htmx:
        if status != "saved":
            messages.error(request, _("The call was not saved; check the row."))
        return redirect("crm:list_detail", entry.call_list_id)
    _row_context(user, entry, form=form)
    response = render(
        request,
        "crm/lists/_entry_row.html",
        {
            "e": entry,
            "can_call": True,
            "can_assign": _can_assign(user),
            "status": status,
            "call_list": entry.call_list,
        },
    )
    if status == "saved":
        response["HX-Trigger"] = "list-changed"  # the figures above the table refresh
    return response


@require_POST
def submit(request: Request, pk: int) -> HttpResponse:
    call_list = _list(request, pk)
    if not _can_call(request.user, call_list):
        raise PermissionDenied
    try:
        n = services.submit_list(call_list, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(n)d people submitted to the sales manager.") % {"n": n})
    return redirect("crm:list_detail", call_list.pk)


@require_POST
def close(request: Request, pk: int) -> HttpResponse:
    call_list = _list(request, pk)
    services.close_list(call_list, user=request.user)
    messages.success(request, _("List closed."))
    return redirect("crm:list_detail", call_list.pk)


@require_POST
def assign(request: Request, pk: int) -> HttpResponse:
    """Bulk assignment of submitted entries (after-sales lists: handed to the service side)."""
    call_list = _list(request, pk)
    entries = {
        e.pk: e
        for e in selectors.entries_of(user=request.user, call_list=call_list).select_related(
            "store", "call_list"
        )
    }
    form = AssignForm(request.POST, store=call_list.store, entry_ids=list(entries))
    if not form.is_valid():
        messages.error(request, _("Choose the people to assign."))
        return redirect("crm:list_detail", call_list.pk)
    consultant = form.cleaned_data["consultant"]
    if call_list.kind not in AFTERSALES_KINDS and consultant is None:
        messages.error(request, _("Choose a consultant."))
        return redirect("crm:list_detail", call_list.pk)
    chosen = [entries[i] for i in form.cleaned_data["entries"]]
    try:
        n = services.assign(
            chosen,
            consultant=None if call_list.kind in AFTERSALES_KINDS else consultant,
            user=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if call_list.kind in AFTERSALES_KINDS:
            messages.success(request, _("%(n)d people handed to after-sales.") % {"n": n})
        else:
            messages.success(
                request, _("%(n)d people assigned to %(who)s.") % {"n": n, "who": consultant}
            )
    return redirect("crm:list_detail", call_list.pk)


# --- Following up -------------------------------------------------------------------------------


def entry(request: Request, pk: int) -> HttpResponse:
    """One person handed on: why, what the CRM learned, the card, and closing it."""
    user = request.user
    e = _entry(request, pk)
    e.shown_phone = _shown(user, e)  # type: ignore[attr-defined]
    can_follow = e.assigned_to_id == user.pk or _can_assign(user)
    return render(
        request,
        "crm/lists/entry.html",
        {
            "e": e,
            "can_follow": can_follow and e.state == selectors.OPEN,  # type: ignore[attr-defined]
            "close_form": CloseEntryForm(initial={"version": e.version}),
        },
    )


@require_POST
def entry_card(request: Request, pk: int) -> HttpResponse:
    """The card of an entry that has none yet (imported partner rows): made through the
    usual card path, for the assigned consultant."""
    e = _entry(request, pk)
    if not (e.assigned_to_id == request.user.pk or _can_assign(request.user)):
        raise PermissionDenied
    if e.assigned_to_id is None:
        messages.error(request, _("Assign a consultant first."))
        return redirect("crm:entry", e.pk)
    card = services.card_for_entry(e, user=request.user)
    return redirect("customers:card", card.pk)


@require_POST
def entry_close(request: Request, pk: int) -> HttpResponse:
    e = _entry(request, pk)
    if not (e.assigned_to_id == request.user.pk or _can_assign(request.user)):
        raise PermissionDenied
    form = CloseEntryForm(request.POST)
    if form.is_valid():
        try:
            done = services.close_entry(
                e,
                user=request.user,
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("crm:entry", e.pk)
        if done:
            messages.success(request, _("Follow-up closed."))
        else:
            messages.error(request, _("Someone changed this entry meanwhile; try again."))
    else:
        messages.error(request, _("Say why it is closed."))
    return redirect("crm:entry", e.pk)
