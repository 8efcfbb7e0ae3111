"""Damaged, oversized and hostile files: a message for the user, never a traceback, and
nothing written."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from showroom.crm.models import CallList
from showroom.exchange.tests.builders import table, walk_in
from showroom.traffic.models import WalkIn

pytestmark = pytest.mark.django_db

WALK_INS = "来店客户登记表"
PLACE = "book.xlsx，工作表「来店客户登记表」，第 2 行，"


def with_sheet_xml(path, xml: bytes) -> bytes:
    """The workbook at `path` with its first sheet's XML replaced (a zip that still opens)."""
    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            dst.writestr(item, xml if item.filename == "xl/worksheets/sheet1.xml" else data)
    return out.getvalue()


def test_a_damaged_sheet_inside_a_good_zip(xlsx, run_import, consultant):
    path = xlsx({WALK_INS: table(walk_in())})
    path.write_bytes(with_sheet_xml(path, b"<worksheet><sheetData><row><c r="))
    run = run_import(path)
    assert not run.ok
    assert run.lines[0].startswith("book.xlsx：无法读取工作簿：")
    assert not WalkIn.objects.exists()


def test_a_truncated_workbook(xlsx, run_import, consultant):
    path = xlsx({WALK_INS: table(walk_in())})
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    run = run_import(path)
    assert not run.ok
    assert run.lines[0].startswith("book.xlsx：无法读取工作簿：")


def test_a_formula_without_a_saved_value_is_reported(xlsx, run_import, consultant):
    path = xlsx({WALK_INS: table(walk_in(客户姓名="=A1&B1"))})
    run = run_import(path)
    assert not run.ok
    assert run.lines == [
        "book.xlsx：sheet1 的单元格 E2 是没有保存计算结果的公式："
        "请用 Excel 打开并重新保存，或直接填写数值"
    ]


def test_a_csv_field_over_the_csv_limit(csv_file, run_import, consultant):
    rows = table(walk_in(日期="2026-10-01", 进店时间="10:00", 客户姓名="x" * 140_000))
    run = run_import(csv_file("walk_ins.csv", rows))
    assert not run.ok
    assert run.lines == [
        "walk_ins.csv：无法读取文件第 2 行：field larger than field limit (131072)"
    ]


def test_a_long_cell_is_a_cell_error(csv_file, run_import, consultant, settings):
    settings.IMPORT_MAX_CELL_CHARS = 100
    rows = table(walk_in(日期="2026-10-01", 进店时间="10:00", 备注="x" * 101))
    run = run_import(csv_file("walk_ins.csv", rows))
    assert not run.ok
    assert run.lines[0].endswith("：内容过长，最多 100 个字符")


def test_a_file_over_the_size_limit(csv_file, run_import, consultant, settings):
    settings.IMPORT_MAX_FILE_BYTES = 1024 * 1024
    path = csv_file("walk_ins.csv", [["日期"], *[["2026-10-01"]] * 100_000])
    run = run_import(path)
    assert run.lines == ["walk_ins.csv：文件过大：最多 1 MB"]


def test_bad_utf16(tmp_path, run_import, consultant):
    path = tmp_path / "walk_ins.csv"
    path.write_bytes(b"\xff\xfe\x00\xd8a\x00")  # a lone surrogate
    assert run_import(path).lines == ["walk_ins.csv：无法读取文件：不是有效的 UTF-16 文本"]


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("控制\x01符", "文本中不能含有控制字符。"),
        ("名\x00字", "文本中不能含有控制字符。"),
        ("_x0001_", "文本中不能含有控制字符。"),
    ],
)
def test_control_characters_in_a_cell(csv_file, run_import, consultant, cell, reason):
    rows = table(walk_in(日期="2026-10-01", 进店时间="10:00", 客户姓名=cell))
    run = run_import(csv_file("walk_ins.csv", rows))
    assert not run.ok
    assert run.lines[0].startswith("walk_ins.csv，第 2 行，列「客户姓名」")
    assert run.lines[0].endswith(reason)
    assert not WalkIn.objects.exists()


@pytest.mark.parametrize(
    ("phone", "reason"),
    [
        ("25:99", "电话号码不正确：看起来是时间"),
        (dt.time(0, 0), "电话号码不正确：看起来是时间"),
        ("1380000000112345", "电话号码不正确：超过 15 位数字"),
        (1380000000112345.0, "电话号码不正确：超过 15 位数字"),
    ],
)
def test_impossible_phones(xlsx, run_import, consultant, phone, reason):
    run = run_import(xlsx({WALK_INS: table(walk_in(联系电话=phone))}))
    assert not run.ok
    assert run.lines[0].startswith(PLACE + "列「联系电话」")
    assert run.lines[0].endswith(reason)


def test_the_list_upload_answers_a_damaged_workbook_with_a_message(client, store, make_staff):
    from showroom.organization.choices import Role

    client.force_login(make_staff("crm1", Role.CRM, store=store))
    book = openpyxl.Workbook()
    book.active.append(["姓名", "电话"])
    book.active.append(["赵一", "13900001111"])
    data = io.BytesIO()
    book.save(data)
    bad = with_sheet_xml(io.BytesIO(data.getvalue()), b"<worksheet><sheetData><row><c r=")
    upload = SimpleUploadedFile("名单.xlsx", bad)
    response = client.post(reverse("crm:list_import"), {"name": "车展", "file": upload})
    assert response.status_code == 200
    assert response.context["errors"][0].startswith("无法读取工作簿：")
    assert not CallList.objects.exists()


@pytest.mark.parametrize("char", ["\x01", "\x00"])
def test_the_list_upload_refuses_control_characters(client, store, make_staff, char):
    from showroom.organization.choices import Role

    client.force_login(make_staff("crm1", Role.CRM, store=store))
    text = f"姓名,电话\r\n控制{char}符,13900001111\r\n".encode()
    upload = SimpleUploadedFile("名单.csv", text)
    response = client.post(reverse("crm:list_import"), {"name": "车展", "file": upload})
    assert response.status_code == 200
    assert response.context["errors"] == ["第 2 行：文本中不能含有控制字符。"]
    assert not CallList.objects.exists()


def test_an_escaped_control_character_in_a_workbook_cell(xlsx, run_import, consultant):
    run = run_import(xlsx({WALK_INS: table(walk_in(客户姓名="王_x0001_先生"))}))
    assert not run.ok
    assert run.lines[0].startswith(PLACE + "列「客户姓名」")
    assert run.lines[0].endswith("：文本中不能含有控制字符。")
    assert not WalkIn.objects.exists()


def test_an_escape_of_a_printable_character_is_read_as_written(xlsx, run_import, consultant):
    # openpyxl writes _x0041_ as it is; Excel and the import read it as "A".
    run = run_import(xlsx({WALK_INS: table(walk_in(客户姓名="王_x0041_"))}))
    assert run.ok, run.err
    assert WalkIn.objects.get().name == "王A"


def test_a_workbook_that_unpacks_too_large_is_refused_before_it_is_read(
    xlsx, run_import, consultant, settings
):
    # Over 50 KB of XML packed into under 15 KB: refused from the zip's own directory.
    path = xlsx({WALK_INS: table(walk_in(备注=" " * 32_000))})
    assert path.stat().st_size < 15_000
    settings.IMPORT_MAX_UNPACKED_BYTES = 40_000
    run = run_import(path)
    assert run.lines == ["book.xlsx：工作簿解压后过大"]
    assert not WalkIn.objects.exists()


def test_the_list_upload_answers_a_huge_csv_field_with_a_message(client, store, make_staff):
    from showroom.organization.choices import Role

    client.force_login(make_staff("crm1", Role.CRM, store=store))
    text = ("姓名,电话\r\n" + "x" * 140_000 + ",13900001111\r\n").encode()
    upload = SimpleUploadedFile("名单.csv", text)
    response = client.post(reverse("crm:list_import"), {"name": "车展", "file": upload})
    assert response.status_code == 200
    assert response.context["errors"][0].startswith("无法读取文件第 2 行：")
    assert not CallList.objects.exists()
