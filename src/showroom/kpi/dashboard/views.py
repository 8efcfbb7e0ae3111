"""The dashboards: the store dashboard, the wall board, stores side by side and the rows behind
every number (drill-down). Numbers come from `showroom.kpi.dashboard.selectors` (compute_kpis
and the registry); rows from `showroom.kpi.dashboard.drill`, scoped by
`showroom.organization.access`."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import quote_plus

from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils.dateparse import parse_date
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from showroom.core.hooks import panels
from showroom.core.months import add_months, first_of_month
from showroom.core.numbers import percent
from showroom.core.periods import requested_month
from showroom.crm.crosscheck.checks import open_count
from showroom.kpi import hooks
from showroom.kpi.dashboard import selectors as dash
from showroom.kpi.dashboard.diagnostics import diagnosis
from showroom.kpi.dashboard.drill import DRILLS, HEADERS, drill_rows, line
from showroom.kpi.dashboard.funnel import STAGE_DRILL
from showroom.kpi.registry import KPI, REGISTRY
from showroom.kpi.selectors import NONE_KEY, RUNNING_SIDE_BY_SIDE_SECONDS, running_figures
from showroom.kpi.statistics.workbooks import period_label
from showroom.organization import access, permissions
from showroom.organization.models import Staff, Store

DRILL_PAGE = 50
BOARD_REFRESH_SECONDS = 60


def _report_link(user: Staff, store: Store, month: date) -> str | None:
    """The monthly report workbook of the month and store shown, one click away."""
    url = _link(user, "kpi:report_xlsx")
    if url is None:
        return None
    return url + "?" + urlencode({"month": f"{month:%Y-%m}", "store": store.code})


def _link(user: Staff, name: str) -> str | None:
    """The URL of the screen `name` if `user` may open it, else None (no link shown)."""
    if not permissions.allows(user, name):
        return None
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _query(**params: Any) -> str:
    """The query string of `params` (those given), as `urlencode` spells it. A dashboard links
    some 400 numbers to their rows, of a few dozen distinct values: each is quoted once."""
    return "?" + "&".join(
        f"{_quoted(key)}={_quoted(str(value))}"
        for key, value in params.items()
        if value not in (None, "", False)
    )


@functools.lru_cache(maxsize=4096)
def _quoted(text: str) -> str:
    return quote_plus(text)


@functools.lru_cache(maxsize=16)
def _drill_path(script_prefix: str) -> str:
    return reverse("kpi:drill")


def drill_url(code: str, **params: Any) -> str:
    return _drill_path(get_script_prefix()) + _query(kpi=code, **params)


def _stores(user: Staff) -> list[Store]:
    return list(access.visible_stores(user))


# --- the dashboard ----------------------------------------------------------------------------


def _rate_or_count(code: str, value: Any) -> dict[str, Any]:
    kpi = REGISTRY[code]
    sort = value if isinstance(value, int | float) else None
    return {"text": kpi.format(value), "sort": sort, "code": code}


def _table(
    rows: list[dash.Row], codes: tuple[str, ...], by: str, link: Callable[..., str]
) -> dict[str, Any]:
    return {
        "by": by,
        "columns": [
            {"code": c, "name": REGISTRY[c].name, "good": REGISTRY[c].good or ""} for c in codes
        ],
        "rows": [
            {
                "label": row.label,
                "cells": [
                    {
                        **_rate_or_count(c, row.values.get(c)),
                        "url": link(c, by=by, key=row.drill_key) if row.drill_key else None,
                    }
                    for c in codes
                ],
            }
            for row in rows
        ],
    }


def dashboard(request: HttpRequest) -> HttpResponse:
    """The store's month: KPI cards, funnel, trend, league, breakdowns and traffic heatmap."""
    user: Staff = request.user  # type: ignore[assignment]
    store = access.store_for(user, request.GET.get("store") or None)
    month_start, month_end = requested_month(request, today=store.today())
    stores = _stores(user)
    month = f"{month_start:%Y-%m}"
    store_code = store.code if len(stores) > 1 else ""

    rows_visible = access.sees_all_rows(user)

    def link(code: str, **params: Any) -> str:
        """The rows behind a number; none for a role that reads aggregates only."""
        if not rows_visible:
            return ""
        return drill_url(code, month=month, store=store_code, **params)

    today = store.today()
    started = month_start <= today
    figures = dash.month_figures(
        store=store, month_start=month_start, month_end=month_end, today=today, user_id=user.pk
    )
    pack, stages, lead_stages = figures.value.pack, figures.value.stages, figures.value.lead_stages
    series, heat = figures.value.trend, figures.value.heat
    league, sources, models = figures.value.league, figures.value.sources, figures.value.models
    tiles = dash.traffic(pack.current)
    findings = diagnosis(
        store=store,
        start=month_start,
        end=month_end,
        user_id=user.pk,
        group_stores=stores if len(stores) > 1 else None,
        period=pack.current if started else None,
    )
    # The other apps' panels (the target's progress) are figures of the month too.
    shown = running_figures(
        name="dashboard-panels",
        stores=[store],
        key=(month_start, month_end, user.pk),
        end=month_end,
        today=today,
        user_id=user.pk,
        compute=lambda: panels(
            hooks.dashboard_panels, user=user, store=store, month=month_start, today=today
        ),
    )

    charts = {
        "funnel": [
            {
                "name": str(s.label),
                "value": s.count,
                "conversion": None if s.conversion is None else round(s.conversion * 100, 1),
                "url": link(STAGE_DRILL) if s.key == "prospects" else "",
            }
            for s in stages
        ],
        "trend": {
            "months": [f"{m:%Y-%m}" for m in series.months],
            "series": [
                {
                    "name": REGISTRY[code].name,
                    "data": values,
                    "urls": [
                        drill_url(code, month=f"{m:%Y-%m}", store=store_code)
                        if rows_visible
                        else ""
                        for m in series.months
                    ],
                }
                for code, values in series.series.items()
            ],
        },
        "heatmap": {
            "slots": heat.slots,
            "weekdays": heat.weekdays,
            "max": heat.busiest,
            # [slot index, weekday index, n] as ECharts' heatmap takes them.
            "cells": [[s, w, n] for w, row in enumerate(heat.cells) for s, n in enumerate(row)],
            "urls": [
                [
                    link("walkin_batches", weekday=w + 1, slot=heat.slot_hours[s])
                    for s in range(len(heat.slots))
                ]
                for w in range(7)
            ],
        },
        "labels": {
            "conversion": _("Conversion from the stage before"),
            "rows": _("Walk-in parties"),
        },
    }

    context = {
        "store": store,
        "stores": stores if len(stores) > 1 else [],
        "month": month,
        "period": period_label(month_start, month_end),
        "previous_url": _query(month=f"{add_months(month_start, -1):%Y-%m}", store=store_code),
        "next_url": _query(month=f"{add_months(month_start, 1):%Y-%m}", store=store_code),
        "cards": [{"card": card, "url": link(card.code)} for card in pack.cards],
        "stages": [
            {
                "stage": s,
                "conversion": percent(s.conversion),
                "share": percent(s.share),
                "url": link(STAGE_DRILL) if s.key == "prospects" else "",
            }
            for s in stages
        ],
        "lead_stages": [
            {"stage": s, "conversion": percent(s.conversion), "share": percent(s.share)}
            for s in lead_stages
        ],
        "traffic": [{"tile": t, "url": link(t.drill_code, hits=t.drill_hits)} for t in tiles],
        "league": _table(league, dash.LEAGUE_CODES, "consultant", link),
        "sources": _table(sources, dash.SOURCE_CODES, "source", link),
        "models": _table(models, dash.MODEL_CODES, "model", link),
        "heat": heat,
        "charts": charts,
        "board_url": _link(user, "kpi:board"),
        "group_url": _link(user, "kpi:group") if len(stores) > 1 else None,
        "report_url": _report_link(user, store, month_start),
        # Diagnostics and the open cross-check exceptions come from kpi.diagnostics and
        # crm.crosscheck; the target progress is a panel of a higher app.
        "findings": findings.value,
        # A month under way is counted again every minute (and after the user's own write).
        "as_of": (
            min(figures.computed_at, findings.computed_at, shown.computed_at)
            if started and month_end >= today
            else None
        ),
        "crosscheck_open": open_count(store=store),
        "crosscheck_url": _link(user, "crm:crosscheck"),
        "panels": shown.value,
        "rows_visible": rows_visible,
    }
    return render(request, "kpi/dashboard.html", context)


# --- the wall board -----------------------------------------------------------------------


def board(request: HttpRequest) -> HttpResponse:
    """目视化管理: today's traffic, the consultants' month, the month's funnel; the page polls
    its panel every minute (htmx) to stay current on the showroom's screen."""
    user: Staff = request.user  # type: ignore[assignment]
    store = access.store_for(user, request.GET.get("store") or None)
    now = store.now()
    today = now.date()
    month_start = first_of_month(today)
    targets = next(iter(hooks.consultant_targets.results(store=store, today=today)), None)
    progress = dash.consultant_progress(
        store=store,
        month_start=month_start,
        today=today,
        targets=targets.consultants if targets else (),
    )
    stages = dash.funnel(stores=[store], start=month_start, end=today)
    top = max((p.deliveries for p in progress), default=0)
    context = {
        "store": store,
        "now": now,
        "today": dash.today_traffic(store=store, today=today),
        "progress": progress,
        "top": top,
        "store_target": targets.target if targets else None,
        "store_achieved": targets.achieved if targets else None,
        "has_targets": any(p.target for p in progress),
        "stages": stages,
        "funnel": [{"name": str(s.label), "value": s.count} for s in stages],
        "refresh": BOARD_REFRESH_SECONDS,
        "panel_url": reverse("kpi:board") + _query(store=request.GET.get("store"), panel=1),
    }
    if request.GET.get("panel"):
        return render(request, "kpi/board_panel.html", context)
    return render(request, "kpi/board.html", context)


# --- stores side by side ----------------------------------------------------------------------


def _group_table(
    request: HttpRequest, ranking: dash.Ranking, *, kpi: KPI, columns: list[KPI], month: str
) -> str:
    """The ranking's table, rendered once for each counting of the figures: a group's 200
    stores are 1,600 cells with their links, most of the page's time, and every group login
    looking at the same month in the same minute is shown the same table."""
    stores = sorted(row.store.pk for row in ranking.rows)
    ident = repr((stores, kpi.code, month, ranking.computed_at.isoformat(), get_language()))
    key = "kpi:group-table:" + hashlib.sha256(ident.encode()).hexdigest()
    table: str | None = cache.get(key)
    if table is not None:
        return mark_safe(table)
    rows = [
        {
            "store": row.store,
            "rank": row.rank,
            "value": kpi.format(row.values[kpi.code]),
            "url": drill_url(kpi.code, month=month, store=row.store.code),
            "dashboard": reverse("kpi:dashboard") + _query(month=month, store=row.store.code),
            "cells": [
                {
                    "code": c.code,
                    "text": c.format(row.values[c.code]),
                    "url": drill_url(c.code, month=month, store=row.store.code),
                }
                for c in columns
            ],
        }
        for row in ranking.rows
    ]
    context = {
        "kpi": kpi,
        "columns": columns,
        "rows": rows,
        "total": kpi.format(ranking.total[kpi.code]),
        "total_cells": [{"code": c.code, "text": c.format(ranking.total[c.code])} for c in columns],
    }
    table = render_to_string("kpi/_group_table.html", context, request=request)
    # As long as a running month's figures are reused; a new counting has a new key.
    cache.set(key, table, RUNNING_SIDE_BY_SIDE_SECONDS)
    return table


def group(request: HttpRequest) -> HttpResponse:
    """The visible stores ranked on one KPI, best first by the registry's direction, with the
    stores' total and a few key KPIs beside it."""
    user: Staff = request.user  # type: ignore[assignment]
    stores = _stores(user)
    if not stores:
        raise Http404
    home = access.store_for(user)
    month_start, month_end = requested_month(request, today=home.today())
    choices = dash.rankable_codes()
    code = request.GET.get("kpi") or "deliveries"
    if code not in choices:
        messages.error(request, _("Unknown KPI: %(code)s") % {"code": code})
        code = "deliveries"
    today = home.today()
    ranking = dash.store_ranking(
        stores=stores, start=month_start, end=month_end, code=code, today=today, user_id=user.pk
    )
    month = f"{month_start:%Y-%m}"
    kpi = REGISTRY[code]
    columns = [REGISTRY[c] for c in ranking.codes]
    chart = {
        "stores": [r.store.name for r in ranking.rows][::-1],
        "values": [_chart_value(kpi.kind, r.values[code]) for r in ranking.rows][::-1],
        "name": kpi.name,
        "percent": kpi.kind == "rate",
    }
    context = {
        "month": month,
        "period": period_label(month_start, month_end),
        "kpi": kpi,
        "choices": [REGISTRY[c] for c in choices],
        "table": _group_table(request, ranking, kpi=kpi, columns=columns, month=month),
        "chart": chart,
        "one_store": len(stores) == 1,
        # The running month's figures are reused for a minute: say as of when.
        "as_of": ranking.computed_at if month_end >= today else None,
        "previous_url": _query(month=f"{add_months(month_start, -1):%Y-%m}", kpi=code),
        "next_url": _query(month=f"{add_months(month_start, 1):%Y-%m}", kpi=code),
    }
    return render(request, "kpi/group.html", context)


def _chart_value(kind: str, value: Any) -> float | None:
    if not isinstance(value, int | float):
        return None
    return round(value * 100, 1) if kind == "rate" else value


# --- drill-down ---------------------------------------------------------------------------


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


def drill(request: HttpRequest) -> HttpResponse:
    """The rows behind one number: ?kpi=CODE&month=YYYY-MM (or &day=YYYY-MM-DD), optionally
    &by=consultant|source|model&key=…, &hits=1 (a rate's numerator), &weekday=&slot=."""
    user: Staff = request.user  # type: ignore[assignment]
    code = request.GET.get("kpi", "")
    if code not in DRILLS:
        raise Http404
    store = access.store_for(user, request.GET.get("store") or None)
    day = parse_date(request.GET.get("day", "") or "") if request.GET.get("day") else None
    if day is not None:
        start = end = day
    else:
        start, end = requested_month(request, today=store.today())
    by = request.GET.get("by") or None
    key = request.GET.get("key") or None
    hits = request.GET.get("hits") == "1"
    weekday, slot = _int(request.GET.get("weekday")), _int(request.GET.get("slot"))
    spec = DRILLS[code]
    qs = drill_rows(
        user=user,
        store=store,
        code=code,
        start=start,
        end=end,
        group_by=by,
        key=key,
        hits=hits,
        weekday=weekday,
        slot=slot,
    )
    page = Paginator(qs, DRILL_PAGE).get_page(request.GET.get("page"))
    kpi = REGISTRY[code]
    stores = _stores(user)
    store_code = store.code if len(stores) > 1 else ""
    month = f"{start:%Y-%m}"
    params = {
        "kpi": code,
        "store": store_code,
        "month": "" if day else month,
        "day": f"{day:%Y-%m-%d}" if day else "",
        "by": by or "",
        "key": key or "",
        "hits": "1" if hits else "",
        "weekday": weekday or "",
        "slot": "" if slot is None else slot,
    }
    group_label = _group_label(store, by, key)
    filters = []
    if group_label:
        filters.append(group_label)
    if hits and spec.hits is not None:
        filters.append(_("Counted in the numerator only"))
    if weekday:
        filters.append(dash.heatmap_weekday(weekday))
    if slot is not None:
        filters.append(_("Arrived %(start)d:00–%(end)d:00") % {"start": slot, "end": slot + 1})
    context = {
        "store": store,
        "kpi": kpi,
        "period": f"{day:%Y-%m-%d}" if day else period_label(start, end),
        "filters": filters,
        "headers": HEADERS[spec.table],
        "lines": [line(spec.table, row, user) for row in page.object_list],
        "page": page,
        "page_query": _query(**params).lstrip("?"),
        "all_url": (
            drill_url(code, **{k: v for k, v in params.items() if k in {"store", "month", "day"}})
            if (by or hits or weekday or slot is not None)
            else None
        ),
        "hits_url": (
            reverse("kpi:drill") + _query(**{**params, "hits": "1"})
            if spec.hits is not None and not hits
            else None
        ),
        "other": REGISTRY[spec.other] if spec.other else None,
        "other_url": (
            drill_url(spec.other, store=store_code, month=params["month"], day=params["day"])
            if spec.other
            else None
        ),
        "dashboard_url": reverse("kpi:dashboard") + _query(month=month, store=store_code),
        "rows_visible": access.sees_all_rows(user),
    }
    return render(request, "kpi/drill.html", context)


def _group_label(store: Store, by: str | None, key: str | None) -> str:
    if not by or key is None:
        return ""
    if key == NONE_KEY:
        names = {
            "consultant": _("Without a consultant"),
            "source": _("Without a source"),
            "model": _("Without a model"),
        }
        return names.get(by, "")
    if by == "consultant":
        staff = dash.staff_member(store=store, pk=_int(key) or 0)
        return _("Consultant: %(name)s") % {"name": staff or key}
    if by == "source":
        return _("Source: %(name)s") % {"name": dash.source_names(store).get(key, key)}
    if by == "model":
        return _("Model: %(name)s") % {"name": key}
    return ""
