from pathlib import Path

import pytest
from django.utils import translation

from showroom.kpi import selectors
from showroom.kpi.registry import FORMS, REGISTRY, implemented_codes

# Every KPI code in the order of the product's KPI table (docs/contracts.md shows it), rows
# that the table combines (prospects_H / _A / _B / _C …) split.
SPEC_CODES = [
    "walkin_batches", "first_visit_batches", "repeat_visit_batches", "invited_visit_batches",
    "call_batches", "first_call_batches", "avg_stay_minutes", "retention_rate",
    "receptions_per_consultant", "call_invitation_rate", "new_prospects",
    "carried_over_prospects", "prospects_H", "prospects_A", "prospects_B", "prospects_C",
    "prospects_O", "active_prospects", "test_drive_rate", "quote_rate", "orders",
    "cancelled_orders", "orders_from_carried_over", "orders_from_new", "deliveries", "close_rate",
    "test_drive_close_rate", "order_rate", "lost_rate", "out_of_control_rate",
    "order_delivery_rate", "showroom_sales_ratio", "delivery_ceremony_rate",
    "insurance_penetration", "finance_penetration", "accessory_penetration",
    "tradein_penetration", "call_3day_rate", "letter_7day_rate", "owner_referral_rate",
    "owners", "owner_retention_rate", "owner_churn_rate", "target_attainment", "source_mix",
    "unique_visitors", "unique_close_rate", "leads", "lead_response_minutes",
    "appointment_rate", "show_rate",
]  # fmt: skip

TRAFFIC = [
    "walkin_batches", "first_visit_batches", "repeat_visit_batches", "invited_visit_batches",
    "call_batches", "first_call_batches", "avg_stay_minutes", "retention_rate",
    "receptions_per_consultant", "call_invitation_rate", "test_drive_rate", "quote_rate",
    "unique_visitors",
]  # fmt: skip


def test_every_code_in_the_contract_order():
    assert list(REGISTRY) == SPEC_CODES


def test_codes_and_chinese_names_match_the_spec_table():
    # The product spec is kept beside the project, not in it: where it is there, its KPI table
    # and the registry must agree on every code and Chinese name; elsewhere this is skipped.
    spec = Path(__file__).resolve().parents[5] / "shared" / "SPEC.md"
    if not spec.exists():
        pytest.skip("SPEC.md is not beside the project")
    text = spec.read_text(encoding="utf-8")
    section = text[text.index("## 5. KPI definitions") : text.index("## 6. Data exchange")]
    rows = [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in section.splitlines()
        if line.startswith("| ") and not line.startswith("| code") and "---" not in line
    ]
    single = {code: zh for code, zh, _definition in rows if "/" not in code}
    assert single == {c: REGISTRY[c].name_zh for c in single}
    assert {c for c, _zh, _d in rows if "/" in c} == {
        "prospects_H / _A / _B / _C",
        "orders_from_carried_over / orders_from_new",
    }


def test_every_kpi_is_implemented():
    assert implemented_codes() == SPEC_CODES
    assert [c for c in TRAFFIC if REGISTRY[c].area != "traffic"] == []
    # The selector has a computation, and a query, for exactly the implemented codes.
    assert set(selectors._FORMULAS) == set(implemented_codes())
    queried = frozenset().union(*(codes for codes, _query in selectors._QUERIES))
    assert queried == set(implemented_codes())


def test_definitions_are_complete():
    for kpi in REGISTRY.values():
        assert kpi.name_zh and kpi.name_en and kpi.formula_zh and kpi.formula_en, kpi.code
        assert kpi.sources and set(kpi.sources) <= set(FORMS), kpi.code
        assert kpi.good in ("up", "down", None), kpi.code
        assert kpi.kind in ("count", "rate", "average", "minutes", "mapping"), kpi.code
        assert kpi.area in ("traffic", "prospects", "deals", "owners", "leads", "targets"), kpi.code


def test_kinds_and_directions_of_some_kpis():
    assert REGISTRY["lost_rate"].good == "down"
    assert REGISTRY["lead_response_minutes"].kind == "minutes"
    assert REGISTRY["source_mix"].kind == "mapping"
    assert REGISTRY["receptions_per_consultant"].kind == "average"
    assert REGISTRY["call_invitation_rate"].sources == ("calls", "walk_ins")


def test_frozen():
    with pytest.raises(AttributeError):
        REGISTRY["orders"].implemented = True  # type: ignore[misc]


def test_name_follows_the_active_language():
    kpi = REGISTRY["retention_rate"]
    with translation.override("zh-hans"):
        assert kpi.name == "来店客户留档率"
        assert kpi.formula == "首次来店中留档的批数 ÷ 首次来店批数"
        assert kpi.source_names() == ["来店客户登记表"]
    with translation.override("en"):
        assert kpi.name == "Contact retention rate"
        assert kpi.formula.startswith("First-visit rows with contact kept")
        assert kpi.source_names() == ["Walk-in register"]


@pytest.mark.parametrize(
    ("code", "value", "shown"),
    [
        ("retention_rate", 3 / 7, "42.9%"),
        ("retention_rate", 1.0, "100.0%"),
        ("retention_rate", None, "—"),
        ("walkin_batches", 8, "8"),
        ("avg_stay_minutes", 41.2, "41.2"),
        ("receptions_per_consultant", 7 / 3, "2.3"),
        ("source_mix", {"internet": 0.25, "friend": 0.75}, "internet: 25.0%, friend: 75.0%"),
        ("source_mix", {}, "—"),  # no deliveries
    ],
)
def test_format(code, value, shown):
    assert REGISTRY[code].format(value) == shown
