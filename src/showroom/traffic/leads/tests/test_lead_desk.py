"""The lead desk at BJ01 (Asia/Shanghai): routing, working a lead, escalation, the calendar,
the front desk's one tap, the no-shows, and the lead KPIs the appointments feed."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from showroom.kpi.selectors import compute_kpis
from showroom.organization.choices import Role
from showroom.traffic.choices import AppointmentStatus, RoutingRule
from showroom.traffic.leads import selectors, services
from showroom.traffic.models import Appointment, Call, Lead, LeadDesk, LeadRoute, WalkIn
from tests import factories as f

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
KEY = "lead-desk-key"


def at(day: str, time: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time.fromisoformat(time), SHANGHAI)


@pytest.fixture(autouse=True)
def _key(settings):  # type: ignore[no-untyped-def]
    settings.LEAD_API_KEY = KEY


@pytest.fixture
def agents(make_staff, store):  # type: ignore[no-untyped-def]
    a = make_staff("dcc-a", Role.DCC, store=store, full_name="客服甲", rotation_order=1)
    b = make_staff("dcc-b", Role.DCC, store=store, full_name="客服乙", rotation_order=2)
    make_staff("dcc-off", Role.DCC, store=store, full_name="客服休", duty="out")
    return a, b


def post_lead(client, phone: str, **extra: str):  # type: ignore[no-untyped-def]
    body = {"store": "BJ01", "channel": "internet", "phone": phone, **extra}
    return client.post(
        "/api/leads", json.dumps(body), content_type="application/json", headers={"X-API-Key": KEY}
    )


def new_lead(store, phone: str = "13900000001", created: dt.datetime | None = None, **kw):  # type: ignore[no-untyped-def]
    return Lead.objects.create(
        store=store,
        created_at=created or at("2026-10-12", "09:00"),
        channel=f.source("internet"),
        phone=phone,
        name=kw.pop("name", "赵六"),
        **kw,
    )


# --- Routing ----------------------------------------------------------------------------------


@time_machine.travel(at("2026-10-12", "09:00"), tick=False)
def test_api_leads_go_round_robin_to_the_on_duty_dcc_agents(client, store, agents) -> None:
    a, b = agents
    ids = [post_lead(client, f"1390000000{i}").json()["id"] for i in range(4)]
    owners = [Lead.objects.get(pk=i).assigned_to for i in ids]
    # Equal times: the rotation order breaks the tie, then the one given a lead longest ago.
    assert owners == [a, b, a, b]
    assert Lead.objects.get(pk=ids[0]).assigned_at == at("2026-10-12", "09:00")


def test_the_round_robin_gives_the_next_lead_to_whoever_waited_longest(store, agents) -> None:
    a, b = agents
    new_lead(store, "13900000009", assigned_to=a, assigned_at=at("2026-10-12", "08:00"))
    new_lead(store, "13900000008", assigned_to=b, assigned_at=at("2026-10-12", "07:00"))
    assert services.route(new_lead(store, "13900000007")) == b


def test_by_channel_routing_and_fallback(store, agents) -> None:
    a, b = agents
    LeadDesk.objects.create(store=store, routing=RoutingRule.BY_CHANNEL)
    LeadRoute.objects.create(store=store, channel=f.source("internet"), agent=b)
    assert services.route(new_lead(store, "13900000001")) == b
    other = Lead.objects.create(
        store=store, created_at=at("2026-10-12", "09:00"), channel=f.source("oem"), phone="139111"
    )
    assert services.route(other) == a  # no line: round robin


def test_nobody_on_duty_leaves_the_lead_unassigned(client, store) -> None:
    response = post_lead(client, "13900000001")
    assert Lead.objects.get(pk=response.json()["id"]).assigned_to is None


# --- Working a lead ---------------------------------------------------------------------------


def test_the_first_contact_stops_the_clock_once(store, agents) -> None:
    a, _b = agents
    lead = new_lead(store, assigned_to=a)
    first = services.record_contact(
        lead, user=a, medium="call", outcome="no_answer", at=at("2026-10-12", "09:12"),
        expected_version=1,
    )  # fmt: skip
    assert first is not None
    services.record_contact(
        lead, user=a, medium="call", outcome="reached", next_step="约试驾",
        at=at("2026-10-12", "10:00"), expected_version=2,
    )  # fmt: skip
    lead.refresh_from_db()
    assert lead.first_contact_at == at("2026-10-12", "09:12")
    assert lead.contacts.count() == 2
    # A stale page (version 1) is refused and writes nothing.
    stale = services.record_contact(
        lead, user=a, medium="call", outcome="reached", expected_version=1
    )
    assert stale is None and lead.contacts.count() == 2


def test_the_clock_turns_amber_then_red(store) -> None:
    lead = new_lead(store, created=at("2026-10-12", "09:00"))
    colours = [
        selectors.response_clock(lead, now=at("2026-10-12", t), amber=15, red=60).colour
        for t in ("09:14", "09:15", "09:59", "10:00")
    ]
    assert colours == ["green", "amber", "amber", "red"]


def test_converting_merges_with_the_card_of_the_same_phone(store, consultant, agents) -> None:
    card = f.CustomerFactory(store=store, consultant=consultant, name="赵六", phone="139 0000 0001")
    lead = new_lead(store, phone="+86 13900000001")
    assert services.convert(lead, consultant=consultant, user=agents[0]) == card
    lead.refresh_from_db()
    assert lead.customer == card


def test_no_answer_closes_only_after_the_stores_tries(client, store, agents) -> None:
    a, _b = agents
    lead = new_lead(store, assigned_to=a)
    client.force_login(a)
    url = reverse("traffic:lead_close", args=[lead.pk])
    page = client.post(url, {"reason": "no_answer", "version": 1})
    assert "3" in page.content.decode() and Lead.objects.get(pk=lead.pk).closed_at is None
    for i in range(3):
        services.record_contact(
            lead, user=a, medium="call", outcome="no_answer", expected_version=1 + i
        )
    client.post(url, {"reason": "no_answer", "version": 4})
    lead.refresh_from_db()
    assert lead.closed_reason == "no_answer" and lead.closed_at is not None


# --- Escalation and visibility ----------------------------------------------------------------


@time_machine.travel(at("2026-10-12", "10:30"), tick=False)
def test_an_untouched_lead_past_the_limit_is_on_the_escalation_list(
    client, store, agents, manager
) -> None:
    a, _b = agents
    late = new_lead(store, "13900000001", created=at("2026-10-12", "09:00"), assigned_to=a)
    new_lead(store, "13900000002", created=at("2026-10-12", "10:00"), assigned_to=a)  # in time
    contacted = new_lead(store, "13900000003", created=at("2026-10-12", "08:00"), assigned_to=a)
    contacted.first_contact_at = at("2026-10-12", "10:20")
    contacted.save()
    unassigned = new_lead(store, "13900000004", created=at("2026-10-12", "09:29"))
    closed = new_lead(store, "13900000005", created=at("2026-10-12", "08:00"))
    closed.closed_at = at("2026-10-12", "08:30")
    closed.save()
    client.force_login(manager)
    page = client.get(reverse("traffic:lead_escalations"))
    assert [r.pk for r in page.context["rows"]] == [late.pk, unassigned.pk]
    # The manager reassigns from the list.
    client.post(
        reverse("traffic:lead_assign", args=[late.pk]),
        {"agent": agents[1].pk, "version": 1, "next": reverse("traffic:lead_escalations")},
    )
    late.refresh_from_db()
    assert late.assigned_to == agents[1] and late.assigned_at == at("2026-10-12", "10:30")


def test_a_consultant_sees_only_their_leads_the_dcc_the_stores(
    client, store, agents, consultant, consultant2
) -> None:
    mine = new_lead(store, "13900000001", name="归张", assigned_to=consultant)
    new_lead(store, "13900000002", name="归李", assigned_to=consultant2)
    client.force_login(consultant)
    page = client.get(reverse("traffic:leads")).content.decode()
    assert "归张" in page and "归李" not in page
    assert client.get(reverse("traffic:lead", args=[mine.pk + 1])).status_code == 404
    client.force_login(agents[0])
    response = client.get(reverse("traffic:leads"))
    page = response.content.decode()
    assert "归张" in page and "归李" in page and "线索工作台" in page
    counts = {code: n for code, _label, n in response.context["statuses"]}
    assert counts == {"new": 2, "in_progress": 0, "appointment": 0, "visited": 0, "closed": 0}
    unassigned = new_lead(store, "13900000003", name="无人")
    response = client.get(reverse("traffic:leads"), {"unassigned": "on"})
    assert [r.pk for r in response.context["rows"]] == [unassigned.pk]


# --- Appointments, the front desk, the no-shows, the KPIs -------------------------------------


def test_a_lead_keeps_one_live_appointment(store, agents, consultant) -> None:
    lead = new_lead(store)
    first = services.book(
        store=store, user=agents[0], consultant=consultant, starts_at=at("2026-10-13", "10:00"),
        purpose="visit", lead=lead,
    )  # fmt: skip
    second = services.book(
        store=store, user=agents[0], consultant=consultant, starts_at=at("2026-10-14", "15:00"),
        purpose="test_drive", lead=lead,
    )  # fmt: skip
    first.refresh_from_db()
    lead.refresh_from_db()
    assert first.status == AppointmentStatus.CANCELLED
    assert second.status == AppointmentStatus.BOOKED
    assert lead.appointment_date == dt.date(2026, 10, 14)
    services.set_status(second, status="cancelled", user=agents[0], expected_version=1)
    lead.refresh_from_db()
    assert lead.appointment_date is None


def test_the_desk_marks_an_expected_arrival_shown_with_one_tap(
    client, store, agents, consultant, receptionist
) -> None:
    lead = new_lead(store, name="赵六", phone="13900000001")
    with time_machine.travel(at("2026-10-12", "09:30"), tick=False):
        appointment = services.book(
            store=store, user=agents[0], consultant=consultant,
            starts_at=at("2026-10-13", "10:00"), purpose="test_drive", lead=lead,
        )  # fmt: skip
    client.force_login(receptionist)
    with time_machine.travel(at("2026-10-13", "09:58"), tick=False):
        desk = client.get(reverse("traffic:desk"))
        assert [a.pk for a in desk.context["expected"]] == [appointment.pk]
        assert "今日预约到店" in desk.content.decode()
        client.post(reverse("traffic:appointment_shown", args=[appointment.pk]), {"version": 1})
    appointment.refresh_from_db()
    lead.refresh_from_db()
    walk_in = appointment.walk_in
    assert appointment.status == AppointmentStatus.SHOWN
    assert walk_in is not None and walk_in.date == dt.date(2026, 10, 13)
    assert walk_in.arrived_at == dt.time(9, 58) and walk_in.invited is True
    assert walk_in.consultant == consultant and walk_in.phone == "13900000001"
    # The walk-in is linked to the lead (through the appointment) and to the card.
    assert lead.customer is not None and walk_in.customer == lead.customer
    assert appointment.customer == lead.customer and appointment.lead == lead
    # A second tap changes nothing.
    client.post(reverse("traffic:appointment_shown", args=[appointment.pk]), {"version": 2})
    assert WalkIn.objects.count() == 1


def test_a_no_show_is_on_the_next_mornings_list(client, store, agents, consultant) -> None:
    came, missed = new_lead(store, "13900000001"), new_lead(store, "13900000002", name="钱七")
    with time_machine.travel(at("2026-10-12", "09:30"), tick=False):
        shown, no_show = (
            services.book(
                store=store,
                user=agents[0],
                consultant=consultant,
                starts_at=at("2026-10-13", "10:00"),
                lead=lead,
            )
            for lead in (came, missed)
        )
    with time_machine.travel(at("2026-10-13", "10:05"), tick=False):
        services.mark_shown(shown, user=agents[0], expected_version=1)
    client.force_login(agents[0])
    with time_machine.travel(at("2026-10-14", "08:30"), tick=False):
        page = client.get(reverse("traffic:no_shows"))
        assert [a.pk for a in page.context["rows"]] == [no_show.pk]
        assert "钱七" in page.content.decode()
        client.post(
            reverse("traffic:appointment_status", args=[no_show.pk]),
            {"status": "no_show", "version": 1},
        )
    no_show.refresh_from_db()
    assert no_show.status == AppointmentStatus.NO_SHOW


def test_the_lead_kpis_agree_with_the_calendar(client, store, agents, consultant, manager) -> None:
    """October: four leads, answered after 10, 20 and 40 minutes (one never); three booked,
    two shown (one of them marked at the desk two days late: still within the grace days),
    one no-show."""
    a = agents[0]
    leads = [new_lead(store, f"1390000000{i}", created=at("2026-10-05", "09:00")) for i in range(4)]
    for lead, minutes in zip(leads, (10, 20, 40), strict=False):
        services.record_contact(
            lead, user=a, medium="call", outcome="reached",
            at=at("2026-10-05", "09:00") + dt.timedelta(minutes=minutes),
            expected_version=lead.version,
        )  # fmt: skip
    with time_machine.travel(at("2026-10-05", "10:00"), tick=False):
        booked = [
            services.book(
                store=store,
                user=a,
                consultant=consultant,
                starts_at=at(day, "10:00"),
                lead=lead,
            )
            for lead, day in zip(leads, ("2026-10-08", "2026-10-09", "2026-10-10"), strict=False)
        ]
    with time_machine.travel(at("2026-10-08", "10:10"), tick=False):
        services.mark_shown(booked[0], user=a, expected_version=1)
    with time_machine.travel(at("2026-10-09", "11:00"), tick=False):
        services.mark_shown(booked[1], user=a, expected_version=1)
    values = compute_kpis(
        stores=[store], start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31),
        codes=["leads", "lead_response_minutes", "appointment_rate", "show_rate"],
    )  # fmt: skip
    assert values == {
        "leads": 4,
        "lead_response_minutes": 20.0,
        "appointment_rate": 3 / 4,
        "show_rate": 2 / 3,
    }
    client.force_login(manager)
    with time_machine.travel(at("2026-10-12", "09:00"), tick=False):
        week = client.get(reverse("traffic:calendar"), {"view": "week", "date": "2026-10-08"})
    assert week.context["counts"]["shown"] == 2 and week.context["total"] == 3


def test_a_card_or_the_desk_books_an_appointment(client, store, consultant, receptionist) -> None:
    card = f.CustomerFactory(store=store, consultant=consultant, name="孙八", phone="13900000003")
    client.force_login(receptionist)
    with time_machine.travel(at("2026-10-12", "09:00"), tick=False):
        client.post(
            reverse("traffic:appointment_new"),
            {"day": "2026-10-13", "at": "14:00", "purpose": "visit", "consultant": consultant.pk,
             "name": "孙八", "phone": "139-0000-0003"},
        )  # fmt: skip
        past = client.post(
            reverse("traffic:appointment_new"),
            {"day": "2026-10-11", "at": "14:00", "purpose": "visit", "consultant": consultant.pk,
             "name": "孙八", "phone": "13900000003"},
        )  # fmt: skip
    assert past.status_code == 200 and "不能预约过去的时间" in past.content.decode()
    (appointment,) = Appointment.objects.all()
    assert appointment.customer is None  # the receptionist does not read cards
    assert appointment.date == dt.date(2026, 10, 13) and appointment.lead is None
    assert card.pk  # the card exists; linking happens when the consultant reads it


@time_machine.travel(at("2026-10-12", "09:00"), tick=False)
def test_the_dcc_logs_a_call_in_the_call_register(client, store, agents, consultant) -> None:
    a = agents[0]
    client.force_login(a)
    page = client.get(reverse("traffic:calls"))
    assert page.status_code == 200 and page.context["call_form"] is not None
    response = client.post(
        reverse("traffic:log_call"),
        {"call_type": "first", "name": "周九", "phone": "13900000005", "consultant": a.pk,
         "next": reverse("traffic:calls")},
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == reverse("traffic:calls")
    (call,) = Call.objects.all()
    assert call.consultant == a and call.called_at == dt.time(9, 0)
    assert "周九" in client.get(reverse("traffic:calls")).content.decode()


def test_a_consultant_books_from_the_card_and_the_desk_links_it_on_arrival(
    client, store, consultant, receptionist
) -> None:
    card = f.CustomerFactory(store=store, consultant=consultant, name="吴十", phone="13900000004")
    client.force_login(consultant)
    page = client.get(reverse("customers:card", args=[card.pk])).content.decode()
    assert f"{reverse('traffic:appointment_new')}?customer={card.pk}" in page
    with time_machine.travel(at("2026-10-12", "09:00"), tick=False):
        client.post(
            reverse("traffic:appointment_new") + f"?customer={card.pk}",
            {"day": "2026-10-12", "at": "15:00", "purpose": "test_drive",
             "consultant": consultant.pk, "name": "吴十", "phone": "13900000004"},
        )  # fmt: skip
    (appointment,) = Appointment.objects.all()
    assert appointment.customer == card and appointment.booked_by == consultant
    # Booked at the desk by name and phone only, the walk-in still finds the card.
    desk_booked = services.book(
        store=store, user=receptionist, consultant=consultant,
        starts_at=at("2026-10-12", "16:00"), name="吴十", phone="139-0000-0004",
    )  # fmt: skip
    assert desk_booked.customer is None
    with time_machine.travel(at("2026-10-12", "15:55"), tick=False):
        walk_in = services.mark_shown(desk_booked, user=receptionist, expected_version=1)
    assert walk_in is not None and walk_in.customer == card and walk_in.visit_type == "first"


def test_the_manager_sets_the_desk_and_a_routing_line(client, store, agents, manager) -> None:
    client.force_login(manager)
    url = reverse("traffic:lead_settings")
    bad = client.post(
        url,
        {"save": "1", "response_amber_minutes": 30, "response_red_minutes": 20,
         "escalate_after_minutes": 45, "routing": "by_model", "tries_before_giving_up": 4},
    )  # fmt: skip
    assert "红色时限必须晚于黄色时限" in bad.content.decode()
    client.post(
        url,
        {"save": "1", "response_amber_minutes": 10, "response_red_minutes": 30,
         "escalate_after_minutes": 45, "routing": "by_model", "tries_before_giving_up": 4},
    )  # fmt: skip
    assert client.post(url, {"add_route": "1", "model": ""}).status_code == 200
    client.post(url, {"add_route": "1", "model": "途胜L", "agent": agents[1].pk})
    desk = LeadDesk.objects.get(store=store)
    assert (desk.response_red_minutes, desk.routing) == (30, "by_model")
    assert services.route(new_lead(store, "13900000001", model="途胜l")) == agents[1]
    assert services.route(new_lead(store, "13900000002", model="伊兰特")) == agents[0]


@time_machine.travel(at("2026-10-12", "09:30"), tick=False)
def test_a_booking_from_a_stale_lead_page_is_refused(client, store, agents, consultant) -> None:
    lead = new_lead(store, assigned_to=agents[0])
    services.record_contact(lead, user=agents[1], medium="call", outcome="reached",
                            expected_version=1)  # fmt: skip
    client.force_login(agents[0])
    form = {"day": "2026-10-13", "at": "10:00", "purpose": "visit", "consultant": consultant.pk}
    page = client.post(reverse("traffic:lead_book", args=[lead.pk]), {**form, "version": 1},
                       follow=True)  # fmt: skip
    assert "他人刚刚修改了这条线索" in page.content.decode()
    assert not Appointment.objects.exists()
    client.post(reverse("traffic:lead_book", args=[lead.pk]), {**form, "version": 2})
    lead.refresh_from_db()
    assert Appointment.objects.get().lead == lead and lead.version == 3


def test_my_day_shows_todays_bookings_and_the_leads_to_call(
    client, store, agents, consultant, consultant2
) -> None:
    new_lead(store, "13900000001", name="待联系", assigned_to=consultant)
    new_lead(store, "13900000002", name="别人的", assigned_to=consultant2)
    with time_machine.travel(at("2026-10-12", "09:00"), tick=False):
        services.book(
            store=store, user=agents[0], consultant=consultant,
            starts_at=at("2026-10-12", "16:30"), purpose="test_drive", name="来试驾",
            phone="13900000009",
        )  # fmt: skip
        client.force_login(consultant)
        page = client.get(reverse("sales:my_day")).content.decode()
    assert "今日预约您接待的到店与试驾" in page and "16:30 · 试乘试驾 · 来试驾" in page
    assert "待您首次联系的线索" in page and "待联系" in page and "别人的" not in page
