"""Media channel efficiency (媒体投放渠道分析): spend per channel and model against the
leads, first visits, orders and deliveries they brought, and what each of those cost.

Counts are the registry's KPIs from `showroom.kpi.selectors.compute_kpis` grouped by source
and by model (leads by their channel, first visits by the walk-in row's source, orders and
deliveries by the order's), so they are the dashboard's numbers; spend is summed per channel
and per model in one query each. Nine queries in all (the channels' names
included), whatever the period's length.

Spend is monthly: a period of whole months takes the spend of those months. Spend entered
for a model counts for that model and for its channel; spend without a model counts for its
channel only (and in the per-model table as "not model-specific").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import F, Q, Sum
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from showroom.core.months import first_of_month
from showroom.crm.models import MediaSpend
from showroom.customers.models import Source
from showroom.kpi.selectors import NONE_KEY, compute_kpis
from showroom.organization.models import Store

# The KPIs a channel is judged by, in funnel order (registry codes).
COUNTS = ("leads", "first_visit_batches", "orders", "deliveries")
NO_MODEL = _("Not model-specific")
NO_SOURCE = _("No source recorded")


@dataclass
class ChannelLine:
    key: str  # source code or model; NONE_KEY for rows without one
    label: str
    spend: Decimal
    leads: int = 0
    visits: int = 0
    orders: int = 0
    deliveries: int = 0

    @staticmethod
    def _per(spend: Decimal, n: int) -> Decimal | None:
        return (spend / n).quantize(Decimal("0.01")) if n and spend else None

    @property
    def per_lead(self) -> Decimal | None:
        return self._per(self.spend, self.leads)

    @property
    def per_visit(self) -> Decimal | None:
        return self._per(self.spend, self.visits)

    @property
    def per_order(self) -> Decimal | None:
        return self._per(self.spend, self.orders)

    @property
    def per_delivery(self) -> Decimal | None:
        """Cost per sale (交车 = 销量)."""
        return self._per(self.spend, self.deliveries)


@dataclass
class ChannelReport:
    store: Store
    start: date
    end: date
    by_channel: list[ChannelLine]
    by_model: list[ChannelLine]
    total: ChannelLine

    def chart(self) -> dict[str, Any]:
        lines = [ln for ln in self.by_channel if ln.spend or ln.leads or ln.deliveries]
        return {
            "labels": [ln.label for ln in lines],
            "spend": [float(ln.spend) for ln in lines],
            "per_lead": [None if ln.per_lead is None else float(ln.per_lead) for ln in lines],
            "per_delivery": [
                None if ln.per_delivery is None else float(ln.per_delivery) for ln in lines
            ],
            "leads": [ln.leads for ln in lines],
            "deliveries": [ln.deliveries for ln in lines],
        }


def spend_in(*, store: Store, start: date, end: date) -> Any:
    """The spend rows of the months that start..end covers."""
    return MediaSpend.objects.filter(store=store, month__gte=first_of_month(start), month__lte=end)


def channel_report(*, store: Store, start: date, end: date) -> ChannelReport:
    """Spend, leads, first visits, orders and deliveries of `store` for start..end, per channel
    (source) and per model, with the cost of each lead, visit, order and delivery."""
    spend = spend_in(store=store, start=start, end=end).order_by()
    by_source = {
        row["source__code"]: row["amount"]
        for row in spend.values("source__code").annotate(amount=Sum("amount"))
    }
    by_model = {
        row["model"] or NONE_KEY: row["amount"]
        for row in spend.values("model").annotate(amount=Sum("amount"))
    }
    kpis_source = compute_kpis(stores=[store], start=start, end=end, by="source", codes=COUNTS)
    kpis_model = compute_kpis(stores=[store], start=start, end=end, by="model", codes=COUNTS)

    names = source_names(store, set(by_source) | set(kpis_source))
    channel_keys = [code for code in names if code in by_source or code in kpis_source]
    if NONE_KEY in kpis_source:
        channel_keys.append(NONE_KEY)
    channels = [
        _line(key, names.get(key, str(NO_SOURCE)), by_source.get(key), kpis_source.get(key))
        for key in channel_keys
    ]
    model_keys = sorted(
        set(by_model) | set(kpis_model),
        key=lambda k: (k == NONE_KEY, -_deliveries(kpis_model, k), k),
    )
    models = [
        _line(
            key, str(NO_MODEL) if key == NONE_KEY else key, by_model.get(key), kpis_model.get(key)
        )
        for key in model_keys
    ]
    total = ChannelLine("", str(_("Total")), sum((ln.spend for ln in channels), Decimal(0)))
    for line in channels:
        total.leads += line.leads
        total.visits += line.visits
        total.orders += line.orders
        total.deliveries += line.deliveries
    return ChannelReport(store, start, end, channels, models, total)


def _deliveries(kpis: dict[str, dict[str, Any]], key: str) -> int:
    return int(kpis.get(key, {}).get("deliveries") or 0)


def _line(key: str, label: str, spend: Decimal | None, kpis: dict[str, Any] | None) -> ChannelLine:
    kpis = kpis or {}
    return ChannelLine(
        key=key,
        label=label,
        spend=Decimal(spend or 0),
        leads=kpis.get("leads") or 0,
        visits=kpis.get("first_visit_batches") or 0,
        orders=kpis.get("orders") or 0,
        deliveries=kpis.get("deliveries") or 0,
    )


def source_names(store: Store, codes: set[str]) -> dict[str, str]:
    """Code -> name of the store's sources (standard ones first), plus any inactive one used."""
    english = (get_language() or "").startswith("en")
    qs = Source.objects.filter(Q(store__isnull=True) | Q(store=store)).filter(
        Q(active=True) | Q(code__in=codes)
    )
    return {
        s.code: (s.name_en if english else s.name_zh)
        for s in qs.order_by(F("store").asc(nulls_first=True), "id")
    }
