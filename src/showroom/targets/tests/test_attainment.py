"""target_attainment (销售达成率) through compute_kpis and `showroom kpi`.

October 2026 at BJ01: target 20, split 张伟 12 / 李娜 8; deliveries 张伟 5, 李娜 2, 王强 1
(no split line) — 3 of 张伟's, 1 of 李娜's and 王强's by the 15th; 张伟 1 more on 11-02.
SH01 delivers 1 and has no target.
"""

import io
import json
from datetime import date
from fractions import Fraction

import pytest
from django.core.management import call_command

from showroom.kpi.selectors import compute_kpis
from showroom.organization.choices import Role
from showroom.organization.models import Store
from showroom.targets.selectors import target_for
from showroom.targets.tests.builders import delivery, target

pytestmark = pytest.mark.django_db

OCT = (date(2026, 10, 1), date(2026, 10, 31))
CODES = ["target_attainment"]


@pytest.fixture
def october(store, other_store, consultant, consultant2, make_staff):  # type: ignore[no-untyped-def]
    wang = make_staff("wang", Role.CONSULTANT, store=store, full_name="王强")
    target(
        store,
        "2026-10-01",
        20,
        {consultant: (12, [1, 3, 3, 3, 2]), consultant2: (8, [1, 2, 2, 2, 1])},
    )
    for day in ("01", "07", "15", "20", "31"):
        delivery(store, consultant, f"2026-10-{day}")
    for day in ("09", "16"):
        delivery(store, consultant2, f"2026-10-{day}")
    delivery(store, consultant, "2026-10-11", cancelled=True)
    delivery(store, wang, "2026-10-02")
    delivery(store, consultant, "2026-11-02")
    sh = make_staff("sh", Role.CONSULTANT, store=other_store, full_name="沪顾问")
    delivery(other_store, sh, "2026-10-05")


def test_a_store_month(october, store, django_assert_num_queries):
    with django_assert_num_queries(2):  # the orders, the targets
        assert compute_kpis(stores=[store], start=OCT[0], end=OCT[1], codes=CODES) == {
            "target_attainment": 8 / 20
        }
    both = compute_kpis(stores=[store], start=OCT[0], end=OCT[1], codes=["deliveries", *CODES])
    assert both == {"deliveries": 8, "target_attainment": 0.4}


def test_by_consultant(october, store, django_assert_num_queries):
    with django_assert_num_queries(2):
        result = compute_kpis(
            stores=[store], start=OCT[0], end=OCT[1], by="consultant", codes=CODES
        )
    assert result == {
        "张伟": {"target_attainment": 5 / 12},
        "李娜": {"target_attainment": 2 / 8},
        "王强": {"target_attainment": None},
    }


def test_by_store_and_stores_together(october, store, other_store):
    stores = Store.objects.all()
    by_store = compute_kpis(stores=stores, start=OCT[0], end=OCT[1], by="store", codes=CODES)
    assert by_store == {"BJ01": {"target_attainment": 0.4}, "SH01": {"target_attainment": None}}
    # Together: SH01 has no target, so there is none for the two.
    assert compute_kpis(stores=stores, start=OCT[0], end=OCT[1], codes=CODES) == {
        "target_attainment": None
    }
    target(other_store, "2026-10-01", 4)
    assert compute_kpis(stores=stores, start=OCT[0], end=OCT[1], codes=CODES) == {
        "target_attainment": 9 / 24
    }
    assert target_for(stores=stores, start=OCT[0], end=OCT[1]) == 24.0


def test_no_target_by_source_or_model(october, store, django_assert_num_queries):
    with django_assert_num_queries(1):  # sources and models have no targets: no query
        by_model = compute_kpis(stores=[store], start=OCT[0], end=OCT[1], by="model", codes=CODES)
    assert by_model == {"途胜": {"target_attainment": None}}
    by_source = compute_kpis(stores=[store], start=OCT[0], end=OCT[1], by="source", codes=CODES)
    assert by_source == {"(none)": {"target_attainment": None}}


def test_part_of_a_month_is_pro_rata(october, store):
    # 1–15 October: 15/31 of the target 20; 5 deliveries (张伟 3, 李娜 1, 王强 1).
    start, end = date(2026, 10, 1), date(2026, 10, 15)
    result = compute_kpis(stores=[store], start=start, end=end, codes=["deliveries", *CODES])
    assert result == {"deliveries": 5, "target_attainment": 5 / float(Fraction(20 * 15, 31))}
    assert target_for(stores=[store], start=start, end=end) == float(Fraction(300, 31))


def test_a_month_without_target_makes_the_period_null(october, store, consultant):
    start, end = date(2026, 10, 1), date(2026, 11, 30)
    assert compute_kpis(stores=[store], start=start, end=end, codes=CODES) == {
        "target_attainment": None
    }
    # November 2026 starts on a Sunday: six clipped weeks.
    target(store, "2026-11-01", 10, {consultant: (10, [0, 2, 2, 2, 2, 2])})
    assert compute_kpis(stores=[store], start=start, end=end, codes=CODES) == {
        "target_attainment": 9 / 30
    }
    by_consultant = compute_kpis(stores=[store], start=start, end=end, by="consultant", codes=CODES)
    # 张伟 has both months (12 + 10); 李娜 only October's.
    assert by_consultant == {
        "张伟": {"target_attainment": 6 / 22},
        "李娜": {"target_attainment": None},
        "王强": {"target_attainment": None},
    }


def test_no_stores_no_query(django_assert_num_queries, db):
    with django_assert_num_queries(0):
        assert compute_kpis(stores=[], start=OCT[0], end=OCT[1], codes=CODES) == {
            "target_attainment": None
        }


def kpi(*args: str) -> dict:  # type: ignore[type-arg]
    out = io.StringIO()
    call_command("kpi", *args, stdout=out)
    return json.loads(out.getvalue())


def test_kpi_command_json(october):
    assert kpi("--store", "BJ01", "--month", "2026-10")["target_attainment"] == 0.4
    by = kpi("--store", "BJ01", "--month", "2026-10", "--by", "consultant")
    assert {name: values["target_attainment"] for name, values in by.items()} == {
        "张伟": 5 / 12,
        "李娜": 0.25,
        "王强": None,
    }
    assert kpi("--store", "all", "--month", "2026-10")["target_attainment"] is None
    assert kpi("--store", "BJ01", "--month", "2026-09")["target_attainment"] is None
