"""After delivery: the 3-day call and the 7-day letter: due dates, late flags, done marking."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from showroom.sales.deals.selectors import aftercare_tasks
from showroom.sales.models import Activity, Order
from tests import factories as f

pytestmark = pytest.mark.django_db

D = dt.date
NOW = dt.datetime(2026, 10, 10, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai
TODAY = D(2026, 10, 10)


def delivered(store, consultant, name, on, **kw):
    card = f.CustomerFactory(
        store=store, consultant=consultant, name=name, customer_type="owner", grade="O"
    )
    return Order.objects.create(
        store=store,
        customer=card,
        consultant=consultant,
        order_date=on - dt.timedelta(days=10),
        model="途胜",
        delivery_date=on,
        **kw,
    )


@pytest.fixture
def deliveries(store, consultant, consultant2):
    return {
        "late": delivered(store, consultant, "甲", D(2026, 10, 1)),
        "new": delivered(store, consultant, "乙", D(2026, 10, 8)),
        "done": delivered(
            store,
            consultant,
            "丙",
            D(2026, 10, 2),
            call_3day=D(2026, 10, 4),
            letter_7day=D(2026, 10, 10),
        ),
        "old": delivered(store, consultant, "丁", D(2026, 7, 1)),
        "undelivered": Order.objects.create(
            store=store,
            customer=f.CustomerFactory(store=store, consultant=consultant, name="戊"),
            consultant=consultant,
            order_date=D(2026, 10, 5),
            model="途胜",
        ),
        "cancelled": delivered(store, consultant, "己", D(2026, 10, 5), cancelled=True),
        "theirs": delivered(store, consultant2, "庚", D(2026, 10, 6)),
    }


def summary(tasks):
    return [(t.order.customer.name, t.kind, t.due, t.done_on, t.state, t.late) for t in tasks]


@time_machine.travel(NOW, tick=False)
def test_due_dates_states_and_late_flags(store, consultant, deliveries):
    tasks = aftercare_tasks(user=consultant, store=store, today=TODAY)
    assert sorted(summary(tasks), key=lambda t: (t[2], t[1])) == [
        ("甲", "call_3day", D(2026, 10, 4), None, "overdue", True),
        ("丙", "call_3day", D(2026, 10, 5), D(2026, 10, 4), "done", False),
        ("甲", "letter_7day", D(2026, 10, 8), None, "overdue", True),
        ("丙", "letter_7day", D(2026, 10, 9), D(2026, 10, 10), "done", True),
        ("乙", "call_3day", D(2026, 10, 11), None, "due", False),
        ("乙", "letter_7day", D(2026, 10, 15), None, "due", False),
    ]


@time_machine.travel(NOW, tick=False)
def test_due_on_the_day_itself_is_not_late(store, consultant):
    order = delivered(store, consultant, "甲", D(2026, 10, 7))
    tasks = aftercare_tasks(user=consultant, store=store, today=TODAY)
    call = next(t for t in tasks if t.kind == "call_3day")
    assert (call.order, call.due, call.state, call.late) == (order, TODAY, "due", False)


@time_machine.travel(NOW, tick=False)
def test_the_manager_sees_every_consultant_grouped(
    client, store, consultant, consultant2, manager, deliveries
):
    client.force_login(manager)
    response = client.get(reverse("deals:aftercare"))
    assert response.status_code == 200
    groups = response.context["groups"]
    assert [g["consultant"] for g in groups] == [consultant, consultant2]  # 张伟, 李娜
    assert [len(groups[0][s]) for s in ("overdue", "due", "done")] == [2, 2, 2]
    # Delivered 10-06: the call was due 10-09, the letter is due 10-13.
    assert [(t.order.customer.name, t.kind) for t in groups[1]["overdue"]] == [("庚", "call_3day")]
    assert [(t.order.customer.name, t.kind) for t in groups[1]["due"]] == [("庚", "letter_7day")]
    assert response.context["counts"] == {"overdue": 3, "due": 3, "done": 2}
    only = client.get(reverse("deals:aftercare"), {"consultant": consultant2.pk})
    assert [g["consultant"] for g in only.context["groups"]] == [consultant2]
    # A consultant sees only their own customers' tasks, whatever they ask for.
    client.force_login(consultant2)
    mine = client.get(reverse("deals:aftercare"), {"consultant": consultant.pk})
    assert [g["consultant"] for g in mine.context["groups"]] == [consultant2]


@time_machine.travel(NOW, tick=False)
def test_done_today_with_one_tap(client, store, consultant, deliveries):
    order = deliveries["new"]
    client.force_login(consultant)
    url = reverse("deals:aftercare_done", args=[order.pk, "call_3day"])
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    task = response.context["task"]
    assert (task.done_on, task.state, task.late) == (TODAY, "done", False)
    order.refresh_from_db()
    assert (order.call_3day, order.letter_7day, order.version) == (TODAY, None, 2)
    care = Activity.objects.get()
    assert (care.customer, care.kind, care.category, care.date, care.consultant) == (
        order.customer,
        "owner_care",
        "management",
        TODAY,
        consultant,
    )
    # Tapping again changes nothing.
    again = client.post(url)
    assert again.status_code == 302
    order.refresh_from_db()
    assert (order.call_3day, order.version, Activity.objects.count()) == (TODAY, 2, 1)
    # The late letter of another delivery, marked today, stays flagged late.
    late = deliveries["late"]
    client.post(reverse("deals:aftercare_done", args=[late.pk, "letter_7day"]))
    tasks = aftercare_tasks(user=consultant, store=store, today=TODAY)
    letter = next(t for t in tasks if t.order == late and t.kind == "letter_7day")
    assert (letter.done_on, letter.state, letter.late) == (TODAY, "done", True)
    assert late.history.count() == 2


@time_machine.travel(NOW, tick=False)
def test_no_aftercare_on_others_undelivered_or_unknown_tasks(client, store, consultant, deliveries):
    client.force_login(consultant)
    theirs = deliveries["theirs"]
    assert (
        client.post(reverse("deals:aftercare_done", args=[theirs.pk, "call_3day"])).status_code
        == 404
    )
    undelivered = deliveries["undelivered"]
    assert (
        client.post(reverse("deals:aftercare_done", args=[undelivered.pk, "call_3day"])).status_code
        == 404
    )
    own = deliveries["new"]
    assert (
        client.post(reverse("deals:aftercare_done", args=[own.pk, "call_30day"])).status_code == 404
    )
    assert (
        client.get(reverse("deals:aftercare_done", args=[own.pk, "call_3day"])).status_code == 405
    )
    theirs.refresh_from_db()
    assert (theirs.call_3day, theirs.version) == (None, 1)
    assert not Activity.objects.exists()
