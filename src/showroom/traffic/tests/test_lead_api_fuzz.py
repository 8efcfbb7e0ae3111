"""Property: no body sent to POST /api/leads makes a server error (docs/security.md).

Hypothesis builds JSON leads from any text (surrogates, control characters, huge numbers,
nesting, wrong types), ADF documents with such text inside, and raw bytes. The test client
re-raises a view's exception, so a 500 fails the test as a traceback.
"""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from showroom.traffic.api_keys import create_key

pytestmark = pytest.mark.django_db

FIELDS = ["store", "created_at", "channel", "name", "phone", "email", "model", "notes"]
ANSWERS = {200, 201, 400, 403, 413, 422}
FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)

# What broke the API before: lone surrogates, NUL and other control characters.
HOSTILE = [
    "\ud800",
    "\udfff",
    "\x00",
    "\x01",
    "\x1b",
    "\x7f",
    "\x85",
    "\u202e",
    "\n",
    "=",
    "a",
    "王",
]
any_text = st.one_of(
    st.text(st.sampled_from(HOSTILE), min_size=1, max_size=8),
    st.text(st.characters(codec=None, exclude_categories=()), max_size=40),
)
dates = st.one_of(
    st.from_regex(
        r"\A-?\d{1,6}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2})?([+-]\d{2}:?\d{2}|Z)?)?\Z"
    ),
    any_text,
)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), any_text)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(any_text, inner, max_size=3)
    ),
    max_leaves=8,
)
field_values = {
    "store": st.one_of(st.sampled_from(["BJ01", "bj01", "SH01", ""]), values),
    "created_at": st.one_of(dates, values),
    "channel": st.one_of(st.sampled_from(["internet", "车展/外展"]), values),
    "name": st.one_of(st.sampled_from(["\ud800", "王\udfff", "\x00"]), any_text, values),
    "phone": st.one_of(st.from_regex(r"\A\+?[\d\- ]{0,20}\Z"), values),
}
# A valid lead with some fields replaced or left out, so that most bodies reach the save.
VALID = {"store": "BJ01", "channel": "internet", "name": "王先生", "phone": "13800000001"}
# One or two fields changed at a time: more change fails the schema before anything else.
overrides = st.lists(st.sampled_from(FIELDS), min_size=1, max_size=2, unique=True).flatmap(
    lambda names: st.fixed_dictionaries({n: field_values.get(n, values) for n in names})
)
leads = st.builds(
    lambda changed, dropped: {k: v for k, v in {**VALID, **changed}.items() if k not in dropped},
    overrides,
    st.sets(st.sampled_from(FIELDS), max_size=1),
)


@pytest.fixture
def key(store, other_store, settings):  # type: ignore[no-untyped-def]
    settings.LEAD_API_RATE_PER_MINUTE = 1_000_000
    return create_key(store=store, name="fuzz", created_by=None)[1]


def post(client, body: bytes | str, key: str, content_type: str, query: str = ""):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/leads" + query, body, content_type=content_type, headers={"X-API-Key": key}
    )


@FUZZ
@given(lead=leads, extra=st.dictionaries(any_text, values, max_size=2))
def test_json_leads_never_make_a_server_error(client, key, lead, extra):
    body = json.dumps({**extra, **lead})
    assert post(client, body, key, "application/json").status_code in ANSWERS


@FUZZ
@given(
    requestdate=dates,
    name=any_text,
    phone=any_text,
    vendor=any_text,
    store=st.one_of(st.none(), any_text),
)
def test_adf_leads_never_make_a_server_error(client, key, requestdate, name, phone, vendor, store):
    def escape(text: str) -> str:
        return text.replace("&", "&amp;").replace("<", "&lt;")

    xml = (
        f"<adf><prospect><requestdate>{escape(requestdate)}</requestdate><customer><contact>"
        f"<name>{escape(name)}</name><phone>{escape(phone)}</phone></contact></customer>"
        f"<vendor><vendorname>{escape(vendor)}</vendorname></vendor></prospect></adf>"
    )
    query = (
        ""
        if store is None
        else "?" + "store=" + "".join(f"%{b:02X}" for b in store.encode("utf-8", "surrogatepass"))
    )
    body = xml.encode("utf-8", "surrogatepass")
    assert post(client, body, key, "application/xml", query).status_code in ANSWERS


@FUZZ
@given(
    body=st.binary(max_size=300),
    content_type=st.sampled_from(["application/json", "application/xml", "text/plain", ""]),
)
def test_raw_bytes_never_make_a_server_error(client, key, body, content_type):
    assert post(client, body, key, content_type).status_code in ANSWERS
