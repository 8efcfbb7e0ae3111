"""Lead API keys: made, listed and revoked per store by its managers; checked and rate
limited on each POST /api/leads (docs/security.md).
"""

from __future__ import annotations

import hashlib
import secrets
import time

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone

from showroom.organization.access import visible_stores
from showroom.organization.models import Staff, Store
from showroom.traffic.models import LeadApiKey

KEY_PREFIX = "sr_"


def hash_key(raw: str) -> str:
    # Keys are long random strings, so one round of SHA-256 is enough to keep them secret.
    return hashlib.sha256(raw.encode()).hexdigest()


def create_key(*, store: Store, name: str, created_by: Staff | None) -> tuple[LeadApiKey, str]:
    """A new key for `store`; the raw key is returned once and never stored."""
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    key = LeadApiKey.objects.create(
        store=store,
        name=name,
        prefix=raw[: len(KEY_PREFIX) + 6],
        key_hash=hash_key(raw),
        created_by=created_by,
    )
    return key, raw


def revoke_key(*, key: LeadApiKey) -> None:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])


def keys_for(*, user: Staff) -> QuerySet[LeadApiKey]:
    return LeadApiKey.objects.filter(store__in=visible_stores(user)).select_related(
        "store", "created_by"
    )


def key_for(raw: str) -> LeadApiKey | None:
    """The live key `raw` names, its last use noted; None for an unknown or revoked key."""
    if not raw.startswith(KEY_PREFIX) or len(raw) > 100:
        return None
    key = (
        LeadApiKey.objects.select_related("store")
        .filter(key_hash=hash_key(raw), revoked_at__isnull=True)
        .first()
    )
    if key is not None:
        now = timezone.now()
        # Shown to the minute: written once a minute, not on every lead of a busy website.
        last = key.last_used_at
        if last is None or last.replace(second=0, microsecond=0) != now.replace(
            second=0, microsecond=0
        ):
            key.last_used_at = now
            key.save(update_fields=["last_used_at"])
    return key


def over_rate(*, name: str) -> bool:
    """True once the key called `name` has sent more than LEAD_API_RATE_PER_MINUTE requests in
    this minute. Counted in the cache, so each server process counts on its own unless the
    deployment configures a shared cache.
    """
    minute = int(time.time() // 60)
    slot = f"lead-api-rate:{name}:{minute}"
    cache.add(slot, 0, timeout=120)
    try:
        count = cache.incr(slot)
    except ValueError:  # the slot expired between add and incr
        cache.set(slot, 1, timeout=120)
        count = 1
    return count > settings.LEAD_API_RATE_PER_MINUTE
