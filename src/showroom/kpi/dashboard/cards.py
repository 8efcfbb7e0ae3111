"""The KPI cards with their month-over-month and year-over-year changes, compared like with
like: a month under way against the same days of the month before (and of the month a year
before), a whole month against whole months; and nothing against a period the stores have
no data for (the change is "—"), rather than against zeros.

Counts change by their difference (and percentage), rates in percentage points, means and
minutes by their difference: the same kind on both sides, never a mean against a count.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from showroom.core.months import add_months, last_of_month
from showroom.customers.models import Customer
from showroom.kpi.dashboard.funnel import TRAFFIC_CODES
from showroom.kpi.registry import KPI, REGISTRY
from showroom.kpi.selectors import compute_kpis, past_kpis
from showroom.organization.models import Store
from showroom.sales.models import Order
from showroom.traffic.models import Call, Lead, WalkIn

Stores = Sequence[Store] | QuerySet[Store]

# The KPI cards of the dashboard, in the order shown. They read the walk-ins, orders and
# leads only: the prospect KPIs (one query over every card of the store, three times for
# the comparisons) would cost the page more than all the rest; the evening meeting and the
# monthly report show them.
CARD_CODES: tuple[str, ...] = (
    "leads",
    "lead_response_minutes",
    "walkin_batches",
    "first_visit_batches",
    "retention_rate",
    "avg_stay_minutes",
    "test_drive_rate",
    "quote_rate",
    "close_rate",
    "orders",
    "deliveries",
    "order_delivery_rate",
)


def shifted(start: date, end: date, months: int) -> tuple[date, date]:
    """The same days `months` months away: a day the month lacks is its last day, and a
    period ending on its month's last day ends on the other month's last day."""

    def move(day: date) -> date:
        first = add_months(day, months)
        return min(first + timedelta(days=day.day - 1), last_of_month(first))

    to = last_of_month(add_months(end, months)) if end == last_of_month(end) else move(end)
    return move(start), to


def history_start(stores: Stores) -> date | None:
    """The first day the stores have any row for: a walk-in, call, lead, card or order
    (one query)."""

    def first(model: Any, field: str) -> Subquery:
        rows = model.objects.filter(store=OuterRef("pk")).order_by(field).values(field)[:1]
        return Subquery(rows)

    firsts = Store.objects.filter(pk__in=[s.pk for s in stores]).values_list(
        first(WalkIn, "date"),
        first(Call, "date"),
        first(Customer, "created"),
        first(Order, "order_date"),
        first(Lead, "date"),
    )
    return min((d for row in firsts for d in row if d is not None), default=None)


@dataclass(frozen=True)
class Delta:
    text: str
    tone: str  # "better", "worse" or ""


@dataclass(frozen=True)
class Card:
    code: str
    kpi: KPI
    value: Any
    text: str
    mom: Delta
    yoy: Delta


def number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def tone(good: str | None, value: Any, before: Any) -> str:
    """ "better", "worse" or "" (no direction, no change or nothing to compare)."""
    if good is None or not number(value) or not number(before) or value == before:
        return ""
    return "better" if (value > before) == (good == "up") else "worse"


def delta(kpi: KPI, value: Any, before: Any) -> Delta:
    """The change from `before` to `value`: counts with their percentage change, rates in
    percentage points, means and minutes as a difference (shown to one decimal)."""
    if not number(value) or not number(before):
        return Delta("—", "")
    if kpi.kind == "rate":
        change = round((value - before) * 100, 1) + 0.0  # + 0.0: no "-0.0"
        text = _("%(change)s pp") % {"change": f"{change:+.1f}"}
    elif kpi.kind == "count":
        change = int(value - before)
        text = f"{change:+d}"
        if before:
            text += f" ({change / before * 100:+.1f}%)"
    else:
        change = round(value - before, 1) + 0.0
        text = f"{change:+.1f}"
    # A change too small to show is no change: no colour either.
    return Delta(text, tone(kpi.good, value, before) if change else "")


def month_cards(
    current: dict[str, Any],
    month_before: dict[str, Any] | None,
    year_before: dict[str, Any] | None,
) -> list[Card]:
    """CARD_CODES from `compute_kpis` results: the period, the same days a month before and a
    year before (None: the stores have no data that far back)."""
    cards = []
    for code in CARD_CODES:
        kpi = REGISTRY[code]
        value = current[code]
        cards.append(
            Card(
                code=code,
                kpi=kpi,
                value=value,
                text=kpi.format(value),
                mom=delta(kpi, value, None if month_before is None else month_before[code]),
                yoy=delta(kpi, value, None if year_before is None else year_before[code]),
            )
        )
    return cards


@dataclass
class MonthPack:
    """The dashboard's compute_kpis results for one store and month."""

    current: dict[str, Any]
    month_before: dict[str, Any] | None
    year_before: dict[str, Any] | None

    @property
    def cards(self) -> list[Card]:
        return month_cards(self.current, self.month_before, self.year_before)


def comparisons(
    *, stores: Stores, start: date, end: date, codes: Iterable[str], today: date | None
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """`codes` over the same days a month and a year before start..end; None for a period
    that begins before the stores' first row. With `today`, periods over by then are cached
    for a while (`past_kpis`)."""
    since = history_start(stores)
    found: list[dict[str, Any] | None] = []
    for months in (-1, -12):
        first, last = shifted(start, end, months)
        if since is None or first < since:
            found.append(None)
            continue
        if today is None:
            found.append(compute_kpis(stores=stores, start=first, end=last, codes=codes))
        else:
            found.append(past_kpis(stores=stores, start=first, end=last, today=today, codes=codes))
    return found[0], found[1]


def month_pack(
    *,
    stores: Stores,
    month_start: date,
    end: date | None = None,
    extra_codes: Iterable[str] = (),
    today: date | None = None,
) -> MonthPack:
    """compute_kpis for the month (up to `end`, default its last day) for the cards, the
    traffic and `extra_codes` (others reading the same numbers: the diagnostics), and for the
    same days a month and a year before, for the cards."""
    last = end or last_of_month(month_start)
    shown = [*CARD_CODES, *sorted(TRAFFIC_CODES - set(CARD_CODES))]
    codes = [*shown, *sorted(set(extra_codes) - set(shown))]
    before, year = comparisons(
        stores=stores,
        start=month_start,
        end=last,
        codes=CARD_CODES,
        today=today,
    )
    return MonthPack(
        current=compute_kpis(stores=stores, start=month_start, end=last, codes=codes),
        month_before=before,
        year_before=year,
    )
