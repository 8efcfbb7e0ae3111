"""A lead arrives through the API, the DCC works it, the front desk receives the person the
next day; the month's lead KPIs are what the calendar shows."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from showroom.kpi.selectors import compute_kpis
from showroom.organization.choices import Role
from showroom.traffic.models import Appointment, Lead, WalkIn
from tests.e2e.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHANGHAI = ZoneInfo("Asia/Shanghai")
KEY = "website-key"


def at(day: int, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(2026, 10, day, hour, minute, tzinfo=SHANGHAI)


def logout(page):  # type: ignore[no-untyped-def]
    page.click("header form.inline button")
    page.wait_for_url("**/login/**")


def test_a_lead_from_the_api_to_the_showroom(
    page, live_server, settings, store, make_staff, consultant, receptionist, manager
):
    settings.LEAD_API_KEY = KEY
    dcc = make_staff("dcc", Role.DCC, store=store, full_name="客服小李")
    make_staff("dcc-off", Role.DCC, store=store, full_name="休息的客服", duty="out")
    api = f"{live_server.url}/api/leads"
    with time_machine.travel(at(12, 9, 0), tick=True) as clock:
        # 1. Two leads arrive from the website; routing gives both to the agent on duty.
        for phone, name in (("13912345678", "赵先生"), ("13900000002", "钱女士")):
            response = page.request.post(
                api,
                data={"store": "BJ01", "channel": "internet", "phone": phone, "name": name,
                      "model": "途胜L"},
                headers={"X-API-Key": KEY},
            )  # fmt: skip
            assert response.status == 201
        lead = Lead.objects.get(phone_norm="13912345678")
        assert lead.assigned_to == dcc and Lead.objects.filter(assigned_to=dcc).count() == 2

        # 2. The agent lands on the lead desk and sees the lead waiting, its clock running.
        clock.move_to(at(12, 9, 12))
        login(page, live_server, "dcc")
        page.wait_for_url("**/desk/leads/")
        row = page.locator("table.leads tbody tr", has_text="赵先生")
        assert "新线索" in row.inner_text() and "12 分钟" in row.inner_text()
        row.locator("a").first.click()

        # 3. They call: reached, a test drive is wanted. Then they book it for tomorrow 10:00.
        contact = page.locator("form[action$='/contact/']")
        contact.locator("select[name=outcome]").select_option("reached")
        contact.locator("input[name=next_step]").fill("明天上午试驾")
        contact.locator("button").click()
        page.wait_for_selector("text=已记录联系。")
        booking = page.locator("form[action$='/appointment/']")
        booking.locator("input[name=day]").fill("2026-10-13")
        booking.locator("input[name=at]").fill("10:00")
        booking.locator("select[name=purpose]").select_option("test_drive")
        booking.locator("select[name=consultant]").select_option(str(consultant.pk))
        booking.locator("button").click()
        page.wait_for_selector("text=已预约：2026-10-13 10:00，试乘试驾，销售顾问 张伟。")
        assert "已邀约" in page.locator("h1").inner_text()
        logout(page)

        # 4. The next morning the receptionist has the appointment on today's expected list
        # and marks the arrival with one tap.
        clock.move_to(at(13, 9, 58))
        login(page, live_server, "reception")
        page.wait_for_url("**/desk/")
        expected = page.locator("#expected-today tbody tr", has_text="赵先生")
        assert "试乘试驾" in expected.inner_text() and "张伟" in expected.inner_text()
        expected.locator("button", has_text="已到店").click()
        page.wait_for_selector("text=赵先生 已到店")
        assert page.locator("#expected-today tbody tr", has_text="赵先生").count() == 0

    lead.refresh_from_db()
    appointment = Appointment.objects.get(lead=lead)
    walk_in = WalkIn.objects.get()
    assert lead.first_contact_at == at(12, 9, 12).replace(second=lead.first_contact_at.second)
    assert appointment.status == "shown" and appointment.walk_in == walk_in
    assert walk_in.date == dt.date(2026, 10, 13) and walk_in.consultant == consultant
    assert walk_in.invited and walk_in.phone_norm == "13912345678"
    assert lead.customer is not None and walk_in.customer == lead.customer
    assert lead.customer.consultant == consultant

    # 5. October by hand: 2 leads; one contacted after 12 minutes (plus the seconds the
    # browser took), booked and shown: response 12 min, appointments 1 of 2, shows 1 of 1.
    kpis = compute_kpis(
        stores=[store], start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31),
        codes=["leads", "lead_response_minutes", "appointment_rate", "show_rate"],
    )  # fmt: skip
    response = (lead.first_contact_at - lead.created_at).total_seconds() / 60
    assert 12 <= response < 13
    assert kpis == {
        "leads": 2,
        "lead_response_minutes": response,
        "appointment_rate": 0.5,
        "show_rate": 1.0,
    }
