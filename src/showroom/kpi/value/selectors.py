"""Value and lifetime: what a delivery, an owner and a loyal customer are worth.

- Profit per delivery of a period = vehicle margin + Σ item margin × penetration, over the
  deliveries of the period (insurance, finance, accessories, extended warranty, trade-in).
  The penetrations are the KPIs of `compute_kpis` (insurance_penetration, …); only what no
  KPI gives is aggregated here: the accessories amount and the extended warranties.
- After-sales value per owner = the service visit amounts of the store's owners over the 12
  months up to the period's end × the after-sales margin ÷ owners (the KPI `owners`).
- Lifetime value of a loyal customer = the annual after-sales margin per owner who came back
  to the workshop in those 12 months × the horizon (years) + the vehicle and items margin of
  one purchase (profit per delivery over the same 12 months, steadier than one month's).

Margins are per store (`StoreMargins`, defaults when a store has none). A constant number of
queries whatever the number of stores: the margins, compute_kpis by store (orders, cards) for
the month and for the 12 months, one query on orders and one on service visits for each.
Money is Decimal yuan rounded to the fen; rates are the KPIs' floats.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from showroom.core.months import add_months
from showroom.kpi.models import StoreMargins
from showroom.kpi.selectors import compute_kpis
from showroom.organization.models import Store
from showroom.owners.models import ServiceVisit
from showroom.sales.models import Order

# The items of a delivery: (code, its penetration KPI or None, label).
ITEMS: tuple[tuple[str, str | None, Any], ...] = (
    ("vehicle", None, pgettext_lazy("delivery item", "Vehicle")),
    ("insurance", "insurance_penetration", _("Insurance")),
    ("finance", "finance_penetration", _("Finance")),
    ("accessories", "accessory_penetration", _("Accessories")),
    ("extended_warranty", None, _("Extended warranty")),
    ("trade_in", "tradein_penetration", _("Trade-in (used car)")),
)
_DELIVERY_KPIS = ["deliveries", *(kpi for _c, kpi, _l in ITEMS if kpi)]
_OWNER_KPIS = ["owners", "owner_retention_rate"]
CENT = Decimal("0.01")
ZERO = Decimal("0")
POINT = Decimal("0.01")  # one percentage point of penetration


def money(value: Decimal | int | float | None) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Item:
    """One item's share of the deliveries' margin."""

    code: str
    label: Any
    penetration: float | None  # deliveries with the item ÷ deliveries (the vehicle: 1)
    units: int  # deliveries with the item
    unit_margin: Decimal | None  # per unit sold (accessories: share × mean amount bought)
    margin: Decimal  # the period's margin from the item
    per_delivery: Decimal | None  # unit margin × penetration
    point_worth: Decimal | None  # one more point of penetration over the period's deliveries


@dataclass(frozen=True)
class DeliveryValue:
    start: date
    end: date
    deliveries: int
    items: list[Item]
    margin: Decimal
    per_delivery: Decimal | None


@dataclass(frozen=True)
class AfterSales:
    start: date
    end: date
    owners: int
    owner_retention_rate: float | None
    service_amount: Decimal  # visits of the owners in start..end
    margin: Decimal
    per_owner: Decimal | None
    returning_owners: int  # owners with a service visit in start..end
    per_returning_owner: Decimal | None  # a year's margin per owner who came back


@dataclass(frozen=True)
class Lifetime:
    horizon_years: int | None
    annual_aftersales: Decimal | None
    aftersales: Decimal | None  # annual × horizon
    purchase: Decimal | None  # vehicle and items margin of one purchase
    value: Decimal | None


@dataclass(frozen=True)
class StoreValue:
    """A store's value numbers; `store` None for several stores together."""

    store: Store | None
    margins: StoreMargins | None  # None for several stores with their own margins
    month: DeliveryValue
    year: DeliveryValue
    aftersales: AfterSales
    lifetime: Lifetime
    stores: list[Store] = field(default_factory=list)


def margins_for(*, stores: Sequence[Store]) -> dict[int, StoreMargins]:
    """{store pk: its margins}, unsaved defaults for a store without a row. One query."""
    saved = {m.store_id: m for m in StoreMargins.objects.filter(store__in=stores)}
    return {s.pk: saved.get(s.pk) or StoreMargins(store=s) for s in stores}


def trailing_year(end: date) -> tuple[date, date]:
    """The 12 calendar months ending with `end`'s month (end itself the last day)."""
    return add_months(end.replace(day=1), -11), end


def store_values(*, stores: Sequence[Store], start: date, end: date) -> list[StoreValue]:
    """Each store's value for deliveries start..end, in the order of `stores`."""
    stores = list(stores)
    if not stores:
        return []
    margins = margins_for(stores=stores)
    year_start, _end = trailing_year(end)
    month = _deliveries(stores, start, end)
    year = _deliveries(stores, year_start, end)
    owners = compute_kpis(stores=stores, start=start, end=end, by="store", codes=_OWNER_KPIS)
    service = _service(stores, year_start, end)
    values = []
    for store in stores:
        m = margins[store.pk]
        month_value = _delivery_value(store.code, month, m, start, end)
        year_value = _delivery_value(store.code, year, m, year_start, end)
        kpis = owners.get(store.code, {})
        amount, returning = service.get(store.pk, (ZERO, 0))
        after = _aftersales(
            year_start,
            end,
            owners=kpis.get("owners") or 0,
            retention=kpis.get("owner_retention_rate"),
            amount=amount,
            share=m.aftersales_share,
            returning=returning,
        )
        values.append(
            StoreValue(
                store=store,
                margins=m,
                month=month_value,
                year=year_value,
                aftersales=after,
                lifetime=_lifetime(after, year_value, m.horizon_years),
                stores=[store],
            )
        )
    return values


def group_value(values: Sequence[StoreValue]) -> StoreValue | None:
    """Several stores together, each at its own margins: the sums of the stores' numbers."""
    if len(values) < 2:
        return None
    first = values[0]
    horizons = {v.lifetime.horizon_years for v in values}
    month = _sum_deliveries([v.month for v in values])
    year = _sum_deliveries([v.year for v in values])
    owners = sum(v.aftersales.owners for v in values)
    retained = sum(
        round(v.aftersales.owners * (v.aftersales.owner_retention_rate or 0)) for v in values
    )
    after = AfterSales(
        start=first.aftersales.start,
        end=first.aftersales.end,
        owners=owners,
        owner_retention_rate=retained / owners if owners else None,
        service_amount=sum((v.aftersales.service_amount for v in values), ZERO),
        margin=sum((v.aftersales.margin for v in values), ZERO),
        per_owner=None,
        returning_owners=sum(v.aftersales.returning_owners for v in values),
        per_returning_owner=None,
    )
    after = replace(
        after,
        per_owner=money(after.margin / owners) if owners else None,
        per_returning_owner=(
            money(after.margin / after.returning_owners) if after.returning_owners else None
        ),
    )
    horizon = horizons.pop() if len(horizons) == 1 else None
    return StoreValue(
        store=None,
        margins=None,
        month=month,
        year=year,
        aftersales=after,
        lifetime=_lifetime(after, year, horizon),
        stores=[v.store for v in values if v.store is not None],
    )


# --- queries --------------------------------------------------------------------------


def _deliveries(stores: list[Store], start: date, end: date) -> dict[str, dict[str, Any]]:
    """{store code: the delivery KPIs plus the accessories amount and extended warranties}."""
    kpis = compute_kpis(stores=stores, start=start, end=end, by="store", codes=_DELIVERY_KPIS)
    delivered = Q(delivery_date__range=(start, end))
    rows = (
        Order.objects.filter(delivered, store__in=stores, cancelled=False)
        .order_by()
        .values("store__code")
        .annotate(
            accessories_amount=Sum("accessories"),
            extended_warranty=Count("pk", filter=Q(extended_warranty=True)),
        )
    )
    result: dict[str, dict[str, Any]] = {code: dict(v) for code, v in kpis.items()}
    for row in rows:
        result.setdefault(row["store__code"], {}).update(
            accessories_amount=row["accessories_amount"] or ZERO,
            extended_warranty=row["extended_warranty"],
        )
    return result


def _service(stores: list[Store], start: date, end: date) -> dict[int, tuple[Decimal, int]]:
    """{store pk: (amount of the owners' service visits start..end, owners who came)}."""
    owner = Order.objects.filter(
        customer=OuterRef("customer"), cancelled=False, delivery_date__lte=end
    )
    rows = (
        ServiceVisit.objects.filter(Exists(owner), store__in=stores, date__range=(start, end))
        .order_by()
        .values("store")
        .annotate(amount=Sum("amount"), owners=Count("customer", distinct=True))
    )
    return {row["store"]: (row["amount"] or ZERO, row["owners"]) for row in rows}


# --- arithmetic -----------------------------------------------------------------------


def _delivery_value(
    code: str, rows: dict[str, dict[str, Any]], m: StoreMargins, start: date, end: date
) -> DeliveryValue:
    kpis = rows.get(code, {})
    deliveries: int = kpis.get("deliveries") or 0
    amount = Decimal(kpis.get("accessories_amount") or 0)
    items = []
    for item, kpi, label in ITEMS:
        if item == "vehicle":
            penetration: float | None = 1.0 if deliveries else None
        elif item == "extended_warranty":
            penetration = (kpis.get("extended_warranty") or 0) / deliveries if deliveries else None
        else:
            penetration = kpis.get(kpi or "")
        # The KPI is units ÷ deliveries, so this rounds back to the exact count.
        units = round((penetration or 0) * deliveries)
        if item == "accessories":
            margin = amount * m.accessories_share
            unit_margin = money(margin / units) if units else None
        else:
            unit_margin = money(getattr(m, item))
            margin = Decimal(units) * getattr(m, item)
        point = None
        if item != "vehicle" and unit_margin is not None:
            point = money(unit_margin * POINT * deliveries)
        items.append(
            Item(
                code=item,
                label=label,
                penetration=penetration,
                units=units,
                unit_margin=unit_margin,
                margin=money(margin) or ZERO,
                per_delivery=money(margin / deliveries) if deliveries else None,
                point_worth=point,
            )
        )
    total = sum((i.margin for i in items), ZERO)
    return DeliveryValue(
        start=start,
        end=end,
        deliveries=deliveries,
        items=items,
        margin=total,
        per_delivery=money(total / deliveries) if deliveries else None,
    )


def _sum_deliveries(values: list[DeliveryValue]) -> DeliveryValue:
    deliveries = sum(v.deliveries for v in values)
    items = []
    for index, (code, _kpi, label) in enumerate(ITEMS):
        parts = [v.items[index] for v in values]
        units = sum(p.units for p in parts)
        margin = sum((p.margin for p in parts), ZERO)
        items.append(
            Item(
                code=code,
                label=label,
                penetration=units / deliveries if deliveries else None,
                units=units,
                unit_margin=money(margin / units) if units else None,
                margin=margin,
                per_delivery=money(margin / deliveries) if deliveries else None,
                # Each store's point at its own margin, over its own deliveries.
                point_worth=(
                    sum((p.point_worth or ZERO for p in parts), ZERO)
                    if code != "vehicle" and any(p.point_worth is not None for p in parts)
                    else None
                ),
            )
        )
    total = sum((i.margin for i in items), ZERO)
    return DeliveryValue(
        start=values[0].start,
        end=values[0].end,
        deliveries=deliveries,
        items=items,
        margin=total,
        per_delivery=money(total / deliveries) if deliveries else None,
    )


def _aftersales(
    start: date,
    end: date,
    *,
    owners: int,
    retention: float | None,
    amount: Decimal,
    share: Decimal,
    returning: int,
) -> AfterSales:
    margin = money(amount * share) or ZERO
    return AfterSales(
        start=start,
        end=end,
        owners=owners,
        owner_retention_rate=retention,
        service_amount=money(amount) or ZERO,
        margin=margin,
        per_owner=money(margin / owners) if owners else None,
        returning_owners=returning,
        per_returning_owner=money(margin / returning) if returning else None,
    )


def _lifetime(after: AfterSales, year: DeliveryValue, horizon: int | None) -> Lifetime:
    annual = after.per_returning_owner
    aftersales = money(annual * horizon) if annual is not None and horizon else None
    purchase = year.per_delivery
    value = None
    if aftersales is not None and purchase is not None:
        value = aftersales + purchase
    return Lifetime(
        horizon_years=horizon,
        annual_aftersales=annual,
        aftersales=aftersales,
        purchase=purchase,
        value=value,
    )
