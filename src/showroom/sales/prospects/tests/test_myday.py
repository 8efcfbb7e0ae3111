"""A consultant's day on a frozen date: follow-ups, appointments, done, tomorrow."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from showroom.organization.choices import Role
from showroom.sales.models import Activity, Order
from showroom.traffic.models import Lead
from tests import factories as f

pytestmark = pytest.mark.django_db

D = dt.date
TODAY = D(2026, 10, 10)
# 2026-10-09 17:00 UTC is 2026-10-10 01:00 in Shanghai: the store's day, not UTC's.
NOW = dt.datetime(2026, 10, 9, 17, 0, tzinfo=dt.UTC)


@pytest.fixture
def day_data(store, consultant, consultant2):
    def card(name, nxt, who=consultant, **kw):
        return f.CustomerFactory(
            store=store, consultant=who, name=name, next_follow_up=nxt, created=D(2026, 9, 1), **kw
        )

    cards = {
        "late": card("逾期", D(2026, 10, 8), grade="A"),
        "due": card("今天", TODAY, grade="H"),
        "tomorrow": card("明天", D(2026, 10, 11)),
        "later": card("以后", D(2026, 10, 20)),
        "theirs": card("同事的", TODAY, who=consultant2),
        "ordered": card("已下单", D(2026, 10, 1), grade="O"),
    }
    Order.objects.create(
        store=store,
        customer=cards["ordered"],
        consultant=consultant,
        order_date=D(2026, 10, 5),
        model="途胜",
    )
    f.CallFactory(
        store=store,
        consultant=consultant,
        date=D(2026, 10, 8),
        name="来电预约",
        phone="13500001111",
        appointment_date=TODAY,
    )
    f.CallFactory(
        store=store,
        consultant=consultant,
        date=D(2026, 10, 8),
        name="明天预约",
        appointment_date=D(2026, 10, 11),
    )
    f.CallFactory(store=store, consultant=consultant2, date=D(2026, 10, 8), appointment_date=TODAY)
    Lead.objects.create(
        store=store,
        created_at=dt.datetime(2026, 10, 9, 1, 0, tzinfo=dt.UTC),
        channel=f.source("internet"),
        name="网络线索",
        phone="13500002222",
        assigned_to=consultant,
        appointment_date=TODAY,
    )
    Activity.objects.create(
        store=store,
        customer=cards["later"],
        consultant=consultant,
        date=TODAY,
        kind="call",
        next_date=D(2026, 10, 20),
    )
    return cards


@time_machine.travel(NOW, tick=False)
def test_my_day_on_a_frozen_date(client, consultant, day_data):
    client.force_login(consultant)
    response = client.get(reverse("sales:my_day"))
    assert response.status_code == 200
    day = response.context["day"]
    assert day.on == TODAY
    assert [c.name for c in day.overdue] == ["逾期"]
    assert [c.name for c in day.due] == ["今天"]
    assert [c.name for c in day.tomorrow] == ["明天"]
    assert [(a.kind, a.name) for a in day.appointments] == [
        ("call", "来电预约"),
        ("lead", "网络线索"),
    ]
    assert [a.name for a in day.tomorrow_appointments] == ["明天预约"]
    assert [a.customer.name for a in day.done] == ["以后"]
    # Each follow-up to log opens its short form in place, the next date prefilled from the
    # cadence; tomorrow's are not logged yet.
    late, due = day.overdue[0], day.due[0]
    html = response.content.decode()
    assert "我的一天" in html and "明天的计划" in html
    # Phones read as everywhere else, whichever way they were typed.
    assert '<a href="tel:13500001111">135 0000 1111</a>' in html
    for card, next_date in ((late, "2026-10-17"), (due, "2026-10-12")):  # A: +7, H: +2
        action = reverse("sales:log_contact", args=[card.pk])
        assert f'hx-get="{action}" hx-target="#contact-{card.pk}"' in html
        form = client.get(action, headers={"HX-Request": "true"})
        assert form.context["form"].initial["next_date"] == dt.date.fromisoformat(next_date)
        assert f'hx-post="{action}"' in form.content.decode()
    assert html.count('hx-get="/sales/') == 2


@time_machine.travel(NOW, tick=False)
def test_logging_the_due_contact_moves_it_to_done(client, consultant, day_data):
    due = day_data["due"]
    client.force_login(consultant)
    client.post(
        reverse("sales:log_contact", args=[due.pk]),
        {
            f"c{due.pk}-kind": "call",
            f"c{due.pk}-grade_after": "H",
            f"c{due.pk}-next_date": "2026-10-12",
            f"c{due.pk}-date": "2026-10-10",
            f"c{due.pk}-notes": "确认交车前的贷款材料",
        },
        headers={"HX-Request": "true"},
    )
    day = client.get(reverse("sales:my_day")).context["day"]
    assert [c.name for c in day.due] == []
    assert [a.customer.name for a in day.done] == ["今天", "以后"]


@time_machine.travel(NOW, tick=False)
def test_manager_views_a_consultants_day(client, store, manager, consultant, consultant2, day_data):
    client.force_login(manager)
    response = client.get(reverse("sales:my_day"), {"consultant": consultant2.pk})
    day = response.context["day"]
    assert (day.consultant, [c.name for c in day.due]) == (consultant2, ["同事的"])
    assert [c.full_name for c in response.context["consultants"]] == ["张伟", "李娜"]
    assert response.context["can_log"] is True


@time_machine.travel(NOW, tick=False)
def test_consultant_cannot_view_a_colleagues_day(client, consultant, consultant2, day_data):
    client.force_login(consultant)
    assert client.get(reverse("sales:my_day"), {"consultant": consultant2.pk}).status_code == 403


@time_machine.travel(NOW, tick=False)
def test_manager_of_another_store_cannot_view_the_day(
    client, other_store, consultant, make_staff, day_data
):
    client.force_login(make_staff("sh_boss", Role.MANAGER, store=other_store))
    assert client.get(reverse("sales:my_day"), {"consultant": consultant.pk}).status_code == 404


def test_receptionist_has_no_day(client, receptionist):
    client.force_login(receptionist)
    assert client.get(reverse("sales:my_day")).status_code == 403


@time_machine.travel(NOW, tick=False)
def test_my_day_takes_a_constant_number_of_queries(client, store, consultant, day_data):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(consultant)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            client.get(reverse("sales:my_day"))
        return len(ctx.captured_queries)

    before = count()
    for _i in range(10):
        c = f.CustomerFactory(store=store, consultant=consultant, next_follow_up=TODAY)
        Activity.objects.create(
            store=store, customer=c, consultant=consultant, date=TODAY, kind="call"
        )
    assert count() == before
