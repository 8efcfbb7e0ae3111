"""Number formats of the CRM's aggregate screens (rates as percentages, yuan, means)."""

from __future__ import annotations

from decimal import Decimal

from django import template

from showroom.core.numbers import percent

register = template.Library()
register.filter("percent", percent)


@register.filter
def decimal2(value: float | Decimal | None) -> str:
    return "—" if value is None else f"{float(value):.2f}"


@register.filter
def yuan(value: float | Decimal | int | None) -> str:
    """Whole yuan with thousands separators: 30,000."""
    return "—" if value is None else f"{Decimal(value):,.0f}"
