"""The import center in a real browser: the sales assistant uploads a workbook with a bad cell,
sees it listed, fixes the file, imports, sees the counts, and undoes the import."""

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from showroom.customers.models import Customer
from showroom.exchange.models import ImportBatch, ImportStatus
from showroom.organization.choices import Role
from tests.e2e.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots")


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"import_center_{name}.png"), full_page=True)


HEADERS = ["客户姓名", "联系电话", "意向车型", "意向级别", "销售顾问", "建档日期"]


def workbook(path: Path, grade: str) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "客户信息卡"
    sheet.append(HEADERS)
    sheet.append(["王先生", "13800000001", "途胜", "H", "张伟", dt.date(2026, 10, 1)])
    sheet.append(["李女士", "13800000002", "途胜L", grade, "张伟", dt.date(2026, 10, 2)])
    book.save(path)
    return path


def test_upload_fix_import_and_undo(
    page, live_server, store, consultant, make_staff, tmp_path, settings
):  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path / "data"
    make_staff("assistant", Role.ASSISTANT, store=store, full_name="助理小刘")
    login(page, live_server, "assistant")
    page.wait_for_url("**/kpi/**")
    page.click("nav .nav-menu-label:text-is('数据')")  # the bar's menu, then its entry
    page.click("nav >> text=导入中心")
    page.wait_for_url("**/exchange/imports/**")

    # 1. A workbook with a bad grade: the error is listed, nothing is written.
    page.set_input_files("#import-upload", str(workbook(tmp_path / "客户.xlsx", "Z")))
    page.click("text=检查文件")
    page.wait_for_url("**/exchange/imports/*/")
    problems = page.locator("#import-problems tbody tr")
    assert problems.count() == 1
    cells = problems.first.locator("td").all_inner_texts()
    assert cells == [
        "客户.xlsx",
        "客户信息卡",
        "3",
        "意向级别",
        "Z",
        "意向级别不正确，应为 O、H、A、B、C 之一",
    ]
    assert Customer.objects.count() == 0
    shot(page, "1_errors")

    # 2. The fixed file: the dry run's counts, then the import.
    page.click("text=返回导入中心")
    page.set_input_files("#import-upload", str(workbook(tmp_path / "客户.xlsx", "A")))
    page.click("text=检查文件")
    page.wait_for_url("**/exchange/imports/*/")
    assert page.locator("#import-counts tbody tr td").all_inner_texts() == [
        "客户信息卡",
        "2",
        "0",
        "0",
    ]
    assert Customer.objects.count() == 0
    page.click("button:has-text('导入')")
    page.wait_for_selector("text=已导入：检查并写入 2 行。")
    assert page.inner_text("#import-status") == "已导入"
    assert sorted(Customer.objects.values_list("name", flat=True)) == ["李女士", "王先生"]
    shot(page, "2_imported")

    # 3. The undo, after the browser's confirmation.
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("text=撤销本次导入")
    page.wait_for_selector("text=已撤销本次导入。")
    assert page.inner_text("#import-status") == "已撤销"
    assert Customer.objects.count() == 0
    page.click("text=返回导入中心")
    shot(page, "3_history")
    assert list(ImportBatch.objects.order_by("id").values_list("status", flat=True)) == [
        ImportStatus.FAILED,
        ImportStatus.UNDONE,
    ]


def test_the_page_follows_a_running_import_to_its_end(
    page, live_server, store, consultant, make_staff, tmp_path, settings
):  # type: ignore[no-untyped-def]
    """An import running in another process: its page shows the step, the bar and the rows
    of each form, polls, and once the import is over shows its outcome."""
    from showroom.exchange.center import progress, services

    settings.DATA_DIR = tmp_path / "data"
    assistant = make_staff("assistant", Role.ASSISTANT, store=store, full_name="助理小刘")
    batch = ImportBatch.objects.create(
        store=store,
        user=assistant,
        actor="assistant",
        file_names=["walk_ins.csv"],
        folder="f1",
        status=ImportStatus.IMPORTING,
        counts={"walk_ins": [20000, 0, 0]},
        rows=20000,
    )
    tracker = progress.Tracker(services.imports_dir() / "f1", "import")
    tracker.start()
    try:
        tracker("check", 20000, 20000, "walk_ins")
        tracker("write", 7000, 20000, "walk_ins")
        login(page, live_server, "assistant")
        page.wait_for_url("**/kpi/**")
        page.goto(f"{live_server.url}/exchange/imports/{batch.pk}/")
        assert page.inner_text("#import-step") == "第 2 步（共 2 步）：正在写入"
        assert page.inner_text("#import-percent") == "35%"
        assert page.locator("#import-progress-forms tbody td").all_inner_texts() == [
            "来店客户登记表",
            "20000",
            "7000 / 20000",
        ]
        shot(page, "4_importing")

        # The page asks again every second.
        tracker("write", 15000, 20000, "walk_ins")
        page.wait_for_selector("#import-percent:has-text('75%')")
        assert page.inner_text("#import-rows") == "15000 / 20000 行"

        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.IMPORTED, folder="")
        page.wait_for_selector("text=已导入：检查并写入 20000 行。")
        assert page.inner_text("#import-status") == "已导入"
        assert page.locator("#import-progress").count() == 0
        shot(page, "5_imported")
    finally:
        tracker.stop()
