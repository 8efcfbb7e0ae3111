"""POST /api/leads: JSON and ADF 1.0 XML, API key or staff login, deduplicated."""

import datetime as dt
import json

import pytest
import time_machine

from showroom.exchange.tests.builders import run_command
from showroom.organization.choices import Role
from showroom.traffic.models import Lead
from tests import factories as f

pytestmark = pytest.mark.django_db

URL = "/api/leads"
KEY = "s3cret-key"
NOW = dt.datetime(2026, 10, 25, 9, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _key(settings):
    settings.LEAD_API_KEY = KEY


def post_json(client, data, key=KEY, **extra):
    headers = {"X-API-Key": key} if key else {}
    body = data if isinstance(data, str) else json.dumps(data)
    return client.post(URL, body, content_type="application/json", headers=headers, **extra)


def post_xml(client, xml, key=KEY, content_type="application/xml", query=""):
    headers = {"X-API-Key": key} if key else {}
    return client.post(URL + query, xml, content_type=content_type, headers=headers)


def lead_values():
    return list(
        Lead.objects.order_by("id").values_list(
            "store__code",
            "created_at",
            "date",
            "channel__code",
            "name",
            "phone",
            "phone_norm",
            "email",
            "model",
            "notes",
            "customer",
            "assigned_to",
        )
    )


def test_json_lead_with_the_api_key(client, store):
    card = f.CustomerFactory(store=store, phone="13800000001")

    response = post_json(
        client,
        {
            "store": "BJ01",
            "created_at": "2026-10-03 20:15",
            "channel": "车展/外展",
            "name": "王先生",
            "phone": "+86 138-0000-0001",
            "email": "wang@example.com",
            "model": "途胜",
            "notes": "想周末看车",
        },
    )

    assert response.status_code == 201, response.content
    lead = Lead.objects.get()
    assert response.json() == {"id": lead.pk, "created": True}
    assert lead_values() == [
        (
            "BJ01",
            dt.datetime(2026, 10, 3, 12, 15, tzinfo=dt.UTC),
            dt.date(2026, 10, 3),
            "exhibition",
            "王先生",
            "+86 138-0000-0001",
            "13800000001",
            "wang@example.com",
            "途胜",
            "想周末看车",
            card.pk,
            None,
        ),
    ]


def test_the_same_lead_twice_is_saved_once(client, store):
    data = {
        "store": "bj01",
        "created_at": "2026-10-03T20:15:00+08:00",
        "channel": "internet",
        "phone": "13800000001",
    }
    first = post_json(client, data)

    again = post_json(client, {**data, "created_at": "2026-10-03 12:15Z", "phone": "138 0000 0001"})

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == {"id": first.json()["id"], "created": False}
    assert Lead.objects.count() == 1


@time_machine.travel(NOW, tick=False)
def test_without_created_at_the_lead_is_dated_now(client, store):
    assert (
        post_json(client, {"store": "BJ01", "channel": "oem", "phone": "13800000001"}).status_code
        == 201
    )

    assert Lead.objects.values_list("created_at", "date", "channel__code").get() == (
        NOW,
        dt.date(2026, 10, 25),
        "oem",
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"store": "BJ01", "channel": "internet"}, "缺少字段或字段无效：phone"),
        ({"store": "BJ01", "phone": "13800000001"}, "缺少字段或字段无效：channel"),
        (
            {"store": "BJ01", "channel": "抖音", "phone": "13800000001"},
            "未知的渠道「抖音」，应为本店的信息来源代码或名称",
        ),
        ({"store": "XX99", "channel": "internet", "phone": "13800000001"}, "未知的门店「XX99」"),
        (
            {"channel": "internet", "phone": "13800000001"},
            "未指定门店：请填写 store（ADF 可用 ?store= 参数）",
        ),
        ({"store": "BJ01", "channel": "internet", "phone": "无"}, "需要带数字的电话号码"),
        (
            {"store": "BJ01", "channel": "internet", "phone": "13800000001", "created_at": "昨天"},
            "created_at「昨天」格式不正确，应为 YYYY-MM-DD HH:MM",
        ),
        (
            {"store": "BJ01", "channel": "internet", "phone": "13800000001", "email": "wang@"},
            "电子邮箱地址「wang@」不正确",
        ),
        (
            "{not json",
            "请求内容不是 JSON：Expecting property name enclosed in double quotes: "
            "line 1 column 2 (char 1)",
        ),
    ],
    ids=[
        "phone",
        "channel",
        "unknown-channel",
        "unknown-store",
        "no-store",
        "no-digits",
        "created-at",
        "email",
        "not-json",
    ],
)
def test_bad_json_is_refused_with_a_message(client, store, data, message):
    response = post_json(client, data)

    assert response.status_code == 422
    assert response.json() == {"detail": message}
    assert Lead.objects.count() == 0


@pytest.mark.parametrize("key", [None, "wrong", ""])
def test_without_a_good_key_or_login(client, store, key):
    response = post_json(
        client, {"store": "BJ01", "channel": "internet", "phone": "1380000"}, key=key
    )

    assert response.status_code == 401
    assert Lead.objects.count() == 0


def test_no_key_is_accepted_when_none_is_configured(client, store, settings):
    settings.LEAD_API_KEY = ""

    response = post_json(client, {"store": "BJ01", "channel": "internet", "phone": "1"}, key="")

    assert response.status_code == 401


def test_staff_login(client, store, other_store, make_staff):
    dcc = make_staff("dcc", Role.DCC, store=store)
    client.force_login(dcc)

    mine = post_json(
        client, {"channel": "internet", "phone": "13800000001"}, key=None, QUERY_STRING="store=BJ01"
    )
    theirs = post_json(client, {"store": "SH01", "channel": "internet", "phone": "1"}, key=None)

    assert mine.status_code == 201, mine.content
    assert theirs.status_code == 422  # another store is unknown to this login
    assert theirs.json() == {"detail": "未知的门店「SH01」"}
    lead = Lead.objects.get()
    assert lead.history.get().history_user == dcc


def test_a_login_whose_role_takes_no_leads(client, store, make_staff):
    client.force_login(make_staff("mkt", Role.MARKETING, store=store))

    response = post_json(client, {"store": "BJ01", "channel": "internet", "phone": "1"}, key=None)

    assert response.status_code == 403


ADF = """<?xml version="1.0" encoding="UTF-8"?>
<?adf version="1.0"?>
<adf>
  <prospect status="new">
    <id sequence="1" source="autohome">A-1001</id>
    <requestdate>2026-10-03T20:15:00+08:00</requestdate>
    <vehicle interest="buy" status="new">
      <year>2026</year>
      <make>Hyundai</make>
      <model>Tucson L</model>
    </vehicle>
    <customer>
      <contact primarycontact="1">
        <name part="first">Xiaoming</name>
        <name part="last">Wang</name>
        <email>wang@example.com</email>
        <phone type="voice" time="day">138-0000-0001</phone>
      </contact>
      <comments>Wants a test drive on Saturday</comments>
    </customer>
    <vendor>
      <vendorname>BJ01</vendorname>
      <contact><name part="full">北京一店</name></contact>
    </vendor>
    <provider>
      <name part="full">Autohome</name>
      <service>Lead service</service>
    </provider>
  </prospect>
</adf>
"""


def test_adf_lead(client, store):
    response = post_xml(client, ADF)

    assert response.status_code == 201, response.content
    assert lead_values() == [
        (
            "BJ01",
            dt.datetime(2026, 10, 3, 12, 15, tzinfo=dt.UTC),
            dt.date(2026, 10, 3),
            "internet",
            "Xiaoming Wang",
            "138-0000-0001",
            "13800000001",
            "wang@example.com",
            "Tucson L",
            "车辆：2026 Hyundai Tucson L\nWants a test drive on Saturday",
            None,
            None,
        ),
    ]
    again = post_xml(client, ADF, content_type="text/xml")
    assert (again.status_code, again.json()["created"]) == (200, False)


MESSY = """\ufeff
  <ADF xmlns="http://www.example.com/adf">
   <Prospect>
    <RequestDate>  10/03/2026 8:15 PM </RequestDate>
    <Customer><Contact>
      <Name part="last"> 王 </Name>
      <Name part="first">小明</Name>
      <Phone type="fax">010-6666 7777</Phone>
      <Phone>   </Phone>
      <Phone type="voice"> +86 (138) 0000-0002 </Phone>
      <Phone type="cellphone">139 0000 0003</Phone>
      <Email>not an email</Email>
    </Contact></Customer>
    <Vehicle><Make>Hyundai</Make></Vehicle>
    <Vendor><VendorName>北京一店</VendorName></Vendor>
    <Provider><Name>厂家官网/400</Name></Provider>
   </Prospect>
  </ADF>
"""


def test_messy_adf_lead(client, store):
    response = post_xml(client, MESSY)

    assert response.status_code == 201, response.content
    assert lead_values() == [
        (
            "BJ01",
            dt.datetime(2026, 10, 3, 12, 15, tzinfo=dt.UTC),
            dt.date(2026, 10, 3),
            "oem",
            "王小明",
            "139 0000 0003",
            "13900000003",
            "",
            "Hyundai",
            "其他电话：+86 (138) 0000-0002, 010-6666 7777",
            None,
            None,
        ),
    ]


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("requestdate", "expected"),
    [
        ("2026-10-03T12:15:00Z", dt.datetime(2026, 10, 3, 12, 15, tzinfo=dt.UTC)),
        ("2026-10-03T20:15:00.123+0800", dt.datetime(2026, 10, 3, 12, 15, tzinfo=dt.UTC)),
        ("Sat, 03 Oct 2026 20:15:00 +0800", dt.datetime(2026, 10, 3, 12, 15, tzinfo=dt.UTC)),
        ("2026/10/03 20:15:30", dt.datetime(2026, 10, 3, 12, 15, 30, tzinfo=dt.UTC)),
        ("20261003T201500", dt.datetime(2026, 10, 3, 12, 15, tzinfo=dt.UTC)),
        ("next week", NOW),  # unreadable: the lead is kept, dated as received
        ("", NOW),
    ],
)
def test_adf_dates_and_the_store_parameter(client, store, requestdate, expected):
    xml = (
        f"<adf><prospect><requestdate>{requestdate}</requestdate><customer><contact>"
        "<name>Li Lei</name><phone>13700000004</phone></contact></customer></prospect></adf>"
    )

    response = post_xml(client, xml, query="?store=BJ01")

    assert response.status_code == 201, response.content
    assert Lead.objects.values_list("created_at", "name", "channel__code").get() == (
        expected,
        "Li Lei",
        "internet",
    )


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        ("<adf><prospect>", "无法读取 XML：no element found: line 1, column 15"),
        ("", "请求内容为空"),
        ("<adf><lead/></adf>", "ADF 文档中没有 <prospect>"),
        (
            "<adf><prospect><vendor><vendorname>BJ01</vendorname></vendor></prospect></adf>",
            "需要带数字的电话号码",
        ),
        (
            "<adf><prospect><customer><contact><phone>1</phone></contact></customer></prospect></adf>",
            "未指定门店：请填写 store（ADF 可用 ?store= 参数）",
        ),
        (
            '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><adf>&lol;</adf>',
            "拒绝此 XML：其中声明了 DTD 或实体",
        ),
    ],
    ids=["broken", "empty", "no-prospect", "no-phone", "no-store", "entities"],
)
def test_bad_adf_is_refused_with_a_message(client, store, xml, message):
    response = post_xml(client, xml)

    assert response.status_code == 422
    assert response.json() == {"detail": message}
    assert Lead.objects.count() == 0


def test_an_api_lead_is_found_again_by_the_import_of_its_export(client, store, tmp_path):
    assert post_xml(client, ADF).status_code == 201
    out = tmp_path / "csv"
    assert run_command("export", out, store="BJ01", month="2026-10").ok

    run = run_command("import", out / "leads.csv", store="BJ01")

    assert run.ok, run.err
    assert run.out.splitlines()[0] == "线索（BJ01）：新增 0 行，更新 0 行，未变 1 行"
    assert Lead.objects.count() == 1


def test_the_openapi_schema_describes_the_lead_endpoint(client, manager):
    client.force_login(manager)

    schema = client.get("/api/openapi.json").json()

    operation = schema["paths"]["/api/leads"]["post"]
    assert sorted(operation["requestBody"]["content"]) == ["application/json", "application/xml"]
    assert set(operation["responses"]) == {"200", "201"}
