"""A walk-in logged by hand at the desk for a person expected today marks their appointment
shown, as the one tap of "expected today" would, with no second walk-in."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from showroom.kpi.selectors import compute_kpis
from showroom.organization.choices import Role
from showroom.traffic.choices import AppointmentStatus
from showroom.traffic.leads import services
from showroom.traffic.models import Appointment, Lead, WalkIn
from tests import factories as f

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 10, 12)


def at(day: str, time: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time.fromisoformat(time), SHANGHAI)


@pytest.fixture
def agent(make_staff, store):  # type: ignore[no-untyped-def]
    return make_staff("dcc-a", Role.DCC, store=store, full_name="客服甲")


def booked(store, agent, consultant, phone: str, name: str, *, day: str = "2026-10-12"):  # type: ignore[no-untyped-def]
    lead = Lead.objects.create(
        store=store,
        created_at=at("2026-10-05", "09:00"),
        channel=f.source("internet"),
        phone=phone,
        name=name,
        model="途胜L",
    )
    with time_machine.travel(at("2026-10-05", "10:00"), tick=False):
        appointment = services.book(
            store=store, user=agent, consultant=consultant, starts_at=at(day, "15:00"), lead=lead
        )
    assert appointment is not None
    return appointment


def log(client, **data):  # type: ignore[no-untyped-def]
    return client.post(reverse("traffic:log_walkin"), {"party_size": "1", **data})


def shown_with(appointment: Appointment, row: WalkIn) -> Lead:
    """`appointment` is now shown, once (its version moved on by one), with `row`; its lead."""
    appointment.refresh_from_db()
    assert (appointment.status, appointment.walk_in, appointment.version) == (
        AppointmentStatus.SHOWN,
        row,
        2,
    )
    lead = appointment.lead
    assert lead is not None
    lead.refresh_from_db()
    return lead


@time_machine.travel(at("2026-10-12", "14:40"), tick=False)
def test_the_hand_logged_walk_in_marks_the_appointment_shown(
    client, store, agent, consultant, consultant2, receptionist
) -> None:
    expected = booked(store, agent, consultant, "13900000001", "赵六")
    other = booked(store, agent, consultant, "13900000002", "钱七")
    client.force_login(receptionist)
    desk = client.get(reverse("traffic:desk")).content.decode()
    assert "赵六" in desk and "钱七" in desk  # both expected today
    # The receptionist logs 赵六 by hand (typed with spaces), handed to the next consultant.
    response = log(client, visit_type="first", phone="139 0000 0001", consultant=consultant2.pk)
    assert response.status_code == 302
    (row,) = WalkIn.objects.all()
    other.refresh_from_db()
    lead = shown_with(expected, row)
    # mark_shown's effect: invited, the lead's channel and model, the lead's new card; the
    # receptionist's own choices (consultant, visit type) stay hers.
    assert (row.invited, row.source, row.model, row.name) == (
        True,
        f.source("internet"),
        "途胜L",
        "赵六",
    )
    assert (row.consultant, row.visit_type) == (consultant2, "first")
    assert row.arrived_at == dt.time(14, 40)
    assert lead.customer is not None and row.customer == lead.customer == expected.customer
    assert (other.status, other.walk_in) == (AppointmentStatus.BOOKED, None)
    page = client.get(reverse("traffic:desk"))
    assert [a.pk for a in page.context["expected"]] == [other.pk]
    assert "赵六预约了15:00到店：该预约已标记为已到店。" in page.content.decode()
    values = compute_kpis(stores=[store], start=DAY, end=DAY, codes=["show_rate"])
    assert values == {"show_rate": 1 / 2}


@time_machine.travel(at("2026-10-12", "14:40"), tick=False)
def test_only_a_booking_of_today_not_yet_shown_is_marked(
    client, store, agent, consultant, receptionist
) -> None:
    tomorrow = booked(store, agent, consultant, "13900000003", "孙八", day="2026-10-13")
    today = booked(store, agent, consultant, "13900000004", "李四")
    with time_machine.travel(at("2026-10-12", "14:00"), tick=False):
        first = services.mark_shown(today, user=receptionist, expected_version=1)
    client.force_login(receptionist)
    log(client, visit_type="first", phone="13900000003", consultant=consultant.pk)
    # 李四 came back at 14:40: a second walk-in of the day, the shown appointment untouched.
    log(client, visit_type="repeat", phone="13900000004", consultant=consultant.pk)
    tomorrow.refresh_from_db()
    today.refresh_from_db()
    assert (tomorrow.status, tomorrow.walk_in) == (AppointmentStatus.BOOKED, None)
    assert (today.status, today.walk_in, today.version) == (AppointmentStatus.SHOWN, first, 2)
    rows = list(WalkIn.objects.order_by("pk"))
    assert [(r.phone, r.invited) for r in rows] == [
        ("13900000004", True),
        ("13900000003", False),
        ("13900000004", False),
    ]
    assert Appointment.objects.filter(status=AppointmentStatus.SHOWN).count() == 1


@time_machine.travel(at("2026-10-12", "14:40"), tick=False)
def test_an_anonymous_walk_in_marks_nothing(client, store, agent, consultant, receptionist):
    expected = booked(store, agent, consultant, "13900000001", "赵六")
    client.force_login(receptionist)
    log(client, visit_type="first", consultant=consultant.pk)
    expected.refresh_from_db()
    assert expected.status == AppointmentStatus.BOOKED and not WalkIn.objects.get().invited


def form_data(client, url: str, **changes: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """What the row form would post unchanged, with `changes` typed in."""
    form = client.get(url).context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        data[name] = "" if value is None else str(field.prepare_value(value))
    return {**data, **changes}


@time_machine.travel(at("2026-10-12", "14:40"), tick=False)
def test_a_phone_added_to_the_row_afterwards_marks_the_appointment_shown(
    client, store, agent, consultant, consultant2, receptionist
) -> None:
    expected = booked(store, agent, consultant, "13900000001", "赵六")
    client.force_login(receptionist)
    log(client, visit_type="first", consultant=consultant2.pk)  # nobody asked the phone yet
    row = WalkIn.objects.get()
    assert expected.status == AppointmentStatus.BOOKED and not row.invited
    client.force_login(consultant2)
    url = reverse("traffic:walkin_edit", args=[row.pk])
    response = client.post(url, form_data(client, url, name="赵先生", phone="139 0000 0001"))
    assert response.status_code == 302
    row.refresh_from_db()
    lead = shown_with(expected, row)
    assert (row.invited, row.source, row.model, row.name, row.version) == (
        True,
        f.source("internet"),
        "途胜L",
        "赵先生",
        2,
    )
    assert lead.customer is not None and row.customer == lead.customer == expected.customer
    assert WalkIn.objects.count() == 1
    assert "赵先生预约了15:00到店：该预约已标记为已到店。" in client.get(url).content.decode()
    # Saving the row again (same phone) marks nothing twice.
    client.post(url, form_data(client, url, notes="再次保存"))
    expected.refresh_from_db()
    assert (expected.status, expected.version) == (AppointmentStatus.SHOWN, 2)
    values = compute_kpis(stores=[store], start=DAY, end=DAY, codes=["show_rate"])
    assert values == {"show_rate": 1.0}


@time_machine.travel(at("2026-10-12", "14:40"), tick=False)
def test_a_refused_stale_save_marks_nothing(
    client, store, agent, consultant, consultant2, receptionist
) -> None:
    expected = booked(store, agent, consultant, "13900000001", "赵六")
    client.force_login(receptionist)
    log(client, visit_type="first", consultant=consultant2.pk)
    row = WalkIn.objects.get()
    client.force_login(consultant2)
    url = reverse("traffic:walkin_edit", args=[row.pk])
    stale = form_data(client, url, name="赵先生", phone="13900000001")
    client.post(url, form_data(client, url, notes="同事先保存了"))
    assert client.post(url, stale).status_code == 409
    expected.refresh_from_db()
    row.refresh_from_db()
    assert (expected.status, expected.walk_in, expected.version) == (
        AppointmentStatus.BOOKED,
        None,
        1,
    )
    assert (row.phone, row.invited, row.version) == ("", False, 2)
