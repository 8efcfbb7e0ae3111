"""Handover (交接): a leaving consultant's customers go to others, history stays."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from showroom.customers.models import Customer
from showroom.organization.choices import Role
from showroom.sales.models import Activity, Handover
from showroom.sales.prospects.services import hand_over
from tests import factories as f

pytestmark = pytest.mark.django_db

D = dt.date
NOW = dt.datetime(2026, 10, 10, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai


@pytest.fixture
def leaving(make_staff, store):
    return make_staff("leaving", Role.CONSULTANT, store=store, full_name="赵离职")


@pytest.fixture
def five(store, leaving):
    cards = []
    for i in range(5):
        cards.append(
            f.CustomerFactory(
                store=store,
                consultant=leaving,
                name=f"客户{i}",
                next_follow_up=D(2026, 10, 11 + i),
            )
        )
    Activity.objects.create(
        store=store, customer=cards[0], consultant=leaving, date=D(2026, 10, 2), kind="call"
    )
    return cards


@time_machine.travel(NOW, tick=False)
def test_all_customers_of_a_leaving_consultant_go_round_robin(
    client, store, manager, consultant, consultant2, leaving, five
):
    client.force_login(manager)
    response = client.post(
        reverse("customers:handover"),
        {
            "from_consultant": leaving.pk,
            "receivers": [consultant.pk, consultant2.pk],
            "reason": "离职",
        },
    )
    assert response.status_code == 302
    assert Customer.objects.filter(consultant=leaving).count() == 0
    assert Customer.objects.filter(consultant=consultant).count() == 3
    assert Customer.objects.filter(consultant=consultant2).count() == 2
    # In turn, in the order of the next follow-up.
    assert [c.consultant.full_name for c in Customer.objects.order_by("next_follow_up")] == [
        "张伟",
        "李娜",
        "张伟",
        "李娜",
        "张伟",
    ]
    rows = list(
        Handover.objects.order_by("pk").values_list(
            "customer__name", "from_consultant", "to_consultant", "date", "by", "reason"
        )
    )
    assert rows == [
        ("客户0", leaving.pk, consultant.pk, D(2026, 10, 10), manager.pk, "离职"),
        ("客户1", leaving.pk, consultant2.pk, D(2026, 10, 10), manager.pk, "离职"),
        ("客户2", leaving.pk, consultant.pk, D(2026, 10, 10), manager.pk, "离职"),
        ("客户3", leaving.pk, consultant2.pk, D(2026, 10, 10), manager.pk, "离职"),
        ("客户4", leaving.pk, consultant.pk, D(2026, 10, 10), manager.pk, "离职"),
    ]
    # The card keeps its history: earlier contacts, and the change of consultant.
    first = five[0]
    first.refresh_from_db()
    assert first.activities.get().consultant == leaving
    assert first.version == 2
    versions = first.history.order_by("history_id")
    assert [(h.consultant_id, h.history_user) for h in versions] == [
        (leaving.pk, None),
        (consultant.pk, manager),
    ]
    # The new consultant sees the card, the leaving one no longer.
    client.force_login(consultant)
    card = client.get(reverse("customers:card", args=[first.pk]))
    assert card.status_code == 200
    assert [i.kind for i in card.context["timeline"]] == ["handover", "activity"]
    client.force_login(leaving)
    assert client.get(reverse("customers:card", args=[first.pk])).status_code == 404


@time_machine.travel(NOW, tick=False)
def test_one_customer_is_handed_over(client, store, manager, consultant, consultant2):
    card = f.CustomerFactory(store=store, consultant=consultant, name="单个客户")
    client.force_login(manager)
    page = client.get(reverse("customers:handover"), {"customer": card.pk})
    assert page.status_code == 200
    response = client.post(
        reverse("customers:handover"), {"customer": card.pk, "receivers": [consultant2.pk]}
    )
    assert response["Location"] == reverse("customers:card", args=[card.pk])
    card.refresh_from_db()
    assert card.consultant == consultant2
    assert Handover.objects.get().from_consultant == consultant


def test_a_receiver_is_skipped_for_cards_already_theirs(store, manager, consultant, consultant2):
    cards = [f.CustomerFactory(store=store, consultant=consultant) for _ in range(3)]
    counts = hand_over(
        customers=cards, receivers=[consultant, consultant2], by=manager, day=D(2026, 10, 10)
    )
    assert counts == {consultant.pk: 0, consultant2.pk: 3}
    assert Handover.objects.count() == 3


def test_only_within_the_store(store, other_store, manager, consultant, make_staff):
    elsewhere = make_staff("sh_c", Role.CONSULTANT, store=other_store)
    card = f.CustomerFactory(store=store, consultant=consultant)
    with pytest.raises(ValidationError):
        hand_over(customers=[card], receivers=[elsewhere], by=manager, day=D(2026, 10, 10))
    card.refresh_from_db()
    assert (card.consultant, Handover.objects.count()) == (consultant, 0)


def test_a_consultant_of_another_store_is_not_offered(
    client, store, other_store, manager, consultant, make_staff
):
    elsewhere = make_staff("sh_c", Role.CONSULTANT, store=other_store)
    card = f.CustomerFactory(store=store, consultant=consultant)
    client.force_login(manager)
    response = client.post(
        reverse("customers:handover"), {"customer": card.pk, "receivers": [elsewhere.pk]}
    )
    assert response.status_code == 200
    assert "receivers" in response.context["form"].errors
    card.refresh_from_db()
    assert card.consultant == consultant


def test_consultants_cannot_hand_over(client, store, consultant, consultant2):
    card = f.CustomerFactory(store=store, consultant=consultant)
    client.force_login(consultant)
    response = client.post(
        reverse("customers:handover"), {"customer": card.pk, "receivers": [consultant2.pk]}
    )
    assert response.status_code == 403
