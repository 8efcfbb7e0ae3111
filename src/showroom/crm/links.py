"""The cross-check thresholds on the store settings screen and in the record of changes
(organization.hooks)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from showroom.crm.crosscheck.forms import LIMITS
from showroom.crm.models import CrosscheckSettings
from showroom.organization import permissions
from showroom.organization.administration.selectors import Change, changes_of
from showroom.organization.hooks import SettingsLink
from showroom.organization.models import Staff, Store


def settings_links(*, user: Staff, store: Store) -> list[SettingsLink]:
    if not permissions.allows(user, "crm:crosscheck_thresholds"):
        return []
    url = reverse("crm:crosscheck_thresholds") + f"?store={store.code}"
    return [SettingsLink(url, _("Cross-check thresholds"), 50)]


def settings_changes(*, stores: QuerySet[Store], limit: int) -> list[Change]:
    records = (
        CrosscheckSettings.history.filter(store__in=stores)  # type: ignore[attr-defined]
        .select_related("history_user")
        .order_by("-history_date")[:limit]
    )
    return changes_of(records, CrosscheckSettings(), list(LIMITS))
