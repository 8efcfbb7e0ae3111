"""Media channel screens: the spend of a month as an editable table, and the channel report
(per channel and per model, with its Excel download). No customer is named on either."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from showroom.crm import channels
from showroom.crm.forms import MonthField, PeriodForm, SpendFormSet
from showroom.crm.interview_views import store_of
from showroom.crm.models import MediaSpend
from showroom.crm.workbooks import channel_workbook
from showroom.kpi.reports import add_months, first_of_month
from showroom.kpi.workbooks import period_label
from showroom.organization import access
from showroom.organization.choices import Role
from showroom.sales.models import Order
from showroom.sheets import xlsx_response
from showroom.versions import claim

# Who reads the channel report (aggregates), and who enters the spend.
CHANNEL_ROLES = (Role.CRM, Role.MANAGER, Role.GENERAL_MANAGER, Role.MARKETING, Role.GROUP)
SPEND_ROLES = (Role.MARKETING, Role.CRM, Role.MANAGER, Role.GENERAL_MANAGER)


def _report(request: HttpRequest) -> tuple[channels.ChannelReport, PeriodForm, list]:  # type: ignore[type-arg]
    store, stores = store_of(request)
    form = PeriodForm(request.GET or None, today=store.today())
    start, end, _model = form.period()
    return channels.channel_report(store=store, start=start, end=end), form, stores


@access.role_required(*CHANNEL_ROLES)
def channel_report(request: HttpRequest) -> HttpResponse:
    report, form, stores = _report(request)
    params = {"start": f"{report.start:%Y-%m}", "end": f"{report.end:%Y-%m}"}
    if stores:
        params["store"] = report.store.code
    return render(
        request,
        "crm/channels/report.html",
        {
            "store": report.store,
            "stores": stores,
            "form": form,
            "start": report.start,
            "end": report.end,
            "models": None,
            "period": period_label(report.start, report.end),
            "report": report,
            "chart": report.chart(),
            "download_url": reverse("crm:channels_xlsx") + "?" + urlencode(params),
            "spend_url": reverse("crm:channel_spend")
            + "?"
            + urlencode(
                {
                    "month": f"{report.start:%Y-%m}",
                    **({"store": report.store.code} if stores else {}),
                }
            ),
            "can_enter": request.user.has_role(*SPEND_ROLES),  # type: ignore[union-attr]
        },
    )


@access.role_required(*CHANNEL_ROLES)
def channel_report_xlsx(request: HttpRequest) -> HttpResponse:
    report, _form, _stores = _report(request)
    workbook = channel_workbook(report, language=get_language() or "zh-hans")
    name = f"媒体投放渠道分析_{report.store.code}_{report.start:%Y-%m}_{report.end:%Y-%m}.xlsx"
    return xlsx_response(workbook, name)


class _Stale(Exception):
    """A row of the month was saved by someone else after the page was opened."""


@access.role_required(*SPEND_ROLES)
def spend(request: HttpRequest) -> HttpResponse:
    """The spend of one month (?month=YYYY-MM), per channel and optionally model."""
    store, stores = store_of(request)
    try:
        month = MonthField(required=False).clean(request.GET.get("month", "")) or None
    except ValidationError:
        messages.error(request, _("Enter a month as YYYY-MM."))
        month = None
    month = month or first_of_month(store.today())
    rows = MediaSpend.objects.filter(store=store, month=month).select_related("source")
    formset = SpendFormSet(
        request.POST or None, queryset=rows, form_kwargs={"store": store}, prefix="s"
    )
    if request.method == "POST" and formset.is_valid():
        try:
            with transaction.atomic():
                # Each row changed or deleted claims the version it was opened at.
                claimed: dict[int, int | None] = {
                    form.instance.pk: claim(
                        MediaSpend, form.instance.pk, form.cleaned_data.get("version", 0)
                    )
                    for form in formset.initial_forms
                    if form.has_changed() or form in formset.deleted_forms
                }
                if None in claimed.values():
                    raise _Stale
                for record in formset.save(commit=False):
                    record.store = store
                    record.month = month
                    record.version = claimed.get(record.pk) or record.version
                    record.save()
                for record in formset.deleted_objects:
                    record.delete()
        except _Stale:
            messages.error(
                request,
                _(
                    "Not saved: someone else changed this month's spend after you opened it. "
                    "Check the figures below and enter your changes again."
                ),
            )
            # A fresh query: the rows read for the refused save carry the typed values.
            formset = SpendFormSet(queryset=rows.all(), form_kwargs={"store": store}, prefix="s")
        except IntegrityError:
            # Someone saved the same channel and model meanwhile (or a stale page was sent).
            messages.error(
                request, _("This channel (and model) is already entered for this month.")
            )
        else:
            messages.success(request, _("Spend of %(month)s saved.") % {"month": f"{month:%Y-%m}"})
            query = {"month": f"{month:%Y-%m}", **({"store": store.code} if stores else {})}
            return redirect(reverse("crm:channel_spend") + "?" + urlencode(query))
    models = (
        Order.objects.filter(store=store)
        .exclude(model="")
        .order_by()
        .values_list("model", flat=True)
        .distinct()
    )
    store_param = {"store": store.code} if stores else {}
    return render(
        request,
        "crm/channels/spend.html",
        {
            "store": store,
            "stores": stores,
            "month": month,
            "formset": formset,
            "models": sorted(models),
            "total": sum((r.amount for r in rows), start=0),
            "previous_url": "?"
            + urlencode({"month": f"{add_months(month, -1):%Y-%m}", **store_param}),
            "next_url": "?" + urlencode({"month": f"{add_months(month, 1):%Y-%m}", **store_param}),
            "report_url": reverse("crm:channels")
            + "?"
            + urlencode({"start": f"{month:%Y-%m}", **store_param}),
        },
    )
