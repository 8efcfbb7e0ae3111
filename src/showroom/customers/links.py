"""The customer settings on the store settings screen (organization.hooks)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from showroom.organization import permissions
from showroom.organization.hooks import SettingsLink
from showroom.organization.models import Staff, Store

LINKS = [
    ("customer_settings:sources", _("Sources"), 10),
    ("customer_settings:models", _("Vehicle models and trims offered"), 20),
    ("customer_settings:follow_up", _("Follow-up cadence per grade and dormant days"), 30),
]


def settings_links(*, user: Staff, store: Store) -> list[SettingsLink]:
    return [
        SettingsLink(reverse(name) + f"?store={store.code}", label, order)
        for name, label, order in LINKS
        if permissions.allows(user, name)
    ]
