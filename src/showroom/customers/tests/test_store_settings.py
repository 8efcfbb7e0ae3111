"""The store's customer settings: its own sources, the models it offers, the follow-up
cadence per grade and the dormant days."""

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse

from showroom.customers.choices import CADENCE_DAYS, DORMANT_DAYS
from showroom.customers.grades import cadence_date, next_date_error
from showroom.customers.models import FollowUpSettings, Source, VehicleModel
from showroom.customers.selectors import model_suggestions
from showroom.organization.administration.selectors import change_log
from showroom.organization.choices import Role
from tests import factories as f

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 10, 1)


@pytest.fixture
def gm(make_staff, store):
    return make_staff("gm", Role.GENERAL_MANAGER, store=store, full_name="总经理")


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def test_store_settings_link_every_setting_of_the_store(client, gm, store):
    client.force_login(gm)
    page = client.get(reverse("store_settings")).content.decode()
    links = ["信息来源", "销售车型及配置", "各级别跟进周期和休眠天数", "毛利设置（在“价值”页面）"]
    assert [text for text in links if text not in page] == []
    assert 'href="/store/customers/sources/?store=BJ01"' in page


def test_a_store_adds_and_switches_off_its_own_source(client, gm, store, other_store):
    client.force_login(gm)
    url = reverse("customer_settings:sources")
    response = client.post(
        url, {"code": "douyin", "name_zh": "抖音", "name_en": "Douyin"}, follow=True
    )
    assert messages_of(response) == ["信息来源 抖音 已添加。"]
    source = Source.objects.get(code="douyin")
    assert source.store == store
    assert source in Source.for_store(store)
    assert source not in Source.for_store(other_store)
    client.post(reverse("customer_settings:source_edit", args=[source.pk]), {"active": "0"})
    source.refresh_from_db()
    assert source.active is False and source not in Source.for_store(store)
    # Both changes are on the store's record of changes, with who made them.
    log = [c for c in change_log(user=gm) if c.what == "抖音"]
    assert [(c.who, c.kind, [(x.label, x.old, x.new) for x in c.changes]) for c in log] == [
        ("总经理", "~", [("启用", "是", "否")]),
        (
            "总经理",
            "+",
            [
                ("代码", "—", "douyin"),
                ("中文名称", "—", "抖音"),
                ("英文名称", "—", "Douyin"),
                ("启用", "—", "是"),
            ],
        ),
    ]


def test_a_standard_code_cannot_be_taken_or_changed(client, gm, store):
    client.force_login(gm)
    response = client.post(
        reverse("customer_settings:sources"), {"code": "walk_by", "name_zh": "路过2"}
    )
    assert response.context["form"].errors["code"] == ["本店已有此代码的信息来源。"]
    standard = Source.objects.get(store__isnull=True, code="walk_by")
    edit = reverse("customer_settings:source_edit", args=[standard.pk])
    assert client.get(edit).status_code == 404


def test_the_models_offered_are_the_suggestions(client, gm, store):
    f.CustomerFactory(store=store, model="名图")
    # Until the store sets its models, the models typed on its cards are suggested.
    assert model_suggestions(store=store) == ["名图"]
    client.force_login(gm)
    client.post(
        reverse("customer_settings:models"),
        {"name": "途胜L", "trims": "2.0L 两驱\n1.5T 四驱\n", "active": "on"},
    )
    model = VehicleModel.objects.get()
    assert (model.store, model.trim_list()) == (store, ["2.0L 两驱", "1.5T 四驱"])
    assert model_suggestions(store=store) == ["途胜L"]
    page = client.get(reverse("customer_settings:models")).content.decode()
    assert "2.0L 两驱、1.5T 四驱" in page


def test_defaults_are_the_spec_cadence(store):
    settings = FollowUpSettings.for_store(store)
    assert settings.pk is None
    assert settings.cadence() == CADENCE_DAYS
    assert settings.dormant_days == DORMANT_DAYS == 90
    assert cadence_date("H", DAY, store=store) == dt.date(2026, 10, 3)


def test_the_store_sets_its_own_cadence(client, gm, store, other_store):
    client.force_login(gm)
    data = {
        "cadence_h": "1",
        "cadence_a": "5",
        "cadence_b": "10",
        "cadence_c": "20",
        "cadence_o": "3",
        "dormant_days": "60",
    }
    response = client.post(reverse("customer_settings:follow_up"), data, follow=True)
    assert messages_of(response) == ["跟进设置已保存。"]
    store = type(store).objects.get(pk=store.pk)  # a fresh instance: nothing cached
    assert cadence_date("H", DAY, store=store) == dt.date(2026, 10, 2)
    assert cadence_date("O", DAY, store=store) == dt.date(2026, 10, 4)
    assert cadence_date("H", DAY, store=other_store) == dt.date(2026, 10, 3)
    assert FollowUpSettings.for_store(store).dormant_days == 60
    error = next_date_error(
        grade="A", day=DAY, next_date=dt.date(2026, 10, 7), later_reason="", store=store
    )
    assert error == "A 级最迟应于 2026-10-06 跟进；跟进日期更晚时请填写原因。"


def test_cadence_out_of_range_is_refused(client, gm, store):
    client.force_login(gm)
    data = {
        "cadence_h": "0",
        "cadence_a": "7",
        "cadence_b": "14",
        "cadence_c": "30",
        "cadence_o": "7",
        "dormant_days": "5",
    }
    response = client.post(reverse("customer_settings:follow_up"), data)
    errors = response.context["form"].errors
    assert errors["cadence_h"] == ["须在 1 到 365 天之间。"]
    assert errors["dormant_days"] == ["须在 30 到 730 天之间。"]
    assert not FollowUpSettings.objects.exists()


def test_only_the_store_admins_open_the_customer_settings(client, manager, consultant):
    for user in (manager, consultant):
        client.force_login(user)
        assert client.get(reverse("customer_settings:sources")).status_code == 403


def test_the_standard_sources_codes_and_english_names_show_in_english_only(client, gm, store):
    client.force_login(gm)
    page = client.get(reverse("customer_settings:sources")).content.decode()
    assert "<td>路过</td>" in page and "walk_by" not in page and "Passing by" not in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("customer_settings:sources")).content.decode()
    assert "<td>walk_by</td><td>路过</td><td>Passing by</td>" in page
