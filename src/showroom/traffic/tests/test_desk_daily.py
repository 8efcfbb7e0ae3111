"""The desk's daily details: cancelling a mis-tap, calls in the rotation, big parties,
hand cards in sequence."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from showroom.kpi.selectors import compute_kpis
from showroom.traffic import selectors
from showroom.traffic.models import WalkIn
from tests import factories as f

pytestmark = pytest.mark.django_db

# 10:07 in Shanghai.
NOW = dt.datetime(2026, 10, 1, 2, 7, 33, tzinfo=dt.UTC)
DAY = dt.date(2026, 10, 1)


@pytest.fixture
def desk_client(client, receptionist):
    client.force_login(receptionist)
    return client


def log(client, **data):
    return client.post(reverse("traffic:log_walkin"), {"visit_type": "first", **data})


@time_machine.travel(NOW, tick=False)
def test_a_cancelled_walk_in_stays_in_history_and_leaves_every_count(
    desk_client, store, consultant, receptionist
):
    log(desk_client, party_size="1", consultant=consultant.pk)
    log(desk_client, party_size="2", consultant=consultant.pk)
    mistap = WalkIn.objects.order_by("pk").last()
    assert compute_kpis(stores=[store], start=DAY, end=DAY, codes=["walkin_batches"]) == {
        "walkin_batches": 2
    }

    response = desk_client.post(
        reverse("traffic:walkin_cancel", args=[mistap.pk]),
        {"reason": "点错了", "version": mistap.version},
    )

    assert response.status_code == 302
    assert WalkIn.objects.count() == 1
    row = WalkIn.with_cancelled.get(pk=mistap.pk)
    assert (row.cancel_reason, row.cancelled_at is not None, row.version) == ("点错了", True, 2)
    assert compute_kpis(stores=[store], start=DAY, end=DAY, codes=["walkin_batches"]) == {
        "walkin_batches": 1
    }
    latest = row.history.order_by("-history_id").first()
    assert (latest.history_user, latest.cancel_reason) == (receptionist, "点错了")
    page = desk_client.get(reverse("traffic:desk")).content.decode()
    assert "点错了" in page
    assert "已取消" in page
    # The row is not edited any more; its history is shown instead.
    edit = desk_client.get(reverse("traffic:walkin_edit", args=[row.pk]))
    assert edit["Location"] == reverse("traffic:walkin_history", args=[row.pk])


@time_machine.travel(NOW, tick=False)
def test_cancelling_needs_a_reason_and_the_current_version(desk_client, store, consultant):
    row = f.WalkInFactory(store=store, consultant=consultant, date=DAY, arrived_at=dt.time(9))
    desk_client.post(reverse("traffic:walkin_cancel", args=[row.pk]), {"reason": "", "version": 1})
    desk_client.post(reverse("traffic:walkin_cancel", args=[row.pk]), {"reason": "x", "version": 7})
    assert WalkIn.objects.filter(pk=row.pk).count() == 1
    response = desk_client.get(reverse("traffic:desk"))
    texts = [str(m) for m in response.context["messages"]]
    assert len(texts) == 2
    assert texts[0] == "来店登记未取消：请说明取消的原因。"
    assert texts[1].startswith("未取消：")


@time_machine.travel(NOW, tick=False)
def test_a_consultant_cannot_cancel(client, store, consultant):
    row = f.WalkInFactory(store=store, consultant=consultant, date=DAY, arrived_at=dt.time(9))
    client.force_login(consultant)
    response = client.post(
        reverse("traffic:walkin_cancel", args=[row.pk]), {"reason": "x", "version": 1}
    )
    assert response.status_code == 403
    assert WalkIn.objects.filter(pk=row.pk).count() == 1


@time_machine.travel(NOW, tick=False)
def test_a_call_moves_the_rotation_on_like_a_walk_in(store, make_staff):
    from showroom.organization.choices import Role

    li = make_staff("li", Role.CONSULTANT, store=store, full_name="李娜", rotation_order=1)
    wang = make_staff("wang", Role.CONSULTANT, store=store, full_name="王强", rotation_order=2)
    assert selectors.next_in_rotation(selectors.rotation(store=store, at=NOW)) == li
    f.CallFactory(store=store, consultant=li, date=DAY, called_at=dt.time(9, 30))
    entries = selectors.rotation(store=store, at=NOW)
    assert [e.consultant.full_name for e in entries] == ["王强", "李娜"]
    assert selectors.next_in_rotation(entries) == wang
    # Wang receives a walk-in after li's call: li is next again.
    f.WalkInFactory(
        store=store, consultant=wang, date=DAY, arrived_at=dt.time(9, 45), left_at=dt.time(10)
    )
    assert selectors.next_in_rotation(selectors.rotation(store=store, at=NOW)) == li


@time_machine.travel(NOW, tick=False)
def test_a_party_bigger_than_the_buttons(desk_client, consultant):
    log(desk_client, party_size="1", party_more="7", consultant=consultant.pk)
    assert WalkIn.objects.get().party_size == 7
    response = log(desk_client, party_size="1", party_more="51", consultant=consultant.pk)
    assert response.status_code == 200
    assert WalkIn.objects.count() == 1
    assert "确保该值小于或等于50" in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_hand_cards_are_issued_in_sequence_and_gaps_are_shown(desk_client, store, consultant):
    log(desk_client, party_size="1", consultant=consultant.pk)
    log(desk_client, party_size="1", consultant=consultant.pk)
    log(desk_client, party_size="1", consultant=consultant.pk, hand_card="5")
    log(desk_client, party_size="1", consultant=consultant.pk)
    assert list(WalkIn.objects.order_by("pk").values_list("hand_card", flat=True)) == [
        "1",
        "2",
        "5",
        "6",
    ]
    assert selectors.hand_cards_without_walk_in(store=store, day=DAY) == [3, 4]
    page = desk_client.get(reverse("traffic:desk")).content.decode()
    assert "手卡 3, 4 已发出，但没有来店登记。" in page
    # A cancelled walk-in accounts for its card; the next card still follows the highest.
    six = WalkIn.objects.get(hand_card="6")
    cancel = reverse("traffic:walkin_cancel", args=[six.pk])
    desk_client.post(cancel, {"reason": "重复", "version": 1})
    assert selectors.hand_cards_without_walk_in(store=store, day=DAY) == [3, 4]
    assert selectors.next_hand_card(store=store, day=DAY) == "7"
    # Another day starts again at 1.
    assert selectors.next_hand_card(store=store, day=DAY + dt.timedelta(days=1)) == "1"


@time_machine.travel(NOW, tick=False)
def test_the_next_hand_card_is_written_like_the_day_s_highest(desk_client, store, consultant):
    f.WalkInFactory(store=store, consultant=consultant, date=DAY, hand_card="1001-09")
    f.WalkInFactory(store=store, consultant=consultant, date=DAY, hand_card="1001-10")
    f.WalkInFactory(store=store, consultant=consultant, date=DAY, hand_card="A")
    log(desk_client, party_size="1", consultant=consultant.pk)
    assert WalkIn.objects.order_by("pk").last().hand_card == "1001-11"
    assert selectors.hand_cards_without_walk_in(store=store, day=DAY) == [1, 2, 3, 4, 5, 6, 7, 8]


@time_machine.travel(NOW, tick=False)
def test_the_register_lists_cancelled_rows_apart_and_missing_hand_cards(
    client, store, consultant, manager
):
    f.WalkInFactory(store=store, consultant=consultant, date=DAY, hand_card="1", party_size=3)
    mistap = f.WalkInFactory(store=store, consultant=consultant, date=DAY, hand_card="3")
    mistap.cancelled_at = NOW
    mistap.cancel_reason = "点错顾问"
    mistap.save()
    client.force_login(manager)
    response = client.get(reverse("traffic:register"), {"date": DAY.isoformat()})
    assert [r.hand_card for r in response.context["rows"]] == ["1"]
    assert [r.cancel_reason for r in response.context["cancelled"]] == ["点错顾问"]
    assert response.context["totals"]["parties"] == 1
    assert response.context["totals"]["people"] == 3
    assert response.context["missing_hand_cards"] == [2]
    page = response.content.decode()
    assert "手卡 2 已发出，但没有来店登记。" in page
    assert "前台已取消" in page


@time_machine.travel(NOW, tick=False)
def test_a_cancelled_walk_in_gives_the_consultant_their_turn_back(
    desk_client, store, consultant, consultant2
):
    first = selectors.next_in_rotation(selectors.rotation(store=store, at=NOW))
    log(desk_client, party_size="1", consultant=first.pk)
    row = WalkIn.objects.get()
    assert selectors.next_in_rotation(selectors.rotation(store=store, at=NOW)) != first
    desk_client.post(
        reverse("traffic:walkin_cancel", args=[row.pk]), {"reason": "点错了", "version": 1}
    )
    entries = selectors.rotation(store=store, at=NOW)
    assert selectors.next_in_rotation(entries) == first
    assert [e.received_today for e in entries] == [0, 0]
