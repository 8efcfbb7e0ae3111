import datetime as dt

import pytest

from showroom.kpi.registry import REGISTRY
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_registry_lists_every_kpi(client, manager):
    client.force_login(manager)
    data = client.get("/api/kpi/registry").json()
    assert [d["code"] for d in data] == list(REGISTRY)
    first = data[0]
    assert (first["code"], first["name_zh"], first["implemented"]) == (
        "walkin_batches",
        "展厅客流量总批次",
        True,
    )


def test_values_for_the_managers_store(client, manager, store, consultant, other_store):
    f.WalkInFactory(store=store, consultant=consultant, date=dt.date(2026, 10, 3))
    f.WalkInFactory(
        store=store, consultant=consultant, date=dt.date(2026, 10, 4), visit_type="repeat"
    )
    f.WalkInFactory(
        store=other_store, consultant=f.StaffFactory(store=other_store), date=dt.date(2026, 10, 4)
    )
    client.force_login(manager)
    data = client.get("/api/kpi/values", {"store": "BJ01", "month": "2026-10"}).json()
    assert data["walkin_batches"] == 2
    assert data["first_visit_batches"] == 1
    assert (
        client.get("/api/kpi/values", {"store": "all", "month": "2026-10"}).json()["walkin_batches"]
        == 2
    )
    # Another store is not the manager's to see.
    assert client.get("/api/kpi/values", {"store": "SH01", "month": "2026-10"}).status_code == 404


def test_values_refused_to_consultants_and_anonymous(client, consultant, store):
    assert client.get("/api/kpi/values", {"store": "BJ01", "month": "2026-10"}).status_code == 401
    client.force_login(consultant)
    assert client.get("/api/kpi/values", {"store": "BJ01", "month": "2026-10"}).status_code == 403


def test_bad_month_is_a_clear_error(client, manager, store):
    client.force_login(manager)
    response = client.get("/api/kpi/values", {"store": "BJ01", "month": "2026-13"})
    assert response.status_code == 422


def test_openapi_docs_are_served_without_a_cdn(client, manager):
    client.force_login(manager)
    html = client.get("/api/docs").content.decode()
    assert "cdn" not in html.lower()
    assert "/static/ninja/swagger-ui-bundle.js" in html


def test_values_are_exact(client, manager, store, other_store, consultant, consultant2):
    from showroom.kpi.tests.test_traffic_kpis import build_october

    build_october(store, other_store, consultant, consultant2)
    client.force_login(manager)
    data = client.get(
        "/api/kpi/values", {"store": "BJ01", "month": "2026-10", "by": "consultant"}
    ).json()
    assert data["张伟"]["avg_stay_minutes"] == 106 / 3  # 45, 30 and 31 minutes: not 35.3
