"""One focused test per check of the data cross-check (crm.choices.CheckCode), with its edges."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from showroom.crm.crosscheck.checks import find_exceptions, retention_by_consultant
from showroom.customers.choices import OwnerKind
from showroom.kpi.selectors import compute_kpis
from showroom.organization.choices import Role
from showroom.traffic.choices import VisitType
from showroom.traffic.models import Lead
from tests import factories as f

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 10, 31)
FIRST_DAY = dt.date(2026, 10, 2)  # 29 days before ON
OUTSIDE = dt.date(2026, 10, 1)  # 30 days before ON


@pytest.fixture(autouse=True)
def _chinese():  # type: ignore[no-untyped-def]
    with translation.override("zh-hans"):
        yield


def found(store, code=None):  # type: ignore[no-untyped-def]
    return {
        (x.code, x.key, x.date)
        for x in find_exceptions(store=store, on=ON)
        if code is None or x.code == code
    }


def walk_in(store, consultant, day=ON, **kw):  # type: ignore[no-untyped-def]
    kw.setdefault("model", "途胜")
    kw.setdefault("grade", "B")
    return f.WalkInFactory(store=store, consultant=consultant, date=day, **kw)


def call(store, consultant, day=ON, **kw):  # type: ignore[no-untyped-def]
    kw.setdefault("model", "途胜")
    return f.CallFactory(store=store, consultant=consultant, date=day, **kw)


def card(store, consultant, phone, created=ON, **kw):  # type: ignore[no-untyped-def]
    return f.CustomerFactory(store=store, consultant=consultant, phone=phone, created=created, **kw)


def lead(store, phone, day):  # type: ignore[no-untyped-def]
    at = dt.datetime.combine(day, dt.time(20, 0), tzinfo=ZoneInfo("Asia/Shanghai"))
    return Lead.objects.create(
        store=store, created_at=at, channel=f.source("internet"), phone=phone
    )


def test_kept_without_customer(store, consultant, other_store):
    card(store, consultant, "138 0000 0001")
    f.CustomerFactory(store=other_store, phone="13800000002")  # another store's card
    matched = walk_in(store, consultant, name="王", phone="+86 13800000001")
    unmatched = walk_in(store, consultant, name="李", phone="13800000002", day=FIRST_DAY)
    no_name = walk_in(store, consultant, phone="13800000003")  # empty 是否留档: not kept
    said_no = call(store, consultant, name="赵", phone="13800000004", contact_kept=False)
    said_yes = call(store, consultant, phone="13800000005", contact_kept=True)
    walk_in(store, consultant, name="周", phone="13800000006", day=OUTSIDE)
    assert matched and no_name and said_no
    assert found(store, "kept_without_customer") == {
        ("kept_without_customer", f"walkin:{unmatched.pk}", FIRST_DAY),
        ("kept_without_customer", f"call:{said_yes.pk}", ON),
    }
    finding = next(
        x for x in find_exceptions(store=store, on=ON) if x.key == f"walkin:{unmatched.pk}"
    )
    assert finding.consultant == "张伟" and finding.consultant_id == consultant.pk
    assert finding.phone == "13800000002"
    assert finding.message == "来店 2026-10-02（李）：已留档，但该电话没有对应的客户信息卡"


def test_kept_without_phone_needs_an_explicit_yes(store, consultant):
    explicit = walk_in(store, consultant, name="王", phone="", contact_kept=True)
    no_digits = call(store, consultant, name="李", phone="无", contact_kept=True, day=FIRST_DAY)
    walk_in(store, consultant, name="赵", phone="")  # empty 是否留档 and no phone: not kept
    walk_in(store, consultant, name="周", phone="", contact_kept=True, day=OUTSIDE)
    assert found(store, "kept_without_phone") == {
        ("kept_without_phone", f"walkin:{explicit.pk}", ON),
        ("kept_without_phone", f"call:{no_digits.pk}", FIRST_DAY),
    }


def test_customer_without_contact_looks_7_days_either_side(store, consultant, other_store):
    day = dt.date(2026, 10, 20)
    by_walk_in = card(store, consultant, "13900000001", day)
    walk_in(store, consultant, day - dt.timedelta(days=7), phone="13900000001")
    by_call = card(store, consultant, "13900000002", day)
    call(store, consultant, day + dt.timedelta(days=7), phone="139 0000 0002")
    by_lead = card(store, consultant, "13900000003", day)
    lead(store, "13900000003", day + dt.timedelta(days=7))
    too_early = card(store, consultant, "13900000004", day)
    walk_in(store, consultant, day - dt.timedelta(days=8), phone="13900000004")
    too_late = card(store, consultant, "13900000005", day)
    lead(store, "13900000005", day + dt.timedelta(days=8))
    elsewhere = card(store, consultant, "13900000006", day)
    f.WalkInFactory(store=other_store, date=day, phone="13900000006")
    # A contact before the window counts for a card at its start.
    at_start = card(store, consultant, "13900000007", FIRST_DAY)
    walk_in(store, consultant, FIRST_DAY - dt.timedelta(days=7), phone="13900000007")
    card(store, consultant, "13900000008", OUTSIDE)  # outside the window
    card(store, consultant, "13900000009", day, owner_kind=OwnerKind.OWN_BRAND_ELSEWHERE)
    card(store, consultant, "13900000010", day, owner_kind=OwnerKind.OTHER_BRAND)
    assert by_walk_in and by_call and by_lead and at_start
    assert found(store, "customer_without_contact") == {
        ("customer_without_contact", f"customer:{too_early.pk}", day),
        ("customer_without_contact", f"customer:{too_late.pk}", day),
        ("customer_without_contact", f"customer:{elsewhere.pk}", day),
    }


def test_missing_grade_on_first_visits_kept(store, consultant):
    missing = walk_in(store, consultant, name="王", phone="13800000001", grade="")
    walk_in(store, consultant, name="李", phone="13800000002", grade="", contact_kept=False)
    walk_in(
        store, consultant, name="赵", phone="13800000003", grade="", visit_type=VisitType.REPEAT
    )
    walk_in(store, consultant, name="周", phone="13800000004", grade="C")
    walk_in(store, consultant, name="吴", phone="13800000005", grade="", day=OUTSIDE)
    assert found(store, "missing_grade") == {("missing_grade", f"walkin:{missing.pk}", ON)}


def test_missing_model_on_walk_ins_and_calls_kept(store, consultant):
    repeat = walk_in(
        store, consultant, name="王", phone="13800000001", model="", visit_type=VisitType.REPEAT
    )
    phoned = call(store, consultant, name="李", phone="13800000002", model="", day=FIRST_DAY)
    walk_in(store, consultant, name="赵", phone="13800000003", model="", contact_kept=False)
    call(store, consultant, phone="13800000004", model="")  # no name: not kept
    call(store, consultant, name="周", phone="13800000005", model="", day=OUTSIDE)
    assert found(store, "missing_model") == {
        ("missing_model", f"walkin:{repeat.pk}", ON),
        ("missing_model", f"call:{phoned.pk}", FIRST_DAY),
    }


def test_short_stay_high_grade(store, consultant):
    def stay(minutes: int, grade: str, **kw):  # type: ignore[no-untyped-def]
        arrived = dt.datetime(2026, 1, 1, 10, 0)
        left = (arrived + dt.timedelta(minutes=minutes)).time()
        return walk_in(
            store, consultant, arrived_at=arrived.time(), left_at=left, grade=grade, **kw
        )

    h14 = stay(14, "H")
    a0 = stay(0, "A")
    stay(15, "H")
    stay(5, "B")
    stay(5, "H", visit_type=VisitType.REPEAT)
    stay(5, "A", day=OUTSIDE)
    walk_in(store, consultant, grade="H")  # still in the showroom: no stay yet
    assert found(store, "short_stay_high_grade") == {
        ("short_stay_high_grade", f"walkin:{h14.pk}", ON),
        ("short_stay_high_grade", f"walkin:{a0.pk}", ON),
    }


def test_a_store_s_own_thresholds(store, consultant):
    from showroom.crm.models import CrosscheckSettings

    CrosscheckSettings.objects.create(store=store, short_stay_minutes=20, contact_days=10)
    arrived = dt.time(10, 0)
    h15 = walk_in(store, consultant, arrived_at=arrived, left_at=dt.time(10, 15), grade="H")
    walk_in(store, consultant, arrived_at=arrived, left_at=dt.time(10, 20), grade="H")
    day = dt.date(2026, 10, 20)
    card(store, consultant, "13900000004", day)
    walk_in(store, consultant, day - dt.timedelta(days=8), phone="13900000004")
    assert found(store, "short_stay_high_grade") == {
        ("short_stay_high_grade", f"walkin:{h15.pk}", ON)
    }
    assert found(store, "customer_without_contact") == set()


def test_duplicate_hand_card_per_number_and_day(store, consultant, consultant2, other_store):
    walk_in(store, consultant, hand_card="08", arrived_at=dt.time(10, 0))
    walk_in(store, consultant, hand_card="08", arrived_at=dt.time(14, 5))
    walk_in(store, consultant, hand_card="09", day=FIRST_DAY)
    walk_in(store, consultant2, hand_card="09", day=FIRST_DAY, arrived_at=dt.time(11, 30))
    walk_in(store, consultant, hand_card="09", day=dt.date(2026, 10, 3))  # another day
    walk_in(store, consultant, hand_card="")
    walk_in(store, consultant, hand_card="")
    f.WalkInFactory(store=other_store, date=ON, hand_card="10")
    walk_in(store, consultant, hand_card="10")
    walk_in(store, consultant, hand_card="11", day=OUTSIDE)
    walk_in(store, consultant, hand_card="11", day=OUTSIDE)
    assert found(store, "duplicate_hand_card") == {
        ("duplicate_hand_card", "hand_card:2026-10-31:08", ON),
        ("duplicate_hand_card", "hand_card:2026-10-02:09", FIRST_DAY),
    }
    by_key = {x.key: x for x in find_exceptions(store=store, on=ON)}
    assert by_key["hand_card:2026-10-31:08"].consultant_id == consultant.pk
    assert by_key["hand_card:2026-10-02:09"].consultant_id is None
    assert by_key["hand_card:2026-10-02:09"].message == (
        "手卡 09 在 2026-10-02 用于 2 条来店记录：10:00 张伟, 11:30 李娜"
    )


def first_visits(store, consultant, n, kept, day=ON):  # type: ignore[no-untyped-def]
    for i in range(n):
        walk_in(store, consultant, day, contact_kept=i < kept, name="客", phone="", grade="")


def test_retention_outlier(store, consultant, consultant2, make_staff):
    third = make_staff("wang", "consultant", store=store, full_name="王强")
    few = make_staff("zhao", "consultant", store=store, full_name="赵六")
    first_visits(store, consultant, 10, 1, day=FIRST_DAY)  # 10%: an outlier
    first_visits(store, consultant2, 10, 8)  # 80%
    first_visits(store, third, 12, 3)  # 25%: not below half of the store's
    first_visits(store, few, 9, 0)  # 0%, but fewer than 10 first visits
    first_visits(store, consultant, 5, 0, day=OUTSIDE)
    # store: 12 of 41 kept, 29.3%; half of it is 14.6%: 3/12 = 25% is not below it.
    counts = retention_by_consultant(store=store, on=ON)
    assert counts == {
        consultant.pk: (10, 1),
        consultant2.pk: (10, 8),
        third.pk: (12, 3),
        few.pk: (9, 0),
    }
    kpi = compute_kpis(stores=[store], start=FIRST_DAY, end=ON, codes=["retention_rate"])
    assert kpi["retention_rate"] == 12 / 41
    assert found(store, "retention_outlier") == {
        ("retention_outlier", f"consultant:{consultant.pk}", ON)
    }
    (x,) = [x for x in find_exceptions(store=store, on=ON) if x.code == "retention_outlier"]
    assert x.consultant == "张伟" and x.phone == ""
    assert x.message == "张伟 近30天 10 批首次来店中留档 1 批（10.0%），不到全店 29.3% 的一半"


def test_retention_outlier_at_exactly_half(store, consultant, consultant2):
    # Store 40 of 100 = 40%; half is 20%: 2 of 10 is exactly half, not below it.
    first_visits(store, consultant, 10, 2)
    first_visits(store, consultant2, 90, 38)
    assert found(store, "retention_outlier") == set()


def test_one_query_per_check(store, consultant, consultant2):
    for i in range(5):
        walk_in(store, consultant, name="客", phone=f"1380000000{i}", model="", grade="")
        call(store, consultant2, name="客", phone=f"1390000000{i}", model="")
        card(store, consultant, f"1370000000{i}")
    with CaptureQueriesContext(connection) as queries:
        assert len(find_exceptions(store=store, on=ON)) == 10 + 5 + 5 + 10
    # staff names, the store's thresholds, 2 + 2 + 1 + 1 + 2 + 1 + 1 row checks, retention
    assert len(queries) == 13


def test_the_store_sets_its_own_thresholds(client, store, consultant, make_staff):
    from showroom.crm.models import CrosscheckSettings

    client.force_login(make_staff("gm", Role.GENERAL_MANAGER, store=store))
    data = {"contact_days": "3", "short_stay_minutes": "30", "outlier_min_first_visits": "20"}
    response = client.post(reverse("crm:crosscheck_thresholds"), data, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["数据交叉比对阈值已保存。"]
    settings = CrosscheckSettings.objects.get(store=store)
    assert (settings.contact_days, settings.short_stay_minutes) == (3, 30)
    assert settings.outlier_min_first_visits == 20
    bad = client.post(reverse("crm:crosscheck_thresholds"), {**data, "contact_days": "0"})
    assert bad.context["form"].errors["contact_days"] == ["须在 1 到 60 之间。"]
