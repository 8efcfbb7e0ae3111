"""When the cached figures of past periods must be computed again.

`past_kpis` and `pooled_kpis` keep the KPIs of periods that ended before today in the cache
(shared between processes when REDIS_URL is set). Their key holds each store's data version,
which any write dated before the writer's today moves on: a walk-in completed today leaves the
cached past months alone, a back-dated order or a corrected card date invalidates the store's
past figures at once, in every process. A row's dates are those of its own date fields, before
and after the write (an order moved from last month to today changed last month).

Writes of the ORM are seen by signals (connected in `connect`, from KpiConfig.ready); the bulk
writes of the import call `touched` for the stores they wrote.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.apps import apps
from django.core.cache import cache
from django.db import models
from django.db.models.signals import post_delete, post_init, post_save
from django.utils import timezone

# The apps whose rows the KPIs count.
_APPS = ("customers", "traffic", "sales", "owners", "targets")
# How long a store's version is remembered: longer than any cached figure.
_VERSION_SECONDS = 7 * 24 * 3600


def _key(store_id: int) -> str:
    return f"kpi:version:{store_id}"


def versions(store_ids: Iterable[int]) -> list[int]:
    """The data version of each store (0 until its first back-dated write)."""
    ids = list(store_ids)
    found = cache.get_many([_key(i) for i in ids])
    return [found.get(_key(i), 0) for i in ids]


def touched(store_ids: Iterable[int]) -> None:
    """The stores' past figures are stale: their cached KPIs are not used again."""
    for store_id in set(store_ids):
        key = _key(store_id)
        try:
            cache.incr(key)
        except ValueError:  # not there yet (or expired)
            cache.set(key, 1, _VERSION_SECONDS)


# --- signals ---------------------------------------------------------------------------

_DATE_FIELDS: dict[type[models.Model], tuple[str, ...]] = {}


def _values(instance: models.Model) -> tuple[Any, ...]:
    # A deferred field costs no query.
    return tuple(instance.__dict__.get(name) for name in _DATE_FIELDS[type(instance)])


def _dates(values: tuple[Any, ...]) -> list[date]:
    found = []
    for value in values:
        if isinstance(value, datetime):
            found.append(timezone.localdate(value) if timezone.is_aware(value) else value.date())
        elif isinstance(value, date):
            found.append(value)
    return found


def _remember(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    # Every row loaded passes here: keep the values, turned into dates only if it is written.
    instance._kpi_dates = _values(instance)  # type: ignore[attr-defined]


def _written(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    before = _dates(getattr(instance, "_kpi_dates", ()))
    values = _values(instance)
    now = _dates(values)
    instance._kpi_dates = values  # type: ignore[attr-defined]
    store_id = instance.__dict__.get("store_id")
    if store_id is None:
        return
    days = before + now
    if days and min(days) < timezone.localdate():
        touched([store_id])


def connect() -> None:
    for model in apps.get_models():
        if model._meta.app_label not in _APPS:
            continue
        names = [f.name for f in model._meta.concrete_fields]
        if "store" not in names or "history_id" in names:  # history rows follow their row
            continue
        _DATE_FIELDS[model] = tuple(
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.DateField) and not getattr(f, "auto_now", False)
        )
        uid = f"kpi-freshness-{model._meta.label}"
        post_init.connect(_remember, sender=model, dispatch_uid=uid)
        post_save.connect(_written, sender=model, dispatch_uid=uid)
        post_delete.connect(_written, sender=model, dispatch_uid=uid)
