"""Hostile files thrown at the import (hypothesis): mutated cells, other encodings, truncated
files and random bytes. Whatever comes in, the import answers with a report, never a
traceback; a refused file writes nothing, and importing an accepted file again changes
nothing. Bounded to well under a minute."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from showroom.crm.lists.services import import_partner_list
from showroom.crm.models import CallList
from showroom.customers.models import Customer
from showroom.exchange.tests.builders import call, run_command, table, walk_in
from showroom.traffic.models import Call, WalkIn

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
HEADERS = table(walk_in())[0]
COUNTS = re.compile(r"新增 (\d+) 行，更新 (\d+) 行")

cell = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.sampled_from(["=1+1", "@x", "-", "+86", "25:99", "00:00:00", "1" * 16, "_x0001_", "\x00"]),
    st.integers(min_value=-(10**17), max_value=10**17),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 3, 1)),
    st.times(),
)
rows = st.lists(st.lists(cell, min_size=0, max_size=len(HEADERS) + 2), max_size=6)


def counts() -> tuple[int, int, int]:
    return WalkIn.objects.count(), Call.objects.count(), Customer.objects.count()


def check(path: Path) -> None:
    """The property: a report and never a traceback; all or nothing; a second run is a no-op."""
    before = counts()
    run = run_command("import", path, store="BJ01")  # anything but a CommandError propagates
    if not run.ok:
        assert counts() == before
        assert run.error.endswith("未导入任何数据。") or run.lines, run.err
        return
    again = run_command("import", path, store="BJ01")
    assert again.ok, again.err
    assert all(m.groups() == ("0", "0") for m in COUNTS.finditer(again.out)), again.out


def workbook_bytes(sheets: dict[str, list[list[Any]]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, lines in sheets.items():
        ws = book.create_sheet(title)
        for line in lines:
            ws.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in line])
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def csv_text(lines: list[list[Any]]) -> str:
    return "\r\n".join(",".join("" if v is None else str(v) for v in line) for line in lines)


GOOD = workbook_bytes({"来店客户登记表": table(walk_in()), "来电客户登记表": table(call())})


@FUZZ
@given(lines=rows, named=st.booleans())
def test_mutated_cells_in_a_workbook(tmp_path, consultant, lines, named):
    name = "来店客户登记表" if named else "Sheet1"
    path = tmp_path / "fuzz.xlsx"
    path.write_bytes(workbook_bytes({name: [HEADERS, *table(walk_in())[1:], *lines]}))
    check(path)


@FUZZ
@given(
    lines=rows,
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16", "latin-1", "cp1252"]),
)
def test_mutated_cells_and_encodings_in_a_csv(tmp_path, consultant, lines, encoding):
    path = tmp_path / "walk_ins.csv"
    text = csv_text([HEADERS, *table(walk_in(日期="2026-10-01", 进店时间="10:00"))[1:], *lines])
    path.write_bytes(text.encode(encoding, errors="replace"))
    check(path)


@FUZZ
@given(
    cut=st.integers(min_value=0, max_value=len(GOOD)),
    flips=st.lists(st.tuples(st.integers(0, len(GOOD) - 1), st.integers(1, 255)), max_size=8),
)
def test_truncated_and_bit_flipped_workbooks(tmp_path, consultant, cut, flips):
    data = bytearray(GOOD)
    for at, mask in flips:
        data[at] ^= mask
    path = tmp_path / "fuzz.xlsx"
    path.write_bytes(bytes(data[: max(cut, len(data) // 2)] if flips else data[:cut]))
    check(path)


@FUZZ
@given(data=st.binary(max_size=4000), suffix=st.sampled_from([".xlsx", ".csv", ".xls", ".ods"]))
def test_random_bytes(tmp_path, consultant, data, suffix):
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    check(path)


@FUZZ
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".xlsx", ".csv"]))
def test_random_bytes_as_a_partner_list(tmp_path, store, consultant, data, suffix):
    path = tmp_path / f"list{suffix}"
    path.write_bytes(data)
    result = import_partner_list(
        store=store, user=consultant, name="车展", path=path, filename=path.name
    )
    assert (result.call_list is None) == bool(result.errors)
    if result.errors:
        assert not CallList.objects.exists()
    else:
        CallList.objects.all().delete()
