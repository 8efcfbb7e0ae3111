"""CRM report screens and downloads: department efficiency, dormant
prospects and the deal report; the lost-customer analysis is the sales reports' own sheet.
Aggregates only, so marketing and the group read them too."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from showroom.core.sheets import xlsx_response
from showroom.crm.forms import PeriodForm
from showroom.crm.stores import store_of
from showroom.customers.models import FollowUpSettings
from showroom.kpi.statistics.workbooks import period_label
from showroom.organization import permissions
from showroom.organization.models import Staff, Store
from showroom.reports.crm import selectors as reports
from showroom.reports.crm.workbooks import crm_reports_workbook

KINDS = ("efficiency", "dormant", "deals")
FILE_NAMES = {
    "efficiency": "各部门客户效率分析",
    "dormant": "休眠客户报告",
    "deals": "成交客户报告",
}


def _days(request: HttpRequest, store: Store) -> int:
    text = request.GET.get("days", "")
    if text.isdigit() and 30 <= int(text) <= 730:
        return int(text)
    return FollowUpSettings.for_store(store).dormant_days  # the store's own, 90 by default


def _params(request: HttpRequest, store: Store, stores: list[Store], **extra: str) -> str:
    params: dict[str, str] = {
        k: str(v) for k, v in request.GET.items() if k in ("start", "end", "days") and v
    }
    params.update(extra)
    if stores:
        params["store"] = store.code
    return "?" + urlencode(params) if params else ""


def index(request: HttpRequest) -> HttpResponse:
    user: Staff = request.user  # type: ignore[assignment]
    store, stores = store_of(request)
    query = f"?store={store.code}" if stores else ""
    links = [
        {
            "url": reverse("crm:report", args=["efficiency"]) + query,
            "title": _("Department efficiency"),
            "text": _(
                "Each department's customer conversion: showroom first visits to orders, DCC "
                "leads and calls to visits and orders, CRM lists to won, owner referrals."
            ),
        },
        {
            "url": reverse("crm:report", args=["dormant"]) + query,
            "title": _("Dormant prospects"),
            "text": _(
                "Open prospects without a contact for 90 days or more, by consultant and age."
            ),
        },
        {
            "url": reverse("crm:report", args=["deals"]) + query,
            "title": _("Deal report"),
            "text": _(
                "Orders and deliveries by model, source and consultant, with the value-added "
                "penetration."
            ),
        },
    ]
    if permissions.allows(user, "reports:losses"):
        links.append(
            {
                "url": reverse("reports:losses") + query,
                "title": _("Lost-customer analysis"),
                "text": _(
                    "The sales reports' lost / out-of-control analysis: confirmed losses by "
                    "reason, competitor, model, consultant and grade."
                ),
            }
        )
    links.append(
        {
            "url": reverse("crm:channels") + query,
            "title": _("Media channel efficiency"),
            "text": _("Spend, leads, visits, orders and deliveries per channel and model."),
        }
    )
    return render(request, "reports/crm/index.html", {"store": store, "links": links})


def _build(kind: str, request: HttpRequest, store: Store) -> tuple[Any, PeriodForm]:
    form = PeriodForm(request.GET or None, today=store.today())
    start, end, _model = form.period()
    if kind == "efficiency":
        return reports.department_efficiency(store=store, start=start, end=end), form
    if kind == "dormant":
        return reports.dormant_report(
            store=store, on=store.today(), days=_days(request, store)
        ), form
    return reports.deal_report(store=store, start=start, end=end), form


def report(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in KINDS:
        raise Http404
    store, stores = store_of(request)
    result, form = _build(kind, request, store)
    start, end, _model = form.period()
    context = {
        "kind": kind,
        "store": store,
        "stores": stores,
        "form": form,
        "start": start,
        "end": end,
        "models": None,
        "period": period_label(start, end),
        "report": result,
        "download_url": reverse("crm:report_xlsx", args=[kind]) + _params(request, store, stores),
        "days": _days(request, store),
    }
    if kind == "dormant" and permissions.allows(request.user, "crm:lists"):  # type: ignore[arg-type]
        context["lists_url"] = _optional("crm:lists")
    return render(request, f"reports/crm/{kind}.html", context)


def _optional(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def report_xlsx(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in KINDS:
        raise Http404
    store, _stores = store_of(request)
    result, form = _build(kind, request, store)
    workbook = crm_reports_workbook(
        store_name=store.name, language=get_language() or "zh-hans", **{kind: result}
    )
    if kind == "dormant":
        suffix = f"{store.today():%Y-%m-%d}"
    else:
        start, end, _model = form.period()
        suffix = (
            f"{start:%Y-%m}"
            if (start.year, start.month) == (end.year, end.month)
            else (f"{start:%Y-%m}_{end:%Y-%m}")
        )
    return xlsx_response(workbook, f"{FILE_NAMES[kind]}_{store.code}_{suffix}.xlsx")
