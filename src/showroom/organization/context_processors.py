from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from showroom.organization import permissions
from showroom.organization.choices import Role
from showroom.organization.models import Staff

# The menus the entries fall into, in the bar's order: the dealer's words for the day's work.
# Who sees an entry is still only the screen table (organization.permissions); a menu shows
# when its role may open at least one of its entries.
MENUS: dict[str, Any] = {
    "showroom": pgettext_lazy("menu", "Showroom"),  # the front desk and the registers
    "customers": pgettext_lazy("menu", "Customers"),  # cards, orders, owners, the CRM's work
    "leads": pgettext_lazy("menu", "Leads"),  # the lead desk and the appointments
    "analysis": pgettext_lazy("menu", "Analysis"),  # dashboards, reports, KPIs
    "admin": pgettext_lazy("menu", "Administration"),  # stores, staff, roster, settings
    "data": pgettext_lazy("menu", "Data"),  # imports and exports
}


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: Any
    menu: str

    @property
    def url(self) -> str:
        return _entry_url(
            self.url_name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF
        )


@cache
def _entry_url(url_name: str, prefix: str, urlconf: Any) -> str:
    # An entry's URL takes no argument: the same for every request under one prefix, while
    # every page's menu asked for up to thirty of them again.
    return reverse(url_name, urlconf=urlconf)


# The menu in its order, each entry in one of MENUS; who sees an entry is who may open it
# (organization.permissions). A role's first entry is where it lands after login: the
# dashboard for the managers, the assistant and marketing, then the front desk, My day, the
# call lists, the call register.
NAV: list[NavItem] = [
    NavItem("kpi:dashboard", _("Dashboard"), "analysis"),
    NavItem("traffic:desk", _("Front desk"), "showroom"),
    NavItem("sales:my_day", _("My day"), "showroom"),
    NavItem("traffic:my_rows", _("My receptions"), "showroom"),
    NavItem("traffic:leads", _("Lead desk"), "leads"),
    NavItem("traffic:calendar", _("Appointments"), "leads"),
    NavItem("reports:evening", _("Evening meeting"), "analysis"),
    NavItem("crm:lists", _("Call lists"), "customers"),
    NavItem("traffic:register", _("Walk-in register"), "showroom"),
    NavItem("traffic:calls", _("Call register"), "showroom"),
    NavItem("customers:list", _("Customers"), "customers"),
    NavItem("deals:orders", _("Orders"), "customers"),
    NavItem("reports:index", _("Reports"), "analysis"),
    NavItem("owners:list", _("Owners"), "customers"),
    NavItem("kpi:monthly", _("Monthly statistics"), "analysis"),
    NavItem("kpi:overview", _("KPIs"), "analysis"),
    NavItem("kpi:board", _("Wall board"), "showroom"),
    NavItem("targets:index", _("Targets"), "analysis"),
    NavItem("kpi:value", pgettext_lazy("navigation", "Value"), "analysis"),
    NavItem("kpi:group", _("Stores side by side"), "analysis"),
    NavItem("crm:crosscheck", _("Data cross-check"), "customers"),
    NavItem("crm:intent_checks", _("Intent checks"), "customers"),
    NavItem("crm:interviews", _("Delivery interviews"), "customers"),
    NavItem("crm:profiles", _("Customer profiles"), "analysis"),
    NavItem("crm:surveys", _("Surveys"), "customers"),
    NavItem("crm:channels", _("Media channels"), "analysis"),
    NavItem("crm:reports", _("CRM reports"), "analysis"),
    NavItem("exchange:imports", _("Import center"), "data"),
    NavItem("exchange:export", pgettext_lazy("navigation", "Export"), "data"),
    NavItem("administration:roster", _("Today's roster"), "admin"),
    NavItem("administration:stores", _("Stores"), "admin"),
    NavItem("administration:staff", _("Staff"), "admin"),
    NavItem("login_locks", _("Locked logins"), "admin"),
    NavItem("store_settings", _("Store settings"), "admin"),
    NavItem("traffic:api_keys", _("Lead API keys"), "admin"),
]

# Roles whose work starts elsewhere than their first entry: that entry heads their menu.
LEADS: dict[str, str] = {
    Role.GROUP: "kpi:group",
    Role.GROUP_ADMIN: "administration:stores",
    Role.STORE_ADMIN: "administration:staff",
}


def nav_items(user: Staff) -> list[NavItem]:
    """The entries `user` may open, in menu order, their role's lead first."""
    if not user.is_authenticated:
        return []
    items = [i for i in NAV if permissions.allows(user, i.url_name)]
    leads = {LEADS[r] for r in user.role_set if r in LEADS}
    return [i for i in items if i.url_name in leads] + [i for i in items if i.url_name not in leads]


def nav_menus(items: list[NavItem]) -> list[tuple[str, list[NavItem]]]:
    """`items` in their menus, in MENUS order (entries in menu order); empty menus left out."""
    return [
        (key, [i for i in items if i.menu == key])
        for key in MENUS
        if any(i.menu == key for i in items)
    ]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": [], "nav_menus": []}
    current = request.resolver_match.view_name if request.resolver_match else ""
    items = nav_items(user)
    entry = {
        i.url_name: {"url": i.url, "label": i.label, "active": i.url_name == current} for i in items
    }
    menus = nav_menus(items)
    return {
        "nav": [entry[i.url_name] for i in items],
        # The bar: one dropdown per menu (a section each in the phone's folded menu); a menu
        # of one entry, or a role's only menu, shows its entries on the bar itself.
        "nav_menus": [
            {
                "key": key,
                "label": MENUS[key],
                "items": [entry[i.url_name] for i in menu],
                "active": any(i.url_name == current for i in menu),
                "flat": len(menu) == 1 or len(menus) == 1,
            }
            for key, menu in menus
        ],
    }
