"""The dashboard, the evening meeting and the monthly report compare like with like and show
no funnel stage above the one before: on a month under way (the 6th) and on a generated
store with a year of history, none of it a year before."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from showroom.demo.generator import generate
from showroom.kpi.dashboard.cards import history_start, shifted
from showroom.kpi.dashboard.diagnostics import PERIOD_CODES, _Numbers, benchmark_spans, diagnose
from showroom.kpi.registry import REGISTRY
from showroom.kpi.selectors import compute_kpis, pooled_kpis
from showroom.organization.choices import Role
from showroom.organization.models import Store
from showroom.reports.month_report.layout import sheet_titles
from showroom.reports.month_report.workbook import build_report_workbook
from showroom.traffic.choices import VisitType
from showroom.traffic.models import WalkIn

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
SIXTH = dt.datetime(2026, 12, 6, 19, 0, tzinfo=SHANGHAI)
DEC = (dt.date(2026, 12, 1), dt.date(2026, 12, 6))


def walk_ins(store: Store, consultant: Any, day: dt.date, n: int, *, stay: int, quotes: int):
    WalkIn.objects.bulk_create(
        WalkIn(
            store=store,
            date=day,
            arrived_at=dt.time(10, 0),
            left_at=dt.time(10 + stay // 60, stay % 60),
            stay_minutes=stay,
            consultant=consultant,
            visit_type=VisitType.FIRST,
            quoted=i < quotes,
        )
        for i in range(n)
    )


@pytest.fixture
def months(store, consultant):  # type: ignore[no-untyped-def]
    """From 09-01: four first visits a day staying 40 minutes, two quoted; on December's six
    days they stay 60 minutes and none is quoted; the rest of November is busier."""
    day = dt.date(2026, 9, 1)
    while day <= DEC[1]:
        if day.month == 12:
            walk_ins(store, consultant, day, 4, stay=60, quotes=0)
        elif day.day <= 6:
            walk_ins(store, consultant, day, 4, stay=40, quotes=2)
        else:
            walk_ins(store, consultant, day, 20, stay=40, quotes=10)
        day += dt.timedelta(days=1)


def test_a_month_under_way_compares_with_the_same_days(client, manager, store, months):
    with time_machine.travel(SIXTH, tick=False):
        client.force_login(manager)
        response = client.get(reverse("kpi:dashboard"), {"month": "2026-12"})
    assert response.status_code == 200
    cards = {item["card"].code: item["card"] for item in response.context["cards"]}
    # 24 walk-ins on December's six days, as on November's: not −536 against all November.
    walkins = cards["walkin_batches"]
    assert (walkins.text, walkins.mom.text, walkins.mom.tone) == ("24", "+0 (+0.0%)", "")
    stay = cards["avg_stay_minutes"]  # a mean against a mean
    assert (stay.text, stay.mom.text, stay.mom.tone) == ("60.0", "+20.0", "better")
    # Nothing a year before: no change at all, rather than "+24".
    assert {card.yoy.text for card in cards.values()} == {"—"}
    # The diagnostics: the quote rate against the same days of September to November.
    [finding] = response.context["findings"]
    assert (finding.code, finding.value, finding.benchmark) == ("low_quote_rate", 0.0, 0.5)
    evidence = {e.code: e for e in finding.evidence}
    # The mean stay against the mean stay (not 40 ÷ days as if it were a count).
    assert (evidence["avg_stay_minutes"].value, evidence["avg_stay_minutes"].benchmark) == (
        60.0,
        40.0,
    )
    assert (
        evidence["avg_stay_minutes"].value_text,
        evidence["avg_stay_minutes"].benchmark_text,
    ) == (
        "60.0",
        "40.0",
    )


def test_the_same_days_of_other_months():
    assert shifted(dt.date(2026, 12, 1), dt.date(2026, 12, 6), -1) == (
        dt.date(2026, 11, 1),
        dt.date(2026, 11, 6),
    )
    # A whole month against whole months; a day a month lacks is its last.
    assert shifted(dt.date(2026, 2, 1), dt.date(2026, 2, 28), -1) == (
        dt.date(2026, 1, 1),
        dt.date(2026, 1, 31),
    )
    assert shifted(dt.date(2026, 3, 1), dt.date(2026, 3, 30), -1) == (
        dt.date(2026, 2, 1),
        dt.date(2026, 2, 28),
    )
    assert benchmark_spans(*DEC) == [
        (dt.date(2026, 9, 1), dt.date(2026, 9, 6)),
        (dt.date(2026, 10, 1), dt.date(2026, 10, 6)),
        (dt.date(2026, 11, 1), dt.date(2026, 11, 6)),
    ]


# --- a generated store, a year of history --------------------------------------------------


@pytest.fixture
def year_store(db) -> Store:  # type: ignore[no-untyped-def]
    with time_machine.travel(SIXTH, tick=False):
        generate(stores=1, months=12, seed=3, consultants=4)
    return Store.objects.get(code="S001")


def assert_like_with_like(store: Store, start: dt.date, end: dt.date, findings: list[Any]) -> None:
    """Every benchmark is the same kind as its KPI, over the same days of earlier months."""
    since = history_start([store])
    spans = [s for s in benchmark_spans(start, end) if since is not None and s[1] >= since]
    assert spans, "the store has history before the month"
    codes = [c for c in PERIOD_CODES if c != "show_rate"]
    pooled = pooled_kpis(stores=[store], spans=spans, codes=codes, today=end)
    days = sum((b - a).days + 1 for a, b in spans)
    numbers = _Numbers(store=store, start=start, end=end, group=[])
    for code in codes:
        kind = REGISTRY[code].kind
        if kind == "count" and code != "carried_over_prospects":
            expected = pooled[code] * ((end - start).days + 1) / days
        elif kind == "count":
            expected = pooled[code] / len(spans)
        else:
            expected = pooled[code]  # a rate, a mean: as pooled, never pro rata
        assert numbers.benchmark(code) == expected, code
    for finding in findings:
        for e in finding.evidence:
            assert e.benchmark == numbers.benchmark(e.code), e.code


def assert_funnel(counts: list[int]) -> None:
    assert counts[0] > 0
    assert all(later <= earlier for earlier, later in itertools.pairwise(counts))


def test_a_generated_year_on_the_sixth(client, make_staff, year_store):
    store = year_store
    manager = make_staff("mgr-s001", Role.MANAGER, store=store, full_name="店长")
    assert history_start([store]) == dt.date(2026, 1, 1)
    with time_machine.travel(SIXTH, tick=False):
        cache.clear()
        client.force_login(manager)
        dashboard = client.get(reverse("kpi:dashboard"), {"month": "2026-12"})
        evening = client.get(reverse("reports:evening"))
        workbook = build_report_workbook(store=store, month_start=DEC[0])
        findings = diagnose(store=store, start=DEC[0], end=DEC[1])
        assert_like_with_like(store, *DEC, findings)
    assert dashboard.status_code == 200 and evening.status_code == 200

    # The dashboard: the cohort funnel never rises, its conversions stay within 100%.
    stages = [item["stage"] for item in dashboard.context["stages"]]
    assert_funnel([s.count for s in stages])
    assert all(s.conversion is None or s.conversion <= 1 for s in stages)
    # The cards: December's six days against November's six; nothing a year before.
    cards = {item["card"].code: item["card"] for item in dashboard.context["cards"]}
    november = compute_kpis(
        stores=[store],
        start=dt.date(2026, 11, 1),
        end=dt.date(2026, 11, 6),
        codes=["walkin_batches"],
    )["walkin_batches"]
    change = cards["walkin_batches"].value - november
    assert cards["walkin_batches"].mom.text.startswith(f"{change:+d}")
    assert {card.yoy.text for card in cards.values()} == {"—"}
    assert [f.code for f in dashboard.context["findings"]] == [f.code for f in findings]
    # The evening meeting: the month to date, judged the same way.
    assert [f.code for f in evening.context["findings"]] == [f.code for f in findings]

    # The monthly report: its funnel sheet and its KPI sheet.
    with translation.override("zh-hans"):
        titles = sheet_titles()
    sheet = workbook[titles["funnel"]]
    rows = [
        [c.value for c in row]
        for row in sheet.iter_rows(min_row=5, max_col=4)
        if isinstance(row[1].value, int)
    ]
    funnel = rows[:6]
    assert_funnel([r[1] for r in funnel])
    assert all(r[2] is None or r[2] <= 1 for r in funnel)
    assert all(r[3] is None or r[3] <= 1 for r in funnel)
    kpis = workbook[titles["kpis"]]
    yoy = [row[5].value for row in kpis.iter_rows(min_row=5) if row[7].value in REGISTRY]
    assert yoy and set(yoy) == {None}  # no year-over-year without data a year back
