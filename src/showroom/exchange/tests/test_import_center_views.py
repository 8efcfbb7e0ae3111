"""The import center's screens: upload, errors, confirm, undo; blank templates; exports."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.urls import reverse

from showroom.customers.models import Customer
from showroom.exchange import advice
from showroom.exchange.forms import FORMS
from showroom.exchange.models import ImportBatch, ImportStatus
from showroom.exchange.tests.builders import customer, table
from showroom.organization.choices import Role
from showroom.organization.models import ExportRecord
from tests import factories as f

pytestmark = pytest.mark.django_db

CARDS = "客户信息卡"


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path / "data"


def post_file(client: Any, path: Path) -> Any:
    with path.open("rb") as file:
        return client.post(reverse("exchange:imports"), {"upload": [file]}, follow=True)


def test_a_bad_cell_is_shown_in_chinese_and_the_fixed_file_imports_and_undoes(office, xlsx, store):
    bad = xlsx({CARDS: table(customer(**{"意向级别": "Z"}))}, name="客户.xlsx")
    page = post_file(office, bad).content.decode()
    assert "1 处错误，未导入任何数据" in page
    assert "<td>客户.xlsx</td><td>客户信息卡</td><td>2</td><td>意向级别</td><td>Z</td>" in page
    assert Customer.objects.count() == 0

    good = xlsx({CARDS: table(customer())}, name="客户.xlsx")
    response = post_file(office, good)
    page = response.content.decode()
    assert "<td>客户信息卡</td><td>1</td><td>0</td><td>0</td>" in page
    assert Customer.objects.count() == 0
    batch = ImportBatch.objects.get(status=ImportStatus.CHECKED)

    page = office.post(
        reverse("exchange:import_confirm", args=[batch.pk]), follow=True
    ).content.decode()
    assert "已导入：检查并写入 1 行。" in page
    assert Customer.objects.count() == 1

    page = office.post(
        reverse("exchange:import_undo", args=[batch.pk]), follow=True
    ).content.decode()
    assert "已撤销本次导入。" in page
    assert Customer.objects.count() == 0
    history = office.get(reverse("exchange:imports")).content.decode()
    assert "已撤销" in history
    assert "<td>助理小刘</td>" in history


def test_no_file_is_a_message(office):
    page = office.post(reverse("exchange:imports"), {}).content.decode()
    assert "请选择一个或多个工作簿或 CSV 文件。" in page
    assert ImportBatch.objects.count() == 0


def test_a_text_file_is_refused(office, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello", encoding="utf-8")
    page = post_file(office, path).content.decode()
    assert "notes.txt 不是工作簿（.xlsx）或 CSV 文件。" in page
    assert ImportBatch.objects.count() == 0


def test_another_stores_import_is_not_found(office, other_store, make_staff):
    boss = make_staff("far", Role.MANAGER, store=other_store)
    batch = ImportBatch.objects.create(store=other_store, user=boss, actor="far")
    assert office.get(reverse("exchange:import_detail", args=[batch.pk])).status_code == 404
    assert office.post(reverse("exchange:import_undo", args=[batch.pk])).status_code == 404


def test_the_blank_template_has_every_form_with_its_headers_and_an_example(office, store):
    response = office.get(reverse("exchange:template"))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [form.zh for form in FORMS]
    cards = book[CARDS]
    headers = [c.value for c in cards[1]]
    assert headers == [c.zh for c in FORMS[2].columns]
    example = dict(zip(headers, [c.value for c in cards[2]], strict=True))
    assert example["客户姓名"] == "王先生"
    assert example["联系电话"] == "13800000000"
    assert example["销售顾问"] == "张伟"
    assert example["编号"] is None


def test_the_blank_template_of_one_form(office):
    response = office.get(reverse("exchange:template") + "?form=orders")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["订单交车"]
    assert office.get(reverse("exchange:template") + "?form=nope").status_code == 404


def test_a_filled_template_imports(office, store, consultant):
    response = office.get(reverse("exchange:template") + "?form=customers")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    out = io.BytesIO()
    book.save(out)
    upload = io.BytesIO(out.getvalue())
    upload.name = "客户信息卡模板.xlsx"
    page = office.post(reverse("exchange:imports"), {"upload": [upload]}, follow=True)
    assert "<td>客户信息卡</td><td>1</td><td>0</td><td>0</td>" in page.content.decode()


def test_an_export_is_a_workbook_of_the_month_and_is_recorded(office, store, consultant):
    f.CustomerFactory(store=store, consultant=consultant, name="王先生", created=store.today())
    month = f"{store.today():%Y-%m}"
    response = office.get(reverse("exchange:export") + f"?months={month}&format=xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert CARDS in book.sheetnames
    assert [c.value for c in book[CARDS]["A"]][1:] == ["王先生"]
    assert ExportRecord.objects.filter(kind="customers", rows=1).count() == 1


def test_an_export_as_csv_is_a_zip(office, store):
    month = f"{store.today():%Y-%m}"
    response = office.get(reverse("exchange:export") + f"?months={month}&format=csv")
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert "customers.csv" in names


def test_a_bad_month_is_a_message(office):
    page = office.get(reverse("exchange:export") + "?months=2026-13&format=xlsx").content
    assert "月份格式不正确" in page.decode()


def test_the_web_dry_run_names_no_command_line_option_where_the_command_does(
    office, store, csv_file, run_import
):
    rows = [
        ["store", "日期", "进店时间", "来店类型", "销售顾问", "客户姓名", "联系电话"],
        ["SH01", "2026-10-01", "10:00", "首次", "张伟", "王先生", "13800000001"],
        ["BJ01", "2026-10-01", "11:00", "首次", "赵六", "李女士", "13800000002"],
    ]
    path = csv_file("walk_ins.csv", rows)

    page = post_file(office, path).content.decode()

    assert re.findall(r"--[a-z][-a-z]*", page) == []
    assert (
        "<td>SH01</td><td>该门店不是本次导入所选的门店（BJ01）；"
        "请在导入中心选择该门店后重新上传文件</td>"
    ) in page
    assert (
        "<td>赵六</td><td>未知的销售顾问，应为本店员工的姓名或工号；"
        "如是新员工，请先请管理员在“员工”页面（/manage/staff/）添加</td>"
    ) in page

    run = run_import(path, dry_run=True)
    assert not run.ok
    assert run.lines == [
        "walk_ins.csv，第 2 行，列「store」，值「SH01」：该门店不在 --store 指定的门店之中",
        "walk_ins.csv，第 3 行，列「销售顾问」，值「赵六」："
        "未知的销售顾问，应为本店员工的姓名或工号；或使用 --create-staff 导入以新建顾问",
    ]


def test_each_message_naming_an_option_has_its_words_for_the_screens():
    with advice.on_screen():
        screen = [
            advice.no_store_column(),
            advice.other_store("BJ01"),
            advice.unknown_store("BJ01"),
            advice.unknown_staff(consultant=True),
            advice.unknown_staff(consultant=False),
        ]
    command = [
        advice.no_store_column(),
        advice.other_store("BJ01"),
        advice.unknown_store("BJ01"),
        advice.unknown_staff(consultant=True),
        advice.unknown_staff(consultant=False),
    ]
    assert screen == [
        "该表没有门店列，请只导入到一个门店",
        "该门店不是本次导入所选的门店（BJ01）；请在导入中心选择该门店后重新上传文件",
        "未知的门店（BJ01）；门店由管理员在“门店”页面（/manage/stores/）新建",
        "未知的销售顾问，应为本店员工的姓名或工号；如是新员工，请先请管理员在“员工”页面（/manage/staff/）添加",
        "未知的员工，应为本店员工的姓名或工号；如是新员工，请先请管理员在“员工”页面（/manage/staff/）添加",
    ]
    assert [re.findall(r"--[-a-z]+", text) for text in command] == [
        ["--store"],
        ["--store"],
        ["--create-store"],
        ["--create-staff"],
        ["--create-staff"],
    ]


def test_a_confirm_while_another_import_writes_says_try_again(office, xlsx, monkeypatch):
    from django.db import OperationalError

    from showroom.exchange.center import services

    post_file(office, xlsx({CARDS: table(customer())}, name="客户.xlsx"))
    batch = ImportBatch.objects.get(status=ImportStatus.CHECKED)
    confirm = reverse("exchange:import_confirm", args=[batch.pk])

    def locked(*args: object, **kwargs: object) -> bool:
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "confirm", locked)
    page = office.post(confirm, follow=True).content.decode()
    assert "另一个导入正在写入数据库，请过一分钟再试。" in page
    batch.refresh_from_db()
    assert (batch.status, Customer.objects.count()) == (ImportStatus.CHECKED, 0)

    def broken(*args: object, **kwargs: object) -> bool:
        raise OperationalError("disk I/O error")

    monkeypatch.setattr(services, "confirm", broken)
    with pytest.raises(OperationalError):  # not called busy: a server error, logged
        office.post(confirm)


def test_the_pages_leave_the_undo_journal_unread(office, xlsx, store):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    good = xlsx({CARDS: table(customer())}, name="客户.xlsx")
    post_file(office, good)
    batch = ImportBatch.objects.get(status=ImportStatus.CHECKED)
    office.post(reverse("exchange:import_confirm", args=[batch.pk]), follow=True)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.IMPORTED and len(batch.changes) == 2  # card, grade

    with CaptureQueriesContext(connection) as queries:
        assert office.get(reverse("exchange:imports")).status_code == 200
        assert office.get(reverse("exchange:import_detail", args=[batch.pk])).status_code == 200

    read = [q["sql"] for q in queries if "exchange_importbatch" in q["sql"]]
    assert read and not [sql for sql in read if '"changes"' in sql]
    page = office.post(reverse("exchange:import_undo", args=[batch.pk]), follow=True)
    assert "已撤销" in page.content.decode()
    assert Customer.objects.count() == 0
