"""The store's margins on the store settings screen (organization.hooks)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from showroom.organization import permissions
from showroom.organization.hooks import SettingsLink
from showroom.organization.models import Staff, Store


def settings_links(*, user: Staff, store: Store) -> list[SettingsLink]:
    if not permissions.allows(user, "kpi:value"):
        return []
    url = reverse("kpi:value") + f"?store={store.code}"
    return [SettingsLink(url, _("Margins (on the Value screen)"), 40)]
