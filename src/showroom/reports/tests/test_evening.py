"""The evening meeting page (夕会) on a frozen day: 2026-10-03, 19:30 in Beijing."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from showroom.organization.choices import Role
from showroom.reports.sales.evening import EveningLine
from showroom.reports.tests import test_sales_reports as data
from tests import factories as f

pytestmark = pytest.mark.django_db

october = data.october
EVENING = dt.datetime(2026, 10, 3, 19, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
URL = reverse("reports:evening")


def numbers(line: EveningLine) -> list[int]:
    return [getattr(line, name) for name in EveningLine.NUMBERS]


@time_machine.travel(EVENING, tick=False)
def test_evening_meeting_of_today(client, manager, consultant, october):
    client.force_login(manager)
    page = client.get(URL)
    assert page.status_code == 200
    assert page.context["day"] == dt.date(2026, 10, 3) and page.context["is_today"] is True
    rows = page.context["rows"]
    assert [row["line"].consultant.full_name for row in rows] == ["张伟", "李娜"]
    # first, repeat, calls, kept, contacts, new cards, up, down, orders, deliveries,
    # losses waiting, overdue, planned for tomorrow
    assert numbers(rows[0]["line"]) == [3, 1, 1, 3, 3, 1, 1, 0, 0, 1, 1, 1, 2]
    assert numbers(rows[1]["line"]) == [0, 0, 1, 1, 1, 1, 0, 1, 1, 0, 0, 1, 0]
    assert numbers(page.context["report"].total) == [3, 1, 2, 4, 4, 2, 1, 1, 1, 1, 1, 2, 2]
    assert rows[0]["daily_url"] == (
        reverse("reports:daily") + f"?date=2026-10-03&consultant={consultant.pk}"
    )
    html = page.content.decode()
    assert "夕会" in html and "全店合计" in html
    assert "新增1" in html and "李的订单" in html and "留存B" in html
    # Today's meeting is counted again every minute: the page says as of when.
    assert page.context["as_of"] == EVENING
    assert "今日至今，截至 19:30 的数据（每分钟重新统计）。" in html


def test_todays_meeting_is_counted_again_each_minute_and_after_ones_own_write(
    client, manager, consultant, store, october
):
    client.force_login(manager)

    def first_visits(seconds: int) -> int:
        with time_machine.travel(EVENING + dt.timedelta(seconds=seconds), tick=False):
            return int(client.get(URL).context["report"].total.first_visits)

    assert first_visits(0) == 3
    with time_machine.travel(EVENING, tick=False):  # the front desk logs a party
        f.WalkInFactory(
            store=store, consultant=consultant, date=EVENING.date(), arrived_at=dt.time(19, 0)
        )
    assert first_visits(30) == 3
    assert first_visits(61) == 4
    with time_machine.travel(EVENING + dt.timedelta(seconds=70), tick=False):
        logged = client.post(
            reverse("traffic:log_walkin"),
            {"party_size": "1", "visit_type": "first", "consultant": consultant.pk},
        )
    assert logged.status_code == 302
    assert first_visits(75) == 5


@time_machine.travel(EVENING, tick=False)
def test_the_day_moves_with_the_clock_and_the_parameter(client, manager, october):
    client.force_login(manager)
    page = client.get(URL, {"date": "2026-10-04"})
    assert page.context["is_today"] is False
    assert page.context["as_of"] is None
    total = page.context["report"].total
    # on 10-04 nothing happened; 留存A and 李的留存 are still overdue
    assert (total.first_visits, total.new_cards, total.orders) == (0, 0, 0)
    assert (total.overdue, total.losses_waiting) == (2, 1)


def test_waiting_losses_link_to_the_queue_for_those_who_may_open_it(
    client, manager, make_staff, store, october
):
    client.force_login(manager)
    page = client.get(URL, {"date": "2026-10-03"})
    assert page.context["pending_url"] == reverse("deals:losses_pending")
    # The assistant runs the meeting too but does not confirm losses: no link to a 403.
    client.force_login(make_staff("assist", Role.ASSISTANT, store=store))
    page = client.get(URL, {"date": "2026-10-03"})
    assert page.status_code == 200
    assert page.context["pending_url"] == ""
    assert reverse("deals:losses_pending") not in page.content.decode()


def test_evening_meeting_is_for_the_management(client, make_staff, consultant, receptionist, store):
    client.force_login(consultant)
    assert client.get(URL).status_code == 403
    client.force_login(receptionist)
    assert client.get(URL).status_code == 403
    assistant = make_staff("assistant", Role.ASSISTANT, store=store)
    client.force_login(assistant)
    assert client.get(URL).status_code == 200
    gm = make_staff("gm", Role.GENERAL_MANAGER, store=store)
    client.force_login(gm)
    assert client.get(URL).status_code == 200
