"""A NUL character cannot be stored in PostgreSQL, nor even searched for: whatever sends one
(a search box, a form, the API, an import) gets a message, never a server error. Run on
PostgreSQL too, where it matters (docs/security.md)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from showroom.customers.models import Customer
from showroom.organization.tests.urlwalk import url_patterns
from showroom.sales.cards.tests.test_card_new import prospect

pytestmark = pytest.mark.django_db

REFUSED = "请求中含有空字符（NUL），无法保存。请删除后重试。"
# The parameters the screens read, each holding a NUL.
PARAMS = {
    name: "BJ\x0001"
    for name in (
        "store", "q", "phone", "name", "date", "day", "month", "start", "end", "consultant",
        "kpi", "kind", "source", "model", "status", "grade", "by", "next", "period", "page",
    )
}  # fmt: skip
SCREENS = [
    p
    for p in url_patterns()
    if not p.converters and p.namespace != "api" and p.name not in ("logout",)
]


@pytest.mark.parametrize("pattern", SCREENS, ids=[p.name for p in SCREENS])
def test_every_screen_refuses_a_nul_in_its_parameters(client, store, make_staff, pattern):
    client.force_login(make_staff("root", store=None, is_superuser=True))
    response = client.get(reverse(pattern.name), PARAMS)
    assert (response.status_code, response.content.decode()) == (400, REFUSED)
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_a_nul_in_a_parameter_name_or_the_path_is_refused(client, store, make_staff):
    client.force_login(make_staff("root", store=None, is_superuser=True))
    assert client.get(reverse("customers:list"), {"q\x00": "1"}).status_code == 400
    assert client.get("/crm/reports/dormant\x00/").status_code == 400
    assert client.get("/crm/reports/dormant/").status_code == 200


def test_a_nul_typed_into_a_form_is_refused_and_nothing_is_written(client, store, consultant):
    client.force_login(consultant)
    response = client.post(reverse("customers:new"), prospect(name="孙\x00先生"))
    assert (response.status_code, response.content.decode()) == (400, REFUSED)
    assert not Customer.objects.exists()
    # Other control characters reach the form, which says which field holds one.
    response = client.post(reverse("customers:new"), prospect(name="孙\x01先生"))
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["文本中不能含有控制字符。"]
    assert not Customer.objects.exists()


def test_the_kpi_api_refuses_a_nul_with_a_json_message(client, store, manager):
    client.force_login(manager)
    response = client.get("/api/kpi/values", {"store": "BJ\x0001", "month": "2026-10"})
    assert (response.status_code, response.json()) == (400, {"detail": REFUSED})
    assert client.get("/api/kpi/values", {"store": "BJ01", "month": "2026-10"}).status_code == 200
