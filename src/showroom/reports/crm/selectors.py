"""The CRM department's reports (CRM部门产出报告): each department's customer
conversion, the dormant prospects, and the deals by model, source and consultant with the
value-added penetration. The lost-customer analysis is the sales reports' 战败(失控)分析表
(`showroom.reports.sales.monthly.loss_analysis`), linked from the CRM's report list.

Aggregates only, never a customer's name or phone, in a constant number of queries: KPIs come
from `showroom.kpi.selectors.compute_kpis`; what no KPI counts (a lead that later visited or
ordered, a CRM list entry won, an owner's referral) is one conditional aggregate per department.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from showroom.core.numbers import rate
from showroom.crm.choices import AFTERSALES_KINDS
from showroom.crm.lists import builders as lists
from showroom.crm.lists import selectors as list_selectors
from showroom.crm.models import CallListEntry
from showroom.customers.choices import DORMANT_DAYS
from showroom.customers.models import Customer
from showroom.kpi.selectors import NONE_KEY, SHOWROOM_ORDERS, compute_kpis, kpis_by_id
from showroom.organization.models import Store
from showroom.reports.crm.channels import NO_SOURCE, source_names
from showroom.sales.funnel import PROSPECT
from showroom.sales.models import Order
from showroom.traffic.choices import CallType
from showroom.traffic.models import Call, Lead, WalkIn

# Age bands of the dormant report, in days since the last contact (lower bounds).
DORMANT_BANDS = (90, 180, 365)


# --- department efficiency ----------------------------------------------------------------


@dataclass
class DepartmentLine:
    key: str
    department: str
    entered_label: str  # what the department brings in
    entered: int
    visited: int | None  # of them, how many came to the store (None: they are visits)
    ordered: int  # of them, how many ordered (a CRM list entry: won, an order or a visit back)

    @property
    def visit_rate(self) -> float | None:
        return None if self.visited is None else rate(self.visited, self.entered)

    @property
    def conversion(self) -> float | None:
        return rate(self.ordered, self.entered)


@dataclass
class Efficiency:
    start: date
    end: date
    lines: list[DepartmentLine]
    kpis: dict[str, Any]  # the store's KPIs the lines rest on (close_rate, show_rate, …)


def _walked_in_after(end: date, since: str) -> Exists:
    """A walk-in of the same store and phone on or after the outer row's `since`, by `end`."""
    return Exists(
        WalkIn.objects.filter(
            store=OuterRef("store"),
            phone_norm=OuterRef("phone_norm"),
            date__gte=OuterRef(since),
            date__lte=end,
        )
    )


def _ordered_after(end: date, since: str, *, cards: bool) -> Exists:
    """An order (not cancelled by `end`) of the same person on or after the outer row's `since`,
    by `end`: the card's own orders for cards, the orders of a card with the row's phone
    otherwise."""
    person = (
        {"customer": OuterRef("pk")}
        if cards
        else {"store": OuterRef("store"), "customer__phone_norm": OuterRef("phone_norm")}
    )
    return Exists(
        Order.objects.filter(**person, order_date__gte=OuterRef(since), order_date__lte=end).filter(
            Q(cancelled_on__isnull=True) | Q(cancelled_on__gt=end)
        )
    )


def _funnel_counts(qs: QuerySet[Any], end: date, *, cards: bool = False) -> dict[str, int]:
    # A field, not an annotation: aggregate() loses an annotation referenced from a subquery.
    since = "created" if cards else "date"
    has_phone = ~Q(phone_norm="")
    return qs.aggregate(
        entered=Count("pk"),
        visited=Count("pk", filter=has_phone & Q(_walked_in_after(end, since))),
        ordered=Count(
            "pk", filter=Q(_ordered_after(end, since, cards=cards)) & (Q() if cards else has_phone)
        ),
    )


def department_efficiency(*, store: Store, start: date, end: date) -> Efficiency:
    """Each department's customer conversion for start..end (各部门客户效率分析).

    - Showroom: first visits (first_visit_batches) → showroom orders (close_rate's numerator);
    - DCC: leads and first calls of the period → those whose phone then walked in → ordered
      (a walk-in or order on or after the lead's or call's date, by the period's end);
    - CRM: list entries submitted in the period → won, the screening and activation lists
      (to sales: an order) apart from the after-sales solicitation (to service: a visit back);
    - after-sales referrals: prospects created in the period whom an owner referred → visited
      → ordered (from the card's date).
    """
    kpis = kpis_by_id(
        stores=[store],
        start=start,
        end=end,
        by=None,
        codes=["first_visit_batches", "close_rate", "leads", "first_call_batches", "show_rate"],
        with_showroom_orders=True,
    )[None]
    showroom_orders = kpis[SHOWROOM_ORDERS]
    lines = [
        DepartmentLine(
            "showroom",
            str(pgettext_lazy("department", "Showroom")),
            str(_("First visits")),
            kpis["first_visit_batches"],
            None,
            showroom_orders,
        )
    ]
    leads = _funnel_counts(Lead.objects.filter(store=store, date__range=(start, end)), end)
    lines.append(
        DepartmentLine(
            "dcc_leads",
            str(_("DCC: leads")),
            str(_("Leads")),
            leads["entered"],
            leads["visited"],
            leads["ordered"],
        )
    )
    calls = Call.objects.filter(store=store, date__range=(start, end), call_type=CallType.FIRST)
    first_calls = _funnel_counts(calls, end)
    lines.append(
        DepartmentLine(
            "dcc_calls",
            str(_("DCC: incoming calls")),
            str(_("First calls")),
            first_calls["entered"],
            first_calls["visited"],
            first_calls["ordered"],
        )
    )
    entries = CallListEntry.objects.filter(store=store, submitted_on__range=(start, end))
    after_sales = Q(call_list__kind__in=AFTERSALES_KINDS)
    won = list_selectors.won_q()  # a win is computed from orders and visits, not stored
    crm = entries.aggregate(
        sales=Count("pk", filter=~after_sales),
        sales_won=Count("pk", filter=~after_sales & won),
        service=Count("pk", filter=after_sales),
        service_won=Count("pk", filter=after_sales & won),
    )
    lines.append(
        DepartmentLine(
            "crm",
            str(_("CRM: screening and activation lists")),
            str(_("Submitted to sales")),
            crm["sales"],
            None,
            crm["sales_won"],
        )
    )
    lines.append(
        DepartmentLine(
            "crm_aftersales",
            str(_("CRM: after-sales solicitation")),
            str(_("Submitted to the service department")),
            crm["service"],
            None,
            crm["service_won"],
        )
    )
    referred = Customer.objects.filter(PROSPECT, store=store, created__range=(start, end)).filter(
        Q(referred_by__isnull=False) | Q(source__code="owner_referral")
    )
    ref = _funnel_counts(referred, end, cards=True)
    lines.append(
        DepartmentLine(
            "referrals",
            str(_("After-sales: owner referrals")),
            str(_("Referred prospects")),
            ref["entered"],
            ref["visited"],
            ref["ordered"],
        )
    )
    return Efficiency(start, end, lines, kpis)


# --- dormant prospects --------------------------------------------------------------------


@dataclass
class DormantLine:
    consultant: str
    counts: list[int]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass
class DormantReport:
    on: date
    days: int
    bands: list[str]
    lines: list[DormantLine]
    total: DormantLine = field(default_factory=lambda: DormantLine("", []))


def dormant_prospects(*, store: Store, on: date, days: int = DORMANT_DAYS) -> QuerySet[Customer]:
    """Open prospects of `store` on `on` with no contact in the last `days` days, each with
    `last_contact` (the one definition of the dormant list, crm.lists.builders.quiet_prospects)."""
    return lists.quiet_prospects(store=store, on=on, days=days)


def _bands(days: int) -> list[int]:
    return sorted({days, *(b for b in DORMANT_BANDS if b > days)})


def dormant_report(*, store: Store, on: date, days: int = DORMANT_DAYS) -> DormantReport:
    """Dormant prospects per consultant and age band (days since the last contact)."""
    bands = _bands(days)
    band = Case(
        *[
            When(last_contact__gt=on - timedelta(days=upper), then=Value(i))
            for i, upper in enumerate(bands[1:])
        ],
        default=Value(len(bands) - 1),
        output_field=IntegerField(),
    )
    rows = (
        dormant_prospects(store=store, on=on, days=days)
        .annotate(band=band)
        .order_by()
        .values("band", "consultant_id", "consultant__full_name", "consultant__username")
        .annotate(n=Count("pk"))
    )
    lines: dict[Any, DormantLine] = {}
    for row in rows:
        name = row["consultant__full_name"] or row["consultant__username"] or str(_("Nobody"))
        line = lines.setdefault(row["consultant_id"], DormantLine(name, [0] * len(bands)))
        line.counts[row["band"]] += row["n"]
    ordered = sorted(lines.values(), key=lambda ln: (-ln.total, ln.consultant))
    labels = [
        f"{lo}–{hi - 1}" if hi else f"≥{lo}"
        for lo, hi in zip(bands, [*bands[1:], None], strict=True)
    ]
    total = DormantLine(
        str(_("Total")), [sum(ln.counts[i] for ln in ordered) for i in range(len(bands))]
    )
    return DormantReport(on, days, labels, ordered, total)


# --- deals --------------------------------------------------------------------------------

DEAL_CODES = (
    "orders",
    "deliveries",
    "insurance_penetration",
    "finance_penetration",
    "accessory_penetration",
    "tradein_penetration",
)


@dataclass
class DealLine:
    label: str
    values: dict[str, Any]


@dataclass
class DealReport:
    start: date
    end: date
    by_model: list[DealLine]
    by_source: list[DealLine]
    by_consultant: list[DealLine]
    total: DealLine

    @property
    def tables(self) -> list[tuple[str, list[DealLine]]]:
        return [
            (str(_("By model")), self.by_model),
            (str(_("By source")), self.by_source),
            (str(_("By consultant")), self.by_consultant),
        ]


def deal_report(*, store: Store, start: date, end: date) -> DealReport:
    """Orders and deliveries of start..end with the value-added penetration (insurance,
    finance, accessories, trade-in) by model, by source and by consultant — the registry's
    KPIs, grouped by the order's model, source and consultant."""
    stores = [store]
    total = compute_kpis(stores=stores, start=start, end=end, codes=DEAL_CODES)
    grouped = {
        by: compute_kpis(stores=stores, start=start, end=end, by=by, codes=DEAL_CODES)
        for by in ("model", "source", "consultant")
    }
    names = source_names(store, set(grouped["source"]))
    none_labels = {"model": str(_("No model")), "source": str(NO_SOURCE), "consultant": "—"}

    def lines(by: str) -> list[DealLine]:
        result = [
            DealLine(
                none_labels[by]
                if key == NONE_KEY
                else (names.get(key, key) if by == "source" else key),
                values,
            )
            for key, values in grouped[by].items()
        ]
        return sorted(result, key=lambda ln: (-ln.values["deliveries"], -ln.values["orders"]))

    return DealReport(
        start,
        end,
        lines("model"),
        lines("source"),
        lines("consultant"),
        DealLine(str(_("Total")), total),
    )
