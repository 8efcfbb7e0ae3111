"""Media spend entry: a month's spend per channel and model, edited as a table."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from showroom.crm.models import MediaSpend
from showroom.crm.tests.insight_data import d
from showroom.organization.choices import Role
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_spend_entry_saves_edits_and_rejects_duplicates(client, store, make_staff) -> None:  # type: ignore[no-untyped-def]
    marketing = make_staff("mkt", Role.MARKETING, store=store)
    client.force_login(marketing)
    url = reverse("crm:channel_spend") + "?month=2026-10"
    internet, media = f.source("internet"), f.source("media")
    data = {
        "s-TOTAL_FORMS": "3", "s-INITIAL_FORMS": "0", "s-MIN_NUM_FORMS": "0",
        "s-MAX_NUM_FORMS": "1000",
        "s-0-source": internet.pk, "s-0-model": "", "s-0-amount": "30000", "s-0-notes": "汽车之家",
        "s-1-source": media.pk, "s-1-model": "途胜", "s-1-amount": "9000", "s-1-notes": "",
        "s-2-source": "", "s-2-model": "", "s-2-amount": "", "s-2-notes": "",
    }  # fmt: skip
    assert client.post(url, data).status_code == 302
    rows = {(m.source.code, m.model): m.amount for m in MediaSpend.objects.filter(store=store)}
    assert rows == {("internet", ""): Decimal(30000), ("media", "途胜"): Decimal(9000)}
    assert set(MediaSpend.objects.values_list("month", flat=True)) == {d("10-01")}

    duplicate = {**data, "s-1-source": internet.pk, "s-1-model": ""}
    response = client.post(url, duplicate)
    assert response.status_code == 200  # shown again with what was typed
    assert "already entered" in response.content.decode() or "已录入" in response.content.decode()
    assert MediaSpend.objects.count() == 2
