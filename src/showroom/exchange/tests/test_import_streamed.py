"""A long sheet of one form for one store is written while it is read (services.
_import_streamed): the same rows, keys, links, history and counts as reading it all first, and
nothing at all when any row is bad or a write fails."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

import pytest
from django.db import IntegrityError, connection

from showroom.exchange import behind, bulk, services
from showroom.exchange.tests.builders import customer, table, walk_in
from showroom.traffic.models import WalkIn

pytestmark = pytest.mark.django_db

# The command's module, imported before any test changes what it imports.
COMMAND = importlib.import_module("showroom.exchange.management.commands.import")
REFUSED = (
    "数据库拒绝写入这些行（duplicate key value violates unique constraint），未导入任何数据。"
    "如果同一时间另有导入在写入相同的行，请重新导入此文件：那时写入的行会被找到，不会重复添加。"
)
WRITTEN = ("store__code", "import_key", "date", "arrived_at", "name", "phone_norm", "grade")


@pytest.fixture
def writers(monkeypatch: pytest.MonkeyPatch) -> list[behind.Behind]:
    """The writers started; sheets of any length are written while read, four rows a part,
    their rows read two at a time."""
    started: list[behind.Behind] = []

    class Counted(behind.Behind):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            started.append(self)

    monkeypatch.setattr(services, "Behind", Counted)
    monkeypatch.setattr(services, "STREAM_ROWS", 1)
    monkeypatch.setattr(services, "STREAM_PART", 4)
    monkeypatch.setattr(services, "PROGRESS_EVERY", 2)
    monkeypatch.setattr(COMMAND, "PROGRESS_EVERY", 2)
    return started


def _rows() -> list[dict[str, Any]]:
    rows = [
        walk_in(进店时间=dt.time(9, i), 客户姓名=f"客户{i}", 联系电话=f"1380000{i:04d}", 级别="B")
        for i in range(9)
    ]
    rows.append(dict(rows[3]))  # the same party twice: a second walk-in
    rows.append(walk_in(进店时间=dt.time(11, 0), 联系电话="13911112222", 级别="A"))  # a card's
    return rows


def _stored() -> dict[str, Any]:
    walk_ins = WalkIn.objects.order_by("arrived_at", "import_key")
    history = WalkIn.history.order_by("history_id")  # type: ignore[attr-defined]
    return {
        "rows": list(walk_ins.values_list(*WRITTEN)),
        "cards": list(walk_ins.values_list("customer__phone", flat=True)),
        "history": list(
            history.values_list("name", "history_type", "history_change_reason", "history_user")
        ),
        "history_of_rows": sorted(history.values_list("id", flat=True))
        == sorted(walk_ins.values_list("id", flat=True)),
    }


def test_a_long_sheet_is_written_as_when_read_first(
    writers, csv_file, run_import, consultant, monkeypatch
):
    cards = csv_file("customers.csv", table(customer(联系电话="13911112222")))
    assert run_import(cards).ok
    assert writers == []  # the cards' sheet is not written while read: rows refer to cards
    path = csv_file("walk_ins.csv", table(*_rows()))

    streamed = run_import(path)
    assert len(writers) == 1
    stored = _stored()
    WalkIn._base_manager.all().delete()
    WalkIn.history.all().delete()  # type: ignore[attr-defined]
    monkeypatch.setattr(services, "STREAM_ROWS", 10**9)
    read_first = run_import(path)

    assert len(writers) == 1
    assert streamed.ok and read_first.ok
    # What is written while the rows are read is reported once they all are.
    assert streamed.lines[:6] == [f"已检查 {n} / 11 行" for n in (2, 4, 6, 8, 10, 11)]
    assert streamed.lines[-1] == "已写入 11 / 11 行"
    assert all(line.startswith("已写入") for line in streamed.lines[6:])
    assert streamed.out == read_first.out
    assert "来店客户登记表（BJ01）：新增 11 行，更新 0 行，未变 0 行" in streamed.out
    assert stored == _stored()
    assert stored["cards"] == [None] * 10 + ["13911112222"]
    assert [name for name, *_ in stored["history"]] == [f"客户{i}" for i in range(9)] + [
        "客户3",
        "王先生",
    ]
    assert {tuple(h[1:3]) for h in stored["history"]} == {("+", "import")}
    assert stored["history_of_rows"]
    assert len({key for _c, key, *_ in stored["rows"]}) == 11


def test_the_same_sheet_again_finds_its_rows_and_updates_a_changed_one(
    writers, csv_file, run_import, consultant
):
    rows = _rows()
    assert run_import(csv_file("walk_ins.csv", table(*rows))).ok
    rows[6]["级别"] = "H"

    again = run_import(csv_file("walk_ins.csv", table(*rows)))

    assert again.ok
    assert len(writers) == 2
    assert "来店客户登记表（BJ01）：新增 0 行，更新 1 行，未变 10 行" in again.out
    assert WalkIn.objects.count() == 11
    changed = WalkIn.objects.get(name="客户6")
    assert (changed.grade, changed.version) == ("H", 2)
    assert list(
        WalkIn.history.filter(id=changed.pk)  # type: ignore[attr-defined]
        .order_by("history_id")
        .values_list("history_type", "grade")
    ) == [("+", "B"), ("~", "H")]


def test_a_bad_row_after_parts_were_written_leaves_nothing(
    writers, csv_file, run_import, consultant
):
    rows = _rows()
    rows.append(walk_in(日期="2026-13-01"))

    run = run_import(csv_file("walk_ins.csv", table(*rows)))

    assert not run.ok
    assert len(writers) == 1
    assert run.lines == [
        *(f"已检查 {n} / 12 行" for n in (2, 4, 6, 8, 10, 12)),
        "walk_ins.csv，第 13 行，列「日期」，值「2026-13-01」：日期格式不正确，应为 YYYY-MM-DD",
    ]
    assert run.error == "共 1 处错误，未导入任何数据。"
    assert WalkIn.objects.count() == 0
    assert WalkIn.history.count() == 0  # type: ignore[attr-defined]


def test_a_failed_write_fails_the_import_and_leaves_nothing(
    writers, csv_file, run_import, consultant, monkeypatch
):
    sent = bulk.send
    calls = []

    def send(out: bulk.Outgoing, **kwargs: Any) -> None:
        calls.append(len(out.objs))
        if len(calls) == 2:
            raise IntegrityError("duplicate key value violates unique constraint")
        sent(out, **kwargs)

    monkeypatch.setattr(bulk, "send", send)

    run = run_import(csv_file("walk_ins.csv", table(*_rows())))

    assert not run.ok
    assert calls == [4, 4]  # the third part was dropped
    assert run.lines[:6] == [f"已检查 {n} / 11 行" for n in (2, 4, 6, 8, 10, 11)]
    assert run.lines[-1] == REFUSED
    assert run.error == "共 1 处错误，未导入任何数据。"
    assert WalkIn.objects.count() == 0
    assert WalkIn.history.count() == 0  # type: ignore[attr-defined]


def test_rows_refused_by_the_database_are_an_error_of_the_import_read_first(
    csv_file, run_import, consultant, monkeypatch
):
    def send(out: bulk.Outgoing, **kwargs: Any) -> None:
        raise IntegrityError("duplicate key value violates unique constraint\nDETAIL: …")

    monkeypatch.setattr(bulk, "send", send)

    run = run_import(csv_file("walk_ins.csv", table(*_rows())))

    assert not run.ok
    assert run.lines == [REFUSED]
    assert "新增" not in run.out
    assert WalkIn.objects.count() == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's deferred keys")
def test_foreign_keys_are_deferred_again_after_the_sheet(writers, csv_file, run_import, consultant):
    assert run_import(csv_file("walk_ins.csv", table(*_rows()))).ok
    walk_in_id = WalkIn.objects.values_list("pk", flat=True).first()

    with connection.cursor() as cursor:
        # A key to no one: checked at the commit (which a test never reaches), not at once.
        cursor.execute(
            "UPDATE traffic_walkin SET consultant_id = %s WHERE id = %s", [10**9, walk_in_id]
        )
        cursor.execute(
            "UPDATE traffic_walkin SET consultant_id = %s WHERE id = %s",
            [consultant.pk, walk_in_id],
        )


def test_short_sheets_and_workbooks_of_several_forms_are_read_first(
    writers, csv_file, xlsx, run_import, consultant, monkeypatch
):
    book = xlsx(
        {
            "来店客户登记表": table(walk_in()),
            "来电客户登记表": table(
                {"日期": "2026-10-01", "来电时间": "09:30", "来电类型": "首次", "销售顾问": "张伟"}
                | {"客户姓名": "赵女士", "联系电话": "13900000002"}
            ),
        }
    )
    assert run_import(book).ok
    assert run_import(csv_file("walk_ins.csv", table(*_rows())), dry_run=True).ok
    monkeypatch.setattr(services, "STREAM_ROWS", 12)
    assert run_import(csv_file("walk_ins.csv", table(*_rows()))).ok  # 11 rows

    assert writers == []
    assert WalkIn.objects.count() == 12


def test_a_row_the_database_refuses_raises_djangos_error(store):
    from django.db import transaction

    from showroom.organization.models import Store

    fields = list(Store._meta.concrete_fields)
    again = Store.objects.filter(pk=store.pk).values_list(*(f.attname for f in fields)).get()

    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.insert_rows(Store, fields, [again])

    assert Store.objects.count() == 1


def test_a_reading_that_fails_stops_the_writer_before_the_rollback(
    writers, csv_file, run_import, consultant, monkeypatch
):
    import sys
    import threading
    import time

    begun = threading.Event()
    parse = services._parse_sheet
    sent = bulk.send
    calls = []

    def failing(*args: Any) -> Any:
        for number, row in enumerate(parse(*args)):
            if number == 9:
                begun.wait(5)
                raise RuntimeError("the disk went away")
            yield row

    def send(out: bulk.Outgoing, **kwargs: Any) -> None:
        calls.append(len(out.objs))
        if len(calls) == 1:  # the first part is still being written when the reading fails
            begun.set()
            deadline = time.monotonic() + 5
            while not writers[0]._cancelled and time.monotonic() < deadline:
                time.sleep(0.01)
        sent(out, **kwargs)

    monkeypatch.setattr(services, "_parse_sheet", failing)
    monkeypatch.setattr(bulk, "send", send)
    interval = sys.getswitchinterval()

    with pytest.raises(RuntimeError):
        run_import(csv_file("walk_ins.csv", table(*_rows())))

    assert calls == [4]  # the second part, handed over but not begun, was dropped
    assert not writers[0]._thread.is_alive()
    assert not connection.allow_thread_sharing
    assert sys.getswitchinterval() == interval
    assert WalkIn.objects.count() == 0
