"""排班 / 接待轮序: who receives the next walk-in."""

import datetime as dt

import pytest

from showroom.organization.choices import Role
from showroom.traffic import selectors
from tests import factories as f

pytestmark = pytest.mark.django_db


DAY = dt.date(2026, 10, 1)
# 10:30 in Shanghai.
AT = dt.datetime(2026, 10, 1, 2, 30, tzinfo=dt.UTC)


@pytest.fixture
def team(store, make_staff):
    return {
        "zhang": make_staff(
            "zhang", Role.CONSULTANT, store=store, full_name="张伟", rotation_order=2
        ),
        "li": make_staff("li", Role.CONSULTANT, store=store, full_name="李娜", rotation_order=1),
        "wang": make_staff(
            "wang", Role.CONSULTANT, store=store, full_name="王强", rotation_order=1
        ),
    }


def names(entries):
    return [e.consultant.full_name for e in entries]


def walk_in(store, who, hh, mm, *, left=None, day=DAY):
    return f.WalkInFactory(
        store=store,
        consultant=who,
        date=day,
        arrived_at=dt.time(hh, mm),
        left_at=dt.time(*left) if left else None,
    )


def test_nobody_received_yet_goes_by_rotation_order_then_name(store, team):
    entries = selectors.rotation(store=store, at=AT)
    # 李 (U+674E) sorts before 王 (U+738B); both have order 1, 张 has order 2.
    assert names(entries) == ["李娜", "王强", "张伟"]
    assert [e.position for e in entries] == [1, 2, 3]
    assert [e.is_next for e in entries] == [True, False, False]
    assert [e.skipped for e in entries] == [False, False, False]
    assert selectors.next_in_rotation(entries) == team["li"]


def test_least_recent_reception_goes_next(store, team):
    walk_in(store, team["li"], 9, 5, left=(9, 40))
    walk_in(store, team["wang"], 9, 20, left=(10, 0))
    walk_in(store, team["li"], 10, 1, left=(10, 20))
    entries = selectors.rotation(store=store, at=AT)
    # 张 has received nobody today; 王's last was 09:20, 李's last 10:01.
    assert names(entries) == ["张伟", "王强", "李娜"]
    assert [e.received_today for e in entries] == [0, 1, 2]
    assert [e.last_received_at for e in entries] == [None, dt.time(9, 20), dt.time(10, 1)]
    assert selectors.next_in_rotation(entries) == team["zhang"]


def test_same_arrival_time_the_later_logged_row_counts_as_more_recent(store, team):
    walk_in(store, team["wang"], 9, 0, left=(9, 30))
    walk_in(store, team["li"], 9, 0, left=(9, 30))
    walk_in(store, team["zhang"], 9, 0, left=(9, 30))
    assert names(selectors.rotation(store=store, at=AT)) == ["王强", "李娜", "张伟"]


def test_consultant_with_customer_in_showroom_is_skipped_with_reason(store, team):
    walk_in(store, team["li"], 9, 5, left=(9, 40))
    walk_in(store, team["zhang"], 9, 10)  # still in the showroom
    walk_in(store, team["wang"], 10, 0, left=(10, 25))
    entries = selectors.rotation(store=store, at=AT)
    assert names(entries) == ["李娜", "张伟", "王强"]
    assert [str(e.skip_reason) for e in entries] == ["", "有客户在展厅", ""]
    assert [e.busy_since for e in entries] == [None, dt.time(9, 10), None]
    assert [e.is_next for e in entries] == [True, False, False]

    walk_in(store, team["li"], 10, 28)  # 李 takes the next party and is now busy too
    entries = selectors.rotation(store=store, at=AT)
    assert names(entries) == ["张伟", "王强", "李娜"]
    assert [e.skipped for e in entries] == [True, False, True]
    assert selectors.next_in_rotation(entries) == team["wang"]


def test_everyone_busy_means_nobody_next(store, team):
    for who in team.values():
        walk_in(store, who, 10, 0)
    entries = selectors.rotation(store=store, at=AT)
    assert [e.skipped for e in entries] == [True, True, True]
    assert selectors.next_in_rotation(entries) is None


def test_only_on_duty_active_consultants_of_the_store(store, other_store, team, make_staff):
    team["wang"].on_duty = False
    team["wang"].save(update_fields=["on_duty"])
    make_staff("gone", Role.CONSULTANT, store=store, full_name="离职", is_active=False)
    make_staff("desk", Role.RECEPTIONIST, store=store, full_name="前台")
    make_staff("boss2", Role.MANAGER, store=store, full_name="经理")
    make_staff("both", Role.CONSULTANT, Role.DCC, store=store, full_name="兼职", rotation_order=3)
    make_staff("sh", Role.CONSULTANT, store=other_store, full_name="上海顾问")
    assert names(selectors.rotation(store=store, at=AT)) == ["李娜", "张伟", "兼职"]


def test_earlier_days_do_not_count(store, team):
    yesterday = DAY - dt.timedelta(days=1)
    walk_in(store, team["li"], 17, 0, day=yesterday)  # never marked departed yesterday
    walk_in(store, team["wang"], 17, 30, left=(18, 0), day=yesterday)
    entries = selectors.rotation(store=store, at=AT)
    assert names(entries) == ["李娜", "王强", "张伟"]
    assert [e.skipped for e in entries] == [False, False, False]
    assert [e.received_today for e in entries] == [0, 0, 0]


def test_day_is_the_store_local_day(store, team):
    walk_in(store, team["li"], 9, 0, left=(9, 30))
    # 2026-09-30 17:00 UTC is already 2026-10-01 01:00 in Shanghai.
    late = dt.datetime(2026, 9, 30, 17, 0, tzinfo=dt.UTC)
    assert names(selectors.rotation(store=store, at=late)) == ["王强", "张伟", "李娜"]
    # In a store on UTC it is still 30 September: nobody has received anyone.
    store.time_zone = "UTC"
    assert names(selectors.rotation(store=store, at=late)) == ["李娜", "王强", "张伟"]


def test_consultant_with_an_overdue_prospect_is_skipped_when_the_store_chooses(store, team):
    day = AT.date()
    f.CustomerFactory(
        store=store,
        consultant=team["li"],
        created=day - dt.timedelta(days=30),
        next_follow_up=day - dt.timedelta(days=1),
    )
    # Due today is not overdue.
    f.CustomerFactory(store=store, consultant=team["wang"], created=day, next_follow_up=day)
    assert selectors.consultants_with_overdue_follow_ups(store=store, at=AT) == {team["li"].pk}
    assert [e.skipped for e in selectors.rotation(store=store, at=AT)] == [False, False, False]
    store.rotation_skips_overdue = True
    skipped = [e.consultant for e in selectors.rotation(store=store, at=AT) if e.skipped]
    assert skipped == [team["li"]]


def test_overdue_skip_applies_only_when_the_store_chooses(store, team, monkeypatch):
    monkeypatch.setattr(
        selectors, "consultants_with_overdue_follow_ups", lambda *, store, at: {team["li"].pk}
    )
    entries = selectors.rotation(store=store, at=AT)
    assert [e.skipped for e in entries] == [False, False, False]

    store.rotation_skips_overdue = True
    entries = selectors.rotation(store=store, at=AT)
    assert names(entries) == ["李娜", "王强", "张伟"]
    assert [str(e.skip_reason) for e in entries] == ["有逾期未跟进的客户", "", ""]
    assert selectors.next_in_rotation(entries) == team["wang"]


def test_rotation_takes_three_queries(store, team, django_assert_num_queries):
    for hh in range(9, 12):
        walk_in(store, team["li"], hh, 0, left=(hh, 30))
        walk_in(store, team["wang"], hh, 10)
        f.CallFactory(store=store, consultant=team["zhang"], date=DAY, called_at=dt.time(hh, 5))
    with django_assert_num_queries(3):
        selectors.rotation(store=store, at=AT)
