"""The import center's workflow: dry run, confirm, history, undo (exchange/center/services.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F

from showroom.customers.models import Customer, GradeChange
from showroom.exchange.center import services
from showroom.exchange.models import ImportBatch, ImportStatus
from showroom.exchange.tests.builders import activity, customer, order, table
from showroom.owners.models import Vehicle
from showroom.sales import spans as kept_state
from showroom.sales.models import Activity, Order, ProspectSpan
from showroom.targets.models import ConsultantTarget, StoreTarget, WeeklyTarget

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
        # The kept state derived from the cards and their orders (sales.spans).
        "spans": sorted(ProspectSpan.objects.values_list("customer_id", "opened_on", "closed_on")),
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
    assert kept_state.differences() == (set(), set())

    assert services.undo(batch, user=manager) == []
    after = snapshot()
    assert kept_state.differences() == (set(), set())
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


def test_undo_records_each_removed_row_in_its_history_once_by_whom_and_why(book, store, manager):
    batch = services.check_upload([upload(book)], store=store, user=manager)
    services.confirm(batch, user=manager)
    new_card = Customer.objects.exclude(phone="13800000002").get()
    created = {
        Customer: [new_card.pk],
        Activity: sorted(Activity.objects.values_list("pk", flat=True)),
        Order: sorted(Order.objects.values_list("pk", flat=True)),
    }
    assert [len(pks) for pks in created.values()] == [1, 2, 1]

    assert services.undo(batch, user=manager) == []
    for model, pks in created.items():
        history = model.history.filter(id__in=pks).order_by("id", "history_id")  # type: ignore[attr-defined]
        assert list(history.values_list("id", "history_type")) == [
            (pk, kind) for pk in pks for kind in ("+", "-")
        ]
        removed = history.filter(history_type="-")
        assert set(removed.values_list("history_user_id", "history_change_reason")) == {
            (manager.pk, "undo import")
        }
    # The row as it was when removed: the card's last history row holds its values.
    last = Customer.history.filter(id=new_card.pk).latest("history_id")  # type: ignore[attr-defined]
    assert (last.name, last.phone, last.grade) == (new_card.name, new_card.phone, new_card.grade)


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


TARGETS = "销售目标"


def targets_now() -> dict[str, list[tuple[Any, ...]]]:
    return {
        "targets": list(
            StoreTarget.objects.order_by("id").values_list(
                "id", "month", "deliveries", "orders", "set_by_id", "version"
            )
        ),
        "splits": list(
            ConsultantTarget.objects.order_by("id").values_list(
                "id", "target_id", "consultant_id", "deliveries"
            )
        ),
        "weeks": list(
            WeeklyTarget.objects.order_by("id").values_list(
                "id", "split_id", "week_start", "deliveries"
            )
        ),
    }


@pytest.fixture
def october(store, consultant, consultant2):  # type: ignore[no-untyped-def]
    """October's target of 10 deliveries, split 6 (张伟) and 4 (李娜), 张伟's over two weeks."""
    target = StoreTarget.objects.create(store=store, month=dt.date(2026, 10, 1), deliveries=10)
    zhang = ConsultantTarget.objects.create(target=target, consultant=consultant, deliveries=6)
    ConsultantTarget.objects.create(target=target, consultant=consultant2, deliveries=4)
    for day, n in ((5, 3), (12, 3)):
        WeeklyTarget.objects.create(
            split=zhang,
            week_start=dt.date(2026, 10, day),
            week_end=dt.date(2026, 10, day + 6),
            deliveries=n,
        )
    return target


def test_undo_takes_back_the_targets_an_import_created_changed_and_removed(
    xlsx, store, manager, consultant, consultant2, october
):
    before = targets_now()
    book = xlsx(
        {
            TARGETS: table(
                {"月份": "2026-10", "交车目标": 12, "订单目标": 15},
                {"月份": "2026-10", "销售顾问": "张伟", "交车目标": 12},
                {"月份": "2026-11", "交车目标": 8},
                {"月份": "2026-11", "销售顾问": "李娜", "交车目标": 8},
            )
        }
    )
    batch = services.check_upload([upload(book)], store=store, user=manager)
    assert batch.counts == {"targets": [2, 2, 0]}
    assert services.confirm(batch, user=manager) is True
    imported = targets_now()
    november = StoreTarget.objects.get(month=dt.date(2026, 11, 1))
    # October: 12 (and 15 orders), all of it 张伟's, spread over October's five weeks again;
    # 李娜's share is gone. November: new, 李娜's 8.
    assert imported["targets"] == [
        (october.pk, dt.date(2026, 10, 1), 12, 15, manager.pk, 2),
        (november.pk, dt.date(2026, 11, 1), 8, None, manager.pk, 2),
    ]
    zhang, li = (
        ConsultantTarget.objects.get(target=october).pk,
        ConsultantTarget.objects.get(target=november).pk,
    )
    assert imported["splits"] == [
        (zhang, october.pk, consultant.pk, 12),
        (li, november.pk, consultant2.pk, 8),
    ]
    assert sum(w[3] for w in imported["weeks"] if w[1] == zhang) == 12
    assert sum(w[3] for w in imported["weeks"] if w[1] == li) == 8

    assert services.undo(batch, user=manager) == []
    after = targets_now()
    # Exactly as before: November gone, 李娜's October share and 张伟's two weeks back with
    # their keys; October's version moved on past the import's.
    assert after["splits"] == before["splits"]
    assert after["weeks"] == before["weeks"]
    assert [t[:5] for t in after["targets"]] == [t[:5] for t in before["targets"]]
    assert after["targets"][0][5] == 3


def test_undo_is_refused_once_an_imported_target_changed(xlsx, store, manager, october):
    book = xlsx({TARGETS: table({"月份": "2026-10", "交车目标": 11})})
    batch = services.check_upload([upload(book)], store=store, user=manager)
    services.confirm(batch, user=manager)
    # Rescaled to 11 by the import: 张伟 7 (6 of 10), 李娜 4.
    assert sorted(ConsultantTarget.objects.values_list("deliveries", flat=True)) == [4, 7]
    # The targets screen saves October again.
    StoreTarget.objects.filter(pk=october.pk).update(deliveries=9, version=F("version") + 1)
    middle = targets_now()

    assert services.undo(batch, user=manager) == [
        "本次导入中有 1 行在导入后被修改或删除，已不能撤销。"
    ]
    assert targets_now() == middle
