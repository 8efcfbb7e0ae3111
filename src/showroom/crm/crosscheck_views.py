"""Screens of the data cross-check (数据交叉比对) and of the intent status checks (意向状态核实).

The CRM and the managers see every exception of the store and explain those that are not
errors; a consultant sees their own (and fixes the row). The CRM calls the day's sample of new
prospects and records what the call found.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from showroom.crm import crosscheck_services, intent
from showroom.crm.choices import CheckCode, ExceptionStatus
from showroom.crm.crosscheck import fix_url
from showroom.crm.models import CrosscheckException, IntentCheck
from showroom.organization import access
from showroom.organization.access import role_required
from showroom.organization.choices import Role
from showroom.organization.models import Staff, Store

# Who opens the cross-check: the CRM and the managers (all of the store), consultants (their own).
CHECK_ROLES = (Role.CRM, Role.MANAGER, Role.GENERAL_MANAGER, Role.GROUP, Role.CONSULTANT)
EXPLAIN_ROLES = (Role.CRM, Role.MANAGER, Role.GENERAL_MANAGER)
REFRESH_ROLES = (Role.CRM, Role.MANAGER, Role.GENERAL_MANAGER)
INTENT_ROLES = (Role.CRM, Role.MANAGER, Role.GENERAL_MANAGER)
# Who may open the register row and the card an exception links to (the CRM does not sell).
FIX_ROLES = (Role.CONSULTANT, Role.MANAGER, Role.GENERAL_MANAGER)
PAGE_SIZE = 50
# "Open" as a state, not the verb: with a context of their own.
STATUS_LABELS = {
    ExceptionStatus.OPEN.value: pgettext_lazy("cross-check status", "Open"),
    ExceptionStatus.FIXED.value: pgettext_lazy("cross-check status", "Fixed"),
    ExceptionStatus.EXPLAINED.value: pgettext_lazy("cross-check status", "Explained"),
}


class Request(HttpRequest):
    user: Staff


def _store(request: Request) -> Store:
    code = request.GET.get("store") or request.POST.get("store") or None
    return access.store_for(request.user, code)


def _next_url(request: Request, default: str) -> str:
    url = request.POST.get("next") or ""
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return default


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
            self.fields["consultant"].queryset = Staff.objects.filter(  # type: ignore[attr-defined]
                Q(pk__in=Staff.objects.consultants(store).values("pk"))
                | Q(pk__in=CrosscheckException.objects.filter(store=store).values("consultant"))
            ).order_by("full_name", "username")
        else:
            del self.fields["consultant"]


class ExplainForm(forms.Form):
    explanation = forms.CharField(
        label=gettext_lazy("Explanation"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


def exceptions_for(*, user: Staff, store: Store) -> QuerySet[CrosscheckException]:
    """The store's tracked exceptions that `user` may see (a consultant: their own)."""
    return access.scope(CrosscheckException.objects.filter(store=store), user)


@role_required(*CHECK_ROLES)
def crosscheck(request: Request) -> HttpResponse:
    """Counts per check and the list, filtered by check, consultant and status (default: open).

    The exceptions are those of the last refresh: the scheduled `crosscheck --track` command,
    or the page's refresh button (`refresh`). Reading the page writes nothing."""
    user = request.user
    store = _store(request)
    today = store.today()
    show_consultant = access.sees_all_rows(user)
    data = request.GET.copy()
    data.setdefault("status", ExceptionStatus.OPEN)
    form = FilterForm(data, store=store, show_consultant=show_consultant)
    visible = exceptions_for(user=user, store=store)
    qs = visible
    if form.is_valid():
        if code := form.cleaned_data["code"]:
            qs = qs.filter(code=code)
        if status := form.cleaned_data["status"]:
            qs = qs.filter(status=status)
        if consultant := form.cleaned_data.get("consultant"):
            qs = qs.filter(consultant=consultant)
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
    can_explain = user.has_role(*EXPLAIN_ROLES)
    can_fix = user.has_role(*FIX_ROLES)
    for row in rows:
        row.shown_phone = access.shown_phone(user, row.phone, owner_id=row.consultant_id)  # type: ignore[attr-defined]
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
            "can_refresh": user.has_role(*REFRESH_ROLES),
            "page_query": params.urlencode(),
            "next": request.get_full_path(),
        },
    )


@role_required(*REFRESH_ROLES)
def refresh(request: Request) -> HttpResponse:
    """POST: bring the store's exceptions up to date as of its today, then back to the list."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    store = _store(request)
    done = crosscheck_services.refresh(store=store, on=store.today())
    messages.success(
        request,
        _("Cross-check refreshed: %(open)d open, %(opened)d new, %(fixed)d fixed.")
        % {"open": done.open, "opened": done.opened + done.reopened, "fixed": done.fixed},
    )
    return redirect(_next_url(request, reverse("crm:crosscheck")))


@role_required(*EXPLAIN_ROLES)
def explain(request: Request, pk: int) -> HttpResponse:
    """POST: explain an exception (it is not an error), or take the explanation back."""
    if request.method != "POST":
        return redirect("crm:crosscheck")
    user = request.user
    visible = access.scope(CrosscheckException.objects.select_related("store"), user)
    exception = get_object_or_404(visible, pk=pk)
    back = _next_url(request, reverse("crm:crosscheck"))
    if request.POST.get("action") == "reopen":
        if exception.status == ExceptionStatus.EXPLAINED:
            crosscheck_services.reopen(exception=exception)
            messages.success(request, _("The exception is open again."))
        return redirect(back)
    form = ExplainForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why it is not an error."))
        return redirect(back)
    crosscheck_services.explain(
        exception=exception,
        text=form.cleaned_data["explanation"],
        by=user,
        on=exception.store.today(),
    )
    messages.success(request, _("The exception is explained."))
    return redirect(back)


# --- intent status checks ---------------------------------------------------------------------


class ResultForm(forms.Form):
    YES_NO = [("", "—"), ("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]

    reached = forms.ChoiceField(
        label=gettext_lazy("Reached"), choices=YES_NO[1:], widget=forms.RadioSelect
    )
    record_true = forms.ChoiceField(
        label=gettext_lazy("Record true"), choices=YES_NO, required=False
    )
    satisfied = forms.ChoiceField(label=gettext_lazy("Satisfied"), choices=YES_NO, required=False)
    notes = forms.CharField(label=gettext_lazy("Notes"), max_length=500, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reached") == "no" and (data.get("record_true") or data.get("satisfied")):
            raise forms.ValidationError(_("Not reached: the record and satisfaction stay empty."))
        if data.get("reached") == "yes" and not data.get("record_true"):
            self.add_error("record_true", _("Was the record true?"))
        return data

    def answers(self) -> dict[str, Any]:
        def yes_no(value: str) -> bool | None:
            return None if not value else value == "yes"

        data = self.cleaned_data
        return {
            "reached": data["reached"] == "yes",
            "record_true": yes_no(data["record_true"]),
            "satisfied": yes_no(data["satisfied"]),
            "notes": data["notes"],
        }


class PeriodForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), required=False)
    end = forms.DateField(label=gettext_lazy("To"), required=False)


def _visible_checks(user: Staff) -> QuerySet[IntentCheck]:
    return access.scope(IntentCheck.objects.all(), user, owner_field="customer__consultant")


def _day(request: Request, store: Store) -> date:
    try:
        return date.fromisoformat(request.GET.get("date", "").strip())
    except ValueError:
        return store.today()


@role_required(*INTENT_ROLES)
def intent_checks(request: Request) -> HttpResponse:
    """The day's sample of new prospects (drawn when first opened) with each call's result."""
    user = request.user
    store = _store(request)
    day = _day(request, store)
    if day <= store.today():
        intent.draw(store=store, on=day)
    checks = list(
        _visible_checks(user)
        .filter(store=store, sampled_on=day)
        .select_related("customer", "customer__consultant", "customer__source", "called_by")
        .order_by("customer__consultant__full_name", "customer__name", "id")
    )
    can_record = user.has_role(Role.CRM, Role.MANAGER, Role.GENERAL_MANAGER)
    for check in checks:
        c = check.customer
        check.shown_phone = access.shown_phone(user, c.phone, owner_id=c.consultant_id)  # type: ignore[attr-defined]
        check.form = ResultForm(initial=_initial(check), prefix=f"c{check.pk}")  # type: ignore[attr-defined]
    return render(
        request,
        "crm/intent/list.html",
        {
            "store": store,
            "day": day,
            "today": store.today(),
            "prev_day": day - timedelta(days=1),
            "next_day": day + timedelta(days=1),
            "checks": checks,
            "new_cards": intent.candidates(store=store, on=day).count(),
            "can_record": can_record,
            "share": round(intent.SAMPLE_SHARE * 100),
            "limit": intent.SAMPLE_MAX,
        },
    )


def _initial(check: IntentCheck) -> dict[str, str]:
    def yes_no(value: bool | None) -> str:
        return "" if value is None else ("yes" if value else "no")

    return {
        "reached": yes_no(check.reached),
        "record_true": yes_no(check.record_true),
        "satisfied": yes_no(check.satisfied),
        "notes": check.notes,
    }


@role_required(*INTENT_ROLES)
def intent_record(request: Request, pk: int) -> HttpResponse:
    """POST: the result of the call to one sampled prospect."""
    user = request.user
    check = get_object_or_404(_visible_checks(user).select_related("store"), pk=pk)
    back = reverse("crm:intent_checks") + f"?date={check.sampled_on.isoformat()}"
    if request.method != "POST":
        return redirect(back)
    if not user.has_role(Role.CRM, Role.MANAGER, Role.GENERAL_MANAGER):
        raise PermissionDenied
    form = ResultForm(request.POST, prefix=f"c{check.pk}")
    if not form.is_valid():
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        messages.error(request, errors)
        return redirect(back)
    intent.record(check=check, by=user, on=check.store.today(), **form.answers())
    messages.success(request, _("Call recorded."))
    return redirect(back)


@role_required(*INTENT_ROLES)
def intent_stats(request: Request) -> HttpResponse:
    """Sampled, called, reached, true and satisfied, per consultant, for a period."""
    user = request.user
    store = _store(request)
    today = store.today()
    form = PeriodForm(request.GET or None)
    start, end = today.replace(day=1), today
    if form.is_valid():
        start = form.cleaned_data["start"] or start
        end = form.cleaned_data["end"] or end
    if start > end:
        start, end = end, start
    stats = intent.statistics(
        checks=_visible_checks(user).filter(store=store),
        start=start,
        end=end,
        total_label=_("Store"),
    )
    return render(
        request,
        "crm/intent/stats.html",
        {"store": store, "form": form, "stats": stats, "start": start, "end": end},
    )
