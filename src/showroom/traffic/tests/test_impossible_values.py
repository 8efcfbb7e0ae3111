"""Impossible times on the front desk's screens: refused with the reason in Chinese, nothing
written, and the month's average stay untouched. The store's clock: 2026-10-06 07:02."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from showroom.kpi.selectors import compute_kpis
from showroom.traffic.models import Call, WalkIn
from tests import factories as f

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 10, 5, 23, 2, tzinfo=dt.UTC)  # 07:02 on 10-06 in Shanghai
OCT = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def avg_stay(store):
    return compute_kpis(stores=[store], start=OCT[0], end=OCT[1], codes=["avg_stay_minutes"])[
        "avg_stay_minutes"
    ]


@pytest.fixture
def month(store, consultant):
    """Two parties of 10-05 that stayed 30 and 50 minutes, and the row to correct."""
    for arrived, left in (("10:00", "10:30"), ("11:00", "11:50")):
        f.WalkInFactory(
            store=store,
            consultant=consultant,
            date=dt.date(2026, 10, 5),
            arrived_at=dt.time.fromisoformat(arrived),
            left_at=dt.time.fromisoformat(left),
        )
    return f.WalkInFactory(
        store=store, consultant=consultant, date=dt.date(2026, 10, 5), arrived_at=dt.time(7, 1)
    )


def edit(client, row, **data):
    return client.post(
        reverse("traffic:walkin_edit", args=[row.pk]),
        {
            "version": "1",
            "arrived_at": row.arrived_at.strftime("%H:%M"),
            "party_size": "1",
            "visit_type": "first",
            "consultant": str(row.consultant_id),
            "contact_kept": "unknown",
            **data,
        },
    )


@pytest.mark.parametrize(
    ("left_at", "expected"),
    [
        ("06:00", "离店时间（06:00）早于进店时间（07:01）。"),
        ("19:02", "停留超过12小时（07:01–19:02），不可能正确。"),
    ],
    ids=["departure-before-arrival", "stay-over-12-hours"],
)
def test_row_form_refuses_the_departure(client, manager, month, left_at, expected):
    assert avg_stay(month.store) == 40.0
    client.force_login(manager)
    response = edit(client, month, left_at=left_at)
    assert response.status_code == 200
    assert response.context["form"].errors["left_at"] == [expected]
    month.refresh_from_db()
    assert (month.left_at, month.stay_minutes, month.version) == (None, None, 1)
    assert avg_stay(month.store) == 40.0


def test_row_form_accepts_a_stay_of_twelve_hours(client, manager, month):
    client.force_login(manager)
    assert edit(client, month, left_at="19:01").status_code == 302
    month.refresh_from_db()
    assert month.stay_minutes == 720


def test_row_of_today_cannot_arrive_later_than_now(client, manager, store, consultant):
    row = f.WalkInFactory(
        store=store, consultant=consultant, date=dt.date(2026, 10, 6), arrived_at=dt.time(7, 0)
    )
    client.force_login(manager)
    response = edit(client, row, arrived_at="23:30")
    assert response.context["form"].errors["arrived_at"] == ["进店时间（23:30）晚于现在（07:02）。"]
    row.refresh_from_db()
    assert (row.arrived_at, row.version) == (dt.time(7, 0), 1)


def test_desk_refuses_an_arrival_later_than_now(client, receptionist, store, consultant):
    client.force_login(receptionist)
    response = client.post(
        reverse("traffic:log_walkin"),
        {"arrived_at": "23:30", "party_size": "1", "visit_type": "first",
         "consultant": consultant.pk},
    )  # fmt: skip
    assert response.status_code == 200
    assert response.context["walk_in_form"].errors["arrived_at"] == [
        "进店时间（23:30）晚于现在（07:02）。"
    ]
    assert not WalkIn.objects.exists()
    # The rotation does not show the consultant busy "since 23:30".
    assert all(e.busy_since is None for e in response.context["rotation"])


def test_desk_refuses_a_call_later_than_now(client, receptionist, store, consultant):
    client.force_login(receptionist)
    response = client.post(
        reverse("traffic:log_call"),
        {"called_at": "07:30", "call_type": "first", "consultant": consultant.pk},
    )
    assert response.context["call_form"].errors["called_at"] == [
        "来电时间（07:30）晚于现在（07:02）。"
    ]
    assert not Call.objects.exists()


def test_departure_tap_refuses_a_departure_before_the_arrival(
    client, receptionist, store, consultant
):
    row = f.WalkInFactory(
        store=store, consultant=consultant, date=dt.date(2026, 10, 5), arrived_at=dt.time(18, 30)
    )
    client.force_login(receptionist)
    response = client.post(reverse("traffic:depart", args=[row.pk]), follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "未记录离店：离店时间（07:02）早于进店时间（18:30）。请改正该行的时间。"
    ]
    row.refresh_from_db()
    assert (row.left_at, row.version) == (None, 1)
