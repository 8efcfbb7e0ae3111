"""`{% load screens %}`: whether to show a link or button to another screen.

`{% if request.user|may_open:"crm:crosscheck" %}` asks the screen table, so a link is shown
exactly to those whom the screen will not refuse.
"""

from __future__ import annotations

from django import template

from showroom.organization import permissions
from showroom.organization.models import Staff

register = template.Library()


@register.filter
def may_open(user: Staff, url_name: str) -> bool:
    return permissions.allows(user, url_name)
