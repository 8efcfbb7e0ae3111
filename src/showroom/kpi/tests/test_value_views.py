"""The value screen (kpi:value): who sees it, the numbers shown, the margins form."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from showroom.kpi.models import StoreMargins
from showroom.kpi.tests.test_value import build_value_month
from showroom.organization.choices import Role
from tests import factories as f

pytestmark = pytest.mark.django_db

URL = reverse("kpi:value")


@pytest.fixture(autouse=True)
def _frozen(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(dt.datetime(2026, 11, 15, 9, 0, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def value_month(store, consultant):  # type: ignore[no-untyped-def]
    return build_value_month(store, consultant)


def form_data(**changes: str) -> dict[str, str]:
    data = {
        "store": "BJ01",
        "vehicle": "5000",
        "insurance": "800",
        "finance": "1000",
        "accessories_share": "25",
        "extended_warranty": "0",
        "trade_in": "-400",
        "aftersales_share": "40",
        "horizon_years": "3",
        "version": "0",
    }
    return {**data, **changes}


def test_manager_sees_the_numbers_in_chinese(client, manager, value_month):
    client.force_login(manager)
    response = client.get(URL, {"month": "2026-10"})
    assert response.status_code == 200
    text = {k: response.context["text"][k] for k in ("per_delivery", "value_lifetime")}
    assert text == {"per_delivery": "5,300", "value_lifetime": "10,873"}
    items = {i["code"]: (i["penetration"], i["point_worth"]) for i in response.context["items"]}
    assert items["insurance"] == ("50.0%", "40")
    assert items["vehicle"] == ("100.0%", "—")
    html = response.content.decode()
    assert "vendor/echarts.min.js" in html
    assert 'data-figure="per_delivery">5,300<' in html
    assert "<td>整车</td>" in html and "车辆" not in html  # the vehicle item, not the owner's car
    assert response.context["editable"] is True
    # Without a row the form shows the defaults, shares as percentages.
    form = response.context["form"]
    assert form.initial["accessories_share"] == Decimal("40")
    assert form.initial["version"] == 0
    assert 'name="accessories_share" value="40"' in html  # not 4E+1


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.RECEPTIONIST, Role.CRM, Role.MARKETING])
def test_other_roles_are_refused(client, make_staff, store, role):
    client.force_login(make_staff(f"u_{role}", role, store=store))
    assert client.get(URL).status_code == 403


def test_manager_saves_margins_and_the_numbers_follow(client, manager, store, value_month):
    client.force_login(manager)
    response = client.post(URL + "?month=2026-10", form_data())
    assert response.status_code == 302
    m = StoreMargins.objects.get(store=store)
    assert (m.vehicle, m.accessories_share, m.aftersales_share, m.horizon_years, m.version) == (
        Decimal("5000"),
        Decimal("0.25"),
        Decimal("0.4"),
        3,
        1,
    )
    assert m.updated_by == manager
    response = client.get(URL, {"month": "2026-10"})
    assert response.context["text"]["per_delivery"] == "5,800"
    assert response.context["form"].initial["version"] == 1
    # Saving again at version 1.
    assert client.post(URL, form_data(vehicle="4000", version="1")).status_code == 302
    m.refresh_from_db()
    assert (m.vehicle, m.version) == (Decimal("4000"), 2)


def test_a_concurrent_save_is_refused_and_the_typed_values_stay(client, manager, store):
    StoreMargins.objects.create(store=store, vehicle=Decimal("2500"), version=3)
    client.force_login(manager)
    response = client.post(URL, form_data(vehicle="6000", version="2"))
    assert response.status_code == 409
    assert StoreMargins.objects.get(store=store).vehicle == Decimal("2500")
    form = response.context["form"]
    assert form["vehicle"].value() == "6000"
    assert form["version"].value() == "3"  # saving again now overwrites, knowingly
    assert response.context["stored"]["vehicle"] == Decimal("2500")
    assert "Not saved" in response.content.decode() or "未保存" in response.content.decode()


def test_two_first_saves_race(client, manager, store):
    client.force_login(manager)
    StoreMargins.objects.create(store=store)  # someone else's first save
    response = client.post(URL, form_data(version="0"))
    assert response.status_code == 409
    assert StoreMargins.objects.get(store=store).vehicle == Decimal("3000")


def test_invalid_input_keeps_what_was_typed(client, manager, store):
    client.force_login(manager)
    response = client.post(URL, form_data(accessories_share="140", vehicle="5,5"))
    assert response.status_code == 400
    form = response.context["form"]
    assert form["accessories_share"].value() == "140"
    assert set(form.errors) == {"accessories_share", "vehicle"}
    assert not StoreMargins.objects.exists()


def test_general_manager_of_another_store_cannot_edit(client, make_staff, store, other_store):
    gm = make_staff("gm2", Role.GENERAL_MANAGER, store=other_store)
    client.force_login(gm)
    assert client.post(URL, form_data()).status_code == 403  # BJ01 is not visible to them
    assert client.post(URL, form_data(store="SH01")).status_code == 302
    assert StoreMargins.objects.get().store == other_store


def test_group_sees_stores_side_by_side_read_only(
    client, group_analyst, store, other_store, value_month
):
    client.force_login(group_analyst)
    response = client.get(URL, {"month": "2026-10"})
    assert response.status_code == 200
    assert response.context["side_by_side"] is True
    columns = response.context["columns"]
    assert [c.store for c in columns] == [store, other_store, None]
    lines = {str(line["label"]): line["cells"] for line in response.context["lines"]}
    per_delivery = next(cells for label, cells in lines.items() if "5,300" in cells)
    assert per_delivery == ["5,300", "—", "5,300"]
    # One store: the numbers and the margins, read only.
    response = client.get(URL, {"month": "2026-10", "store": "BJ01"})
    assert response.context["side_by_side"] is False
    assert response.context["editable"] is False
    assert b'<fieldset class="form-grid" disabled>' in response.content
    assert client.post(URL, form_data()).status_code == 403


def test_side_by_side_queries_do_not_grow_with_the_stores(
    client, group_analyst, store, other_store
):
    client.force_login(group_analyst)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, {"month": "2026-10"}).status_code == 200
        return len(captured)

    two = queries()
    f.StoreFactory(code="GZ01", name="广州一店")
    assert queries() == two
