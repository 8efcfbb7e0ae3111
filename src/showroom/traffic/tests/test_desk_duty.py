"""The desk's duty buttons: the receptionist marks a consultant at lunch, out or back on duty
with one tap in the rotation, and the rotation follows at once."""

import datetime as dt
import re
import threading
from itertools import pairwise

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse

from showroom.organization.choices import Duty, Role
from showroom.organization.models import Staff
from showroom.traffic.models import WalkIn

pytestmark = pytest.mark.django_db

# 10:30 in Shanghai.
NOW = dt.datetime(2026, 10, 1, 2, 30, tzinfo=dt.UTC)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def team(store, make_staff):
    return [
        make_staff(name, Role.CONSULTANT, store=store, full_name=full, rotation_order=order)
        for order, (name, full) in enumerate((("a", "甲"), ("b", "乙"), ("c", "丙")), start=1)
    ]


def duty(client, who, value, **extra):
    return client.post(reverse("traffic:desk_duty", args=[who.pk]), {"duty": value}, **extra)


def handed_to(html: str) -> int:
    """The consultant the desk's big walk-in button hands the next party to."""
    match = re.search(r'name="consultant" value="(\d+)" class="primary big wide"', html)
    assert match is not None
    return int(match.group(1))


@time_machine.travel(NOW, tick=False)
def test_lunch_from_the_desk_passes_the_consultant_over(client, receptionist, team, store):
    a, b, c = team
    client.force_login(receptionist)
    assert handed_to(client.get(reverse("traffic:desk")).content.decode()) == a.pk

    panel = duty(client, a, Duty.LUNCH, **HTMX)
    html = panel.content.decode()
    # The panel comes back in place, the rotation already without 甲.
    assert panel.status_code == 200 and html.startswith('\n<div id="desk-panel"')
    assert "甲：午休。" in html and handed_to(html) == b.pk
    # 甲 waits among those not on duty, one tap from coming back.
    assert f'form="duty-{a.pk}" name="duty" value="on_duty"' in html
    assert f'form="duty-{b.pk}" name="duty" value="lunch"' in html
    a.refresh_from_db()
    assert (a.duty, a.on_duty) == (Duty.LUNCH, False)
    assert list(Staff.objects.consultants(store).on_duty()) == [b, c]

    # The next walk-in goes to 乙, the one after to 丙.
    client.post(reverse("traffic:log_walkin"), {"party_size": "2", "visit_type": "first",
                                                "consultant": handed_to(html)})  # fmt: skip
    assert WalkIn.objects.get().consultant == b
    assert handed_to(client.get(reverse("traffic:desk")).content.decode()) == c.pk

    # Back from lunch, without JavaScript: a plain post and back to the desk; 甲, who has
    # received nobody today, goes first again.
    back = duty(client, a, Duty.ON_DUTY)
    assert back.status_code == 302 and back["Location"] == reverse("traffic:desk")
    assert handed_to(client.get(reverse("traffic:desk")).content.decode()) == a.pk


@time_machine.travel(NOW, tick=False)
def test_the_tap_is_in_the_record_of_changes(client, receptionist, team, make_staff, store):
    a = team[0]
    client.force_login(receptionist)
    duty(client, a, Duty.OUT, **HTMX)
    # A second tap of the same button records nothing more.
    again = duty(client, a, Duty.OUT, **HTMX).content.decode()
    assert "甲已是：外出。" in again
    records = list(a.history.order_by("history_id"))
    assert [(r.duty, r.history_user) for r in records] == [
        (Duty.ON_DUTY, None),
        (Duty.OUT, receptionist),
    ]
    admin = make_staff("admin", Role.STORE_ADMIN, store=store)
    client.force_login(admin)
    page = client.get(reverse("administration:changes")).content.decode()
    assert "前台小王" in page and "外出" in page


def test_only_the_desk_of_the_store_changes_duty(
    client, team, consultant, other_store, make_staff, receptionist
):
    a = team[0]
    client.force_login(consultant)
    assert duty(client, a, Duty.LUNCH).status_code == 403
    elsewhere = make_staff("sh_desk", Role.RECEPTIONIST, store=other_store)
    client.force_login(elsewhere)
    # Another store's consultant is none of theirs: not found, as others' rows are.
    assert duty(client, a, Duty.LUNCH).status_code == 404
    client.force_login(receptionist)
    # The receptionist marks duty; ordering the rotation and its rules stay the managers'.
    assert client.post(reverse("administration:roster_move", args=[a.pk])).status_code == 403
    assert client.post(reverse("administration:roster_rules")).status_code == 403
    assert client.get(reverse("administration:staff")).status_code == 403
    assert client.get(reverse("administration:changes")).status_code == 403
    a.refresh_from_db()
    assert a.duty == Duty.ON_DUTY


def test_a_bad_duty_is_told_not_a_server_error(client, receptionist, team):
    client.force_login(receptionist)
    html = duty(client, team[0], "asleep", **HTMX).content.decode()
    assert "请选择在岗、午休或外出。" in html
    team[0].refresh_from_db()
    assert team[0].duty == Duty.ON_DUTY


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="threads need a server database")
def test_taps_at_once_never_fail(receptionist, team, manager):
    """Two desks tap the same consultant at the same moment, many times: every tap answers,
    and the consultant ends in one of the tapped states with one record per change."""
    a = team[0]
    answers: list[int] = []

    def tap(user, value):
        client = Client()
        client.force_login(user)
        for _ in range(10):
            answers.append(duty(client, a, value, **HTMX).status_code)
        connection.close()

    threads = [
        threading.Thread(target=tap, args=(receptionist, Duty.LUNCH)),
        threading.Thread(target=tap, args=(manager, Duty.ON_DUTY)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == [200] * 20
    a.refresh_from_db()
    states = [r.duty for r in a.history.order_by("history_id")]
    # No two records in a row with the same duty: each record is a change.
    assert all(x != y for x, y in pairwise(states))
    assert states[-1] == a.duty
