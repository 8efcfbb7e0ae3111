from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from showroom.organization import permissions
from showroom.organization.choices import Role
from showroom.organization.models import Staff


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: Any

    @property
    def url(self) -> str:
        return reverse(self.url_name)


# The menu in its order; who sees an entry is who may open it (organization.permissions).
# A role's first entry is where it lands after login: the dashboard for the managers, the
# assistant and marketing, then the front desk, My day, the call lists, the call register.
NAV: list[NavItem] = [
    NavItem("kpi:dashboard", _("Dashboard")),
    NavItem("traffic:desk", _("Front desk")),
    NavItem("sales:my_day", _("My day")),
    NavItem("traffic:my_rows", _("My receptions")),
    NavItem("reports:evening", _("Evening meeting")),
    NavItem("crm:lists", _("Call lists")),
    NavItem("traffic:register", _("Walk-in register")),
    NavItem("traffic:calls", _("Call register")),
    NavItem("customers:list", _("Customers")),
    NavItem("deals:orders", _("Orders")),
    NavItem("reports:index", _("Reports")),
    NavItem("owners:list", _("Owners")),
    NavItem("kpi:monthly", _("Monthly statistics")),
    NavItem("kpi:overview", _("KPIs")),
    NavItem("kpi:board", _("Wall board")),
    NavItem("targets:index", _("Targets")),
    NavItem("kpi:value", pgettext_lazy("navigation", "Value")),
    NavItem("kpi:group", _("Stores side by side")),
    NavItem("crm:crosscheck", _("Data cross-check")),
    NavItem("crm:intent_checks", _("Intent checks")),
    NavItem("crm:interviews", _("Delivery interviews")),
    NavItem("crm:profiles", _("Customer profiles")),
    NavItem("crm:surveys", _("Surveys")),
    NavItem("crm:channels", _("Media channels")),
    NavItem("crm:reports", _("CRM reports")),
    NavItem("exchange:imports", _("Import center")),
    NavItem("exchange:export", pgettext_lazy("navigation", "Export")),
    NavItem("login_locks", _("Locked logins")),
    NavItem("store_settings", _("Opening hours")),
    NavItem("traffic:api_keys", _("Lead API keys")),
]

# Roles whose work starts elsewhere than their first entry: that entry heads their menu.
LEADS: dict[str, str] = {
    Role.GROUP: "kpi:group",
}


def nav_items(user: Staff) -> list[NavItem]:
    """The entries `user` may open, in menu order, their role's lead first."""
    if not user.is_authenticated:
        return []
    items = [i for i in NAV if permissions.allows(user, i.url_name)]
    leads = {LEADS[r] for r in user.role_set if r in LEADS}
    return [i for i in items if i.url_name in leads] + [i for i in items if i.url_name not in leads]


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
