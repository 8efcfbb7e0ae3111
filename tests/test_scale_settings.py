"""The settings for several processes: PostgreSQL's connection pool (DB_POOL_SIZE) and a shared
cache (REDIS_URL), and the past figures kept in that cache and invalidated across processes."""

from __future__ import annotations

import os
import runpy
import socket
import uuid
from datetime import date, time
from pathlib import Path

import pytest
from django.core.cache import caches
from django.test import override_settings

from showroom.kpi.selectors import past_kpis
from tests import factories as f

SETTINGS = Path(__file__).resolve().parent.parent / "src" / "showroom" / "settings.py"
REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def settings_with(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, object]:
    for name in ("DB_POOL_SIZE", "REDIS_URL", "CACHE_KEY_PREFIX", "DB_CONN_MAX_AGE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))


def test_pool_and_shared_cache_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    found = settings_with(
        monkeypatch,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/showroom",
        DB_POOL_SIZE="8",
        DB_CONN_MAX_AGE="60",
        REDIS_URL="redis://127.0.0.1:6379/2",
    )
    database = found["DATABASES"]["default"]  # type: ignore[index]
    assert database["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 8, "timeout": 10}
    assert database["CONN_MAX_AGE"] == 0  # a pool replaces persistent connections
    assert found["CACHES"] == {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/2",
            "KEY_PREFIX": "showroom",
        }
    }

    plain = settings_with(monkeypatch, DATABASE_URL="postgres://postgres@127.0.0.1:5432/showroom")
    assert "pool" not in plain["DATABASES"]["default"]["OPTIONS"]  # type: ignore[index]
    assert plain["CACHES"] == {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.django_db
def test_past_figures_are_shared_and_invalidated_through_redis(store, consultant) -> None:
    if not _redis_up():
        pytest.skip("NOT RUN: no Redis at 127.0.0.1:6379 (CI has one)")
    shared = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",  # apart from any other run
        }
    }
    args = {
        "stores": [store],
        "start": date(2026, 9, 1),
        "end": date(2026, 9, 30),
        "codes": ["walkin_batches"],
        "today": date(2026, 10, 2),
    }

    def walk_in(day: date) -> None:
        f.WalkInFactory(
            store=store, consultant=consultant, date=day, arrived_at=time(10), visit_type="first"
        )

    with override_settings(CACHES=shared):
        walk_in(date(2026, 9, 3))
        assert past_kpis(**args) == {"walkin_batches": 1}
        # Another process sees the same entry: a connection of its own to the same cache.
        other = caches.create_connection("default")
        assert len(other._cache.get_client().keys(f"{shared['default']['KEY_PREFIX']}:*")) >= 1  # type: ignore[attr-defined]
        walk_in(date(2026, 9, 4))
        assert past_kpis(**args) == {"walkin_batches": 2}
        caches["default"].clear()
