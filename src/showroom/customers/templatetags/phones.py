"""`{{ row.shown_phone|phone }}`: every screen shows a mobile number the same way."""

from __future__ import annotations

from django import template

from showroom.customers.phones import format_phone

register = template.Library()


@register.filter(name="phone")
def phone(shown: str | None) -> str:
    """'+86 18284993428' and '18284993428' both as '182 8499 3428'; masked ones as
    '182 **** 3428'; empty stays empty (for `|default`)."""
    return format_phone(shown) if shown else ""
