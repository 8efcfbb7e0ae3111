"""Test drives, quotes, orders and delivery: what is recorded on the deal and on the card."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from showroom.customers.models import Customer, GradeChange
from showroom.organization.choices import Role
from showroom.owners.models import Vehicle
from showroom.sales import funnel
from showroom.sales.models import Activity, Order, Quote, TestDrive
from tests import factories as f

pytestmark = pytest.mark.django_db

D = dt.date
NOW = dt.datetime(2026, 10, 15, 4, 0, tzinfo=dt.UTC)  # 12:00 in Shanghai
VIN = "LBEHDAFB8KX123456"


@pytest.fixture
def card(store, consultant):
    return f.CustomerFactory(
        store=store,
        consultant=consultant,
        name="王先生",
        phone="13812345678",
        grade="B",
        model="途胜",
        source=f.source("internet"),
        created=D(2026, 9, 2),
    )


def is_open(customer, day):
    return Customer.objects.filter(funnel.open_on(day), pk=customer.pk).exists()


@time_machine.travel(NOW, tick=False)
def test_test_drive_and_quote_are_logged_on_the_card(client, card, consultant):
    client.force_login(consultant)
    url = reverse("deals:test_drive_new") + f"?customer={card.pk}"
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"]["model"].value() == "途胜"
    assert page.context["form"]["date"].value() == D(2026, 10, 15)
    assert "试乘试驾" in page.content.decode()
    response = client.post(
        url, {"date": "2026-10-14", "model": "途胜 2.0T", "route": "三环", "duration_minutes": "25"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("deals:customer", args=[card.pk])
    drive = TestDrive.objects.get()
    assert (drive.store, drive.customer, drive.consultant, drive.date) == (
        card.store,
        card,
        consultant,
        D(2026, 10, 14),
    )
    assert (drive.model, drive.route, drive.duration_minutes) == ("途胜 2.0T", "三环", 25)

    response = client.post(
        reverse("deals:quote_new") + f"?customer={card.pk}",
        {"date": "2026-10-15", "model": "途胜 2.0T", "amount": "189800", "notes": "含保险"},
    )
    assert response.status_code == 302
    quote = Quote.objects.get()
    assert (quote.date, quote.model, quote.amount, quote.notes, quote.consultant) == (
        D(2026, 10, 15),
        "途胜 2.0T",
        Decimal("189800.00"),
        "含保险",
        consultant,
    )
    rows = list(
        Activity.objects.order_by("id").values_list(
            "date", "kind", "category", "consultant", "grade_after", "next_date", "notes"
        )
    )
    # Contacts at grade B: the next follow-up is due 14 days later.
    assert rows == [
        (
            D(2026, 10, 14), "test_drive", "promotion", consultant.pk, "B", D(2026, 10, 28),
            "途胜 2.0T · 三环 · 25 分钟",
        ),
        (
            D(2026, 10, 15), "quote", "promotion", consultant.pk, "B", D(2026, 10, 29),
            "途胜 2.0T · 189,800.00 · 含保险",
        ),
    ]  # fmt: skip
    card.refresh_from_db()
    assert (card.grade, card.next_follow_up, card.version) == ("B", D(2026, 10, 29), 3)


@time_machine.travel(NOW, tick=False)
def test_a_test_drive_cannot_be_dated_after_today(client, card, consultant):
    client.force_login(consultant)
    response = client.post(
        reverse("deals:test_drive_new") + f"?customer={card.pk}",
        {"date": "2026-10-16", "model": "途胜"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["date"] == [
        "试乘试驾日期不能是将来（2026-10-16；今天是 2026-10-15）。"
    ]
    assert not TestDrive.objects.exists()
    assert not Activity.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_an_order_makes_the_card_grade_o_and_logs_it(client, card, consultant):
    client.force_login(consultant)
    url = reverse("deals:order_new") + f"?customer={card.pk}"
    page = client.get(url)
    form = page.context["form"]
    assert (form["source"].value(), form["model"].value(), form["channel"].value()) == (
        f.source("internet").pk,
        "途胜",
        "showroom",
    )
    assert "consultant" not in form.fields  # a consultant's orders are their own
    response = client.post(
        url,
        {
            "order_date": "2026-10-15",
            "model": "途胜 2.0T",
            "channel": "showroom",
            "source": str(f.source("internet").pk),
            "deposit": "5000",
            "contract_no": "HT-2026-0158",
        },
    )
    order = Order.objects.get()
    assert response["Location"] == reverse("deals:order_detail", args=[order.pk])
    assert (order.store, order.customer, order.consultant, order.order_date) == (
        card.store,
        card,
        consultant,
        D(2026, 10, 15),
    )
    assert (order.model, order.channel, order.source.code, order.deposit, order.contract_no) == (
        "途胜 2.0T",
        "showroom",
        "internet",
        Decimal("5000.00"),
        "HT-2026-0158",
    )
    assert (order.delivery_date, order.cancelled, order.version) == (None, False, 1)
    card.refresh_from_db()
    assert (card.grade, card.customer_type, card.next_follow_up, card.version) == (
        "O",
        "prospect",
        D(2026, 10, 22),
        2,
    )
    change = GradeChange.objects.get()
    assert (change.date, change.old_grade, change.new_grade, change.changed_by) == (
        D(2026, 10, 15),
        "B",
        "O",
        consultant,
    )
    activity = Activity.objects.get()
    assert (
        activity.date,
        activity.kind,
        activity.category,
        activity.grade_after,
        activity.next_date,
    ) == (D(2026, 10, 15), "order", "promotion", "O", D(2026, 10, 22))
    assert activity.notes == "途胜 2.0T · HT-2026-0158"
    # Open until the day of the order, then grade O awaiting delivery.
    assert is_open(card, D(2026, 10, 14)) is True
    assert is_open(card, D(2026, 10, 15)) is False
    assert Customer.objects.filter(funnel.awaiting_delivery(D(2026, 10, 15)), pk=card.pk).exists()
    assert card.history.count() == 2  # the card's own change history has the grade change


@time_machine.travel(NOW, tick=False)
def test_a_secondary_dealer_and_a_fleet_order(client, store, consultant, consultant2, manager):
    assistant = f.StaffFactory(username="assist", roles=Role.ASSISTANT, store=store)
    retail = f.CustomerFactory(store=store, consultant=consultant, name="二网客户")
    company = f.CustomerFactory(
        store=store, consultant=consultant2, name="某公司", source=f.source("fleet")
    )
    client.force_login(manager)
    page = client.get(reverse("deals:order_new") + f"?customer={retail.pk}")
    assert page.context["form"]["consultant"].value() == consultant.pk
    client.post(
        reverse("deals:order_new") + f"?customer={retail.pk}",
        {
            "order_date": "2026-10-03",
            "model": "伊兰特",
            "channel": "secondary",
            "consultant": str(consultant.pk),
        },
    )
    client.force_login(assistant)
    client.post(
        reverse("deals:order_new") + f"?customer={company.pk}",
        {
            "order_date": "2026-10-08",
            "model": "途胜",
            "channel": "fleet",
            "source": str(f.source("fleet").pk),
            "deposit": "50000",
            "consultant": str(consultant2.pk),
        },
    )
    secondary, fleet = Order.objects.order_by("order_date")
    assert (secondary.channel, secondary.consultant, secondary.customer, secondary.source) == (
        "secondary",
        consultant,
        retail,
        None,
    )
    assert (fleet.channel, fleet.consultant, fleet.source.code, fleet.deposit) == (
        "fleet",
        consultant2,
        "fleet",
        Decimal("50000.00"),
    )
    # Keyed in by the assistant, credited to the card's consultant; the contact is the
    # assistant's own line of the daily report.
    assert fleet.history.get().history_user == assistant
    assert Activity.objects.get(customer=company).consultant == assistant

    client.force_login(manager)
    listed = client.get(reverse("deals:orders"), {"month": "2026-10", "channel": "secondary"})
    assert [o.pk for o in listed.context["orders"]] == [secondary.pk]
    listed = client.get(reverse("deals:orders"), {"month": "2026-10"})
    assert [o.pk for o in listed.context["orders"]] == [fleet.pk, secondary.pk]
    listed = client.get(reverse("deals:orders"), {"month": "2026-10", "consultant": consultant2.pk})
    assert [o.pk for o in listed.context["orders"]] == [fleet.pk]
    assert "二级网点" in listed.content.decode() or "大客户" in listed.content.decode()


def deliver_data(**overrides):
    data = {
        "version": "1",
        "delivery_date": "2026-10-03",
        "vin": "lbehdafb8kx123456",
        "plate": "京A·12345",
        "ceremony": "on",
        "insurance": "on",
        "accessories": "3200",
        "extended_warranty": "on",
    }
    data.update(overrides)
    return data


@time_machine.travel(NOW, tick=False)
def test_delivery_of_last_months_order_makes_an_owner_with_a_vehicle(
    client, store, card, consultant
):
    order = Order.objects.create(
        store=store, customer=card, consultant=consultant, order_date=D(2026, 9, 20), model="途胜"
    )
    card.grade = "O"
    card.save()
    client.force_login(consultant)
    page = client.get(reverse("deals:deliver", args=[order.pk]))
    assert page.status_code == 200
    response = client.post(reverse("deals:deliver", args=[order.pk]), deliver_data())
    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.delivery_date, order.vin, order.ceremony, order.insurance, order.finance) == (
        D(2026, 10, 3),
        VIN,
        True,
        True,
        False,
    )
    assert (order.accessories, order.extended_warranty, order.trade_in, order.version) == (
        Decimal("3200.00"),
        True,
        False,
        2,
    )
    vehicle = Vehicle.objects.get()
    assert (vehicle.store, vehicle.customer, vehicle.order, vehicle.vin, vehicle.plate) == (
        store,
        card,
        order,
        VIN,
        "京A·12345",
    )
    assert (vehicle.brand, vehicle.model, vehicle.delivery_date) == (
        "北京现代",
        "途胜",
        D(2026, 10, 3),
    )
    card.refresh_from_db()
    assert (card.customer_type, card.owner_kind, card.next_follow_up, card.grade) == (
        "owner",
        "",
        None,
        "O",
    )
    delivery = Activity.objects.get(kind="delivery")
    assert (delivery.date, delivery.consultant, delivery.category) == (
        D(2026, 10, 3),
        consultant,
        "promotion",
    )
    # Grade O at the end of September, delivered by 10-03; still a card of the funnel.
    assert Customer.objects.filter(funnel.awaiting_delivery(D(2026, 9, 30)), pk=card.pk).exists()
    assert not Customer.objects.filter(
        funnel.awaiting_delivery(D(2026, 10, 3)), pk=card.pk
    ).exists()
    assert Customer.objects.filter(funnel.PROSPECT, pk=card.pk).exists()
    # Listed by delivery month, not by order month.
    delivered = client.get(
        reverse("deals:orders"), {"month": "2026-10", "by": "delivery", "status": "delivered"}
    )
    assert [o.pk for o in delivered.context["orders"]] == [order.pk]
    ordered = client.get(reverse("deals:orders"), {"month": "2026-10", "by": "order"})
    assert list(ordered.context["orders"]) == []
    # Delivering twice is refused.
    again = client.post(reverse("deals:deliver", args=[order.pk]), deliver_data(version="2"))
    assert again.status_code == 302
    assert Vehicle.objects.count() == 1


@time_machine.travel(NOW, tick=False)
def test_delivery_input_is_checked(client, store, card, consultant):
    order = Order.objects.create(
        store=store, customer=card, consultant=consultant, order_date=D(2026, 10, 5), model="途胜"
    )
    client.force_login(consultant)
    url = reverse("deals:deliver", args=[order.pk])
    response = client.post(
        url, deliver_data(delivery_date="2026-10-04", vin="LBEHDAFB8KX12345O", accessories="-1")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["delivery_date"] == ["交车日期（2026-10-04）不能早于订单日期（2026-10-05）。"]
    assert errors["vin"] == ["车架号为17位字母和数字（不含I、O、Q）。"]
    assert list(errors) == ["vin", "accessories", "delivery_date"]
    response = client.post(url, deliver_data(delivery_date="2026-10-16"))
    assert response.context["form"].errors["delivery_date"] == ["日期不能晚于今天（2026-10-15）。"]
    assert not Vehicle.objects.exists()
    order.refresh_from_db()
    assert (order.delivery_date, order.version) == (None, 1)


@time_machine.travel(NOW, tick=False)
def test_cancelling_an_order_puts_the_grade_back(client, store, card, consultant, manager):
    client.force_login(consultant)
    client.post(
        reverse("deals:order_new") + f"?customer={card.pk}",
        {"order_date": "2026-10-12", "model": "途胜", "channel": "showroom"},
    )
    order = Order.objects.get()
    client.force_login(manager)
    form = client.get(reverse("deals:order_cancel", args=[order.pk]))
    assert form.context["form"]["cancelled_on"].value() == D(2026, 10, 15)
    response = client.post(
        reverse("deals:order_cancel", args=[order.pk]),
        {"version": "1", "cancelled_on": "2026-10-14", "cancel_reason": "资金不足"},
    )
    assert response.status_code == 302
    order.refresh_from_db()
    card.refresh_from_db()
    assert (order.cancelled, order.cancelled_on, order.cancelled_by, order.cancel_reason) == (
        True,
        D(2026, 10, 14),
        manager,
        "资金不足",
    )
    assert (order.version, card.grade) == (2, "B")
    assert list(
        GradeChange.objects.order_by("id").values_list("date", "old_grade", "new_grade")
    ) == [(D(2026, 10, 12), "B", "O"), (D(2026, 10, 14), "O", "B")]
    # Closed by the order until the day before its cancellation, open again from that day.
    assert (is_open(card, D(2026, 10, 13)), is_open(card, D(2026, 10, 14))) == (False, True)
    # The history keeps who cancelled, when and why.
    last = order.history.order_by("-history_id").first()
    assert (last.cancelled_on, last.cancel_reason, last.history_user) == (
        D(2026, 10, 14),
        "资金不足",
        manager,
    )
    # Taken back by the manager: an order from its date again, the card O again.
    client.post(reverse("deals:order_restore", args=[order.pk]), {"version": "2"})
    order.refresh_from_db()
    card.refresh_from_db()
    assert (order.cancelled, order.cancelled_on, order.version, card.grade) == (
        False,
        None,
        3,
        "O",
    )
    assert is_open(card, D(2026, 10, 14)) is False


@time_machine.travel(NOW, tick=False)
def test_a_cancellation_date_is_checked_and_locked(client, card, consultant, manager):
    order = Order.objects.create(
        store=card.store, customer=card, consultant=consultant, order_date=D(2026, 10, 12)
    )
    client.force_login(manager)
    url = reverse("deals:order_cancel", args=[order.pk])
    for day, error in [
        ("2026-10-16", "日期不能晚于今天（2026-10-15）。"),
        ("2026-10-11", "退订日期不能早于订单日期（2026-10-12）。"),
    ]:
        response = client.post(url, {"version": "1", "cancelled_on": day, "cancel_reason": "x"})
        assert response.context["form"].errors["cancelled_on"] == [error]
    # Someone saved the order after it was opened: refused, nothing written.
    Order.objects.filter(pk=order.pk).update(version=2)
    response = client.post(
        url, {"version": "1", "cancelled_on": "2026-10-13", "cancel_reason": "x"}
    )
    assert response.status_code == 409
    order.refresh_from_db()
    assert (order.cancelled_on, order.version) == (None, 2)


@time_machine.travel(NOW, tick=False)
def test_an_order_keeps_price_colour_and_expected_delivery(client, card, consultant):
    card.colour = "珍珠白"
    card.save(update_fields=["colour"])
    client.force_login(consultant)
    url = reverse("deals:order_new") + f"?customer={card.pk}"
    form = client.get(url).context["form"]
    assert form["colour"].value() == "珍珠白"  # the card's wish, to confirm
    base = {"order_date": "2026-10-15", "model": "途胜", "channel": "showroom"}
    refused = client.post(url, {**base, "expected_delivery": "2026-10-01", "price": "-1"})
    assert refused.status_code == 200
    assert refused.context["form"].errors == {
        "price": ["确保该值大于或等于0。"],
        "expected_delivery": ["预计交车日期（2026-10-01）早于订单日期（2026-10-15）。"],
    }
    client.post(
        url,
        {**base, "price": "158800.00", "colour": "极光蓝", "expected_delivery": "2026-11-20"},
    )
    order = Order.objects.get()
    assert (order.price, order.colour, order.expected_delivery) == (
        Decimal("158800.00"),
        "极光蓝",
        dt.date(2026, 11, 20),
    )
    page = client.get(reverse("deals:order_detail", args=[order.pk])).content.decode()
    assert "极光蓝" in page
    assert "2026-11-20" in page
