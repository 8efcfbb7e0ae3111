"""One word per msgid: Django merges every app's catalogue into one, and for a msgid without a
context the first catalogue that has it (INSTALLED_APPS order) wins on every page. An app's
own translation of a shared word that means something else there would silently lose, so the
catalogues must agree on each msgid without context, and a word that means different things
in different places carries a context (pgettext, {% translate … context … %}).
"""

from __future__ import annotations

import gettext
from collections import defaultdict
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

import showroom
from showroom.crm.tests.test_intent import NOON, cards
from showroom.kpi.tests.test_funnel_kpis import card, order
from showroom.organization.choices import Role
from showroom.sales.deals import services as deals

SRC = Path(showroom.__file__).resolve().parent
CATALOGUES = sorted(SRC.glob("**/locale/zh_Hans/LC_MESSAGES/django.mo"))


def _translations() -> dict[str, dict[str, str]]:
    """msgid (with "context\\x04" in front when it has one) -> {catalogue: msgstr}."""
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for path in CATALOGUES:
        with path.open("rb") as f:
            catalogue = gettext.GNUTranslations(f)
        name = str(path.relative_to(SRC).parents[3]) or "showroom"
        for msgid, msgstr in catalogue._catalog.items():  # type: ignore[attr-defined]
            if isinstance(msgid, str) and msgid:  # not the header, not a plural form
                found[msgid][name] = msgstr
    return found


def test_every_app_has_a_catalogue() -> None:
    assert len(CATALOGUES) == 13


def test_the_catalogues_agree_on_every_msgid() -> None:
    disagreeing = {
        msgid.replace("\x04", " | "): by_catalogue
        for msgid, by_catalogue in _translations().items()
        if len(set(by_catalogue.values())) > 1
    }
    assert disagreeing == {}


def test_no_django_catalogue_hides_ours() -> None:
    """Django's own apps (admin, auth…) come before ours in INSTALLED_APPS: their word for a
    msgid of ours (Add 增加, History 历史, today 今天…) would win."""
    hidden = {}
    with translation.override("zh-hans"):
        for msgid, by_catalogue in _translations().items():
            context, _, text = msgid.rpartition("\x04")
            shown = translation.pgettext(context, text) if context else translation.gettext(text)
            if shown not in by_catalogue.values():
                hidden[msgid.replace("\x04", " | ")] = shown
    assert hidden == {}


@pytest.mark.django_db
@time_machine.travel(NOON, tick=False)
def test_the_intent_statistics_say_from_and_to_of_a_period_and_store_for_the_total(
    client, store, consultant, make_staff
) -> None:
    cards(store, consultant, 4)
    client.force_login(make_staff("crm", Role.CRM, store=store))
    with translation.override("zh-hans"):
        client.get(reverse("crm:intent_checks"))  # draws the day's sample
        page = client.get(reverse("crm:intent_stats")).content.decode()
    assert ">起</label>" in page and ">止</label>" in page
    assert "<td>全店</td>" in page
    assert "原级别" not in page and "新级别" not in page


@pytest.mark.django_db
def test_the_daily_report_says_old_grade_new_grade_and_change(client, consultant) -> None:
    client.force_login(consultant)
    with translation.override("zh-hans"):
        page = client.get(reverse("reports:daily")).content.decode()
    assert "<th>原级别</th><th>新级别</th><th>变化</th>" in page  # not 修改, Django's verb


@pytest.mark.django_db
def test_an_orders_history_says_why_it_was_cancelled_as_an_order(client, store, manager) -> None:
    placed = order(card(store, 1, "10-01", manager), "10-02", manager)
    assert deals.cancel_order(
        placed, user=manager, expected_version=placed.version, day=store.today(), reason="资金"
    )
    client.force_login(manager)
    with translation.override("zh-hans"):
        page = client.get(reverse("deals:order_history", args=[placed.pk])).content.decode()
    # 退订原因 of an order; 取消原因 is an appointment's.
    assert ("退订原因" in page, "取消原因" in page) == (True, False)
