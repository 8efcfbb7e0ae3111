"""客户画像 on hand-built interviews of October 2026 at BJ01.

#  model date  reasons      usage          interests    industry heard    refer   again   sat
1  途胜  10-03 brand,price  family         golf         金融     internet certain no      5
2  途胜  10-10 brand        family,commute travel,golf  金融     media    consid. consid. 4
3  途胜  10-31 space        business       —            IT       —        —       —       —
4  名图  10-15 price,fuel   commute        music        教育     —        no      certain 3
5  名图  11-01 brand        family         golf         金融     internet certain certain 1
(5 is November's.)
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from showroom.crm.interviews.profiles import (
    NOT_GIVEN,
    code_labels,
    customer_profiles,
    join_codes,
    split_codes,
)
from showroom.crm.tests.insight_data import OCT, card, d, order
from showroom.organization.choices import Role
from tests import factories as f

pytestmark = pytest.mark.django_db

ROWS = [
    ("途胜", "10-03", "brand,price", "family", "golf", "金融", "internet", "certain", "no", 5),
    ("途胜", "10-10", "brand", "family,commute", "travel,golf", "金融", "media", "considering",
     "considering", 4),
    ("途胜", "10-31", "space", "business", "", "IT", None, "", "", None),
    ("名图", "10-15", "price,fuel", "commute", "music", "教育", None, "no", "certain", 3),
    ("名图", "11-01", "brand", "family", "golf", "金融", "internet", "certain", "certain", 1),
]  # fmt: skip


@pytest.fixture
def interviews(store, consultant):  # type: ignore[no-untyped-def]
    for model, day, reasons, usage, interests, industry, heard, refer, again, sat in ROWS:
        sale = order(card(store, consultant), "10-01", delivered=day, model=model)
        f.DeliveryInterviewFactory(
            order=sale,
            date=d(day),
            reasons=reasons,
            usage=usage,
            interests=interests,
            industry=industry,
            heard_from=f.source(heard) if heard else None,
            referral_intent=refer,
            repurchase_intent=again,
            satisfaction=sat,
        )
    return store


def _family(profile, key):  # type: ignore[no-untyped-def]
    return next(fam for fam in profile.families if fam.key == key)


def test_counts_per_model(interviews) -> None:  # type: ignore[no-untyped-def]
    profile = customer_profiles(stores=[interviews], start=OCT[0], end=OCT[1])
    assert profile.interviews == 4
    assert profile.models == [("途胜", 3), ("名图", 1)]
    reasons = _family(profile, "reasons")
    totals = dict(zip([c for c, _l in reasons.categories], reasons.totals, strict=True))
    assert (totals["brand"], totals["price"], totals["space"], totals["fuel"]) == (2, 2, 1, 1)
    assert totals["design"] == 0
    assert reasons.counts["途胜"][[c for c, _l in reasons.categories].index("price")] == 1
    assert reasons.counts["名图"][[c for c, _l in reasons.categories].index("price")] == 1
    usage = dict(zip([c for c, _l in _family(profile, "usage").categories],
                     _family(profile, "usage").totals, strict=True))  # fmt: skip
    assert (usage["family"], usage["commute"], usage["business"]) == (2, 2, 1)
    interests = _family(profile, "interests")
    golf = [c for c, _l in interests.categories].index("golf")
    assert interests.counts["途胜"][golf] == 2 and interests.counts["名图"][golf] == 0


def test_industry_heard_from_and_intents(interviews) -> None:  # type: ignore[no-untyped-def]
    profile = customer_profiles(stores=[interviews], start=OCT[0], end=OCT[1])
    industry = _family(profile, "industry")
    assert [(label, n) for label, _cells, n in industry.rows] == [
        ("金融", 2),
        ("IT", 1),
        ("教育", 1),
    ]
    heard = _family(profile, "heard_from")
    # Most first; a tie by name (电视… before 网络…); "not given" last.
    assert [code for code, _l in heard.categories] == ["media", "internet", ""]
    assert dict(zip([c for c, _l in heard.categories], heard.totals, strict=True)) == {
        "internet": 1, "media": 1, "": 2,
    }  # fmt: skip
    assert heard.categories[-1] == ("", str(NOT_GIVEN))  # "not given" comes last
    refer = _family(profile, "referral_intent")
    assert dict(zip([c for c, _l in refer.categories], refer.totals, strict=True)) == {
        "certain": 1, "considering": 1, "no": 1, "": 1,
    }  # fmt: skip
    again = _family(profile, "repurchase_intent")
    assert again.counts["名图"] == [1, 0, 0, 0]  # certain, considering, no, not given


def test_satisfaction_means(interviews) -> None:  # type: ignore[no-untyped-def]
    profile = customer_profiles(stores=[interviews], start=OCT[0], end=OCT[1])
    # 途胜: (5 + 4) / 2 (one not scored); 名图: 3; all: (5 + 4 + 3) / 3.
    assert profile.satisfaction == {"途胜": 4.5, "名图": 3.0, "": 4.0}


def test_period_and_model_filter(interviews) -> None:  # type: ignore[no-untyped-def]
    november = customer_profiles(stores=[interviews], start=d("11-01"), end=d("11-30"))
    assert november.models == [("名图", 1)] and november.satisfaction[""] == 1.0
    mistra = customer_profiles(stores=[interviews], start=OCT[0], end=d("11-30"), model="名图")
    assert mistra.interviews == 2 and mistra.satisfaction[""] == 2.0


def test_three_queries_whatever_the_data(interviews, consultant) -> None:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as first:
        customer_profiles(stores=[interviews], start=OCT[0], end=OCT[1])
    for i in range(6):
        sale = order(card(interviews, consultant), "10-01", delivered="10-05", model=f"车{i}")
        f.DeliveryInterviewFactory(order=sale, reasons="brand", industry=f"行业{i}")
    with CaptureQueriesContext(connection) as second:
        customer_profiles(stores=[interviews], start=OCT[0], end=OCT[1])
    assert len(first) == len(second) == 3


def test_codes_round_trip() -> None:
    assert split_codes(" brand, ,price,") == ["brand", "price"]
    assert join_codes(["brand", "price", "brand", ""]) == "brand,price"
    assert code_labels("reasons", "brand,unknown") == ["品牌", "unknown"]


def test_screen_loads_echarts_locally(client, make_staff, interviews) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_staff("mkt", Role.MARKETING, store=interviews))
    html = client.get(reverse("crm:profiles"), {"start": "2026-10"}).content.decode()
    assert '<script src="/static/vendor/echarts.min.js">' in html
    assert 'id="profile-charts"' in html and "金融" in html
