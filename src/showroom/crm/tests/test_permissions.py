"""Who may do what on the CRM's screens: the CRM reads every customer of the store but
never takes one over; marketing sees aggregates only, never a customer row, name or phone."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import Resolver404, resolve, reverse

from showroom.crm.tests.insight_data import card, lead, order, walk_in
from showroom.customers.choices import CustomerType
from showroom.customers.forms import HandoverForm
from showroom.customers.models import Customer
from showroom.organization import permissions
from showroom.organization.choices import Role
from showroom.owners.models import Vehicle
from showroom.sales.models import Handover
from showroom.sales.prospects.services import hand_over
from tests import factories as f

pytestmark = pytest.mark.django_db

NAME, PHONE = "王小明", "13812345678"


@pytest.fixture
def crm(make_staff, store):  # type: ignore[no-untyped-def]
    return make_staff("crm", Role.CRM, store=store, full_name="客服小刘")


@pytest.fixture
def marketing(make_staff, store):  # type: ignore[no-untyped-def]
    return make_staff("mkt", Role.MARKETING, store=store, full_name="市场老周")


@pytest.fixture
def data(store, consultant):  # type: ignore[no-untyped-def]
    """One named customer who appears in every report: a lead, a visit, an order, a delivery,
    an interview, a survey response and a spend row."""
    customer = card(store, consultant, "10-02", name=NAME, phone=PHONE, source="internet")
    lead(store, "10-01", "internet", name=NAME, phone=PHONE, model="途胜")
    walk_in(store, consultant, "10-02", name=NAME, phone=PHONE, source="internet", model="途胜")
    sale = order(customer, "10-05", delivered="10-20", source="internet", model="途胜")
    f.DeliveryInterviewFactory(order=sale, reasons="brand", industry="金融")
    survey = f.SurveyFactory(store=store)
    f.SurveyQuestionFactory(survey=survey)
    f.MediaSpendFactory(store=store, amount=30000)
    return {"customer": customer, "order": sale, "survey": survey}


# --- the CRM reads but does not take over --------------------------------------------------


def test_crm_reads_any_card_but_cannot_edit_or_hand_over(client, crm, data) -> None:  # type: ignore[no-untyped-def]
    customer = data["customer"]
    client.force_login(crm)
    assert client.get(reverse("customers:card", args=[customer.pk])).status_code == 200
    assert client.get(reverse("customers:edit", args=[customer.pk])).status_code == 403
    edit = {"name": NAME, "phone": PHONE, "version": customer.version}
    assert client.post(reverse("customers:edit", args=[customer.pk]), edit).status_code == 403
    handover = {"customer": customer.pk, "receivers": [crm.pk]}
    assert client.get(reverse("customers:handover")).status_code == 403
    assert client.post(reverse("customers:handover"), handover).status_code == 403
    customer.refresh_from_db()
    assert customer.consultant_id != crm.pk
    assert not Handover.objects.exists()


def test_someone_with_the_crm_role_is_never_a_receiver(
    client, make_staff, store, manager, consultant, data
) -> None:  # type: ignore[no-untyped-def]
    both = make_staff("crm2", Role.CRM, Role.CONSULTANT, store=store, full_name="兼职客服")
    form = HandoverForm(store=store)
    receivers = list(form.fields["receivers"].queryset)  # type: ignore[attr-defined]
    assert consultant in receivers and both not in receivers

    customer = data["customer"]
    client.force_login(manager)
    response = client.post(
        reverse("customers:handover"), {"customer": customer.pk, "receivers": [both.pk]}
    )
    assert response.status_code == 200  # the form again, with its error
    with pytest.raises(ValidationError):
        hand_over(customers=[customer], receivers=[both], by=manager, day=store.today())
    customer.refresh_from_db()
    assert customer.consultant_id == consultant.pk
    assert not Handover.objects.exists()


def test_a_crm_manager_cannot_hand_a_card_to_themselves(make_staff, store, data) -> None:  # type: ignore[no-untyped-def]
    boss = make_staff("crmboss", Role.CRM, Role.MANAGER, Role.CONSULTANT, store=store)
    with pytest.raises(ValidationError):
        hand_over(customers=[data["customer"]], receivers=[boss], by=boss, day=store.today())
    assert Customer.objects.get(pk=data["customer"].pk).consultant_id != boss.pk


def test_crm_opens_its_screens_and_the_lost_analysis(client, crm, data) -> None:  # type: ignore[no-untyped-def]
    client.force_login(crm)
    for url in [
        reverse("crm:interviews"),
        reverse("crm:interview", args=[data["order"].pk]),
        reverse("crm:surveys"),
        reverse("crm:survey_take", args=[data["survey"].pk]),
        reverse("crm:profiles"),
        reverse("crm:channels"),
        reverse("crm:reports"),
        reverse("reports:losses"),
    ]:
        assert client.get(url).status_code == 200, url


def test_a_consultant_has_no_crm_screens(client, consultant, data) -> None:  # type: ignore[no-untyped-def]
    client.force_login(consultant)
    for url in [
        reverse("crm:interviews"),
        reverse("crm:profiles"),
        reverse("crm:surveys"),
        reverse("crm:channels"),
        reverse("crm:channel_spend"),
        reverse("crm:reports"),
        reverse("crm:report", args=["deals"]),
    ]:
        assert client.get(url).status_code == 403, url


# --- marketing: aggregates only ------------------------------------------------------------


def test_marketing_gets_no_customer_rows(client, marketing, data) -> None:  # type: ignore[no-untyped-def]
    client.force_login(marketing)
    survey = data["survey"]
    for url in [
        reverse("crm:interviews"),
        reverse("crm:interview", args=[data["order"].pk]),
        reverse("crm:survey_take", args=[survey.pk]),
        reverse("crm:survey_take", args=[survey.pk]) + f"?customer={data['customer'].pk}",
        reverse("crm:survey_new"),
        reverse("crm:survey_edit", args=[survey.pk]),
        reverse("customers:list"),
        reverse("customers:card", args=[data["customer"].pk]),
        reverse("reports:losses"),
    ]:
        assert client.get(url).status_code == 403, url


def test_marketing_aggregates_name_nobody(client, marketing, data) -> None:  # type: ignore[no-untyped-def]
    client.force_login(marketing)
    period = {"start": "2026-10", "end": "2026-10"}
    pages = [
        (reverse("crm:profiles"), period),
        (reverse("crm:channels"), period),
        (reverse("crm:channel_spend"), {"month": "2026-10"}),
        (reverse("crm:reports"), {}),
        (reverse("crm:report", args=["efficiency"]), period),
        (reverse("crm:report", args=["dormant"]), {}),
        (reverse("crm:report", args=["deals"]), period),
        (reverse("crm:surveys"), {}),
        (reverse("crm:survey_results", args=[data["survey"].pk]), period),
    ]
    for url, params in pages:
        response = client.get(url, params)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert NAME not in html and PHONE not in html and PHONE[-4:] not in html, url
    # The numbers are there all the same.
    html = client.get(reverse("crm:channels"), period).content.decode()
    assert "30,000" in html
    profile = client.get(reverse("crm:profiles"), period).content.decode()
    assert "金融" in profile
    # The CRM report list offers no link to the lost analysis, which names customers.
    assert reverse("reports:losses") not in client.get(reverse("crm:reports")).content.decode()


# --- no page offers a screen that would answer 403 ---------------------------------------------

LINK = re.compile(r'(?:href|action|hx-get|hx-post)="(/[^"]*)"')


def _linked_screens(html: str) -> set[str]:
    names = set()
    for target in LINK.findall(html):
        path = target.split("?")[0].split("#")[0]
        if path.startswith(settings.STATIC_URL):
            continue
        try:
            names.add(resolve(path).view_name)
        except Resolver404:
            continue
    return names


def test_pages_link_only_to_screens_the_user_may_open(  # type: ignore[no-untyped-def]
    client, store, consultant, crm, marketing, make_staff, data
) -> None:
    customer, sale = data["customer"], data["order"]
    Customer.objects.filter(pk=customer.pk).update(customer_type=CustomerType.OWNER)
    vehicle = Vehicle.objects.create(
        store=store, customer=customer, order=sale, model="途胜", delivery_date=sale.delivery_date
    )
    assistant = make_staff("assist", Role.ASSISTANT, store=store)
    group = make_staff("grp", Role.GROUP, store=None)
    pages = {
        crm: [
            reverse("customers:card", args=[customer.pk]),
            reverse("owners:detail", args=[customer.pk]),
            reverse("owners:vehicle_edit", args=[vehicle.pk]),
            reverse("crm:lists"),
            reverse("crm:surveys"),
        ],
        assistant: [
            reverse("customers:card", args=[customer.pk]),
            reverse("deals:customer", args=[customer.pk]),
            reverse("deals:orders"),
            reverse("deals:losses"),
            reverse("kpi:dashboard"),
        ],
        marketing: [reverse("kpi:dashboard"), reverse("crm:channels"), reverse("crm:surveys")],
        group: [
            reverse("kpi:dashboard") + "?store=BJ01",
            reverse("kpi:drill") + "?kpi=orders&month=2026-10&store=BJ01",
        ],
    }
    refused: dict[str, set[str]] = {}
    linked: dict[str, set[str]] = {}
    for user, urls in pages.items():
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (user.username, url)
            names = _linked_screens(response.content.decode())
            linked.setdefault(user.username, set()).update(names)
            bad = {n for n in names if not permissions.allows(user, n)}
            if bad:
                refused[f"{user.username} {url}"] = bad
    assert refused == {}
    # The pages did link to screens of their own kind (the check above is not empty).
    assert {"customers:history", "owners:vehicle_new"} <= linked["crm"]
    assert {"deals:order_new", "customers:edit"} <= linked["assist"]
    assert "customers:card" not in linked["grp"]
