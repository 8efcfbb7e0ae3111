"""Two people editing the same record: the second save is refused with a message, writes
nothing, and keeps what was typed; saving again then overwrites, knowingly."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from showroom.crm.choices import QuestionKind, SurveyKind
from showroom.crm.models import DeliveryInterview
from showroom.crm.tests.insight_data import card, order
from showroom.organization.choices import Role
from showroom.owners.models import Vehicle
from tests import factories as f

pytestmark = pytest.mark.django_db


def posted(form: Any) -> dict[str, Any]:
    """What the browser posts back for a rendered form (or formset) left as it is."""
    forms = [form.management_form, *form.forms] if hasattr(form, "management_form") else [form]
    data: dict[str, Any] = {}
    for one in forms:
        for bound in one:
            value = bound.value()
            if value is None or value is False:
                continue
            data[bound.html_name] = "on" if value is True else value
    return data


def race(client, url: str, first, second, change_first, change_second):  # type: ignore[no-untyped-def]
    """`first` and `second` open the same page; `first` saves, then `second` does."""
    client.force_login(first)
    page_first = client.get(url).context
    client.force_login(second)
    page_second = client.get(url).context
    client.force_login(first)
    assert client.post(url, change_first(page_first)).status_code == 302
    client.force_login(second)
    return client.post(url, change_second(page_second))


CHANGED = "未保存：在您打开后，其他人修改了这{what}。您输入的内容已保留，请核对后重新保存。"


def test_vehicle_edit(client, store, consultant, make_staff) -> None:  # type: ignore[no-untyped-def]
    owner = f.CustomerFactory(store=store, consultant=consultant, customer_type="owner")
    vehicle = Vehicle.objects.create(store=store, customer=owner, model="途胜")
    crm = make_staff("crm", Role.CRM, store=store)
    url = reverse("owners:vehicle_edit", args=[vehicle.pk])

    response = race(
        client, url, consultant, crm,
        lambda page: {**posted(page["form"]), "insurance_end": "2027-01-31"},
        lambda page: {**posted(page["form"]), "warranty_end": "2029-12-31"},
    )  # fmt: skip

    assert response.status_code == 409
    assert CHANGED.format(what="辆车") in response.content.decode()
    vehicle.refresh_from_db()
    assert (vehicle.insurance_end, vehicle.warranty_end, vehicle.version) == (
        dt.date(2027, 1, 31), None, 2
    )  # fmt: skip
    again = posted(response.context["form"])
    assert (again["version"], again["warranty_end"]) == ("2", "2029-12-31")
    assert client.post(url, again).status_code == 302
    vehicle.refresh_from_db()
    assert (vehicle.warranty_end, vehicle.version) == (dt.date(2029, 12, 31), 3)


def test_survey_definition(client, store, make_staff) -> None:  # type: ignore[no-untyped-def]
    survey = f.SurveyFactory(store=store, kind=SurveyKind.PROSPECT, title="满意度")
    f.SurveyQuestionFactory(survey=survey, position=1, text="接待", kind=QuestionKind.SCORE)
    one, two = make_staff("crm1", Role.CRM, store=store), make_staff("crm2", Role.CRM, store=store)
    url = reverse("crm:survey_edit", args=[survey.pk])

    def both(page: Any, **changes: str) -> dict[str, Any]:
        return {**posted(page["form"]), **posted(page["formset"]), **changes}

    response = race(
        client, url, one, two,
        lambda page: both(page, title="满意度（新）"),
        lambda page: both(page, **{"q-0-text": "接待是否热情"}),
    )  # fmt: skip

    assert response.status_code == 409
    assert CHANGED.format(what="份问卷") in response.content.decode()
    survey.refresh_from_db()
    assert (survey.title, survey.version) == ("满意度（新）", 2)
    assert list(survey.questions.values_list("text", flat=True)) == ["接待"]


def test_delivery_interview(client, store, consultant, make_staff) -> None:  # type: ignore[no-untyped-def]
    sale = order(card(store, consultant), "10-01", delivered="10-02", source="exhibition")
    DeliveryInterview.objects.create(
        store=store, order=sale, customer=sale.customer, date=dt.date(2026, 10, 2)
    )
    one, two = make_staff("crm1", Role.CRM, store=store), make_staff("crm2", Role.CRM, store=store)
    url = reverse("crm:interview", args=[sale.pk])

    response = race(
        client, url, one, two,
        lambda page: {**posted(page["form"]), "notes": "第一位"},
        lambda page: {**posted(page["form"]), "notes": "第二位"},
    )  # fmt: skip

    assert response.status_code == 409
    assert CHANGED.format(what="次面访") in response.content.decode()
    assert DeliveryInterview.objects.get(order=sale).notes == "第一位"


def test_media_spend_of_a_month(client, store, make_staff) -> None:  # type: ignore[no-untyped-def]
    spend = f.MediaSpendFactory(store=store, source=f.source("internet"), amount=30000)
    one = make_staff("mkt1", Role.MARKETING, store=store)
    two = make_staff("mkt2", Role.MARKETING, store=store)
    url = reverse("crm:channel_spend") + f"?month={spend.month:%Y-%m}"

    response = race(
        client, url, one, two,
        lambda page: {**posted(page["formset"]), "s-0-amount": "31000"},
        lambda page: {**posted(page["formset"]), "s-0-amount": "32000"},
    )  # fmt: skip

    assert response.status_code == 200
    assert "未保存：在您打开后，其他人修改了本月的投放费用。" in response.content.decode()
    spend.refresh_from_db()
    assert (spend.amount, spend.version) == (31000, 2)
    again = posted(response.context["formset"])
    assert (again["s-0-amount"], again["s-0-version"]) == (Decimal("31000.00"), 2)
    assert client.post(url, {**again, "s-0-amount": "32000"}).status_code == 302
    spend.refresh_from_db()
    assert (spend.amount, spend.version) == (32000, 3)
