"""POST /api/leads under hostile input, and the per-store lead API keys (docs/security.md)."""

import datetime as dt
import json
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from showroom.organization.choices import Role
from showroom.traffic.api_keys import create_key, hash_key
from showroom.traffic.models import Lead, LeadApiKey

pytestmark = pytest.mark.django_db

URL = "/api/leads"
LEAD = {"store": "BJ01", "channel": "internet", "name": "王先生", "phone": "13800000001"}


@pytest.fixture
def key(store):
    return create_key(store=store, name="官网", created_by=None)[1]


def post(client, body, key, content_type="application/json", query=""):
    if not isinstance(body, (str, bytes)):
        body = json.dumps(body)
    headers = {"X-API-Key": key} if key else {}
    return client.post(URL + query, body, content_type=content_type, headers=headers)


def refused(response):
    return response.status_code, response.json()["detail"]


# Hostile bodies: a 4xx with a message, nothing written


def test_deeply_nested_json_is_refused(client, key):
    assert refused(post(client, "[" * 100_000, key)) == (413, "请求内容超过 65536 字节")
    assert refused(post(client, "[" * 60_000, key)) == (400, "JSON 嵌套超过 20 层")
    assert refused(post(client, '{"a":' * 10_000 + "1" + "}" * 10_000, key)) == (
        400,
        "JSON 嵌套超过 20 层",
    )
    # Brackets inside strings do not count.
    assert post(client, {**LEAD, "notes": "[" * 1000}, key).status_code == 201
    assert Lead.objects.count() == 1


@pytest.mark.parametrize(
    "created_at",
    ["0001-01-01 00:00", "0001-01-01T00:00:00+08:00", "9999-12-31 23:59", "1899-05-01 10:00"],
)
def test_json_dates_out_of_range_are_refused(client, key, created_at):
    response = post(client, {**LEAD, "created_at": created_at}, key)
    assert refused(response) == (400, "线索日期超出范围（2000 年至 2100 年）")
    assert Lead.objects.count() == 0


@pytest.mark.parametrize("created_at", ["0001-01-01", "9999/12/31", " 1899年5月1日"])
def test_a_json_date_alone_out_of_range_is_refused_as_out_of_range(client, key, created_at):
    response = post(client, {**LEAD, "created_at": created_at}, key)
    assert refused(response) == (400, "线索日期超出范围（2000 年至 2100 年）")
    assert Lead.objects.count() == 0


def test_a_json_date_without_a_time_is_refused_as_before(client, key):
    response = post(client, {**LEAD, "created_at": "2026-10-03"}, key)
    assert refused(response) == (422, "created_at「2026-10-03」格式不正确，应为 YYYY-MM-DD HH:MM")


@pytest.mark.parametrize(
    "requestdate",
    [
        "0001-01-01 00:00",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-12:00",
        "1970-01-01 08:00",
    ],
)
def test_adf_dates_out_of_range_are_refused(client, key, requestdate):
    xml = (
        f"<adf><prospect><requestdate>{requestdate}</requestdate><customer><contact>"
        "<name>Li Lei</name><phone>13700000004</phone></contact></customer></prospect></adf>"
    )
    response = post(client, xml, key, content_type="application/xml", query="?store=BJ01")
    assert refused(response) == (400, "线索日期超出范围（2000 年至 2100 年）")
    assert Lead.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "\ud800", "name 含有无效的 Unicode 字符"),
        ("name", "王\x00先生", "name 含有控制字符"),
        ("model", "途胜\x01", "model 含有控制字符"),
        ("phone", "138\x1b00000001", "phone 含有控制字符"),
        ("notes", "\x7f", "notes 含有控制字符"),
        ("channel", "\udfff", "channel 含有无效的 Unicode 字符"),
    ],
)
def test_invalid_unicode_and_control_characters_are_refused(client, key, field, value, message):
    assert refused(post(client, {**LEAD, field: value}, key)) == (400, message)
    assert Lead.objects.count() == 0


def test_tabs_and_line_breaks_are_kept(client, key):
    response = post(client, {**LEAD, "notes": "周末看车\n\t下午"}, key)
    assert response.status_code == 201
    assert Lead.objects.get().notes == "周末看车\n\t下午"


def test_a_body_that_is_not_utf8_is_refused(client, key):
    body = json.dumps(LEAD, ensure_ascii=False).encode("gb18030")
    assert refused(post(client, body, key)) == (400, "请求内容不是有效的 UTF-8")


def test_a_nul_in_the_store_parameter_is_refused(client, key):
    xml = (
        "<adf><prospect><customer><contact><phone>13700000004</phone></contact></customer>"
        "</prospect></adf>"
    )
    response = post(client, xml, key, content_type="application/xml", query="?store=BJ%0001")
    assert refused(response) == (400, "store 含有控制字符")


def test_a_control_character_in_adf_is_a_4xx(client, key):
    xml = (
        "<adf><prospect><customer><contact><name>Li&#x1;Lei</name>"
        "<phone>13700000004</phone></contact></customer></prospect></adf>"
    )
    response = post(client, xml, key, content_type="application/xml", query="?store=BJ01")
    assert response.status_code == 422
    assert Lead.objects.count() == 0


def test_a_large_body_is_refused(client, key, settings):
    assert settings.LEAD_API_MAX_BYTES == 65536
    body = json.dumps({**LEAD, "notes": "x" * 70_000})
    assert refused(post(client, body, key)) == (413, "请求内容超过 65536 字节")
    settings.LEAD_API_MAX_BYTES = 100
    assert post(client, {**LEAD, "notes": "x" * 100}, key).status_code == 413
    assert Lead.objects.count() == 0


# Keys per store


def test_a_store_key_writes_its_own_store_only(client, store, other_store, key):
    mine = post(client, LEAD, key)
    theirs = post(client, {**LEAD, "store": "SH01"}, key)
    adf_theirs = post(
        client,
        "<adf><prospect><customer><contact><phone>13700000004</phone></contact></customer>"
        "</prospect></adf>",
        key,
        content_type="application/xml",
        query="?store=SH01",
    )
    assert mine.status_code == 201
    assert refused(theirs) == (403, "该密钥只能写入所属门店的线索")
    assert adf_theirs.status_code == 403
    assert list(Lead.objects.values_list("store__code", flat=True)) == ["BJ01"]
    row = LeadApiKey.objects.get()
    assert row.last_used_at is not None


def test_a_store_key_finds_its_own_store_without_reading_every_store(
    client, store, other_store, key
):
    with CaptureQueriesContext(connection) as ctx:
        # Its store named in any case, as a sender may spell it.
        assert post(client, {**LEAD, "store": "bj01"}, key).status_code == 201
    sql = [q["sql"] for q in ctx.captured_queries]
    assert [q for q in sql if 'FROM "organization_store"' in q] == []
    assert list(Lead.objects.values_list("store__code", flat=True)) == ["BJ01"]


def test_unknown_and_revoked_keys_are_refused(client, store, key):
    assert post(client, LEAD, "sr_" + "x" * 43).status_code == 401
    LeadApiKey.objects.update(revoked_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert post(client, LEAD, key).status_code == 401
    assert Lead.objects.count() == 0


def test_each_key_is_rate_limited(client, store, key, settings):
    settings.LEAD_API_RATE_PER_MINUTE = 5
    other = create_key(store=store, name="平台", created_by=None)[1]
    start = dt.datetime(2026, 10, 25, 9, 0, 5, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        statuses = [
            post(client, {**LEAD, "phone": f"1380000000{n}"}, key).status_code for n in range(6)
        ]
        assert statuses == [201] * 5 + [429]
        assert refused(post(client, LEAD, key)) == (429, "该密钥的请求过于频繁，请一分钟后再试")
        assert post(client, {**LEAD, "phone": "13900000000"}, other).status_code == 201
    with time_machine.travel(start + dt.timedelta(minutes=1), tick=False):
        assert post(client, {**LEAD, "phone": "13900000001"}, key).status_code == 201
    assert Lead.objects.count() == 7


def test_the_deprecated_group_key_is_rate_limited_too(client, store, settings):
    settings.LEAD_API_KEY = "group-wide"
    settings.LEAD_API_RATE_PER_MINUTE = 2
    with time_machine.travel(dt.datetime(2026, 10, 25, 9, 0, 5, tzinfo=dt.UTC), tick=False):
        statuses = [
            post(client, {**LEAD, "phone": f"1380000000{n}"}, "group-wide").status_code
            for n in range(3)
        ]
    assert statuses == [201, 201, 429]


def test_a_manager_makes_lists_and_revokes_keys(client, store, other_store, manager, make_staff):
    client.force_login(manager)
    response = client.post(reverse("traffic:api_keys"), {"store": store.pk, "name": "官网"})
    html = response.content.decode()
    raw = re.search(r'<code class="new-key">(sr_[\w-]+)</code>', html).group(1)
    row = LeadApiKey.objects.get()
    assert (row.store, row.name, row.created_by, row.key_hash) == (
        store,
        "官网",
        manager,
        hash_key(raw),
    )
    assert raw not in json.dumps(list(LeadApiKey.objects.values()), default=str)
    # Shown once: the list afterwards names it by its first characters only.
    listing = client.get(reverse("traffic:api_keys")).content.decode()
    assert raw not in listing and f"<code>{row.prefix}…</code>" in listing
    assert post(client, LEAD, raw).status_code == 201

    # Another store's manager neither sees nor revokes it.
    client.force_login(make_staff("sh-boss", Role.MANAGER, store=other_store))
    assert row.prefix not in client.get(reverse("traffic:api_keys")).content.decode()
    assert client.post(reverse("traffic:api_key_revoke", args=[row.pk])).status_code == 404
    # Nor makes a key for this store.
    client.post(reverse("traffic:api_keys"), {"store": store.pk, "name": "x"})
    assert LeadApiKey.objects.count() == 1

    client.force_login(manager)
    response = client.post(reverse("traffic:api_key_revoke", args=[row.pk]), follow=True)
    assert "密钥“官网”已作废。" in response.content.decode()
    row.refresh_from_db()
    assert row.revoked_at is not None
    client.logout()
    assert post(client, {**LEAD, "phone": "13900000009"}, raw).status_code == 401


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.RECEPTIONIST, Role.DCC, Role.GROUP])
def test_only_managers_open_the_keys_screen(client, store, make_staff, role):
    client.force_login(make_staff("someone", role, store=store))
    assert client.get(reverse("traffic:api_keys")).status_code == 403
    assert (
        client.post(reverse("traffic:api_keys"), {"store": store.pk, "name": "x"}).status_code
        == 403
    )
    assert LeadApiKey.objects.count() == 0


# The schema is for staff


@pytest.mark.parametrize("url", ["/api/docs", "/api/openapi.json"])
def test_the_api_schema_needs_a_login(client, consultant, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    client.force_login(consultant)
    assert client.get(url).status_code == 200
