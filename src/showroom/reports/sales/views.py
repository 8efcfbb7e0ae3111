"""Screens and downloads of the sales reports.

营业日报表 with the manager's review, 意向客户接触状况表, 销售促进战败(失控)分析表 and 夕会.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from showroom.core.months import add_months, first_of_month
from showroom.core.numbers import percent
from showroom.core.periods import requested_month
from showroom.core.sheets import xlsx_response
from showroom.kpi.dashboard.diagnostics import diagnosis
from showroom.kpi.selectors import running_figures
from showroom.kpi.statistics.workbooks import period_label
from showroom.organization import access, permissions
from showroom.organization.models import Staff, Store
from showroom.reports.sales import monthly as report_monthly
from showroom.reports.sales import selectors as reports
from showroom.reports.sales import services
from showroom.reports.sales.daily import daily_overview, daily_report
from showroom.reports.sales.evening import evening_meeting
from showroom.reports.sales.forms import ReviewForm
from showroom.reports.sales.workbooks import contact_status_workbook, loss_analysis_workbook
from showroom.sales.choices import ActivityCategory, ActivityKind

# --- request parameters ---------------------------------------------------------------


def _query(**params: Any) -> str:
    kept = {k: v for k, v in params.items() if v not in (None, "")}
    return "?" + urlencode(kept) if kept else ""


def _store(request: HttpRequest) -> tuple[Store, str]:
    """The store asked for and its code for links (empty when the user sees only one)."""
    user: Staff = request.user  # type: ignore[assignment]
    store = access.store_for(user, request.GET.get("store") or None)
    several = access.sees_several_stores(user)
    return store, store.code if several else ""


def _day(request: HttpRequest, store: Store) -> date:
    """?date=YYYY-MM-DD, or the store's today."""
    text = (request.GET.get("date") or request.POST.get("date") or "").strip()
    if text:
        try:
            return date.fromisoformat(text)
        except ValueError:
            messages.error(request, _("“%(date)s” is not a date (YYYY-MM-DD).") % {"date": text})
    return store.today()


def _consultant_pk(request: HttpRequest) -> int | None:
    text = (request.GET.get("consultant") or request.POST.get("consultant") or "").strip()
    return int(text) if text.isdigit() else None


def optional_url(name: str, user: Staff) -> Callable[..., str]:
    """reverse() for a screen `user` may open: "" when the screen table refuses it to them
    (or another part of the app does not have it yet)."""
    if not permissions.allows(user, name):
        return lambda *args: ""
    try:
        reverse(name, args=[0])
    except NoReverseMatch:
        try:
            plain = reverse(name)
        except NoReverseMatch:
            return lambda *args: ""
        return lambda *args: plain
    return lambda *args: reverse(name, args=args)


def _phones(user: Staff, customers: list[Any]) -> None:
    card_url = optional_url("customers:card", user)
    for customer in access.with_shown_phones(customers, user):
        customer.card_url = card_url(customer.pk)


def _xlsx(
    request: HttpRequest,
    workbook: Any,
    filename: str,
    *,
    kind: str,
    store: Store,
    start: date,
    end: date,
    rows: int,
) -> HttpResponse:
    """The download, recorded: the reports name customers (personal data: docs/security.md)."""
    user: Staff = request.user  # type: ignore[assignment]
    services.record_download(
        store=store, user=user, kind=kind, start=start, end=end, rows=rows, filename=filename
    )
    return xlsx_response(workbook, filename)


# --- screens ----------------------------------------------------------------------------


def index(request: HttpRequest) -> HttpResponse:
    user: Staff = request.user  # type: ignore[assignment]
    store, store_code = _store(request)
    links = [
        {
            "url": reverse("reports:daily") + _query(store=store_code),
            "title": _("Daily activity report"),
            "text": _(
                "Each consultant's contacts of the day by category, new prospects against the "
                "registers, tomorrow's follow-ups and the manager's review."
            ),
        },
        {
            "url": reverse("reports:contact_status") + _query(store=store_code),
            "title": _("Prospect contact status sheet"),
            "text": _(
                "Per consultant and month: prospects carried over and new, contacts made and "
                "planned each day, close ratios."
            ),
        },
        {
            "url": reverse("reports:losses") + _query(store=store_code),
            "title": _("Lost / out-of-control analysis"),
            "text": _(
                "Confirmed lost and out-of-control prospects of the month, with the month-end "
                "summary by reason, model, competitor, consultant and grade."
            ),
        },
    ]
    if permissions.allows(user, "reports:evening"):
        links.insert(
            0,
            {
                "url": reverse("reports:evening") + _query(store=store_code),
                "title": _("Evening meeting"),
                "text": _(
                    "Today per consultant on one page: traffic, new cards, grade changes, "
                    "orders, losses waiting, overdue follow-ups and tomorrow's plan."
                ),
            },
        )
    return render(request, "reports/sales/index.html", {"store": store, "links": links})


def daily(request: HttpRequest) -> HttpResponse:
    """营业日报表 of one consultant and day; the manager also sees every consultant's line."""
    user: Staff = request.user  # type: ignore[assignment]
    store, store_code = _store(request)
    day = _day(request, store)
    consultant = access.pick_consultant(user=user, store=store, pk=_consultant_pk(request))
    return _daily_page(request, store=store, store_code=store_code, day=day, consultant=consultant)


def _daily_page(
    request: HttpRequest,
    *,
    store: Store,
    store_code: str,
    day: date,
    consultant: Staff | None,
    form: ReviewForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user: Staff = request.user  # type: ignore[assignment]
    report = (
        daily_report(user=user, store=store, consultant=consultant, day=day) if consultant else None
    )
    overview = daily_overview(user=user, store=store, day=day) if access.sees_all_rows(user) else []
    review = report.review if report else None
    can_review = (
        bool(consultant)
        and permissions.allows(user, "reports:daily_review")
        and day <= store.today()
    )
    if report:
        _phones(user, [a.customer for a in report.contacts])
        _phones(user, report.new_cards)
        _phones(user, report.planned)

    def link(**changes: Any) -> str:
        params = {
            "date": day.isoformat(),
            "consultant": consultant.pk if consultant and access.sees_all_rows(user) else "",
            "store": store_code,
            **changes,
        }
        return reverse("reports:daily") + _query(**params)

    context = {
        "store": store,
        "store_code": store_code,
        "day": day,
        "consultant": consultant,
        "consultants": access.consultant_choices(user=user, store=store)
        if access.sees_all_rows(user)
        else [],
        "report": report,
        "overview": [
            {"line": line, "url": link(consultant=line.consultant.pk)} for line in overview
        ],
        "categories": ActivityCategory.choices,
        "can_review": can_review,
        "form": form
        or ReviewForm(
            initial={
                "comment": review.comment if review else "",
                "version": review.version if review else 0,
            }
        ),
        "review": review,
        "previous_url": link(date=(day - timedelta(days=1)).isoformat()),
        "next_url": link(date=(day + timedelta(days=1)).isoformat()),
    }
    return render(request, "reports/sales/daily.html", context, status=status)


@require_POST
def daily_review(request: HttpRequest) -> HttpResponse:
    """Save the manager's comment on a consultant's daily report (one per consultant and day)."""
    user: Staff = request.user  # type: ignore[assignment]
    store = access.store_for(user, request.POST.get("store") or None)
    day = _day(request, store)
    consultant = access.pick_consultant(user=user, store=store, pk=_consultant_pk(request))
    if consultant is None:
        raise PermissionDenied
    back = reverse("reports:daily") + _query(
        date=day.isoformat(), consultant=consultant.pk, store=request.POST.get("store")
    )
    form = ReviewForm(request.POST)
    if day > store.today():
        messages.error(request, _("A day that has not come yet cannot be reviewed."))
        return redirect(back)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(back)
    saved = services.review_day(
        store=store,
        consultant=consultant,
        day=day,
        reviewer=user,
        comment=form.cleaned_data["comment"],
        expected_version=form.cleaned_data["version"],
    )
    if saved is None:
        # Saving again now replaces the other review, knowingly.
        current = daily_report(user=user, store=store, consultant=consultant, day=day)
        data = request.POST.copy()
        data["version"] = str(current.review.version if current.review else 0)
        form = ReviewForm(data)
        form.add_error(
            None,
            _(
                "Not saved: someone else reviewed this day after you opened it. "
                "What you typed is kept; check it and save again."
            ),
        )
        several = access.sees_several_stores(user)
        return _daily_page(
            request,
            store=store,
            store_code=store.code if several else "",
            day=day,
            consultant=consultant,
            form=form,
            status=409,
        )
    messages.success(request, _("Review saved."))
    return redirect(back)


def _contact_consultants(
    request: HttpRequest, user: Staff, store: Store, *, allow_all: bool
) -> tuple[list[Staff], Staff | None]:
    """The sheets asked for: one consultant's, or (store-wide readers) everyone's."""
    if allow_all and request.GET.get("consultant") == "all" and access.sees_all_rows(user):
        return access.consultant_choices(user=user, store=store), None
    consultant = access.pick_consultant(user=user, store=store, pk=_consultant_pk(request))
    return ([consultant] if consultant else []), consultant


def contact_status(request: HttpRequest) -> HttpResponse:
    """意向客户接触状况表 of one consultant and month."""
    user: Staff = request.user  # type: ignore[assignment]
    store, store_code = _store(request)
    month_start, month_end = requested_month(request, today=store.today())
    chosen, consultant = _contact_consultants(request, user, store, allow_all=False)
    report = report_monthly.contact_status(
        user=user, store=store, month_start=month_start, month_end=month_end, consultants=chosen
    )
    for each in report.sheets:
        _phones(user, [row.customer for row in each.rows])
    month = f"{month_start:%Y-%m}"
    sees_all = access.sees_all_rows(user)

    def link(**changes: Any) -> str:
        params = {
            "month": month,
            "consultant": consultant.pk if consultant and sees_all else "",
            "store": store_code,
            **changes,
        }
        return _query(**params)

    sheet = report.sheets[0] if report.sheets else None
    sections: list[dict[str, Any]] = []
    groups: list[tuple[str, Any, str]] = []
    if sheet:
        sections = [
            {
                "label": _("Carried over from last month"),
                "rows": [r for r in sheet.rows if r.carried],
            },
            {"label": _("New in the month"), "rows": [r for r in sheet.rows if not r.carried]},
        ]
        groups = [
            (label, counts, percent(counts.close_ratio))
            for label, counts in (
                (_("Carried over"), sheet.carried),
                (_("New"), sheet.new),
                (pgettext("contact status", "Total"), sheet.total),
            )
        ]
    context = {
        "store": store,
        "store_code": store_code,
        "month": month,
        "period": period_label(month_start, month_end),
        "consultant": consultant,
        "sections": sections,
        "groups": groups,
        "consultants": access.consultant_choices(user=user, store=store) if sees_all else [],
        "report": report,
        "sheet": sheet,
        "marks": [(str(reports.KIND_MARKS[value]), label) for value, label in ActivityKind.choices],
        "previous_url": link(month=f"{add_months(month_start, -1):%Y-%m}"),
        "next_url": link(month=f"{add_months(month_start, 1):%Y-%m}"),
        "download_url": reverse("reports:contact_status_xlsx") + link(),
        "download_all_url": reverse("reports:contact_status_xlsx") + link(consultant="all")
        if sees_all
        else "",
    }
    return render(request, "reports/sales/contact_status.html", context)


def contact_status_xlsx(request: HttpRequest) -> HttpResponse:
    user: Staff = request.user  # type: ignore[assignment]
    store, _code = _store(request)
    month_start, month_end = requested_month(request, today=store.today())
    chosen, consultant = _contact_consultants(request, user, store, allow_all=True)
    report = report_monthly.contact_status(
        user=user, store=store, month_start=month_start, month_end=month_end, consultants=chosen
    )
    workbook = contact_status_workbook(report, language=get_language() or "zh-hans")
    who = f"_{consultant.staff_code or consultant.pk}" if consultant else ""
    return _xlsx(
        request,
        workbook,
        f"意向客户接触状况表_{store.code}{who}_{month_start:%Y-%m}.xlsx",
        kind="contact_status",
        store=store,
        start=month_start,
        end=month_end,
        rows=sum(len(sheet.rows) for sheet in report.sheets),
    )


def losses(request: HttpRequest) -> HttpResponse:
    """销售促进战败(失控)分析表 of a month."""
    user: Staff = request.user  # type: ignore[assignment]
    store, store_code = _store(request)
    month_start, month_end = requested_month(request, today=store.today())
    analysis = report_monthly.loss_analysis(
        user=user, store=store, month_start=month_start, month_end=month_end
    )
    _phones(user, [r.customer for r in [*analysis.confirmed, *analysis.waiting]])
    for record in [*analysis.confirmed, *analysis.waiting]:
        record.reason_label = report_monthly.reason_label(record.reason)  # type: ignore[attr-defined]
    month = f"{month_start:%Y-%m}"
    context = {
        "store": store,
        "store_code": store_code,
        "month": month,
        "period": period_label(month_start, month_end),
        "analysis": analysis,
        "own_only": not access.sees_all_rows(user),
        "pending_url": optional_url("deals:losses_pending", user)(),
        "previous_url": _query(month=f"{add_months(month_start, -1):%Y-%m}", store=store_code),
        "next_url": _query(month=f"{add_months(month_start, 1):%Y-%m}", store=store_code),
        "download_url": reverse("reports:losses_xlsx") + _query(month=month, store=store_code),
    }
    return render(request, "reports/sales/losses.html", context)


def losses_xlsx(request: HttpRequest) -> HttpResponse:
    user: Staff = request.user  # type: ignore[assignment]
    store, _code = _store(request)
    month_start, month_end = requested_month(request, today=store.today())
    analysis = report_monthly.loss_analysis(
        user=user, store=store, month_start=month_start, month_end=month_end
    )
    workbook = loss_analysis_workbook(analysis, language=get_language() or "zh-hans")
    return _xlsx(
        request,
        workbook,
        f"战败失控分析表_{store.code}_{month_start:%Y-%m}.xlsx",
        kind="loss_analysis",
        store=store,
        start=month_start,
        end=month_end,
        rows=len(analysis.confirmed) + len(analysis.waiting),
    )


def evening(request: HttpRequest) -> HttpResponse:
    """夕会: the day per consultant on one page, for the manager."""
    user: Staff = request.user  # type: ignore[assignment]
    store, store_code = _store(request)
    day = _day(request, store)
    today = store.today()
    # Today's meeting (and the month's diagnostics) are counted again every minute, and after
    # the user's own write: a dozen visits a minute need not count the day a dozen times.
    if day == today:
        dated = running_figures(
            name="evening",
            stores=[store],
            key=(day, user.pk),
            end=day,
            today=today,
            user_id=user.pk,
            compute=lambda: evening_meeting(user=user, store=store, day=day),
        )
        report, counted_at = dated.value, dated.computed_at
    else:
        report, counted_at = evening_meeting(user=user, store=store, day=day), None
    daily_url = reverse("reports:daily")
    rows = [
        {
            "line": line,
            "daily_url": daily_url
            + _query(date=day.isoformat(), consultant=line.consultant.pk, store=store_code),  # type: ignore[union-attr]
        }
        for line in report.lines
    ]
    _phones(user, report.new_cards)
    findings = diagnosis(store=store, start=first_of_month(day), end=day, user_id=user.pk)
    for record in report.losses_waiting:
        record.reason_label = report_monthly.reason_label(record.reason)  # type: ignore[attr-defined]
    context = {
        "store": store,
        "day": day,
        "report": report,
        "rows": rows,
        "is_today": day == today,
        "as_of": min(counted_at, findings.computed_at) if counted_at else None,
        "pending_url": optional_url("deals:losses_pending", user)(),
        "previous_url": _query(date=(day - timedelta(days=1)).isoformat(), store=store_code),
        "next_url": _query(date=(day + timedelta(days=1)).isoformat(), store=store_code),
        # 诊断: the month to date against the store's previous three months.
        "findings": findings.value,
        "diagnostics_period": period_label(first_of_month(day), day),
    }
    return render(request, "reports/sales/evening.html", context)
