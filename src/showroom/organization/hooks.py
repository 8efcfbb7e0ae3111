"""What higher apps add to the organization's screens."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from showroom.core.hooks import Hook


@dataclass(frozen=True)
class SettingsLink:
    """A link on the store settings screen to a setting kept by another app."""

    url: str
    label: Any
    order: int = 0


# Called with (user=, store=): the links to the store's settings kept elsewhere (its sources,
# its margins…), each only if `user` may open it.
store_settings_links: Hook[list[SettingsLink]] = Hook("store_settings_links")


# Called with (stores=, limit=): the changes (administration.selectors.Change, newest first)
# other apps record of settings of those stores, for the record of changes.
administration_changes: Hook[list[Any]] = Hook("administration_changes")
