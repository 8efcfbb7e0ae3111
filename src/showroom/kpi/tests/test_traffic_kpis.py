"""Traffic KPIs (docs/contracts.md) on a month built for the purpose: October 2026 at BJ01.

Every expected number is derived by hand in a comment from the rows below; the rows are
listed once here so that the derivations can be checked against them.

BJ01 walk-ins in October (张伟 = zhang, 李娜 = li):
  W1 10-02 10:00–10:45 first  zhang 王先生 "+86 138-0000-0004" kept empty  TD Q  internet   途胜
  W2 10-03 11:00–11:30 first  zhang anonymous (no name, no phone)              walk_by    —
  W3 10-03 14:00–     first  li    anonymous, no departure                    —          —
  W4 10-05 09:30–10:50 first  li    赵女士 13800000005 kept NO         TD Q  friend     索纳塔
  W5 10-06 15:00–15:20 first  li    孙先生 13800000006 kept yes  inv      Q  invitation 途胜
  W6 10-10 10:00–11:00 repeat zhang 王先生 "13800000004"         inv   TD Q  internet   途胜
  W7 10-12 16:00–     repeat li    钱先生 13800000007            inv         invitation 索纳塔
  W8 10-31 17:00–17:31 first  zhang 周先生 13800000008 kept empty            internet   —
BJ01 walk-ins outside October: 09-18 phone …009, 09-29 17:00 …012, 09-30 10:00 …013, 11-03 …011.
SH01 walk-ins in October (刘洋): 10-03 first 吴先生 …015 (no departure);
  10-20 10:00–10:40 repeat 王先生 "138 0000 0004".

BJ01 calls in October: 10-04 first zhang …020 internet; 10-09 repeat zhang …004 internet;
  10-20 first li anonymous; 10-31 first li …021 oem. Outside: 11-01 first zhang …022.
BJ01 calls in September (the previous month, for call_invitation_rate):
  C1  09-10 10:00 first  zhang "+86 138-0000-0004" internet → W1 10-02            visited
  C1b 09-11       first  zhang "13800000004"       internet   (same phone as C1)
  C2  09-15       first  li    …007                internet → W7 10-12            visited
  C3  09-20 14:00 first  zhang …009                internet   walk-in 09-18 only  before the call
  C4  09-25       REPEAT li    …006                internet   (W5 10-06)          ignored
  C5  09-28       first  li    …011                media      walk-in 11-03       after October
  C6  09-29 16:00 first  zhang …012                media      walk-in 09-29 17:00 visited
  C7  09-30 15:00 first  li    …013                media      walk-in 09-30 10:00 before the call
  C8  09-05       first  zhang anonymous           —          (no phone)
  C9  09-12       first  zhang …015                media      walk-in at SH01 only other store
  C10 08-20       first  zhang …008                internet   (W8 10-31)          two months back
SH01 calls: 10-08 first 刘洋 …030.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

import pytest
import time_machine

from showroom.core.months import month_range, previous_month_range
from showroom.kpi.registry import REGISTRY, implemented_codes
from showroom.kpi.selectors import compute_kpis
from showroom.organization.choices import Role
from showroom.organization.models import Store
from showroom.traffic.choices import CallType, VisitType
from tests import factories as f

pytestmark = pytest.mark.django_db

OCT = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
# The traffic KPIs (the others have their own tests: test_funnel_kpis, test_deal_kpis, …).
TRAFFIC = [code for code, kpi in REGISTRY.items() if kpi.area == "traffic"]
FIRST, REPEAT = VisitType.FIRST, VisitType.REPEAT


def t(hhmm: str) -> dt.time:
    return dt.time.fromisoformat(hhmm)


def d(mmdd: str) -> dt.date:
    return dt.date.fromisoformat(f"2026-{mmdd}")


def build_october(store: Store, other_store: Store, zhang, li) -> None:  # type: ignore[no-untyped-def]
    """The rows of the module's docstring."""
    src = f.source
    liu = f.StaffFactory(
        username="liu",
        full_name="刘洋",
        staff_code="S001",
        store=other_store,
        roles=Role.CONSULTANT,
    )
    walk = partial(f.WalkInFactory, store=store)
    walk(
        date=d("10-02"),
        arrived_at=t("10:00"),
        left_at=t("10:45"),
        visit_type=FIRST,
        consultant=zhang,
        name="王先生",
        phone="+86 138-0000-0004",
        test_drive=True,
        quoted=True,
        source=src("internet"),
        model="途胜",
    )
    walk(
        date=d("10-03"),
        arrived_at=t("11:00"),
        left_at=t("11:30"),
        visit_type=FIRST,
        consultant=zhang,
        source=src("walk_by"),
    )
    walk(date=d("10-03"), arrived_at=t("14:00"), visit_type=FIRST, consultant=li)
    walk(
        date=d("10-05"),
        arrived_at=t("09:30"),
        left_at=t("10:50"),
        visit_type=FIRST,
        consultant=li,
        name="赵女士",
        phone="13800000005",
        contact_kept=False,
        test_drive=True,
        quoted=True,
        source=src("friend"),
        model="索纳塔",
    )
    walk(
        date=d("10-06"),
        arrived_at=t("15:00"),
        left_at=t("15:20"),
        visit_type=FIRST,
        consultant=li,
        name="孙先生",
        phone="13800000006",
        contact_kept=True,
        invited=True,
        quoted=True,
        source=src("invitation"),
        model="途胜",
    )
    walk(
        date=d("10-10"),
        arrived_at=t("10:00"),
        left_at=t("11:00"),
        visit_type=REPEAT,
        consultant=zhang,
        name="王先生",
        phone="13800000004",
        invited=True,
        test_drive=True,
        quoted=True,
        source=src("internet"),
        model="途胜",
    )
    walk(
        date=d("10-12"),
        arrived_at=t("16:00"),
        visit_type=REPEAT,
        consultant=li,
        name="钱先生",
        phone="13800000007",
        invited=True,
        source=src("invitation"),
        model="索纳塔",
    )
    walk(
        date=d("10-31"),
        arrived_at=t("17:00"),
        left_at=t("17:31"),
        visit_type=FIRST,
        consultant=zhang,
        name="周先生",
        phone="13800000008",
        source=src("internet"),
    )
    # Outside October.
    walk(date=d("09-18"), arrived_at=t("10:00"), consultant=zhang, phone="13800000009")
    walk(date=d("09-29"), arrived_at=t("17:00"), consultant=zhang, phone="13800000012")
    walk(date=d("09-30"), arrived_at=t("10:00"), consultant=li, phone="13800000013")
    walk(date=d("11-03"), arrived_at=t("10:00"), consultant=li, phone="13800000011")
    # Another store.
    f.WalkInFactory(
        store=other_store,
        date=d("10-03"),
        arrived_at=t("10:00"),
        visit_type=FIRST,
        consultant=liu,
        name="吴先生",
        phone="13800000015",
    )
    f.WalkInFactory(
        store=other_store,
        date=d("10-20"),
        arrived_at=t("10:00"),
        left_at=t("10:40"),
        visit_type=REPEAT,
        consultant=liu,
        name="王先生",
        phone="138 0000 0004",
    )

    call = partial(f.CallFactory, store=store, call_type=CallType.FIRST)
    call(date=d("10-04"), consultant=zhang, phone="13800000020", source=src("internet"))
    call(
        date=d("10-09"),
        consultant=zhang,
        phone="13800000004",
        source=src("internet"),
        call_type=CallType.REPEAT,
    )
    call(date=d("10-20"), consultant=li)
    call(date=d("10-31"), consultant=li, phone="13800000021", source=src("oem"))
    call(date=d("11-01"), consultant=zhang, phone="13800000022")
    call(
        date=d("09-10"),
        called_at=t("10:00"),
        consultant=zhang,
        phone="+86 138-0000-0004",
        source=src("internet"),
    )
    call(date=d("09-11"), consultant=zhang, phone="13800000004", source=src("internet"))
    call(date=d("09-15"), consultant=li, phone="13800000007", source=src("internet"))
    call(
        date=d("09-20"),
        called_at=t("14:00"),
        consultant=zhang,
        phone="13800000009",
        source=src("internet"),
    )
    call(
        date=d("09-25"),
        consultant=li,
        phone="13800000006",
        source=src("internet"),
        call_type=CallType.REPEAT,
    )
    call(date=d("09-28"), consultant=li, phone="13800000011", source=src("media"))
    call(
        date=d("09-29"),
        called_at=t("16:00"),
        consultant=zhang,
        phone="13800000012",
        source=src("media"),
    )
    call(
        date=d("09-30"),
        called_at=t("15:00"),
        consultant=li,
        phone="13800000013",
        source=src("media"),
    )
    call(date=d("09-05"), consultant=zhang)
    call(date=d("09-12"), consultant=zhang, phone="13800000015", source=src("media"))
    call(date=d("08-20"), consultant=zhang, phone="13800000008", source=src("internet"))
    f.CallFactory(store=other_store, date=d("10-08"), consultant=liu, phone="13800000030")


@pytest.fixture(autouse=True)
def _frozen(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(dt.datetime(2026, 11, 15, 9, 0, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def october(store, other_store, consultant, consultant2):  # type: ignore[no-untyped-def]
    build_october(store, other_store, consultant, consultant2)


# BJ01, October, derived from the docstring's rows.
BJ01_OCTOBER = {
    "walkin_batches": 8,  # W1–W8; 09-18/09-29/09-30/11-03 and SH01 rows excluded
    "first_visit_batches": 6,  # W1 W2 W3 W4 W5 W8
    "repeat_visit_batches": 2,  # W6 W7
    "invited_visit_batches": 3,  # W5 W6 W7
    "call_batches": 4,  # 10-04, 10-09, 10-20, 10-31 (11-01 and September excluded)
    "first_call_batches": 3,  # all but the 10-09 repeat call
    # First visits with both times: W1 45, W2 30, W4 80, W5 20, W8 31 → 206 / 5.
    # W3 has no departure; W6 (60 min) is a repeat visit.
    "avg_stay_minutes": 41.2,
    # Kept among first visits: W1 (empty, name+phone), W5 (yes), W8 (empty, name+phone) = 3;
    # not W2/W3 (anonymous) nor W4 (explicit no despite name and phone) → 3 / 6.
    "retention_rate": 3 / 6,
    "receptions_per_consultant": 6 / 2,  # 6 first visits, by zhang and li
    # September first-call phones: …004 (C1 and C1b, one person), …007, …009, …011, …012,
    # …013, …015 = 7 (C4 is a repeat call, C8 has no phone, C10 is in August).
    # Visited after the call by 10-31 at BJ01: …004 (W1), …007 (W7), …012 (same day, later) = 3.
    "call_invitation_rate": 3 / 7,
    "test_drive_rate": 3 / 8,  # W1 W4 W6
    "quote_rate": 4 / 8,  # W1 W4 W5 W6
    # Phones …004 (W1 "+86 138-0000-0004" and W6 "13800000004"), …005, …006, …007, …008 = 5,
    # plus the anonymous W2 and W3 one each = 7.
    "unique_visitors": 7,
}


def test_month_of_one_store(october, store):
    assert compute_kpis(stores=[store], start=OCT[0], end=OCT[1], codes=TRAFFIC) == BJ01_OCTOBER


def test_result_follows_registry_order(october, store):
    result = compute_kpis(stores=[store], start=OCT[0], end=OCT[1], codes=TRAFFIC)
    assert list(result) == [code for code in implemented_codes() if code in TRAFFIC]
    assert all(isinstance(result[c], int) for c in result if REGISTRY[c].kind == "count")


def test_by_consultant(october, store):
    assert compute_kpis(
        stores=[store], start=OCT[0], end=OCT[1], by="consultant", codes=TRAFFIC
    ) == {
        "张伟": {
            "walkin_batches": 4,  # W1 W2 W6 W8
            "first_visit_batches": 3,  # W1 W2 W8
            "repeat_visit_batches": 1,  # W6
            "invited_visit_batches": 1,  # W6
            "call_batches": 2,  # 10-04, 10-09
            "first_call_batches": 1,  # 10-04
            "avg_stay_minutes": 106 / 3,  # (45 + 30 + 31) / 3, exact
            "retention_rate": 2 / 3,  # W1 W8 kept, W2 anonymous
            "receptions_per_consultant": 3 / 1,
            # C1/C1b …004 visited, C3 …009 no (before), C6 …012 visited, C9 …015 no (SH01).
            "call_invitation_rate": 2 / 4,
            "test_drive_rate": 2 / 4,  # W1 W6
            "quote_rate": 2 / 4,  # W1 W6
            "unique_visitors": 3,  # …004, …008, anonymous W2
        },
        "李娜": {
            "walkin_batches": 4,  # W3 W4 W5 W7
            "first_visit_batches": 3,  # W3 W4 W5
            "repeat_visit_batches": 1,  # W7
            "invited_visit_batches": 2,  # W5 W7
            "call_batches": 2,  # 10-20, 10-31
            "first_call_batches": 2,
            "avg_stay_minutes": 50.0,  # (80 + 20) / 2; W3 has no departure
            "retention_rate": 1 / 3,  # W5 only: W4 said no, W3 anonymous
            "receptions_per_consultant": 3 / 1,
            "call_invitation_rate": 1 / 3,  # C2 …007 visited; C5 …011 (Nov), C7 …013 (before)
            "test_drive_rate": 1 / 4,  # W4
            "quote_rate": 2 / 4,  # W4 W5
            "unique_visitors": 4,  # …005, …006, …007, anonymous W3
        },
    }


NO_WALKINS = {
    "walkin_batches": 0, "first_visit_batches": 0, "repeat_visit_batches": 0,
    "invited_visit_batches": 0, "avg_stay_minutes": None, "retention_rate": None,
    "receptions_per_consultant": None, "test_drive_rate": None, "quote_rate": None,
    "unique_visitors": 0,
}  # fmt: skip


def test_by_source(october, store):
    result = compute_kpis(stores=[store], start=OCT[0], end=OCT[1], by="source", codes=TRAFFIC)
    assert list(result) == ["friend", "internet", "invitation", "media", "oem", "walk_by", "(none)"]
    assert result["internet"] == {
        "walkin_batches": 3,  # W1 W6 W8
        "first_visit_batches": 2,  # W1 W8
        "repeat_visit_batches": 1,  # W6
        "invited_visit_batches": 1,  # W6
        "call_batches": 2,  # 10-04, 10-09
        "first_call_batches": 1,  # 10-04
        "avg_stay_minutes": 38.0,  # (45 + 31) / 2
        "retention_rate": 2 / 2,  # W1 W8
        "receptions_per_consultant": 2 / 1,  # both by zhang
        "call_invitation_rate": 2 / 3,  # …004 and …007 visited, …009 before (C4 is a repeat)
        "test_drive_rate": 2 / 3,  # W1 W6
        "quote_rate": 2 / 3,  # W1 W6
        "unique_visitors": 2,  # …004 twice, …008
    }
    assert result["friend"] == {
        # W4 alone: 80 minutes, an explicit no although name and phone are given.
        "walkin_batches": 1, "first_visit_batches": 1, "repeat_visit_batches": 0,
        "invited_visit_batches": 0, "call_batches": 0, "first_call_batches": 0,
        "avg_stay_minutes": 80.0, "retention_rate": 0.0, "receptions_per_consultant": 1.0,
        "call_invitation_rate": None, "test_drive_rate": 1.0, "quote_rate": 1.0,
        "unique_visitors": 1,
    }  # fmt: skip
    assert result["invitation"] == {
        # W5 (first, kept, quoted, 20 min) and W7 (repeat, no departure).
        "walkin_batches": 2, "first_visit_batches": 1, "repeat_visit_batches": 1,
        "invited_visit_batches": 2, "call_batches": 0, "first_call_batches": 0,
        "avg_stay_minutes": 20.0, "retention_rate": 1.0, "receptions_per_consultant": 1.0,
        "call_invitation_rate": None, "test_drive_rate": 0.0, "quote_rate": 1 / 2,
        "unique_visitors": 2,
    }  # fmt: skip
    assert result["walk_by"] == {
        # W2: anonymous, 30 min.
        "walkin_batches": 1, "first_visit_batches": 1, "repeat_visit_batches": 0,
        "invited_visit_batches": 0, "call_batches": 0, "first_call_batches": 0,
        "avg_stay_minutes": 30.0, "retention_rate": 0.0, "receptions_per_consultant": 1.0,
        "call_invitation_rate": None, "test_drive_rate": 0.0, "quote_rate": 0.0,
        "unique_visitors": 1,
    }  # fmt: skip
    # September media calls only: …011 (Nov), …012 visited, …013 (before), …015 (SH01).
    assert result["media"] == {
        **NO_WALKINS,
        "call_batches": 0,
        "first_call_batches": 0,
        "call_invitation_rate": 1 / 4,
    }
    # The 10-31 oem call only; no September oem call.
    assert result["oem"] == {
        **NO_WALKINS,
        "call_batches": 1,
        "first_call_batches": 1,
        "call_invitation_rate": None,
    }
    assert result["(none)"] == {
        # W3 (anonymous, no departure) and the anonymous 10-20 call; C8 has no phone.
        "walkin_batches": 1, "first_visit_batches": 1, "repeat_visit_batches": 0,
        "invited_visit_batches": 0, "call_batches": 1, "first_call_batches": 1,
        "avg_stay_minutes": None, "retention_rate": 0.0, "receptions_per_consultant": 1.0,
        "call_invitation_rate": None, "test_drive_rate": 0.0, "quote_rate": 0.0,
        "unique_visitors": 1,
    }  # fmt: skip


def test_by_model(october, store):
    result = compute_kpis(stores=[store], start=OCT[0], end=OCT[1], by="model", codes=TRAFFIC)
    assert list(result) == ["索纳塔", "途胜", "(none)"]
    assert result["途胜"] == {
        # W1 W5 W6; no call names a model.
        "walkin_batches": 3, "first_visit_batches": 2, "repeat_visit_batches": 1,
        "invited_visit_batches": 2, "call_batches": 0, "first_call_batches": 0,
        "avg_stay_minutes": 32.5,  # (45 + 20) / 2
        "retention_rate": 1.0,  # W1 W5
        "receptions_per_consultant": 1.0,  # W1 zhang, W5 li
        "call_invitation_rate": None,
        "test_drive_rate": 2 / 3, "quote_rate": 1.0,
        "unique_visitors": 2,  # …004 twice, …006
    }  # fmt: skip
    assert result["(none)"] == {
        # W2 W3 W8 and every call.
        "walkin_batches": 3, "first_visit_batches": 3, "repeat_visit_batches": 0,
        "invited_visit_batches": 0, "call_batches": 4, "first_call_batches": 3,
        "avg_stay_minutes": 30.5,  # (30 + 31) / 2
        "retention_rate": 1 / 3,  # W8
        "receptions_per_consultant": 3 / 2,  # W2 W8 zhang, W3 li
        "call_invitation_rate": 3 / 7,
        "test_drive_rate": 0.0, "quote_rate": 0.0,
        "unique_visitors": 3,  # …008 and the two anonymous parties
    }  # fmt: skip


SH01_OCTOBER = {
    "walkin_batches": 2, "first_visit_batches": 1, "repeat_visit_batches": 1,
    "invited_visit_batches": 0, "call_batches": 1, "first_call_batches": 1,
    "avg_stay_minutes": None,  # the one first visit has no departure; 10-20 is a repeat
    "retention_rate": 1.0,  # 吴先生 with a phone, contact_kept empty
    "receptions_per_consultant": 1.0, "call_invitation_rate": None,  # no September calls
    "test_drive_rate": 0.0, "quote_rate": 0.0, "unique_visitors": 2,
}  # fmt: skip


def test_by_store(october, store, other_store):
    result = compute_kpis(
        stores=Store.objects.all(), start=OCT[0], end=OCT[1], by="store", codes=TRAFFIC
    )
    assert result == {"BJ01": BJ01_OCTOBER, "SH01": SH01_OCTOBER}


def test_stores_together(october, store, other_store):
    assert compute_kpis(stores=[store, other_store], start=OCT[0], end=OCT[1], codes=TRAFFIC) == {
        "walkin_batches": 10, "first_visit_batches": 7, "repeat_visit_batches": 3,
        "invited_visit_batches": 3, "call_batches": 5, "first_call_batches": 4,
        "avg_stay_minutes": 41.2,  # SH01 adds no timed first visit
        "retention_rate": 4 / 7,  # BJ01 3 + SH01 1
        "receptions_per_consultant": 7 / 3,  # zhang, li, liu
        "call_invitation_rate": 3 / 7,  # …015 visiting SH01 still does not count for BJ01's call
        "test_drive_rate": 3 / 10, "quote_rate": 4 / 10,
        # 7 at BJ01 + 2 at SH01: 王先生 at both stores is a customer of each.
        "unique_visitors": 9,
    }  # fmt: skip


def test_other_store_alone(october, other_store):
    assert (
        compute_kpis(stores=[other_store], start=OCT[0], end=OCT[1], codes=TRAFFIC) == SH01_OCTOBER
    )


def test_november_counts_only_october_calls(october, store):
    # October's first calls with phones: …020, …021. Neither visits by 11-30: 0 / 2.
    # (C5's …011 visits on 11-03, but C5 was a September call.)
    nov = month_range("2026-11")
    result = compute_kpis(stores=[store], start=nov[0], end=nov[1], codes=["call_invitation_rate"])
    assert result == {"call_invitation_rate": 0.0}


def test_empty_period_gives_zero_counts_and_null_rates(store):
    result = compute_kpis(stores=[store], start=OCT[0], end=OCT[1], codes=TRAFFIC)
    assert result == {**NO_WALKINS, "call_batches": 0, "first_call_batches": 0,
                      "call_invitation_rate": None}  # fmt: skip
    assert (
        compute_kpis(stores=[store], start=OCT[0], end=OCT[1], by="consultant", codes=TRAFFIC) == {}
    )


def test_no_stores_no_rows(october, django_assert_num_queries):
    with django_assert_num_queries(0):  # an empty IN () is known to match nothing
        result = compute_kpis(stores=[], start=OCT[0], end=OCT[1], codes=TRAFFIC)
    assert result == {**NO_WALKINS, "call_batches": 0, "first_call_batches": 0,
                      "call_invitation_rate": None}  # fmt: skip


def test_consultants_sharing_a_name_stay_apart(store, other_store):
    a = f.StaffFactory(username="w1", full_name="王芳", staff_code="C010", store=store)
    b = f.StaffFactory(username="w2", full_name="王芳", staff_code="C020", store=other_store)
    f.WalkInFactory(store=store, consultant=a, date=d("10-01"))
    f.WalkInFactory(store=other_store, consultant=b, date=d("10-01"))
    f.WalkInFactory(store=other_store, consultant=b, date=d("10-02"))
    result = compute_kpis(
        stores=[store, other_store],
        start=OCT[0],
        end=OCT[1],
        by="consultant",
        codes=["walkin_batches"],
    )
    assert result == {
        "王芳 (BJ01/C010)": {"walkin_batches": 1},
        "王芳 (SH01/C020)": {"walkin_batches": 2},
    }


def test_a_stay_past_midnight(store, consultant):
    f.WalkInFactory(store=store, consultant=consultant, arrived_at=t("23:30"), left_at=t("00:15"))
    result = compute_kpis(stores=[store], start=OCT[0], end=OCT[1], codes=["avg_stay_minutes"])
    assert result == {"avg_stay_minutes": 45.0}


@pytest.mark.parametrize("by", [None, "store", "consultant", "source", "model"])
def test_one_query_per_register(october, store, other_store, by, django_assert_num_queries):
    stores = Store.objects.all()
    with django_assert_num_queries(2):  # one over the walk-ins, one over the calls
        compute_kpis(stores=stores, start=OCT[0], end=OCT[1], by=by, codes=TRAFFIC)


def test_query_count_does_not_grow_with_rows(october, store, django_assert_num_queries):
    for day in range(1, 32):  # a row a day for a new consultant
        staff = f.StaffFactory(store=store, username=f"extra{day}")
        f.WalkInFactory(store=store, consultant=staff, date=dt.date(2026, 10, day))
        f.CallFactory(
            store=store,
            consultant=staff,
            date=dt.date(2026, 9, min(day, 30)),
            phone=f"1390000{day:04d}",
        )
    with django_assert_num_queries(2):
        result = compute_kpis(
            stores=[store], start=OCT[0], end=OCT[1], by="consultant", codes=TRAFFIC
        )
    assert len(result) == 2 + 31


def test_only_the_registers_needed_are_read(october, store, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert compute_kpis(stores=[store], start=OCT[0], end=OCT[1], codes=["quote_rate"]) == {
            "quote_rate": 0.5
        }
    with django_assert_num_queries(1):
        assert compute_kpis(
            stores=[store], start=OCT[0], end=OCT[1], codes=["call_invitation_rate", "call_batches"]
        ) == {"call_batches": 4, "call_invitation_rate": 3 / 7}


def test_bad_arguments(store):
    with pytest.raises(ValueError, match="unknown KPI codes: nope"):
        compute_kpis(stores=[store], start=OCT[0], end=OCT[1], codes=["nope"])
    with pytest.raises(ValueError, match="unknown grouping"):
        compute_kpis(stores=[store], start=OCT[0], end=OCT[1], by="week")
    with pytest.raises(ValueError, match="after end"):
        compute_kpis(stores=[store], start=OCT[1], end=OCT[0])


@pytest.mark.parametrize(
    ("month", "expected"),
    [
        ("2026-10", (dt.date(2026, 10, 1), dt.date(2026, 10, 31))),
        ("2028-02", (dt.date(2028, 2, 1), dt.date(2028, 2, 29))),
        ("2026-2", (dt.date(2026, 2, 1), dt.date(2026, 2, 28))),
        ("2026-12", (dt.date(2026, 12, 1), dt.date(2026, 12, 31))),
    ],
)
def test_month_range(month, expected):
    assert month_range(month) == expected


@pytest.mark.parametrize("month", ["2026-13", "2026-00", "2026/10", "oct", "2026-10-01", ""])
def test_month_range_rejects(month):
    with pytest.raises(ValueError, match="YYYY-MM"):
        month_range(month)


def test_previous_month_range():
    date = dt.date
    assert previous_month_range(date(2026, 10, 17)) == (date(2026, 9, 1), date(2026, 9, 30))
    assert previous_month_range(date(2026, 1, 1)) == (date(2025, 12, 1), date(2025, 12, 31))
