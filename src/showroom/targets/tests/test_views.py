"""The target screens: who sees and edits what, the forms' validation, version conflicts."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from showroom.organization.choices import Role
from showroom.targets.models import ConsultantTarget, StoreTarget, WeeklyTarget
from showroom.targets.tests.builders import delivery, target
from tests import factories as f

pytestmark = pytest.mark.django_db

INDEX = reverse("targets:index")
SET = reverse("targets:set")
SPLIT = reverse("targets:split")
OCT = "?store=BJ01&month=2026-10"
# 2026-10-14 12:00 in Beijing.
NOON = datetime(2026, 10, 14, 4, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():  # type: ignore[no-untyped-def]
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
def october(store, consultant, consultant2):  # type: ignore[no-untyped-def]
    t = target(
        store,
        "2026-10-01",
        20,
        {consultant: (12, [1, 3, 3, 3, 2]), consultant2: (8, [1, 2, 2, 2, 1])},
        season_index="1.05",
        launches="新途胜上市",
    )
    delivery(store, consultant, "2026-10-06")
    delivery(store, consultant2, "2026-10-13")
    return t


def split_post(version: int, zhang: int, li: int, consultant, consultant2, **weeks):  # type: ignore[no-untyped-def]
    data = {"version": str(version), f"c{consultant.pk}": str(zhang), f"c{consultant2.pk}": str(li)}
    data.update({k.replace("Z", f"c{consultant.pk}"): str(v) for k, v in weeks.items()})
    return data


def test_manager_sees_the_store(client, manager, october):
    client.force_login(manager)
    page = client.get(INDEX)  # the store's current month by default
    assert page.status_code == 200
    text = page.content.decode()
    assert "张伟" in text and "李娜" in text
    assert "新途胜上市" in text  # the factors
    assert SET + OCT in text.replace("&amp;", "&")
    assert page.context["progress"].achieved == 2
    assert page.context["refill"] is not None
    assert page.context["week_index"] == 2


def test_consultant_sees_only_their_own_row_read_only(client, consultant, consultant2, october):
    client.force_login(consultant)
    page = client.get(INDEX + OCT)
    assert page.status_code == 200
    text = page.content.decode()
    assert "张伟" in text and "李娜" not in text
    assert "新途胜上市" not in text
    assert SPLIT not in text and SET not in text
    assert page.context["refill"] is None and page.context["forecast"] is None
    # The headline is their own: 12 to deliver, 1 delivered, 11 in the 18 days left.
    assert page.context["head"] == {"target": 12, "achieved": 1, "remaining": 11, "pace": 11 / 18}
    assert "全店：目标 20 台，已交车 2 台。" in text
    assert client.get(SET + OCT).status_code == 403
    assert client.get(SPLIT + OCT).status_code == 403
    data = split_post(october.version, 20, 0, consultant, consultant2)
    assert client.post(SPLIT + OCT, data).status_code == 403
    assert ConsultantTarget.objects.get(consultant=consultant).deliveries == 12


def test_other_store_is_invisible(client, consultant, manager, other_store, october):
    for user in (consultant, manager):
        client.force_login(user)
        assert client.get(INDEX + "?store=SH01").status_code == 403
        assert client.get(INDEX + "?store=NOPE").status_code == 403
    client.force_login(manager)
    assert client.get(SET + "?store=SH01&month=2026-10").status_code == 403


def test_receptionist_has_no_targets(client, receptionist, october):
    client.force_login(receptionist)
    assert client.get(INDEX).status_code == 403


def test_setting_a_new_target_proposes_the_split(client, manager, store, consultant, consultant2):
    # Three months before November: zhang delivered 3, li 1.
    for day in ("2026-08-03", "2026-09-09", "2026-10-10"):
        delivery(store, consultant, day)
    delivery(store, consultant2, "2026-10-11")
    client.force_login(manager)
    page = client.get(SET + "?store=BJ01&month=2026-11")
    assert page.status_code == 200
    assert page.context["basis"] == 1  # 4 deliveries ÷ 3 months, rounded
    response = client.post(
        SET + "?store=BJ01&month=2026-11",
        {"deliveries": "10", "orders": "12", "season_index": "1.05", "history_basis": "1",
         "launches": "", "policy": "购置税减半", "advertising": "", "staffing": "", "notes": ""},
    )  # fmt: skip
    assert response.status_code == 302
    t = StoreTarget.objects.get(store=store, month="2026-11-01")
    assert (t.deliveries, t.orders, t.policy, t.set_by) == (10, 12, "购置税减半", manager)
    split = dict(t.splits.values_list("consultant__username", "deliveries"))
    # 3:1 of 10 is 7.5 and 2.5: the tied half goes to li, first in the rotation order (by
    # login name here).
    assert split == {"zhang": 7, "li": 3}


def test_target_form_validation(client, manager, store):
    client.force_login(manager)
    page = client.post(
        SET + "?store=BJ01&month=2026-11",
        {"deliveries": "0", "orders": "", "season_index": "9"},
    )
    assert page.status_code == 200
    errors = page.context["form"].errors
    assert set(errors) == {"deliveries", "season_index"}
    assert not StoreTarget.objects.exists()


def test_split_not_adding_up_is_refused_and_keeps_what_was_typed(
    client, manager, consultant, consultant2, october
):
    client.force_login(manager)
    data = split_post(october.version, 13, 5, consultant, consultant2)
    page = client.post(SPLIT + OCT, data)
    assert page.status_code == 200
    text = page.content.decode()
    assert "顾问目标合计为 18 台，门店目标为 20 台（还差 2 台）。" in text
    assert f'name="c{consultant.pk}" value="13"' in text
    assert ConsultantTarget.objects.get(consultant=consultant).deliveries == 12


def test_split_weeks_must_add_up(client, manager, consultant, consultant2, october):
    client.force_login(manager)
    weeks = {"Z_w0": 1, "Z_w1": 1, "Z_w2": 1, "Z_w3": 1, "Z_w4": 1}  # 5, not 14
    page = client.post(
        SPLIT + OCT, split_post(october.version, 14, 6, consultant, consultant2, **weeks)
    )
    assert page.status_code == 200
    assert "张伟的各周目标合计为 5 台，而月目标为 14 台。" in page.content.decode()


def test_split_saved_with_weeks_spread_or_typed(client, manager, consultant, consultant2, october):
    client.force_login(manager)
    weeks = {"Z_w0": 0, "Z_w1": 4, "Z_w2": 4, "Z_w3": 4, "Z_w4": 2}
    response = client.post(
        SPLIT + OCT, split_post(october.version, 14, 6, consultant, consultant2, **weeks)
    )
    assert response.status_code == 302
    rows = WeeklyTarget.objects.filter(split__target=october).order_by(
        "split__consultant__username", "week_start"
    )
    assert [(r.split.consultant.username, r.deliveries) for r in rows] == [
        ("li", 1), ("li", 2), ("li", 1), ("li", 1), ("li", 1),  # 6 spread by days
        ("zhang", 0), ("zhang", 4), ("zhang", 4), ("zhang", 4), ("zhang", 2),
    ]  # fmt: skip
    october.refresh_from_db()
    assert october.version == 2 and october.set_by == manager


def test_split_version_conflict_is_refused(
    client, manager, consultant, consultant2, october, make_staff, store
):
    other = make_staff("boss2", Role.MANAGER, store=store, full_name="赵经理")
    client.force_login(other)
    assert (
        client.post(SPLIT + OCT, split_post(1, 10, 10, consultant, consultant2)).status_code == 302
    )
    client.force_login(manager)
    page = client.post(SPLIT + OCT, split_post(1, 15, 5, consultant, consultant2))
    assert page.status_code == 409
    text = page.content.decode()
    assert "未保存：赵经理在您打开后修改了这个目标。" in text
    assert f'name="c{consultant.pk}" value="15"' in text
    assert ConsultantTarget.objects.get(consultant=consultant).deliveries == 10
    # Saving again, knowingly, overwrites.
    assert page.context["form"]["version"].value() == "2"
    assert (
        client.post(SPLIT + OCT, split_post(2, 15, 5, consultant, consultant2)).status_code == 302
    )
    assert ConsultantTarget.objects.get(consultant=consultant).deliveries == 15


def test_target_version_conflict_and_rescaled_split(client, manager, store, october):
    client.force_login(manager)
    fields = dict.fromkeys(
        ["orders", "season_index", "history_basis", "launches", "policy", "advertising",
         "staffing", "notes"], "",
    )  # fmt: skip
    fields["deliveries"] = "30"
    assert client.post(SET + OCT, {**fields, "version": "1"}).status_code == 302
    october.refresh_from_db()
    assert october.deliveries == 30 and october.version == 2
    # 12:8 of 30 → 18 and 12; weeks re-spread.
    assert dict(october.splits.values_list("consultant__username", "deliveries")) == {
        "zhang": 18,
        "li": 12,
    }
    page = client.post(SET + OCT, {**fields, "deliveries": "25", "version": "1"})
    assert page.status_code == 409
    assert 'value="25"' in page.content.decode()
    october.refresh_from_db()
    assert october.deliveries == 30


def test_group_analyst_reads(client, group_analyst, october):
    client.force_login(group_analyst)
    assert client.get(INDEX + OCT).status_code == 200
    assert client.get(SET + OCT).status_code == 403


def test_nav_shows_targets(client, manager, october):
    client.force_login(manager)
    page = client.get(INDEX)
    assert any(item["url"] == INDEX for item in page.context["nav"])


def test_no_target_yet(client, manager, consultant):
    client.force_login(manager)
    page = client.get(INDEX + "?month=2026-12")
    assert page.status_code == 200
    assert page.context["target"] is None
    assert client.get(SPLIT + "?month=2026-12").status_code == 302


def test_bad_month_falls_back(client, manager, october):
    client.force_login(manager)
    page = client.get(INDEX + "?month=2026-13")
    assert page.status_code == 200
    assert str(page.context["month"]) == "2026-10-01"


def test_index_queries_do_not_grow_with_consultants(
    client, manager, store, october, django_assert_max_num_queries
):
    client.force_login(manager)
    client.get(INDEX)  # the session and the language settle
    with CaptureQueriesContext(connection) as few:
        client.get(INDEX)
    for n in range(8):
        person = f.StaffFactory(store=store, username=f"extra{n}", roles=Role.CONSULTANT)
        delivery(store, person, f"2026-10-{n + 1:02d}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(INDEX)
    assert len(page.context["rows"]) == 10


@pytest.mark.parametrize(
    ("deliveries", "orders", "expected"),
    [
        ("-5", "10", {"deliveries": ["交车目标至少为 1。"]}),
        ("0", "", {"deliveries": ["交车目标至少为 1。"]}),
        ("10", "-3", {"orders": ["确保该值大于或等于0。"]}),
    ],
)
def test_a_negative_target_gets_one_message(client, manager, store, deliveries, orders, expected):
    client.force_login(manager)
    page = client.post(
        SET + "?store=BJ01&month=2026-11",
        {"deliveries": deliveries, "orders": orders, "season_index": "1"},
    )
    assert page.status_code == 200
    assert page.context["form"].errors == expected
    assert not StoreTarget.objects.exists()
