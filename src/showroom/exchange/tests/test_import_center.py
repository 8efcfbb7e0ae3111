"""The import center's workflow: dry run, confirm, history, undo (exchange/center/services.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from showroom.customers.models import Customer, GradeChange
from showroom.exchange.center import services
from showroom.exchange.models import ImportBatch, ImportStatus
from showroom.exchange.tests.builders import activity, customer, order, table
from showroom.owners.models import Vehicle
from showroom.sales.models import Activity, Order

pytestmark = pytest.mark.django_db

CARDS, ACTIVITIES, ORDERS = "客户信息卡", "营业日报表", "订单交车"


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path / "data"


def upload(path: Path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes())


def snapshot() -> dict[str, Any]:
    return {
        "cards": list(
            Customer.objects.order_by("id").values_list("id", "name", "grade", "version")
        ),
        "activities": Activity.objects.count(),
        "orders": Order.objects.count(),
        "vehicles": list(Vehicle.objects.order_by("id").values_list("id", "vin", "order_id")),
        "grades": list(GradeChange.objects.order_by("id").values_list("id", "date", "new_grade")),
    }


@pytest.fixture
def existing(store, consultant, manager):  # type: ignore[no-untyped-def]
    card = Customer.objects.create(
        store=store,
        name="老客户",
        phone="13800000002",
        consultant=consultant,
        grade="B",
        model="途胜",
        created=dt.date(2026, 9, 1),
    )
    GradeChange.objects.create(
        store=store, customer=card, date=dt.date(2026, 9, 1), old_grade="", new_grade="B"
    )
    return card


@pytest.fixture
def book(xlsx, existing):  # type: ignore[no-untyped-def]
    return xlsx(
        {
            CARDS: table(
                customer(),
                customer(**{"客户姓名": "老客户", "联系电话": "13800000002", "意向级别": "H"}),
            ),
            ACTIVITIES: table(activity(), activity(**{"日期": dt.date(2026, 10, 3), "级别": "O"})),
            ORDERS: table(
                order(**{"交车日期": dt.date(2026, 10, 8), "车架号": "LVSHCAMB1CE054249"})
            ),
        }
    )


def test_dry_run_writes_nothing_and_confirm_imports_with_the_counts(book, store, manager):
    before = snapshot()
    batch = services.check_upload([upload(book)], store=store, user=manager)
    assert batch.status == ImportStatus.CHECKED
    assert batch.problems == []
    assert batch.counts == {"customers": [1, 1, 0], "activities": [2, 0, 0], "orders": [1, 0, 0]}
    assert snapshot() == before
    assert batch.file_names == ["book.xlsx"]

    assert services.confirm(batch, user=manager) is True
    batch.refresh_from_db()
    assert batch.status == ImportStatus.IMPORTED
    assert batch.counts == {"customers": [1, 1, 0], "activities": [2, 0, 0], "orders": [1, 0, 0]}
    assert batch.folder == ""  # the files are not kept
    assert Customer.objects.get(phone="13800000002").grade == "H"
    assert Vehicle.objects.filter(vin="LVSHCAMB1CE054249").count() == 1
    assert services.confirm(batch, user=manager) is False  # once only


def test_undo_puts_back_every_row_as_it_was(book, store, manager):
    before = snapshot()
    batch = services.check_upload([upload(book)], store=store, user=manager)
    services.confirm(batch, user=manager)
    assert snapshot() != before

    assert services.undo(batch, user=manager) == []
    after = snapshot()
    # The changed card is back at its values; its version moved on past the import's.
    assert [c[:3] for c in after["cards"]] == [c[:3] for c in before["cards"]]
    assert after["cards"][0][3] == before["cards"][0][3] + 2
    assert {k: v for k, v in after.items() if k != "cards"} == {
        k: v for k, v in before.items() if k != "cards"
    }
    batch.refresh_from_db()
    assert batch.status == ImportStatus.UNDONE
    assert batch.undone_by == manager.username
    assert services.undo(batch, user=manager) == ["只有已生效的导入才能撤销。"]


def test_undo_is_refused_once_a_row_of_the_import_changed(book, store, manager):
    batch = services.check_upload([upload(book)], store=store, user=manager)
    services.confirm(batch, user=manager)
    card = Customer.objects.get(phone="13800000001")
    card.notes = "顾问补充"
    card.version += 1
    card.save(update_fields=["notes", "version"])
    middle = snapshot()

    assert services.undo(batch, user=manager) == [
        "本次导入中有 1 行在导入后被修改或删除，已不能撤销。"
    ]
    assert snapshot() == middle
    batch.refresh_from_db()
    assert batch.status == ImportStatus.IMPORTED


def test_undo_is_refused_when_a_new_row_refers_to_an_imported_card(
    book, store, manager, consultant
):
    batch = services.check_upload([upload(book)], store=store, user=manager)
    services.confirm(batch, user=manager)
    card = Customer.objects.get(phone="13800000001")
    Activity.objects.create(
        store=store,
        customer=card,
        consultant=consultant,
        date=dt.date(2026, 10, 9),
        kind="call",
        category="promotion",
    )
    middle = snapshot()
    assert services.undo(batch, user=manager) == [
        "导入后新增的 1 条记录引用了本次导入的数据，已不能撤销。"
    ]
    assert snapshot() == middle


def test_a_bad_cell_is_listed_with_its_place_and_nothing_is_kept(xlsx, store, manager, existing):
    bad = xlsx({CARDS: table(customer(**{"意向级别": "Z"}))}, name="坏文件.xlsx")
    batch = services.check_upload([upload(bad)], store=store, user=manager)
    assert batch.status == ImportStatus.FAILED
    assert batch.problems == [
        ["坏文件.xlsx", CARDS, 2, "意向级别", "Z", "意向级别不正确，应为 O、H、A、B、C 之一"]
    ]
    assert batch.folder == ""
    assert services.confirm(batch, user=manager) is False
    assert ImportBatch.objects.get().status == ImportStatus.FAILED


def test_a_file_without_a_known_form_is_an_error(tmp_path, store, manager):
    text = tmp_path / "notes.csv"
    text.write_text("a,b\n1,2\n", encoding="utf-8")
    batch = services.check_upload([upload(text)], store=store, user=manager)
    assert batch.status == ImportStatus.FAILED
    assert batch.problems[-1][-1] == "没有找到可识别的表单工作表"


def test_files_checked_but_not_imported_are_forgotten_after_a_day(book, store, manager, xlsx):
    batch = services.check_upload([upload(book)], store=store, user=manager)
    folder = services.imports_dir() / batch.folder
    assert folder.is_dir()
    ImportBatch.objects.filter(pk=batch.pk).update(
        created_at=batch.created_at - dt.timedelta(hours=25)
    )
    services.check_upload([upload(book)], store=store, user=manager)
    batch.refresh_from_db()
    assert not folder.exists()
    assert batch.status == ImportStatus.FAILED
    assert batch.problems[0][-1] == "检查后一天内没有导入；请重新上传文件。"
    assert services.confirm(batch, user=manager) is False
