"""The import center: upload and dry run, confirm, history and undo; blank templates; exports.

Who may open each screen is organization.permissions; which imports a user sees (those of
their stores) organization.access.store_rows; an export is scoped like every other screen.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.db import OperationalError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from showroom.core.busy import database_busy
from showroom.core.sheets import xlsx_response
from showroom.exchange.center import progress, selectors, services
from showroom.exchange.center.blanks import blank_workbook
from showroom.exchange.center.forms import ExportForm, UploadForm
from showroom.exchange.exports import export
from showroom.exchange.forms import FORMS
from showroom.exchange.models import ImportBatch, ImportStatus
from showroom.organization import access
from showroom.organization.requests import Request, asked_store

FORM_LABELS = {form.name: form.zh for form in FORMS}
HISTORY_ROWS = 50


def _busy() -> str:
    # SQLite: another import holds the database's write lock for longer than a request waits.
    return _("Another import is writing to the database; try again in a minute.")


def _counts(batch: ImportBatch) -> list[dict[str, Any]]:
    order = [form.name for form in FORMS]
    return [
        {"form": FORM_LABELS.get(name, name), "new": c[0], "updated": c[1], "unchanged": c[2]}
        for name, c in sorted(
            batch.counts.items(),
            key=lambda item: order.index(item[0]) if item[0] in order else len(order),
        )
    ]


def imports(request: Request) -> HttpResponse:
    store = asked_store(request)
    stores = access.visible_stores(request.user)
    bound = request.method == "POST"
    form = UploadForm(request.POST if bound else None, request.FILES if bound else None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.check_upload(
                form.cleaned_data["upload"], store=store, user=request.user
            )
        except OperationalError as exc:
            if not database_busy(exc):
                raise
            messages.error(request, _busy())
            return redirect(reverse("exchange:imports") + "?" + urlencode({"store": store.code}))
        return redirect(_following(batch, "check"))
    history = list(selectors.import_batches(user=request.user, store=store)[:HISTORY_ROWS])
    for batch in history:
        services.follow(batch)  # a job gone with its process is said to have stopped
    return render(
        request,
        "exchange/center/imports.html",
        {
            "form": form,
            "store": store,
            "stores": stores if access.sees_several_stores(request.user) else None,
            "history": [{"batch": b, "counts": _counts(b)} for b in history],
            "forms": FORMS,
        },
    )


def _following(batch: ImportBatch, job: str) -> str:
    """The batch's page, following its job (check or import) until it is over."""
    return reverse("exchange:import_detail", args=[batch.pk]) + "?" + urlencode({"progress": job})


def import_detail(request: Request, pk: int) -> HttpResponse:
    """The batch; while its job runs, its progress (and, asked by htmx, that part alone). A
    page that followed a job goes, once the job is over, to the batch's page with the outcome."""
    batch = get_object_or_404(selectors.import_batches(user=request.user), pk=pk)
    state = services.follow(batch)
    followed = request.GET.get("progress", "")
    if state is None and followed:
        url = reverse("exchange:import_detail", args=[batch.pk])
        if followed in ("import", "undo"):
            url += "?" + urlencode({"outcome": followed})
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
    context = {
        "batch": batch,
        "counts": _counts(batch),
        "checked": batch.status == ImportStatus.CHECKED,
        "imported": batch.status == ImportStatus.IMPORTED,
        "stopped": services.failure(batch),
        "outcome": _outcome(batch, request.GET.get("outcome", "")),
        "progress": _progress(batch, state) if state is not None else None,
        "back": reverse("exchange:imports") + "?" + urlencode({"store": batch.store.code}),
    }
    if state is not None and request.htmx:
        return render(request, "exchange/center/_progress.html", context)
    return render(request, "exchange/center/detail.html", context)


def _outcome(batch: ImportBatch, job: str) -> tuple[str, str] | None:
    """How the import or undo the page followed ended: (message class, message). Said on the
    page the job's end leads to rather than as a message, which each poll that saw the end
    would add."""
    if job == "undo":
        if batch.status == ImportStatus.UNDONE:
            return "success", _("The import was undone.")
        return None  # refused or stopped: the page says why
    if job != "import":
        return None
    if batch.status == ImportStatus.IMPORTED:
        return "success", _("Imported: %(rows)d row(s) checked and written.") % {"rows": batch.rows}
    if batch.status == ImportStatus.FAILED:
        return "error", _(
            "The data changed since the check: nothing was imported. See the errors below."
        )
    return None  # stopped, and waiting to be confirmed again: the page says why


STEPS = {
    "": lambda: _("Reading the files…"),
    "check": lambda: _("Checking every row"),
    "compare": lambda: _("Comparing with the data already stored"),
    "write": lambda: _("Writing"),
    "undo": lambda: _("Taking back the rows"),
}
COLUMNS = {
    "check": lambda: _("Rows checked"),
    "compare": lambda: _("Rows compared"),
    "write": lambda: _("Rows written"),
    "undo": lambda: _("Rows taken back"),
}


def _progress(batch: ImportBatch, state: progress.State) -> dict[str, Any]:
    """What the progress part shows: the step, the bar, and the rows of each form so far."""
    stages = progress.STAGES.get(state.job, ())
    if state.job == "check":
        title = _("Checking the files…")
    elif state.job == "undo":
        title = _("Undoing the import…")
    else:
        title = _("Importing…")
    step = STEPS.get(state.stage, STEPS[""])()
    if state.job == "undo" and not state.stage:
        step = _("Checking that no row of the import has changed since")
    if state.stage == "write" and state.total and state.done >= state.total:
        step = _("Finishing: the history and the figures that depend on the rows")
    if state.step and len(stages) > 1:
        step = _("Step %(step)d of %(steps)d: %(what)s") % {
            "step": state.step,
            "steps": len(stages),
            "what": step,
        }
    # The dry run's counts say how many rows of each form the import goes through.
    expected = {name: sum(c) for name, c in batch.counts.items()} if state.job == "import" else {}
    names = [f.name for f in FORMS if any(f.name in state.forms.get(s, {}) for s in stages)]
    forms = []
    for name in names:
        cells = []
        for stage in stages:
            done = state.forms.get(stage, {}).get(name)
            if done is None:
                cells.append("")
            elif stage == "write" and name in expected:
                cells.append(f"{done} / {expected[name]}")
            else:
                cells.append(str(done))
        forms.append({"label": FORM_LABELS[name], "cells": cells})
    return {
        "title": title,
        "step": step,
        "done": state.done,
        "total": state.total,
        "percent": state.percent,
        "headers": [COLUMNS[s]() for s in stages],
        "forms": forms,
        "poll": _following(batch, state.job),
    }


@require_POST
def import_confirm(request: Request, pk: int) -> HttpResponse:
    batch = get_object_or_404(selectors.import_batches(user=request.user), pk=pk)
    if batch.status != ImportStatus.CHECKED:
        messages.error(request, _("This upload has already been imported or was found bad."))
        return redirect("exchange:import_detail", pk=batch.pk)
    try:
        started = services.confirm(batch, user=request.user)
    except OperationalError as exc:
        if not database_busy(exc):
            raise
        messages.error(request, _busy())
        return redirect("exchange:import_detail", pk=batch.pk)
    if not started:
        messages.error(request, _("This upload has already been imported or was found bad."))
        return redirect("exchange:import_detail", pk=batch.pk)
    return redirect(_following(batch, "import"))


@require_POST
def import_undo(request: Request, pk: int) -> HttpResponse:
    batch = get_object_or_404(selectors.import_batches(user=request.user), pk=pk)
    try:
        started = services.start_undo(batch, user=request.user)
    except OperationalError as exc:
        if not database_busy(exc):
            raise
        messages.error(request, _busy())
        return redirect("exchange:import_detail", pk=batch.pk)
    if not started:
        messages.error(request, _("Only an import that is in force can be undone."))
        return redirect("exchange:import_detail", pk=batch.pk)
    return redirect(_following(batch, "undo"))


def template(request: Request) -> HttpResponse:
    """?form=NAME: that form's blank workbook; without it, every form in one workbook."""
    store = asked_store(request)
    name = request.GET.get("form") or ""
    forms = [f for f in FORMS if f.name == name] if name else list(FORMS)
    if not forms:
        raise Http404
    filename = f"{forms[0].zh}模板.xlsx" if name else "导入模板.xlsx"
    return xlsx_response(blank_workbook(forms, store=store), filename)


def export_view(request: Request) -> HttpResponse:
    store = asked_store(request)
    form = ExportForm(request.GET or None, initial={"months": f"{store.today():%Y-%m}"})
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["months"]
        kind = form.cleaned_data["format"]
        # A consultant's or receptionist's rows are scoped by the forms themselves.
        forms = [f for f in FORMS if f.scope is not None]
        span = f"{start:%Y%m}-{end:%Y%m}"
        with tempfile.TemporaryDirectory() as folder:
            if kind == "xlsx":
                out = Path(folder) / f"{store.code}-{span}.xlsx"
                export(out, stores=[store], start=start, end=end, user=request.user, forms=forms)
                body, content_type = (
                    out.read_bytes(),
                    ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                )
                filename = out.name
            else:
                out = Path(folder) / "csv"
                result = export(
                    out, stores=[store], start=start, end=end, user=request.user, forms=forms
                )
                buffer = io.BytesIO()
                with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                    for path in result.files:
                        archive.write(path, path.name)
                body, content_type = buffer.getvalue(), "application/zip"
                filename = f"{store.code}-{span}.zip"
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=filename
        )
        return response
    stores = access.visible_stores(request.user)
    return render(
        request,
        "exchange/center/export.html",
        {
            "form": form,
            "store": store,
            "stores": stores if access.sees_several_stores(request.user) else None,
        },
    )
