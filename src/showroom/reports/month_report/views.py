"""The monthly management report as a download."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from showroom.core.months import first_of_month, month_range
from showroom.core.sheets import xlsx_response
from showroom.organization import access
from showroom.organization.models import Staff
from showroom.reports.month_report.workbook import build_report_workbook


def report_workbook(request: HttpRequest) -> HttpResponse:
    """?month=YYYY-MM (default: the store's current month) &store=CODE."""
    user: Staff = request.user  # type: ignore[assignment]
    store = access.store_for(user, request.GET.get("store") or None)
    text = request.GET.get("month", "").strip()
    if text:
        try:
            start, _end = month_range(text)
        except ValueError:
            messages.error(request, _("“%(month)s” is not a month (YYYY-MM).") % {"month": text})
            return redirect(reverse("kpi:value"))
    else:
        start = first_of_month(store.today())
    # The diagnostics' group benchmark: the stores of the same dealer group this user sees.
    group = list(access.visible_stores(user).filter(group=store.group_id)) if store.group_id else []
    workbook = build_report_workbook(
        store=store,
        month_start=start,
        language=get_language() or "zh-hans",
        group=group if len(group) > 1 else (),
    )
    return xlsx_response(workbook, f"月度经营报告_{store.code}_{start:%Y-%m}.xlsx")
