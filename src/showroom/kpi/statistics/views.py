"""Screens of the monthly statistics and the KPI overview."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language, pgettext

from showroom.core.months import add_months, last_of_month
from showroom.core.numbers import percent
from showroom.core.periods import requested_month
from showroom.core.sheets import xlsx_response
from showroom.kpi.registry import REGISTRY, implemented_codes
from showroom.kpi.selectors import compute_kpis
from showroom.kpi.statistics.lines import RETENTION, CallMonthReport, Column, WalkInMonthReport
from showroom.kpi.statistics.selectors import call_month_report, walkin_month_report
from showroom.kpi.statistics.workbooks import build_monthly_workbook, comparison_label, period_label
from showroom.organization import access
from showroom.organization.choices import Role
from showroom.organization.models import Staff
from showroom.traffic.models import Call, WalkIn


def _query(**params: str) -> str:
    return "?" + urlencode({k: v for k, v in params.items() if v})


def _cell(column: Column, counts: Any) -> dict[str, Any]:
    value = column.value(counts)
    if value is None:
        text = "—"
    elif column.is_rate:
        text = percent(value)
    else:
        text = str(value)
    return {"text": text, "rate": column.is_rate}


def _cells(columns: list[Column], counts: Any) -> list[dict[str, Any]]:
    return [_cell(c, counts) for c in columns]


def _headers(columns: list[Column]) -> list[dict[str, Any]]:
    """Two header rows: spanning groups above their columns, the others spanning both rows."""
    top: list[dict[str, Any]] = []
    for column in columns:
        if column.group is None:
            top.append({"label": column.label, "rows": 2, "cols": 1})
        elif top and top[-1].get("group") == column.group:
            top[-1]["cols"] += 1
        else:
            top.append({"label": column.group, "group": column.group, "rows": 1, "cols": 1})
    return top


def _heat(n: int, busiest: int) -> str:
    return f"{n / busiest:.2f}" if busiest and n else ""


def _monthly_context(report: WalkInMonthReport | CallMonthReport) -> dict[str, Any]:
    busiest = report.busiest_slot_count
    days = [
        {
            "date": day.date,
            "weekend": day.date.weekday() >= 5,
            "slots": [{"n": n, "heat": _heat(n, busiest)} for n in day.slots],
            "cells": _cells(report.day_columns, day.counts),
        }
        for day in report.days
    ]
    chart = {
        "days": [day.date.day for day in report.days],
        "first": [day.counts.first for day in report.days],
        "retention": [
            None if day.counts.retention_rate is None else round(day.counts.retention_rate * 100, 1)
            for day in report.days
        ],
        "first_label": str(report.day_columns[0].label),
        "retention_label": f"{RETENTION.label} (%)",
    }
    return {
        "report": report,
        "day_headers": _headers(report.day_columns),
        "grade_subheaders": [c.label for c in report.day_columns if c.group],
        "days": days,
        "slot_totals": report.slot_totals,
        "total_cells": _cells(report.day_columns, report.totals),
        "consultant_headers": _headers(report.consultant_columns),
        "consultant_subheaders": [c.label for c in report.consultant_columns if c.group],
        "consultants": [
            {
                "name": row.name,
                "code": row.code,
                "cells": _cells(report.consultant_columns, row.counts),
            }
            for row in report.consultants
        ],
        "consultant_total": _cells(report.consultant_columns, report.totals),
        "month_headers": _headers(report.month_columns),
        "month_subheaders": [c.label for c in report.month_columns if c.group],
        "months": [
            {
                "month": row.month,
                "label": comparison_label(row.offset),
                "cells": _cells(report.month_columns, row.counts),
            }
            for row in report.comparison
        ],
        "summary": [
            {"label": c.label, "text": _cell(c, report.totals)["text"]}
            for c in report.day_columns
            if c.group is None
        ],
        "chart": chart,
    }


def monthly(request: HttpRequest) -> HttpResponse:
    """展厅来店统计表(月) / 展厅来电统计表(月) on the screen."""
    user: Staff = request.user  # type: ignore[assignment]
    store = access.store_for(user, request.GET.get("store") or None)
    month_start, month_end = requested_month(request, today=store.today())
    kind = "calls" if request.GET.get("kind") == "calls" else "walkins"
    report: WalkInMonthReport | CallMonthReport
    if kind == "calls":
        report = call_month_report(
            store=store,
            month_start=month_start,
            month_end=month_end,
            rows=access.statistics_rows(Call.objects.all(), user),
            consultant=access.statistics_consultant(user),
        )
    else:
        report = walkin_month_report(
            store=store,
            month_start=month_start,
            month_end=month_end,
            rows=access.statistics_rows(WalkIn.objects.all(), user),
            consultant=access.statistics_consultant(user),
        )

    stores = list(access.visible_stores(user))
    month = f"{month_start:%Y-%m}"
    store_code = store.code if len(stores) > 1 else ""

    def link(**changes: str) -> str:
        params = {"month": month, "store": store_code, "kind": kind, **changes}
        return _query(**params)

    context = {
        "store": store,
        "stores": stores if len(stores) > 1 else [],
        "month": month,
        "kind": kind,
        "period": period_label(month_start, month_end),
        "own_only": not access.sees_all_rows(user) and not user.has_role(Role.MARKETING),
        "tabs": [
            {
                "kind": "walkins",
                "label": pgettext("monthly statistics", "Walk-ins"),
                "url": link(kind="walkins"),
            },
            {
                "kind": "calls",
                "label": pgettext("monthly statistics", "Calls"),
                "url": link(kind="calls"),
            },
        ],
        "previous_url": link(month=f"{add_months(month_start, -1):%Y-%m}"),
        "next_url": link(month=f"{add_months(month_start, 1):%Y-%m}"),
        "download_url": reverse("kpi:monthly_xlsx") + _query(month=month, store=store_code),
        **_monthly_context(report),
    }
    return render(request, "kpi/monthly.html", context)


def monthly_workbook(request: HttpRequest) -> HttpResponse:
    """Both monthly statistics as one workbook, formatted for printing."""
    user: Staff = request.user  # type: ignore[assignment]
    store = access.store_for(user, request.GET.get("store") or None)
    month_start, month_end = requested_month(request, today=store.today())
    workbook = build_monthly_workbook(
        store=store,
        month_start=month_start,
        month_end=month_end,
        walkins=access.statistics_rows(WalkIn.objects.all(), user),
        calls=access.statistics_rows(Call.objects.all(), user),
        consultant=access.statistics_consultant(user),
        language=get_language() or "zh-hans",
    )
    return xlsx_response(workbook, f"展厅统计表_{store.code}_{month_start:%Y-%m}.xlsx")


def overview(request: HttpRequest) -> HttpResponse:
    """The traffic KPIs for a month, beside the month before, from the registry."""
    user: Staff = request.user  # type: ignore[assignment]
    store = access.store_for(user, request.GET.get("store") or None)
    month_start, month_end = requested_month(request, today=store.today())
    before_start = add_months(month_start, -1)
    codes = [code for code in implemented_codes() if REGISTRY[code].area == "traffic"]
    # The store's own numbers: aggregates of its whole registers, for store-wide readers only.
    current = compute_kpis(stores=[store], start=month_start, end=month_end, codes=codes)
    before = compute_kpis(
        stores=[store], start=before_start, end=last_of_month(before_start), codes=codes
    )
    stores = list(access.visible_stores(user))
    month = f"{month_start:%Y-%m}"
    store_code = store.code if len(stores) > 1 else ""
    rows = []
    for code in codes:
        kpi = REGISTRY[code]
        rows.append(
            {
                "code": code,
                "name": kpi.name,
                "formula": kpi.formula,
                "value": kpi.format(current[code]),
                "before": kpi.format(before[code]),
                "trend": _trend(kpi.good, current[code], before[code]),
            }
        )
    context = {
        "store": store,
        "stores": stores if len(stores) > 1 else [],
        "month": month,
        "period": period_label(month_start, month_end),
        "before_period": period_label(before_start, last_of_month(before_start)),
        "rows": rows,
        "previous_url": _query(month=f"{before_start:%Y-%m}", store=store_code),
        "next_url": _query(month=f"{add_months(month_start, 1):%Y-%m}", store=store_code),
        "monthly_url": reverse("kpi:monthly") + _query(month=month, store=store_code),
    }
    return render(request, "kpi/overview.html", context)


def _trend(good: str | None, value: Any, before: Any) -> str:
    """ "better", "worse" or "" against the month before, by the KPI's good direction."""
    if good is None or not isinstance(value, int | float) or not isinstance(before, int | float):
        return ""
    if value == before:
        return ""
    return "better" if (value > before) == (good == "up") else "worse"
