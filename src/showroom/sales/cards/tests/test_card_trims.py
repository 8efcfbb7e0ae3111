"""The card form suggests the store's models and, once one is chosen, that model's trims."""

import re

import pytest
from django.urls import reverse

from showroom.customers.models import Customer, VehicleModel
from showroom.organization.choices import Role
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def models(store, other_store):
    VehicleModel.objects.create(store=store, name="途胜L", trims="2.0L 两驱\n\n 1.5T 四驱 \n")
    VehicleModel.objects.create(store=store, name="伊兰特", trims="1.5L 精英版\n1.5L 旗舰版")
    VehicleModel.objects.create(store=store, name="索纳塔", trims="停售款", active=False)
    VehicleModel.objects.create(store=other_store, name="名图", trims="1.8L 智能型")
    VehicleModel.objects.create(store=other_store, name="途胜L", trims="上海专供版")


def options(html: str, datalist: str) -> list[str]:
    """The values a datalist of the page offers, in order."""
    match = re.search(rf'<datalist id="{datalist}">(.*?)</datalist>', html, re.S)
    assert match is not None, datalist
    return re.findall(r'<option value="([^"]*)">', match.group(1))


def test_the_card_form_offers_the_chosen_models_trims(client, store, consultant, models):
    # A model typed on an older card that the store does not offer is not suggested.
    card = f.CustomerFactory(store=store, consultant=consultant, model="途胜l ", phone="139001")
    f.CustomerFactory(store=store, consultant=consultant, model="老款", phone="139002")
    client.force_login(consultant)
    html = client.get(reverse("customers:edit", args=[card.pk])).content.decode()
    assert options(html, "model-choices") == ["伊兰特", "途胜L"]
    assert options(html, "configuration-choices") == ["2.0L 两驱", "1.5T 四驱"]
    # The model box asks for the trims again as it changes; the trim box takes them.
    assert f'hx-get="{reverse("customers:trims")}"' in html
    assert 'hx-target="#configuration-choices"' in html
    assert 'list="configuration-choices"' in html

    trims = client.get(reverse("customers:trims"), {"model": "伊兰特", "store": "BJ01"})
    offered = options(trims.content.decode(), "configuration-choices")
    assert offered == ["1.5L 精英版", "1.5L 旗舰版"]
    for model in ("索纳塔", "名图", "", "随便写的车型"):  # not offered here: nothing to suggest
        html = client.get(reverse("customers:trims"), {"model": model}).content.decode()
        assert options(html, "configuration-choices") == []


def test_a_new_card_offers_the_models_then_the_trims(client, store, consultant, models):
    client.force_login(consultant)
    html = client.get(reverse("customers:new")).content.decode()
    assert options(html, "model-choices") == ["伊兰特", "途胜L"]
    assert options(html, "configuration-choices") == []
    # A form shown again (here, missing fields) offers the trims of the model typed.
    again = client.post(reverse("customers:new"), {"model": "途胜L"}).content.decode()
    assert options(again, "configuration-choices") == ["2.0L 两驱", "1.5T 四驱"]
    # The trim stays free text: a trim the store has not listed is saved as typed.
    client.post(
        reverse("customers:new"),
        {"name": "赵六", "phone": "13900000009", "model": "途胜L", "purchase_timeframe": "1到3个月",
         "grade": "B", "configuration": "自选改装版"},
    )  # fmt: skip
    saved = Customer.objects.get(phone_norm="13900000009")
    assert (saved.model, saved.configuration) == ("途胜L", "自选改装版")


def test_another_stores_user_gets_their_own_trims(client, other_store, make_staff, models):
    seller = make_staff("sh", Role.CONSULTANT, store=other_store)
    client.force_login(seller)
    html = client.get(reverse("customers:new")).content.decode()
    assert options(html, "model-choices") == ["名图", "途胜L"]
    trims = client.get(reverse("customers:trims"), {"model": "途胜L"}).content.decode()
    assert options(trims, "configuration-choices") == ["上海专供版"]
    # Asking for the first store's trims is refused like any other store of theirs.
    asked = client.get(reverse("customers:trims"), {"model": "途胜L", "store": "BJ01"})
    assert asked.status_code == 403
