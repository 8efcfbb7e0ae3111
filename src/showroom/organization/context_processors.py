from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from showroom.organization.choices import Role
from showroom.organization.models import Staff


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: Any
    roles: frozenset[str]

    @property
    def url(self) -> str:
        return reverse(self.url_name)


ALL = frozenset(Role.values)
FRONT = frozenset(
    {Role.RECEPTIONIST, Role.CONSULTANT, Role.MANAGER, Role.ASSISTANT, Role.GENERAL_MANAGER}
)
STATS = frozenset(
    {Role.MANAGER, Role.ASSISTANT, Role.GENERAL_MANAGER, Role.GROUP, Role.MARKETING, Role.CRM}
)

SALES = frozenset({Role.CONSULTANT, Role.MANAGER, Role.GENERAL_MANAGER})
MANAGERS = frozenset({Role.MANAGER, Role.GENERAL_MANAGER})

# Order matters: a role's first item is where it lands after login.
CRM = frozenset({Role.CRM})
CRM_WORK = CRM | MANAGERS

NAV: list[NavItem] = [
    NavItem("traffic:desk", _("Front desk"), frozenset({Role.RECEPTIONIST})),
    NavItem("crm:lists", _("Call lists"), CRM),
    NavItem("kpi:group", _("Stores side by side"), frozenset({Role.GROUP})),
    NavItem("kpi:dashboard", _("Dashboard"), STATS - CRM),
    NavItem("reports:evening", _("Evening meeting"), MANAGERS),
    NavItem("sales:my_day", _("My day"), frozenset({Role.CONSULTANT})),
    NavItem("traffic:my_rows", _("My receptions"), frozenset({Role.CONSULTANT})),
    NavItem("traffic:register", _("Walk-in register"), FRONT),
    NavItem("traffic:calls", _("Call register"), FRONT | {Role.DCC}),
    NavItem("customers:list", _("Customers"), SALES | {Role.ASSISTANT, Role.CRM}),
    NavItem("deals:orders", _("Orders"), SALES | {Role.ASSISTANT}),
    NavItem("reports:index", _("Reports"), SALES | {Role.ASSISTANT}),
    NavItem("owners:list", _("Owners"), SALES | {Role.ASSISTANT, Role.CRM}),
    NavItem("kpi:monthly", _("Monthly statistics"), STATS | {Role.CONSULTANT}),
    NavItem("kpi:overview", _("KPIs"), STATS),
    NavItem("kpi:board", _("Wall board"), MANAGERS | {Role.ASSISTANT, Role.RECEPTIONIST}),
    NavItem("targets:index", _("Targets"), MANAGERS | {Role.ASSISTANT, Role.CONSULTANT}),
    NavItem("kpi:value", pgettext_lazy("navigation", "Value"), MANAGERS | {Role.GROUP}),
    NavItem("kpi:group", _("Stores side by side"), MANAGERS),
    NavItem("crm:lists", _("Call lists"), MANAGERS),
    NavItem("crm:crosscheck", _("Data cross-check"), CRM_WORK),
    NavItem("crm:intent_checks", _("Intent checks"), CRM),
    NavItem("crm:interviews", _("Delivery interviews"), CRM),
    NavItem("crm:profiles", _("Customer profiles"), CRM_WORK | {Role.MARKETING}),
    NavItem("crm:surveys", _("Surveys"), CRM_WORK),
    NavItem("crm:channels", _("Media channels"), CRM_WORK | {Role.MARKETING}),
    NavItem("crm:reports", _("CRM reports"), CRM_WORK),
    NavItem("login_locks", _("Locked logins"), MANAGERS),
    NavItem("traffic:api_keys", _("Lead API keys"), MANAGERS),
]


def nav_items(user: Staff) -> list[NavItem]:
    if not user.is_authenticated:
        return []
    items = []
    seen: set[str] = set()
    for item in NAV:
        if item.url_name in seen:
            continue
        if user.is_superuser or user.role_set & item.roles:
            try:
                reverse(item.url_name)
            except NoReverseMatch:
                continue
            items.append(item)
            seen.add(item.url_name)
    # A user's own first: the item whose roles are narrowest for them comes first.
    return items


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    current = request.resolver_match.view_name if request.resolver_match else ""
    return {
        "nav": [
            {"url": i.url, "label": i.label, "active": i.url_name == current}
            for i in nav_items(user)
        ],
    }
