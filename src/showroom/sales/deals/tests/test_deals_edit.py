"""Order edits: optimistic locking, history; who may see which deals."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from showroom.owners.models import Vehicle
from showroom.sales.models import Order
from tests import factories as f

pytestmark = pytest.mark.django_db

D = dt.date
NOW = dt.datetime(2026, 10, 15, 4, 0, tzinfo=dt.UTC)


@pytest.fixture
def order(store, consultant):
    card = f.CustomerFactory(store=store, consultant=consultant, name="王先生", grade="O")
    order = Order(
        store=store,
        customer=card,
        consultant=consultant,
        order_date=D(2026, 10, 2),
        model="途胜",
        deposit=Decimal("5000"),
        contract_no="HT-1",
    )
    order._history_user = consultant
    order.save()
    return order


def edit_data(order, **overrides):
    data = {
        "version": str(order.version),
        "order_date": "2026-10-02",
        "model": "途胜",
        "channel": "showroom",
        "consultant": str(order.consultant_id),
        "deposit": "5000",
        "contract_no": "HT-1",
    }
    data.update(overrides)
    return data


@time_machine.travel(NOW, tick=False)
def test_an_edit_over_a_colleagues_save_is_refused_and_nothing_typed_is_lost(
    client, order, consultant, manager
):
    opened_at = order.version
    client.force_login(consultant)
    saved = client.post(
        reverse("deals:order_edit", args=[order.pk]), edit_data(order, deposit="8000")
    )
    assert saved.status_code == 302
    client.force_login(manager)
    response = client.post(
        reverse("deals:order_edit", args=[order.pk]),
        edit_data(order, version=str(opened_at), model="途胜 L", contract_no="HT-2"),
    )
    assert response.status_code == 409
    order.refresh_from_db()
    assert (order.model, order.deposit, order.contract_no, order.version) == (
        "途胜",
        Decimal("8000.00"),
        "HT-1",
        2,
    )
    form = response.context["form"]
    # What the manager typed stays in the form; the stored values are shown beside it.
    assert (form["model"].value(), form["contract_no"].value(), form["version"].value()) == (
        "途胜 L",
        "HT-2",
        "2",
    )
    stored = {field.name: value for field, value in response.context["fields"] if value}
    assert stored == {"model": "途胜", "deposit": "8000.00", "contract_no": "HT-1"}
    page = response.content.decode()
    assert "未保存：张伟" in page
    # Saving again now overwrites, knowingly.
    response = client.post(
        reverse("deals:order_edit", args=[order.pk]),
        edit_data(order, version="2", model="途胜 L", contract_no="HT-2", deposit="8000"),
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.model, order.contract_no, order.version) == ("途胜 L", "HT-2", 3)


@time_machine.travel(NOW, tick=False)
def test_order_history_lists_each_change(client, order, consultant, manager):
    client.force_login(manager)
    client.post(
        reverse("deals:order_edit", args=[order.pk]),
        edit_data(order, deposit="8000", channel="fleet"),
    )
    response = client.get(reverse("deals:order_history", args=[order.pk]))
    assert response.status_code == 200
    newest, created = response.context["entries"]
    assert (newest.user, newest.kind) == ("王经理", "~")
    assert [(c.old, c.new) for c in newest.changes] == [
        ("展厅", "大客户"),
        ("5000.00", "8000.00"),
    ]
    assert (created.user, created.kind) == ("张伟", "+")


@time_machine.travel(NOW, tick=False)
def test_editing_a_delivered_order_updates_its_vehicle(client, store, order, manager):
    order.delivery_date = D(2026, 10, 9)
    order.save()
    Vehicle.objects.create(
        store=store,
        customer=order.customer,
        order=order,
        model="途胜",
        delivery_date=D(2026, 10, 9),
    )
    client.force_login(manager)
    data = edit_data(
        order,
        delivery_date="2026-10-08",
        vin="LBEHDAFB8KX123456",
        accessories="0",
        call_3day="2026-10-10",
    )
    response = client.post(reverse("deals:order_edit", args=[order.pk]), data)
    assert response.status_code == 302
    vehicle = Vehicle.objects.get()
    assert (vehicle.delivery_date, vehicle.vin) == (D(2026, 10, 8), "LBEHDAFB8KX123456")
    order.refresh_from_db()
    assert order.call_3day == D(2026, 10, 10)
    refused = client.post(
        reverse("deals:order_cancel", args=[order.pk]),
        {"version": str(order.version), "cancelled_on": "2026-10-10", "cancel_reason": "x"},
    )
    assert refused.status_code == 302
    order.refresh_from_db()
    assert (order.cancelled, order.cancelled_on) == (False, None)


@pytest.mark.parametrize(
    "name", ["order_detail", "order_edit", "order_history", "deliver", "order_cancel"]
)
def test_a_consultant_cannot_open_a_colleagues_order(client, order, consultant2, name):
    client.force_login(consultant2)
    assert client.get(reverse(f"deals:{name}", args=[order.pk])).status_code == 404
    assert client.post(reverse(f"deals:{name}", args=[order.pk]), {}).status_code == 404


@pytest.mark.parametrize("name", ["test_drive_new", "quote_new", "order_new", "loss_request"])
def test_a_consultant_cannot_record_on_a_colleagues_customer(
    client, store, consultant, consultant2, name
):
    theirs = f.CustomerFactory(store=store, consultant=consultant2)
    client.force_login(consultant)
    url = reverse(f"deals:{name}") + f"?customer={theirs.pk}"
    assert client.get(url).status_code == 404
    assert client.get(reverse(f"deals:{name}")).status_code == 404  # no customer given
    assert client.get(reverse("deals:customer", args=[theirs.pk])).status_code == 404


@time_machine.travel(NOW, tick=False)
def test_the_orders_list_shows_a_consultant_only_their_customers(
    client, store, order, consultant, consultant2, manager, receptionist
):
    other_card = f.CustomerFactory(store=store, consultant=consultant2)
    theirs = Order.objects.create(
        store=store,
        customer=other_card,
        consultant=consultant2,
        order_date=D(2026, 10, 3),
        model="x",
    )
    client.force_login(consultant)
    response = client.get(reverse("deals:orders"))
    assert [o.pk for o in response.context["orders"]] == [order.pk]
    assert "consultant" not in response.context["form"].fields
    client.force_login(manager)
    response = client.get(reverse("deals:orders"))
    assert [o.pk for o in response.context["orders"]] == [theirs.pk, order.pk]
    client.force_login(receptionist)
    assert client.get(reverse("deals:orders")).status_code == 403


@time_machine.travel(NOW, tick=False)
def test_an_order_of_another_store_stays_unseen(client, other_store, make_staff, order):
    boss = make_staff("sh-boss", "manager", store=other_store)
    client.force_login(boss)
    assert client.get(reverse("deals:order_detail", args=[order.pk])).status_code == 404
    assert list(client.get(reverse("deals:orders")).context["orders"]) == []
