"""Screens of the intent status checks (意向状态核实): the CRM calls the day's sample of new
prospects and records what the call found."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from showroom.crm.intent import selectors as intent_selectors
from showroom.crm.intent import services as intent
from showroom.crm.models import IntentCheck
from showroom.organization import access, permissions
from showroom.organization.models import Store
from showroom.organization.requests import Request, requested_store

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
    # the version the row was shown at, for the save to claim
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

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
    start = forms.DateField(label=pgettext_lazy("period", "From"), required=False)
    end = forms.DateField(label=pgettext_lazy("period", "To"), required=False)


def _day(request: Request, store: Store) -> date:
    try:
        return date.fromisoformat(request.GET.get("date", "").strip())
    except ValueError:
        return store.today()


def intent_checks(request: Request) -> HttpResponse:
    """The day's sample of new prospects (drawn when first opened) with each call's result."""
    user = request.user
    store = requested_store(request)
    day = _day(request, store)
    if day <= store.today():
        intent.draw(store=store, on=day)
    checks = list(intent_selectors.checks_of_day(user=user, store=store, day=day))
    can_record = permissions.allows(user, "crm:intent_record")
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


def _initial(check: IntentCheck) -> dict[str, object]:
    def yes_no(value: bool | None) -> str:
        return "" if value is None else ("yes" if value else "no")

    return {
        "reached": yes_no(check.reached),
        "record_true": yes_no(check.record_true),
        "satisfied": yes_no(check.satisfied),
        "notes": check.notes,
        "version": check.version,
    }


def intent_record(request: Request, pk: int) -> HttpResponse:
    """POST: the result of the call to one sampled prospect."""
    user = request.user
    check = intent_selectors.check_for(user=user, pk=pk)
    back = reverse("crm:intent_checks") + f"?date={check.sampled_on.isoformat()}"
    if request.method != "POST":
        return redirect(back)
    form = ResultForm(request.POST, prefix=f"c{check.pk}")
    if not form.is_valid():
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        messages.error(request, errors)
        return redirect(back)
    if not intent.record(
        check=check,
        expected_version=form.cleaned_data["version"],
        by=user,
        on=check.store.today(),
        **form.answers(),
    ):
        messages.error(
            request,
            _(
                "Not saved: someone else recorded this call after you opened the page. "
                "Check their result and save again if needed."
            ),
        )
        return redirect(back)
    messages.success(request, _("Call recorded."))
    return redirect(back)


def intent_stats(request: Request) -> HttpResponse:
    """Sampled, called, reached, true and satisfied, per consultant, for a period."""
    user = request.user
    store = requested_store(request)
    today = store.today()
    form = PeriodForm(request.GET or None)
    start, end = today.replace(day=1), today
    if form.is_valid():
        start = form.cleaned_data["start"] or start
        end = form.cleaned_data["end"] or end
    if start > end:
        start, end = end, start
    stats = intent.statistics(
        checks=intent_selectors.checks_of(user=user, store=store),
        start=start,
        end=end,
        total_label=pgettext("store total", "Store"),
    )
    return render(
        request,
        "crm/intent/stats.html",
        {"store": store, "form": form, "stats": stats, "start": start, "end": end},
    )
