"""The customer settings on the store settings screen and in the record of changes
(organization.hooks)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from showroom.customers.models import FollowUpSettings, Source, VehicleModel
from showroom.organization import permissions
from showroom.organization.administration.selectors import Change, changes_of
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


SOURCE_FIELDS = ["code", "name_zh", "name_en", "active"]
MODEL_FIELDS = ["name", "trims", "active"]
FOLLOW_UP_FIELDS = [
    "cadence_h", "cadence_a", "cadence_b", "cadence_c", "cadence_o", "dormant_days",
]  # fmt: skip


def settings_changes(*, stores: QuerySet[Store], limit: int) -> list[Change]:
    """Changes to the sources, models offered and follow-up settings of `stores`."""
    found: list[Change] = []
    for model, fields in (
        (Source, SOURCE_FIELDS),
        (VehicleModel, MODEL_FIELDS),
        (FollowUpSettings, FOLLOW_UP_FIELDS),
    ):
        history: Any = model.history  # type: ignore[attr-defined]
        records = (
            history.filter(store__in=stores)
            .select_related("history_user")
            .order_by("-history_date")[:limit]
        )
        found += changes_of(records, model(), fields)
    return found
