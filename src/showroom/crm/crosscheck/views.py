"""Screens of the data cross-check (数据交叉比对).

The CRM and the managers see every exception of the store and explain those that are not
errors; a consultant sees their own (and fixes the row).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from showroom.crm.choices import CheckCode, ExceptionStatus
from showroom.crm.crosscheck import selectors
from showroom.crm.crosscheck import services as crosscheck_services
from showroom.crm.crosscheck.checks import fix_url
from showroom.crm.crosscheck.forms import ThresholdsForm
from showroom.crm.models import CrosscheckSettings
from showroom.organization import access, permissions
from showroom.organization.models import Staff, Store
from showroom.organization.requests import Request, next_url, requested_store

PAGE_SIZE = 50
# "Open" as a state, not the verb: with a context of their own.
STATUS_LABELS = {
    ExceptionStatus.OPEN.value: pgettext_lazy("cross-check status", "Open"),
    ExceptionStatus.FIXED.value: pgettext_lazy("cross-check status", "Fixed"),
    ExceptionStatus.EXPLAINED.value: pgettext_lazy("cross-check status", "Explained"),
}


# --- the cross-check ---------------------------------------------------------------------------


class FilterForm(forms.Form):
    code = forms.ChoiceField(
        label=gettext_lazy("Check"),
        choices=[("", gettext_lazy("All checks")), *CheckCode.choices],
        required=False,
    )
    consultant = forms.ModelChoiceField(
        label=gettext_lazy("Consultant"),
        queryset=Staff.objects.none(),
        required=False,
        empty_label=gettext_lazy("All consultants"),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=[("", gettext_lazy("All")), *STATUS_LABELS.items()],
        required=False,
    )

    def __init__(self, *args: Any, store: Store, show_consultant: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if show_consultant:
            self.fields["consultant"].queryset = selectors.consultant_choices(store=store)  # type: ignore[attr-defined]
        else:
            del self.fields["consultant"]


class VersionForm(forms.Form):
    # the version the exception was shown at, for the save to claim
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ExplainForm(VersionForm):
    explanation = forms.CharField(
        label=gettext_lazy("Explanation"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


def _stale(request: Request) -> None:
    messages.error(
        request,
        _(
            "Not saved: someone else changed this exception after you opened the page. "
            "Check it and try again."
        ),
    )


def crosscheck(request: Request) -> HttpResponse:
    """Counts per check and the list, filtered by check, consultant and status (default: open).

    The exceptions are those of the last refresh: the scheduled `crosscheck --track` command,
    or the page's refresh button (`refresh`). Reading the page writes nothing."""
    user = request.user
    store = requested_store(request)
    today = store.today()
    show_consultant = access.sees_all_rows(user)
    data = request.GET.copy()
    data.setdefault("status", ExceptionStatus.OPEN)
    form = FilterForm(data, store=store, show_consultant=show_consultant)
    visible = selectors.exceptions_for(user=user, store=store)
    qs = visible
    if form.is_valid():
        qs = selectors.filtered(
            visible,
            code=form.cleaned_data["code"],
            status=form.cleaned_data["status"],
            consultant=form.cleaned_data.get("consultant"),
        )
    counts: dict[str, dict[str, int]] = {
        r["code"]: {"open": r["open"], "fixed": r["fixed"], "explained": r["explained"]}
        for r in visible.order_by()
        .values("code")
        .annotate(
            open=Count("pk", filter=Q(status=ExceptionStatus.OPEN)),
            fixed=Count("pk", filter=Q(status=ExceptionStatus.FIXED)),
            explained=Count("pk", filter=Q(status=ExceptionStatus.EXPLAINED)),
        )
    }
    none = {"open": 0, "fixed": 0, "explained": 0}
    per_code = [
        {"code": code, "label": label, **counts.get(code, none)}
        for code, label in CheckCode.choices
    ]
    page = Paginator(
        qs.select_related("consultant", "resolved_by").order_by("-date", "code", "id"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    can_explain = permissions.allows(user, "crm:crosscheck_explain")
    can_fix = access.may_fix_exception(user)
    for row in rows:
        access.with_shown_phone(row, user)
        row.fix_url = fix_url(row.key) if can_fix else ""  # type: ignore[attr-defined]
        row.status_label = STATUS_LABELS.get(row.status, row.status)  # type: ignore[attr-defined]
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "crm/crosscheck/list.html",
        {
            "store": store,
            "today": today,
            "form": form,
            "per_code": per_code,
            "open_total": sum(c["open"] for c in per_code),
            "page": page,
            "rows": rows,
            "show_consultant": show_consultant,
            "can_explain": can_explain,
            "explain_form": ExplainForm(),
            "can_refresh": permissions.allows(user, "crm:crosscheck_refresh"),
            "page_query": params.urlencode(),
            "next": request.get_full_path(),
        },
    )


def refresh(request: Request) -> HttpResponse:
    """POST: bring the store's exceptions up to date as of its today, then back to the list."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    store = requested_store(request)
    done = crosscheck_services.refresh(store=store, on=store.today())
    messages.success(
        request,
        _("Cross-check refreshed: %(open)d open, %(opened)d new, %(fixed)d fixed.")
        % {"open": done.open, "opened": done.opened + done.reopened, "fixed": done.fixed},
    )
    return redirect(next_url(request, reverse("crm:crosscheck")))


def explain(request: Request, pk: int) -> HttpResponse:
    """POST: explain an exception (it is not an error), or take the explanation back."""
    if request.method != "POST":
        return redirect("crm:crosscheck")
    user = request.user
    exception = selectors.exception_for(user=user, pk=pk)
    back = next_url(request, reverse("crm:crosscheck"))
    if request.POST.get("action") == "reopen":
        if exception.status == ExceptionStatus.EXPLAINED:
            version_form = VersionForm(request.POST)
            if version_form.is_valid() and crosscheck_services.reopen(
                exception=exception, expected_version=version_form.cleaned_data["version"]
            ):
                messages.success(request, _("The exception is open again."))
            else:
                _stale(request)
        return redirect(back)
    form = ExplainForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why it is not an error."))
        return redirect(back)
    if not crosscheck_services.explain(
        exception=exception,
        expected_version=form.cleaned_data["version"],
        text=form.cleaned_data["explanation"],
        by=user,
        on=exception.store.today(),
    ):
        _stale(request)
        return redirect(back)
    messages.success(request, _("The exception is explained."))
    return redirect(back)


def thresholds(request: Request) -> HttpResponse:
    """The store's thresholds of the cross-check (store settings)."""
    store = requested_store(request)
    form = ThresholdsForm(request.POST or None, instance=CrosscheckSettings.for_store(store))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Cross-check thresholds saved."))
        return redirect(reverse("crm:crosscheck_thresholds") + f"?store={store.code}")
    return render(request, "crm/crosscheck/thresholds.html", {"store": store, "form": form})
