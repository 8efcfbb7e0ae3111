"""交车面访: the deliveries still to interview and the interview form."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from showroom.crm.models import DeliveryInterview
from showroom.crm.tests.insight_data import card, d, order
from showroom.organization.choices import Role
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def crm(make_staff, store):  # type: ignore[no-untyped-def]
    return make_staff("crm", Role.CRM, store=store, full_name="客服小刘")


@pytest.fixture
def deliveries(store, other_store, consultant, consultant2):  # type: ignore[no-untyped-def]
    made = {
        "early": order(card(store, consultant, name="早交车"), "10-01", delivered="10-03"),
        "late": order(card(store, consultant2, name="晚交车"), "10-02", delivered="10-20"),
        "middle": order(card(store, consultant, name="中交车"), "10-03", delivered="10-10"),
        "done": order(card(store, consultant, name="面访过客"), "10-04", delivered="10-15"),
        "waiting": order(card(store, consultant, name="等车中客"), "10-05"),
        "cancelled": order(
            card(store, consultant, name="退订客"), "10-06", delivered="10-16", cancelled=True
        ),
    }
    shanghai = f.StaffFactory(store=other_store, roles=Role.CONSULTANT)
    made["elsewhere"] = order(card(other_store, shanghai, name="外店"), "10-01", delivered="10-21")
    f.DeliveryInterviewFactory(order=made["done"])
    return made


def test_list_shows_deliveries_without_interview_most_recent_first(client, crm, deliveries) -> None:  # type: ignore[no-untyped-def]
    client.force_login(crm)
    html = client.get(reverse("crm:interviews")).content.decode()
    names = ["晚交车", "中交车", "早交车"]
    positions = [html.index(n) for n in names]
    assert positions == sorted(positions)
    for absent in ("面访过客", "等车中客", "退订客", "外店"):
        assert absent not in html
    done = client.get(reverse("crm:interviews"), {"done": "1"}).content.decode()
    assert "面访过客" in done and "晚交车" not in done


def test_interview_saved_with_its_choices(client, crm, deliveries, store) -> None:  # type: ignore[no-untyped-def]
    client.force_login(crm)
    sale = deliveries["late"]
    url = reverse("crm:interview", args=[sale.pk])
    data = {
        "date": "2026-10-20",
        "reasons": ["brand", "safety"],
        "usage": ["family"],
        "interests": ["golf", "travel"],
        "industry": "金融",
        "heard_from": f.source("internet").pk,
        "referral_intent": "certain",
        "repurchase_intent": "considering",
        "satisfaction": "5",
        "notes": "很满意",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    record = DeliveryInterview.objects.get(order=sale)
    assert (record.store, record.customer, record.interviewer) == (store, sale.customer, crm)
    assert (record.reasons, record.usage, record.interests) == (
        "brand,safety",
        "family",
        "golf,travel",
    )
    assert (record.industry, record.heard_from.code) == ("金融", "internet")  # type: ignore[union-attr]
    assert (record.referral_intent, record.repurchase_intent, record.satisfaction) == (
        "certain", "considering", 5,
    )  # fmt: skip
    assert record.date == d("10-20")

    # Opened again, it is the same interview, its choices ticked; saving changes it in place.
    form = client.get(url).context["form"]
    assert form["reasons"].value() == ["brand", "safety"]
    assert form["interests"].value() == ["golf", "travel"]
    assert form["version"].value() == 1
    client.post(url, {**data, "reasons": ["price"], "satisfaction": "4", "version": "1"})
    record.refresh_from_db()
    assert (record.reasons, record.satisfaction, record.version) == ("price", 4, 2)
    assert DeliveryInterview.objects.filter(order=sale).count() == 1


def test_a_new_interview_starts_from_the_order_source(client, crm, store, consultant) -> None:  # type: ignore[no-untyped-def]
    sale = order(card(store, consultant), "10-01", delivered="10-02", source="exhibition")
    client.force_login(crm)
    form = client.get(reverse("crm:interview", args=[sale.pk])).context["form"]
    assert form["heard_from"].value() == f.source("exhibition").pk


def test_bad_input_keeps_what_was_typed(client, crm, deliveries) -> None:  # type: ignore[no-untyped-def]
    client.force_login(crm)
    url = reverse("crm:interview", args=[deliveries["early"].pk])
    response = client.post(
        url,
        {"date": "", "reasons": ["brand", "design"], "industry": "教育培训", "satisfaction": "9"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"date", "satisfaction"}
    assert form["reasons"].value() == ["brand", "design"]
    html = response.content.decode()
    assert 'value="教育培训"' in html
    assert not DeliveryInterview.objects.filter(order=deliveries["early"]).exists()


def test_undelivered_cancelled_and_other_store_orders_have_no_interview(
    client, crm, deliveries
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(crm)
    for key in ("waiting", "cancelled", "elsewhere"):
        assert client.get(reverse("crm:interview", args=[deliveries[key].pk])).status_code == 404


def test_an_interview_in_the_future_is_refused(client, crm, deliveries) -> None:  # type: ignore[no-untyped-def]
    client.force_login(crm)
    sale = deliveries["late"]
    # 2026-10-25 10:00 in Shanghai.
    with time_machine.travel(dt.datetime(2026, 10, 25, 2, 0, tzinfo=dt.UTC), tick=False):
        response = client.post(reverse("crm:interview", args=[sale.pk]), {"date": "2027-06-01"})
    assert response.status_code == 200
    assert response.context["form"].errors["date"] == [
        "面访日期不能是将来（2027-06-01；今天是 2026-10-25）。"
    ]
    assert not DeliveryInterview.objects.filter(order=sale).exists()
