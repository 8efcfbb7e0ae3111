"""意向状态核实: the daily sample of new prospects, the call's result, the statistics."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from showroom.crm.intent import services as intent
from showroom.crm.models import IntentCheck
from showroom.customers.choices import OwnerKind
from showroom.organization.choices import Role
from tests import factories as f

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 10, 20)
YESTERDAY = dt.date(2026, 10, 19)
NOON = dt.datetime(2026, 10, 20, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def _chinese():  # type: ignore[no-untyped-def]
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def crm_user(make_staff, store):  # type: ignore[no-untyped-def]
    return make_staff("crm", Role.CRM, store=store, full_name="CRM小李")


def cards(store, consultant, n, day=YESTERDAY, **kw):  # type: ignore[no-untyped-def]
    return [
        f.CustomerFactory(store=store, consultant=consultant, created=day, **kw) for _ in range(n)
    ]


@pytest.mark.parametrize(
    ("count", "share", "limit", "size"),
    [
        (0, 0.3, 10, 0),
        (1, 0.3, 10, 1),
        (10, 0.3, 10, 3),
        (11, 0.3, 10, 4),
        (50, 0.3, 10, 10),
        (7, 0.0, 10, 0),
        (7, 1.0, 5, 5),
    ],
)
def test_sample_size(count, share, limit, size):
    assert intent.sample_size(count, share=share, limit=limit) == size


def test_the_sample_is_yesterdays_prospects_and_deterministic(store, other_store, consultant):
    new = cards(store, consultant, 10)
    cards(store, consultant, 3, day=ON)  # today's: tomorrow's sample
    cards(store, consultant, 3, day=dt.date(2026, 10, 18))
    cards(store, consultant, 2, owner_kind=OwnerKind.OTHER_BRAND)  # not prospects
    f.CustomerFactory(store=other_store, created=YESTERDAY)
    chosen = intent.choose(store=store, on=ON)
    assert len(chosen) == 3 and set(chosen) <= {c.pk for c in new}
    assert intent.choose(store=store, on=ON) == chosen  # the same every time
    assert len(intent.choose(store=store, on=ON, share=1.0, limit=100)) == 10
    # Drawn once, kept: drawing again (even with another share) changes nothing.
    checks = intent.draw(store=store, on=ON)
    assert sorted(c.customer_id for c in checks) == sorted(chosen)
    assert [c.sampled_on for c in checks] == [ON] * 3
    intent.draw(store=store, on=ON, share=1.0)
    assert IntentCheck.objects.count() == 3


def test_record_and_statistics(store, consultant, consultant2, crm_user):
    a = cards(store, consultant, 4)
    b = cards(store, consultant2, 3)
    checks = {
        c.pk: IntentCheck.objects.create(store=store, customer=c, sampled_on=ON) for c in a + b
    }
    # 张伟: 4 sampled, 3 called, 2 reached: 1 true and satisfied, 1 untrue and unsatisfied.
    intent.record(
        check=checks[a[0].pk],
        expected_version=1,
        by=crm_user,
        on=ON,
        reached=True,
        record_true=True,
        satisfied=True,
    )
    intent.record(
        check=checks[a[1].pk],
        expected_version=1,
        by=crm_user,
        on=ON,
        reached=True,
        record_true=False,
        satisfied=False,
        notes=" 还没决定 ",
    )
    intent.record(
        check=checks[a[2].pk],
        expected_version=1,
        by=crm_user,
        on=ON,
        reached=False,
        record_true=True,
        satisfied=True,
    )
    # 李娜: 3 sampled, 2 called and reached: both true, one satisfied, one not asked.
    intent.record(
        check=checks[b[0].pk],
        expected_version=1,
        by=crm_user,
        on=ON,
        reached=True,
        record_true=True,
        satisfied=True,
    )
    intent.record(
        check=checks[b[1].pk],
        expected_version=1,
        by=crm_user,
        on=ON,
        reached=True,
        record_true=True,
        satisfied=None,
    )
    unreached = IntentCheck.objects.get(pk=checks[a[2].pk].pk)
    assert (unreached.reached, unreached.record_true, unreached.satisfied) == (False, None, None)
    assert IntentCheck.objects.get(pk=checks[a[1].pk].pk).notes == "还没决定"
    # Outside the period.
    IntentCheck.objects.create(store=store, customer=a[0], sampled_on=ON + dt.timedelta(days=1))

    stats = intent.statistics(
        checks=IntentCheck.objects.filter(store=store), start=ON, end=ON, total_label="全店"
    )
    zhang, li = stats.by_consultant
    assert (zhang.label, zhang.sampled, zhang.called, zhang.reached) == ("张伟", 4, 3, 2)
    assert (zhang.true, zhang.untrue, zhang.satisfied, zhang.unsatisfied) == (1, 1, 1, 1)
    assert (zhang.true_rate, zhang.satisfied_rate, zhang.reach_rate) == (0.5, 0.5, 2 / 3)
    assert (li.label, li.sampled, li.called, li.reached, li.true, li.satisfied) == (
        "李娜",
        3,
        2,
        2,
        2,
        1,
    )
    assert (li.true_rate, li.satisfied_rate) == (1.0, 1.0)
    t = stats.total
    assert (t.label, t.sampled, t.called, t.reached, t.true, t.satisfied) == ("全店", 7, 5, 4, 3, 2)
    assert (t.true_rate, t.satisfied_rate) == (3 / 4, 2 / 3)
    empty = intent.statistics(
        checks=IntentCheck.objects.all(), start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31)
    )
    assert (empty.by_consultant, empty.total.sampled, empty.total.true_rate) == ([], 0, None)


@time_machine.travel(NOON, tick=False)
def test_screen_draws_lists_and_records(client, store, consultant, crm_user):
    cards(store, consultant, 4)
    client.force_login(crm_user)
    response = client.get(reverse("crm:intent_checks"))
    assert response.status_code == 200
    assert len(response.context["checks"]) == 2  # 30% of 4, rounded up
    assert response.context["new_cards"] == 4
    check = response.context["checks"][0]
    p = f"c{check.pk}-"
    url = reverse("crm:intent_record", args=[check.pk])
    client.post(url, {p + "reached": "no", p + "record_true": "yes", p + "version": "1"})  # refused
    check.refresh_from_db()
    assert check.called_on is None
    client.post(
        url,
        {
            p + "reached": "yes",
            p + "record_true": "yes",
            p + "satisfied": "no",
            p + "notes": "嫌贵",
            p + "version": "1",
        },
    )
    check.refresh_from_db()
    assert (
        check.called_on,
        check.called_by,
        check.reached,
        check.record_true,
        check.satisfied,
        check.notes,
    ) == (ON, crm_user, True, True, False, "嫌贵")
    response = client.get(reverse("crm:intent_stats"), {"start": "2026-10-01", "end": "2026-10-31"})
    total = response.context["stats"].total
    assert (total.sampled, total.called, total.reached, total.true, total.satisfied) == (
        2,
        1,
        1,
        1,
        0,
    )
    assert "意向状态核实统计" in response.content.decode()


@time_machine.travel(NOON, tick=False)
def test_intent_screens_are_for_the_crm_and_managers(client, store, consultant, make_staff):
    for role in (Role.CONSULTANT, Role.RECEPTIONIST, Role.MARKETING):
        client.force_login(make_staff(f"u-{role}", role, store=store))
        assert client.get(reverse("crm:intent_checks")).status_code == 403
        assert client.get(reverse("crm:intent_stats")).status_code == 403
    client.force_login(make_staff("boss", Role.MANAGER, store=store))
    assert client.get(reverse("crm:intent_checks")).status_code == 200
