"""The monthly statistics, on a small month built by hand (October 2026)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from showroom.core.months import add_months
from showroom.core.numbers import rate
from showroom.kpi.statistics.lines import SLOTS
from showroom.kpi.statistics.selectors import call_month_report, walkin_month_report
from showroom.organization import access
from showroom.sales.models import Order
from showroom.traffic.choices import CallType, VisitType
from showroom.traffic.models import WalkIn
from tests import factories as f

pytestmark = pytest.mark.django_db

OCT = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
FIRST, REPEAT = VisitType.FIRST, VisitType.REPEAT


def d(month: int, day: int, year: int = 2026) -> dt.date:
    return dt.date(year, month, day)


def t(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def slot(label: str) -> int:
    return [s.label for s in SLOTS].index(label)


def walk_in(store, consultant, day, at, visit_type=FIRST, *, kept_by_name=False, **kw):  # type: ignore[no-untyped-def]
    if kept_by_name:
        kw.setdefault("name", "王先生")
        kw.setdefault("phone", f"1390000{WalkIn.objects.count():04d}")
    return f.WalkInFactory(
        store=store, consultant=consultant, date=day, arrived_at=t(at), visit_type=visit_type, **kw
    )


def deal(store, consultant, day, channel="showroom", **kw):  # type: ignore[no-untyped-def]
    """展厅成交 counts showroom orders (not walk-in rows graded O)."""
    card = f.CustomerFactory(store=store, consultant=consultant, created=day)
    return Order.objects.create(
        store=store,
        customer=card,
        consultant=consultant,
        order_date=day,
        model="途胜",
        channel=channel,
        **kw,
    )


@pytest.fixture
def october(store, other_store, consultant, consultant2):  # type: ignore[no-untyped-def]
    zhang, li = consultant, consultant2
    # All within the default opening hours (9:00–18:00): one slot an hour, 9-10 to 17-18.
    walk_in(
        store, zhang, d(10, 1), "09:30", kept_by_name=True, grade="H", party_size=3, test_drive=True
    )
    walk_in(
        store,
        zhang,
        d(10, 1),
        "09:59",
        name="赵",
        phone="13900000099",
        contact_kept=False,
        grade="B",
    )
    walk_in(store, li, d(10, 1), "13:15", kept_by_name=True, grade="A", quoted=True)
    walk_in(store, li, d(10, 1), "17:00", contact_kept=True, grade="C")
    walk_in(store, li, d(10, 1), "17:45", name="只留名")  # no phone: not kept
    walk_in(
        store,
        zhang,
        d(10, 1),
        "11:00",
        REPEAT,
        grade="O",
        quoted=True,
        test_drive=True,
        party_size=2,
    )
    deal(store, zhang, d(10, 1))
    walk_in(store, zhang, d(10, 15), "10:30", kept_by_name=True, invited=True, grade="O")
    deal(store, zhang, d(10, 15))
    # Neither a secondary-network order nor a cancelled one is a showroom deal.
    deal(store, li, d(10, 15), channel="secondary")
    deal(store, li, d(10, 16), cancelled=True)
    walk_in(store, zhang, d(10, 31), "17:30", kept_by_name=True, grade="B")
    # Not this store, not this month.
    walk_in(other_store, f.StaffFactory(store=other_store, username="sh"), d(10, 1), "10:00")
    walk_in(store, zhang, d(11, 1), "10:00")
    # Earlier months: Sep, Aug, Jul and October a year before count; June and 2025-09 do not.
    walk_in(store, zhang, d(9, 10), "10:00")
    walk_in(store, li, d(9, 30), "16:00", grade="O")
    deal(store, li, d(9, 30))
    walk_in(store, zhang, d(8, 5), "10:00", REPEAT)
    walk_in(store, li, d(7, 20), "10:00", kept_by_name=True, grade="A")
    walk_in(store, zhang, d(6, 30), "10:00")
    walk_in(store, zhang, d(10, 3, 2025), "10:00", party_size=4)
    walk_in(store, zhang, d(9, 30, 2025), "10:00")
    return zhang, li


def test_rate_is_null_without_denominator():
    assert rate(1, 4) == 0.25
    assert rate(0, 0) is None


def test_add_months_crosses_years():
    assert add_months(d(1, 31), -1) == d(12, 1, 2025)
    assert add_months(d(10, 15), -12) == d(10, 1, 2025)
    assert add_months(d(11, 1), 2) == d(1, 1, 2027)


def test_slots_are_the_opening_hours():
    assert [s.label for s in SLOTS] == [
        "9-10",
        "10-11",
        "11-12",
        "12-13",
        "13-14",
        "14-15",
        "15-16",
        "16-17",
        "17-18",
    ]


def test_walkin_grid_by_hour(store, october):
    report = walkin_month_report(store=store, month_start=OCT[0], month_end=OCT[1])
    assert [day.date for day in report.days] == [d(10, n) for n in range(1, 32)]
    first = report.days[0]
    assert first.slots == [2, 0, 0, 0, 1, 0, 0, 0, 2]
    assert report.days[14].slots[slot("10-11")] == 1
    assert report.days[30].slots[slot("17-18")] == 1
    assert report.days[1].slots == [0] * 9
    assert report.slot_totals == [2, 1, 0, 0, 1, 0, 0, 0, 3]
    assert report.busiest_slot_count == 2


def test_visits_outside_opening_hours_get_their_own_slots(store, consultant):
    # Open 9:00–18:00 (the default): 07:01 is not folded into 9-10, nor 23:30 into 17-18.
    for at in ("07:01", "09:10", "17:59", "23:30"):
        walk_in(store, consultant, d(10, 6), at)
    walk_in(store, consultant, d(10, 7), "07:40")
    report = walkin_month_report(store=store, month_start=OCT[0], month_end=OCT[1])
    assert [s.label for s in report.slots] == [f"{h}-{h + 1}" for h in range(7, 24)]
    assert [s.open for s in report.slots] == [h in range(9, 18) for h in range(7, 24)]
    sixth, seventh = report.days[5].slots, report.days[6].slots
    assert (sixth[0], sixth[2], sixth[10], sixth[16], sum(sixth)) == (1, 1, 1, 1, 4)
    assert (seventh[0], sum(seventh)) == (1, 1)
    assert report.slot_totals == [2, 0, 1, *[0] * 7, 1, *[0] * 5, 1]
    assert report.busiest_slot_count == 1


def test_the_grid_follows_the_stores_opening_hours(store, consultant):
    store.opening_time, store.closing_time = dt.time(10, 0), dt.time(16, 30)
    store.save(update_fields=["opening_time", "closing_time"])
    walk_in(store, consultant, d(10, 6), "12:00")
    report = walkin_month_report(store=store, month_start=OCT[0], month_end=OCT[1])
    assert [s.hour for s in report.slots] == [10, 11, 12, 13, 14, 15, 16]
    assert report.slot_totals == [0, 0, 1, 0, 0, 0, 0]
    walk_in(store, consultant, d(10, 8), "09:15")
    report = walkin_month_report(store=store, month_start=OCT[0], month_end=OCT[1])
    assert [(s.hour, s.open) for s in report.slots][:2] == [(9, False), (10, True)]
    assert report.slot_totals == [1, 0, 0, 1, 0, 0, 0, 0]


def test_walkin_daily_counts(store, october):
    report = walkin_month_report(store=store, month_start=OCT[0], month_end=OCT[1])
    day = report.days[0].counts
    assert (day.first, day.repeat, day.total, day.people) == (5, 1, 6, 9)
    assert day.kept == 3
    assert day.retention_rate == pytest.approx(0.6)
    assert day.grades == {"H": 1, "A": 1, "B": 0, "C": 1}
    assert (day.invited, day.test_drives, day.quotes, day.deals) == (0, 2, 2, 1)

    mid = report.days[14].counts
    assert (mid.first, mid.kept, mid.invited, mid.deals, mid.grade_list) == (
        1,
        1,
        1,
        1,
        [0, 0, 0, 0],
    )

    empty = report.days[1].counts
    assert (empty.first, empty.total, empty.people) == (0, 0, 0)
    assert empty.retention_rate is None
    assert empty.test_drive_rate is None


def test_walkin_month_totals(store, october):
    totals = walkin_month_report(store=store, month_start=OCT[0], month_end=OCT[1]).totals
    assert (totals.first, totals.repeat, totals.total, totals.people) == (7, 1, 8, 11)
    assert totals.kept == 5
    assert totals.retention_rate == pytest.approx(5 / 7)
    assert totals.grades == {"H": 1, "A": 1, "B": 1, "C": 1}
    assert (totals.invited, totals.test_drives, totals.quotes, totals.deals) == (1, 2, 2, 2)
    assert totals.test_drive_rate == pytest.approx(0.25)
    assert totals.close_rate == pytest.approx(2 / 7)


def test_walkin_per_consultant(store, october):
    report = walkin_month_report(store=store, month_start=OCT[0], month_end=OCT[1])
    rows = {row.name: row.counts for row in report.consultants}
    assert list(rows) == ["张伟", "李娜"]  # by staff code C001, C002
    zhang, li = rows["张伟"], rows["李娜"]
    assert (
        zhang.first,
        zhang.repeat,
        zhang.kept,
        zhang.test_drives,
        zhang.quotes,
        zhang.deals,
    ) == (
        4,
        1,
        3,
        2,
        1,
        2,
    )
    assert zhang.retention_rate == pytest.approx(0.75)
    assert zhang.test_drive_rate == pytest.approx(0.4)
    assert zhang.close_rate == pytest.approx(0.5)
    assert zhang.grades == {"H": 1, "A": 0, "B": 1, "C": 0}
    assert (li.first, li.repeat, li.kept, li.test_drives, li.quotes, li.deals) == (3, 0, 2, 0, 1, 0)
    assert li.retention_rate == pytest.approx(2 / 3)
    assert li.test_drive_rate == 0.0
    assert li.grades == {"H": 0, "A": 1, "B": 0, "C": 1}


def test_walkin_comparison_with_earlier_months(store, october):
    report = walkin_month_report(store=store, month_start=OCT[0], month_end=OCT[1])
    months = [(row.month, row.offset) for row in report.comparison]
    assert months == [
        (d(10, 1), 0),
        (d(9, 1), -1),
        (d(8, 1), -2),
        (d(7, 1), -3),
        (d(10, 1, 2025), -12),
    ]
    this, sep, aug, jul, last_year = (row.counts for row in report.comparison)
    assert this == report.totals
    assert (sep.first, sep.repeat, sep.deals, sep.kept) == (2, 0, 1, 0)
    assert sep.retention_rate == 0.0
    assert (aug.first, aug.repeat, aug.total) == (0, 1, 1)
    assert aug.retention_rate is None
    assert (jul.first, jul.kept, jul.grades["A"]) == (1, 1, 1)
    assert jul.retention_rate == 1.0
    assert (last_year.first, last_year.people) == (1, 4)


def test_consultant_rows_only_count_their_own(store, october):
    zhang, _ = october
    rows = access.front_desk_rows(WalkIn.objects.all(), zhang)
    report = walkin_month_report(
        store=store, month_start=OCT[0], month_end=OCT[1], rows=rows, consultant=zhang.pk
    )
    assert [row.name for row in report.consultants] == ["张伟"]
    assert report.totals.deals == 2
    assert (report.totals.first, report.totals.repeat, report.totals.kept) == (4, 1, 3)
    assert report.days[0].slots == [2, 0, 0, 0, 0, 0, 0, 0, 0]
    sep = report.comparison[1].counts
    assert (sep.first, sep.deals) == (1, 0)


def test_other_store_counts_its_own_rows_only(other_store, october):
    report = walkin_month_report(store=other_store, month_start=OCT[0], month_end=OCT[1])
    assert report.totals.first == 1
    assert report.days[0].slots[slot("10-11")] == 1


@pytest.fixture
def october_calls(store, consultant, consultant2):  # type: ignore[no-untyped-def]
    def call(consultant, day, at, call_type=CallType.FIRST, **kw):  # type: ignore[no-untyped-def]
        return f.CallFactory(
            store=store, consultant=consultant, date=day, called_at=t(at), call_type=call_type, **kw
        )

    zhang, li = consultant, consultant2
    call(
        zhang,
        d(10, 1),
        "09:00",
        name="钱",
        phone="13800000001",
        grade="A",
        appointment_date=d(10, 3),
    )
    call(li, d(10, 1), "12:30", name="孙", phone="13800000002", contact_kept=False, grade="B")
    call(li, d(10, 1), "17:50", name="李", phone="13800000003", grade="H")
    call(zhang, d(10, 2), "10:10", CallType.REPEAT, appointment_date=d(10, 5))
    call(zhang, d(9, 15), "10:00")
    call(li, d(10, 20, 2025), "15:00", name="周", phone="13800000004", grade="C")
    return zhang, li


def test_call_report(store, october_calls):
    report = call_month_report(store=store, month_start=OCT[0], month_end=OCT[1])
    day = report.days[0]
    assert day.slots == [1, 0, 0, 1, 0, 0, 0, 0, 1]
    assert (day.counts.first, day.counts.repeat, day.counts.total, day.counts.kept) == (3, 0, 3, 2)
    assert day.counts.retention_rate == pytest.approx(2 / 3)
    assert day.counts.grades == {"H": 1, "A": 1, "B": 0, "C": 0}
    assert day.counts.appointments == 1
    second = report.days[1].counts
    assert (second.first, second.repeat, second.total, second.appointments) == (0, 1, 1, 1)
    assert second.retention_rate is None

    totals = report.totals
    assert (totals.first, totals.repeat, totals.total, totals.kept, totals.appointments) == (
        3,
        1,
        4,
        2,
        2,
    )
    assert totals.appointment_rate == 0.5

    people = {row.name: row.counts for row in report.consultants}
    assert (people["张伟"].first, people["张伟"].repeat, people["张伟"].appointments) == (1, 1, 2)
    assert people["张伟"].appointment_rate == 1.0
    assert (people["李娜"].first, people["李娜"].kept, people["李娜"].appointment_rate) == (
        2,
        1,
        0.0,
    )

    _, sep, aug, jul, last_year = (row.counts for row in report.comparison)
    assert (sep.first, aug.total, jul.total) == (1, 0, 0)
    assert (last_year.first, last_year.kept, last_year.grades["C"]) == (1, 1, 1)


def _fill_month(store, consultants, days: int) -> None:  # type: ignore[no-untyped-def]
    for n in range(days):
        for i, person in enumerate(consultants):
            walk_in(
                store,
                person,
                d(10, 1 + n),
                f"{8 + (n + i) % 13:02d}:15",
                grade="O" if i % 2 else "A",
            )
            if i % 2:
                deal(store, person, d(10, 1 + n))
            walk_in(store, person, add_months(d(10, 1), -1 - n % 3), "10:00", REPEAT)
            f.CallFactory(store=store, consultant=person, date=d(10, 1 + n), called_at=t("11:00"))


def _queries(fn) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_days_and_consultants(
    store, consultant, django_assert_max_num_queries
):
    def both() -> None:
        walkin_month_report(store=store, month_start=OCT[0], month_end=OCT[1])
        call_month_report(store=store, month_start=OCT[0], month_end=OCT[1])

    _fill_month(store, [consultant], days=1)
    small = _queries(both)
    many = [consultant] + [
        f.StaffFactory(store=store, username=f"c{i}", staff_code=f"X{i:02d}") for i in range(7)
    ]
    _fill_month(store, many, days=31)
    with django_assert_max_num_queries(small):
        both()
    # Each register: grid, days, consultants, months of its own counts, and compute_kpis by
    # day, consultant and month (walk-ins: their query and the orders' one; calls: theirs).
    assert small == (4 + 3 * 2) + (4 + 3)
