"""The media channel report (per channel and per model, with its Excel download). No
customer is named on it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language

from showroom.core.sheets import xlsx_response
from showroom.crm.forms import PeriodForm
from showroom.crm.stores import store_of
from showroom.kpi.statistics.workbooks import period_label
from showroom.organization import permissions
from showroom.reports.crm import channels
from showroom.reports.crm.workbooks import channel_workbook


def _report(request: HttpRequest) -> tuple[channels.ChannelReport, PeriodForm, list]:  # type: ignore[type-arg]
    store, stores = store_of(request)
    form = PeriodForm(request.GET or None, today=store.today())
    start, end, _model = form.period()
    return channels.channel_report(store=store, start=start, end=end), form, stores


def channel_report(request: HttpRequest) -> HttpResponse:
    report, form, stores = _report(request)
    params = {"start": f"{report.start:%Y-%m}", "end": f"{report.end:%Y-%m}"}
    if stores:
        params["store"] = report.store.code
    return render(
        request,
        "reports/crm/channels.html",
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
            "can_enter": permissions.allows(request.user, "crm:channel_spend"),  # type: ignore[arg-type]
        },
    )


def channel_report_xlsx(request: HttpRequest) -> HttpResponse:
    report, _form, _stores = _report(request)
    workbook = channel_workbook(report, language=get_language() or "zh-hans")
    name = f"媒体投放渠道分析_{report.store.code}_{report.start:%Y-%m}_{report.end:%Y-%m}.xlsx"
    return xlsx_response(workbook, name)
