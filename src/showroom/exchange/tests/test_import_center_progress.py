"""The import center's jobs and their progress (exchange/center/progress.py): the dry run and the
import report how far they are, the page shows it, and a job that stops says so in Chinese."""

from __future__ import annotations

import dataclasses
import os
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from showroom.exchange.center import progress, services
from showroom.exchange.models import ImportBatch, ImportStatus
from showroom.exchange.tests.builders import table, walk_in
from showroom.organization.choices import Role
from showroom.traffic.models import WalkIn

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path / "data"


def walk_ins(csv_file: Any, n: int) -> Path:
    rows = [
        walk_in(进店时间=f"{9 + i // 60 % 10}:{i % 60:02d}", 日期=f"2026-10-{1 + i // 600:02d}")
        for i in range(n)
    ]
    return csv_file("walk_ins.csv", table(*rows))


def upload(path: Path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes())


@pytest.fixture
def written(monkeypatch: Any) -> list[tuple[Any, ...]]:
    """Every progress the jobs write: (job, stage, done, total, form, forms, error)."""
    seen: list[tuple[Any, ...]] = []
    write = progress.write

    def record(folder: Path, state: progress.State) -> None:
        seen.append(tuple(dataclasses.astuple(state)))
        write(folder, state)

    monkeypatch.setattr(progress, "write", record)
    return seen


def test_the_dry_run_and_the_import_report_each_thousand_rows(
    csv_file, store, assistant, consultant, written
):
    batch = services.check_upload([upload(walk_ins(csv_file, 2500))], store=store, user=assistant)
    assert batch.status == ImportStatus.CHECKED
    assert batch.counts == {"walk_ins": [2500, 0, 0]}
    checked = {"walk_ins": 2500}
    zero = {"compare": {"walk_ins": 0}}
    assert written == [
        ("check", "", 0, 0, "", {}, ""),
        ("check", "", 0, 0, "", {}, ""),
        ("check", "check", 0, 2500, "walk_ins", {"check": {"walk_ins": 0}}, ""),
        ("check", "check", 1000, 2500, "walk_ins", {"check": {"walk_ins": 1000}}, ""),
        ("check", "check", 2000, 2500, "walk_ins", {"check": {"walk_ins": 2000}}, ""),
        ("check", "check", 2500, 2500, "walk_ins", {"check": checked}, ""),
        ("check", "compare", 0, 2500, "walk_ins", {"check": checked} | zero, ""),
        ("check", "compare", 2500, 2500, "walk_ins", {"check": checked, "compare": checked}, ""),
    ]
    written.clear()

    assert services.confirm(batch, user=assistant) is True
    batch.refresh_from_db()
    assert batch.status == ImportStatus.IMPORTED
    assert WalkIn.objects.count() == 2500
    assert written == [
        ("import", "", 0, 0, "", {}, ""),
        ("import", "", 0, 0, "", {}, ""),
        ("import", "check", 0, 2500, "walk_ins", {"check": {"walk_ins": 0}}, ""),
        ("import", "check", 1000, 2500, "walk_ins", {"check": {"walk_ins": 1000}}, ""),
        ("import", "check", 2000, 2500, "walk_ins", {"check": {"walk_ins": 2000}}, ""),
        ("import", "check", 2500, 2500, "walk_ins", {"check": checked}, ""),
        *(
            (
                "import",
                "write",
                n,
                2500,
                "walk_ins",
                {"check": checked, "write": {"walk_ins": n}},
                "",
            )
            for n in (0, 1000, 2000, 2500)
        ),
    ]
    # The files and their progress are gone with the import.
    assert list(services.imports_dir().iterdir()) == []


def test_the_counts_of_several_forms_are_each_forms_own(
    csv_file, store, assistant, consultant, written
):
    calls = csv_file(
        "calls.csv",
        table(
            *(
                {
                    "日期": "2026-10-01",
                    "来电时间": f"9:{i:02d}",
                    "来电类型": "首次",
                    "销售顾问": "张伟",
                    "客户姓名": "赵女士",
                    "联系电话": f"139000000{i:02d}",
                }
                for i in range(30)
            )
        ),
    )
    batch = services.check_upload(
        [upload(walk_ins(csv_file, 1500)), upload(calls)], store=store, user=assistant
    )
    assert batch.status == ImportStatus.CHECKED
    assert written[-1][5] == {
        "check": {"walk_ins": 1500, "calls": 30},
        "compare": {"walk_ins": 1500, "calls": 30},
    }
    assert [w[1:5] for w in written[2:]] == [
        ("check", 0, 1530, "walk_ins"),
        ("check", 1000, 1530, "walk_ins"),
        ("check", 1500, 1530, "walk_ins"),  # the walk-ins end before the calls are counted
        ("check", 1530, 1530, "calls"),
        ("compare", 0, 1530, "walk_ins"),
        ("compare", 1500, 1530, "walk_ins"),
        ("compare", 1530, 1530, "calls"),
    ]


def running(batch: ImportBatch, events: list[tuple[str, int, int, str]]) -> None:
    """The batch as its import job leaves it after `events`, in another process."""
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.IMPORTING)
    tracker = progress.Tracker(services.imports_dir() / batch.folder, "import")
    progress.write(tracker.folder, tracker.state)
    for event in events:
        tracker(*event)


def test_the_page_of_a_running_import_shows_its_step_bar_and_rows(office, csv_file, store):
    office.post(reverse("exchange:imports"), {"upload": [upload(walk_ins(csv_file, 2000))]})
    batch = ImportBatch.objects.get()
    running(
        batch,
        [
            ("check", 1000, 2000, "walk_ins"),
            ("check", 2000, 2000, "walk_ins"),
            ("write", 1000, 2000, "walk_ins"),
        ],
    )
    url = reverse("exchange:import_detail", args=[batch.pk])
    page = office.get(url).content.decode()
    assert "<h2>正在导入……</h2>" in page
    assert '<p id="import-step">第 2 步（共 2 步）：正在写入</p>' in page
    assert '<progress id="import-bar" max="2000" value="1000">50%</progress>' in page
    assert '<strong id="import-percent">50%</strong>' in page
    assert '<span id="import-rows">1000 / 2000 行</span>' in page
    assert "<tr><td>来店客户登记表</td><td>2000</td><td>1000 / 2000</td></tr>" in page
    assert "<th>已检查行数</th><th>已写入行数</th>" in page
    assert f'hx-get="/exchange/imports/{batch.pk}/?progress=import"' in page
    assert "导入</button>" not in page  # not twice

    # htmx asks for the progress alone; once the job is over, for the page with the outcome.
    poll = office.get(url + "?progress=import", headers={"HX-Request": "true"})
    assert poll.content.decode().startswith('<section class="card import-progress"')
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.IMPORTED, rows=2000)
    poll = office.get(url + "?progress=import", headers={"HX-Request": "true"})
    assert poll.status_code == 204
    assert poll["HX-Redirect"] == url + "?outcome=import"
    page = office.get(poll["HX-Redirect"]).content.decode()
    assert '<li class="success">已导入：检查并写入 2000 行。</li>' in page
    assert "import-progress" not in page


def test_a_job_whose_process_is_gone_is_said_to_have_stopped(office, csv_file, store):
    office.post(reverse("exchange:imports"), {"upload": [upload(walk_ins(csv_file, 10))]})
    batch = ImportBatch.objects.get()
    running(batch, [("check", 10, 10, "walk_ins")])
    file = progress.path(services.imports_dir() / batch.folder)
    old = time.time() - progress.STALE - 1
    os.utime(file, (old, old))

    page = office.get(reverse("exchange:import_detail", args=[batch.pk])).content.decode()

    batch.refresh_from_db()
    assert batch.status == ImportStatus.CHECKED  # nothing was written: it may be imported again
    assert (
        '<p class="error" id="import-stopped">导入中途停止，未写入任何数据。'
        "请重试；如果再次停止，请告知管理员。</p>"
    ) in page
    assert "import-progress" not in page
    office.post(reverse("exchange:import_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportStatus.IMPORTED
    assert WalkIn.objects.count() == 10


def test_a_check_whose_process_is_gone_asks_for_the_files_again(office, csv_file, store):
    office.post(reverse("exchange:imports"), {"upload": [upload(walk_ins(csv_file, 10))]})
    batch = ImportBatch.objects.get()
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.CHECKING)
    file = progress.path(services.imports_dir() / batch.folder)
    os.utime(file, (0, 0))

    page = office.get(reverse("exchange:import_detail", args=[batch.pk])).content.decode()

    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    assert batch.folder == ""
    assert "<td>检查中途停止。请重新上传文件。</td>" in page


def test_an_error_midway_is_a_chinese_message_and_nothing_is_written(
    office, csv_file, store, monkeypatch
):
    office.post(reverse("exchange:imports"), {"upload": [upload(walk_ins(csv_file, 1500))]})
    batch = ImportBatch.objects.get()
    real = services.import_files

    def failing(*args: Any, **options: Any) -> Any:
        tell = options["progress"]

        def broken(stage: str, done: int, total: int, form: str) -> None:
            tell(stage, done, total, form)
            if stage == "write":
                raise RuntimeError("disk full")

        return real(*args, **{**options, "progress": broken})

    monkeypatch.setattr(services, "import_files", failing)
    response = office.post(reverse("exchange:import_confirm", args=[batch.pk]), follow=True)

    page = response.content.decode()
    assert response.status_code == 200
    assert WalkIn.objects.count() == 0
    batch.refresh_from_db()
    assert batch.status == ImportStatus.CHECKED
    assert "导入中途停止，未写入任何数据。请重试；如果再次停止，请告知管理员。" in page
    assert "Traceback" not in page and "disk full" not in page
    assert "已导入" not in page


@pytest.mark.django_db(transaction=True)
def test_the_import_runs_in_a_thread_of_its_own(csv_file, store, consultant, make_staff):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("another thread cannot share an in-memory database: the jobs run inline")
    assistant = make_staff("assist", Role.ASSISTANT, store=store)
    batch = services.check_upload([upload(walk_ins(csv_file, 1200))], store=store, user=assistant)
    for _ in range(600):
        batch.refresh_from_db()
        if batch.status != ImportStatus.CHECKING:
            break
        time.sleep(0.1)
    assert batch.status == ImportStatus.CHECKED
    assert services.confirm(batch, user=assistant) is True
    for _ in range(600):
        batch.refresh_from_db()
        if batch.status != ImportStatus.IMPORTING:
            break
        time.sleep(0.1)
    assert batch.status == ImportStatus.IMPORTED
    assert WalkIn.objects.count() == 1200


def test_the_undo_is_a_job_too_and_a_refused_one_says_why(office, csv_file, store, written):
    office.post(reverse("exchange:imports"), {"upload": [upload(walk_ins(csv_file, 1200))]})
    batch = ImportBatch.objects.get()
    office.post(reverse("exchange:import_confirm", args=[batch.pk]))
    one = WalkIn.objects.order_by("pk").first()
    assert one is not None
    one.notes = "前台补充"
    one.save(update_fields=["notes"])
    written.clear()

    page = office.post(
        reverse("exchange:import_undo", args=[batch.pk]), follow=True
    ).content.decode()

    batch.refresh_from_db()
    assert batch.status == ImportStatus.IMPORTED
    assert (
        '<p class="error" id="import-stopped">'
        "本次导入中有 1 行在导入后被修改或删除，已不能撤销。</p>"
    ) in page
    assert WalkIn.objects.count() == 1200

    one.notes = ""
    one.save(update_fields=["notes"])
    written.clear()
    page = office.post(
        reverse("exchange:import_undo", args=[batch.pk]), follow=True
    ).content.decode()

    assert '<li class="success">已撤销本次导入。</li>' in page
    assert "import-stopped" not in page
    assert WalkIn.objects.count() == 0
    batch.refresh_from_db()
    assert batch.status == ImportStatus.UNDONE
    assert batch.folder == ""
    assert [w[:5] for w in written] == [
        ("undo", "", 0, 0, ""),
        ("undo", "", 0, 0, ""),
        ("undo", "undo", 500, 1200, "traffic.walkin"),
        ("undo", "undo", 1000, 1200, "traffic.walkin"),
        ("undo", "undo", 1200, 1200, "traffic.walkin"),
    ]
    assert list(services.imports_dir().iterdir()) == []


def test_the_page_of_a_running_undo(office, store, assistant):
    batch = ImportBatch.objects.create(
        store=store, user=assistant, actor="assist", status=ImportStatus.UNDOING, folder="u1"
    )
    tracker = progress.Tracker(services.imports_dir() / "u1", "undo")
    progress.write(tracker.folder, tracker.state)
    url = reverse("exchange:import_detail", args=[batch.pk])

    page = office.get(url).content.decode()
    assert "<h2>正在撤销导入……</h2>" in page
    assert '<p id="import-step">正在检查导入的数据此后是否被修改</p>' in page

    tracker("undo", 500, 1200, "traffic.walkin")
    page = office.get(url).content.decode()
    assert '<p id="import-step">正在撤回导入的数据</p>' in page
    assert '<span id="import-rows">500 / 1200 行</span>' in page
    assert "撤销本次导入</button>" not in page
