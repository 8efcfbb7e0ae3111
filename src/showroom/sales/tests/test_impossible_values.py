"""Impossible dates on the sales screens: a contact or a test drive in the future, a date
before 2000, a loss sent back with a follow-up date in the past. Each refused with the
reason in Chinese, nothing written. The store's clock: 2026-10-13 12:00."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from showroom.sales.models import Activity, LossReport, TestDrive
from tests import factories as f

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(dt.datetime(2026, 10, 13, 4, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def card(store, consultant):
    return f.CustomerFactory(
        store=store, consultant=consultant, name="赵女士", grade="A", created=D(2026, 9, 5)
    )


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2026-10-14", "接触日期不能是将来（2026-10-14；今天是 2026-10-13）。"),
        ("1999-12-31", "日期早于2000年，不可能正确（1999-12-31）。"),
    ],
    ids=["future", "before-2000"],
)
def test_contact_date(client, card, consultant, day, expected):
    client.force_login(consultant)
    p = f"c{card.pk}"
    response = client.post(
        reverse("sales:log_contact", args=[card.pk]),
        {f"{p}-kind": "call", f"{p}-grade_after": "A", f"{p}-date": day},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["date"] == [expected]
    assert not Activity.objects.exists()


def test_test_drive_before_2000(client, card, consultant):
    client.force_login(consultant)
    response = client.post(
        reverse("deals:test_drive_new") + f"?customer={card.pk}",
        {"date": "1900-01-02", "model": "途胜"},
    )
    assert response.context["form"].errors["date"] == ["日期早于2000年，不可能正确（1900-01-02）。"]
    assert not TestDrive.objects.exists()


def test_a_loss_is_not_sent_back_with_a_follow_up_in_the_past(client, card, consultant, manager):
    report = LossReport.objects.create(
        store=card.store, customer=card, consultant=consultant, date=D(2026, 10, 11),
        kind="lost", grade="A", competitor_brand="丰田", reason="price",
    )  # fmt: skip
    client.force_login(manager)
    response = client.post(
        reverse("deals:loss_return", args=[report.pk]),
        {"version": "1", "note": "再约一次试驾", "follow_up": "2026-09-13"},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == [
        "跟进日期（2026-09-13）已经过去；今天是 2026-10-13。"
    ]
    report.refresh_from_db()
    card.refresh_from_db()
    assert (report.status, report.version, report.decided_by) == ("requested", 1, None)
    assert (card.customer_type, card.next_follow_up, card.version) == ("prospect", None, 1)
