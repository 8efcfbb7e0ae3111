"""The command line speaks Chinese and fails helpfully; README's command lines run as written
against a small generated demo store."""

from __future__ import annotations

import argparse
import importlib
import io
import json
import re
import shlex
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command, get_commands, load_command_class
from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from showroom import cli
from showroom.demo import names
from showroom.demo.generator import add_store
from showroom.demo.services import ensure_demo_logins
from showroom.exchange.forms import FORMS
from showroom.exchange.report import Problem
from tests import factories as f

README = Path(__file__).resolve().parent.parent / "README.md"
ENGLISH_WORD = re.compile(r"[A-Za-z][A-Za-z_]{2,}")


@pytest.fixture
def chinese_cli(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The console command's translations, undone after the test."""
    monkeypatch.setattr(argparse, "_", argparse._)  # type: ignore[attr-defined]
    monkeypatch.setattr(argparse, "ngettext", argparse.ngettext)  # type: ignore[attr-defined]
    monkeypatch.setattr(BaseCommand, "create_parser", BaseCommand.create_parser)
    monkeypatch.setattr(BaseCommand, "run_from_argv", BaseCommand.run_from_argv)
    # A command closes the connections when it ends; the test's transaction needs its own.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    cli.install()
    with translation.override("zh-hans"):
        yield


def run(*argv: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """`showroom ARGV…` in this process: exit status, stdout, stderr."""
    try:
        cli.utility(["showroom", *argv]).execute()
        status = 0
    except SystemExit as exit_:
        status = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


def product_commands() -> list[str]:
    return sorted(n for n, app in get_commands().items() if str(app).startswith("showroom"))


# --- help ------------------------------------------------------------------------------------


def test_main_help_lists_the_product_first_in_chinese(chinese_cli, capsys) -> None:  # type: ignore[no-untyped-def]
    status, out, _err = run("--help", capsys=capsys)
    assert status == 0
    lines = out.splitlines()
    assert lines[:4] == [
        "用法：showroom 命令 [选项]",
        "输入“showroom help 命令”查看该命令的帮助。",
        "",
        "Showroom 命令：",
    ]
    listed = [line.split()[0] for line in lines[4 : lines.index("", 4)]]
    assert listed[:8] == ["demo", "generate", "import", "export", "kpi", "crosscheck", "report",
                          "unlock"]  # fmt: skip
    assert sorted(listed) == product_commands()
    kpi = next(line for line in lines if line.startswith("  kpi "))
    assert kpi.split(maxsplit=1)[1] == "列出门店某月的各项指标（KPI）"
    # Django's housekeeping is out of sight, but still there.
    for hidden in ("flush", "sqlflush", "startproject", "axes_reset", "squashmigrations"):
        assert f"  {hidden} " not in out
    status, every, _err = run("help", "--commands", capsys=capsys)
    assert {"flush", "sqlflush", "startproject", "kpi"} <= set(every.split())


@pytest.mark.django_db
def test_a_command_error_is_one_chinese_line(chinese_cli, capsys, store) -> None:  # type: ignore[no-untyped-def]
    status, out, err = run("kpi", "--store", "NOPE", "--month", "2026-10", capsys=capsys)
    assert (status, out, err) == (1, "", "错误：未知门店：NOPE。现有门店：BJ01\n")


@pytest.mark.django_db
def test_a_database_not_migrated_is_a_message(chinese_cli, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def missing(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("no such table: organization_store")

    monkeypatch.setattr("showroom.kpi.management.commands.kpi.stores_named", missing)
    with pytest.raises(OperationalError):  # on a migrated database: a bug, with its traceback
        run("kpi", "--store", "BJ01", "--month", "2026-10", capsys=capsys)
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: ["0001"])
    status, out, err = run("kpi", "--store", "BJ01", "--month", "2026-10", capsys=capsys)
    message = "错误：数据库尚未建立或不是最新：请先运行“showroom migrate”。\n"
    assert (status, out, err) == (1, "", message)


def test_help_wraps_by_the_width_chinese_takes() -> None:
    lines = cli.wrap("按门店（store）、销售顾问（consultant）分组。" * 3, 30)
    assert all(cli.text_width(line) <= 30 for line in lines)
    assert "".join(lines) == "按门店（store）、销售顾问（consultant）分组。" * 3
    assert cli.wrap("several separated by commas", 12) == ["several", "separated by", "commas"]


# --- what the commands say -------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.django_db
def test_kpi_is_a_table_on_a_terminal_and_json_in_a_pipe(store) -> None:
    with translation.override("zh-hans"):
        terminal, pipe, err = Terminal(), io.StringIO(), io.StringIO()
        call_command("kpi", "--store", "BJ01", "--month", "2026-10", stdout=terminal, stderr=err)
        call_command("kpi", "--store", "BJ01", "--month", "2026-10", stdout=pipe)
        asked = io.StringIO()
        call_command("kpi", "--store", "BJ01", "--month", "2026-10", "--format", "json",
                     stdout=asked)  # fmt: skip
    lines = terminal.getvalue().splitlines()
    assert lines[0] == "门店：BJ01  月份：2026-10"
    assert lines[1].split() == ["指标", "数值"]
    assert "平均停留时间（分钟）" in terminal.getvalue()
    assert json.loads(pipe.getvalue())["walkin_batches"] == 0
    assert pipe.getvalue() == asked.getvalue()
    # The month has no rows at all: the command says so.
    assert err.getvalue() == "BJ01 在 2026-10 没有任何数据：所有计数均为 0。\n"


@pytest.mark.django_db
def test_a_month_with_data_says_nothing_more(store, consultant) -> None:
    f.WalkInFactory(store=store, consultant=consultant, date=date(2026, 10, 3))
    err = io.StringIO()
    call_command("kpi", "--store", "BJ01", "--month", "2026-10", stdout=io.StringIO(), stderr=err)
    assert err.getvalue() == ""


@pytest.mark.django_db
def test_an_unknown_store_lists_the_codes(store, other_store) -> None:
    with translation.override("zh-hans"), pytest.raises(CommandError) as error:
        call_command("kpi", "--store", "BJ1", "--month", "2026-10", stdout=io.StringIO())
    assert str(error.value) == "未知门店：BJ1。现有门店：BJ01, SH01"
    for code in range(30):
        f.StoreFactory(code=f"Z{code:02d}")
    with translation.override("zh-hans"), pytest.raises(CommandError) as error:
        call_command("crosscheck", "--store", "Q", stdout=io.StringIO())
    assert str(error.value).endswith("Z17 …（共 32 家）")


@pytest.mark.django_db
def test_an_output_path_that_cannot_be_written_is_a_message(tmp_path, store) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with translation.override("zh-hans"):
        for command, out in (
            ("export", blocker / "out.xlsx"),
            ("export", blocker / "folder"),
            ("report", blocker / "report.xlsx"),
        ):
            with pytest.raises(CommandError) as error:
                call_command(command, "--store", "BJ01", "--month", "2026-10", str(out),
                             stdout=io.StringIO())  # fmt: skip
            assert str(error.value) == (
                f"无法写入 {out}：路径中有同名的文件（此处需要文件夹）。"
            ), command


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["notes.txt", "notes.csv"])
def test_a_file_with_no_form_in_it_is_an_error(tmp_path, store, name: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_text("甲,乙\n1,2\n", encoding="utf-8")
    err = io.StringIO()
    with translation.override("zh-hans"):
        for dry_run in ([], ["--dry-run"]):
            with pytest.raises(CommandError) as error:
                call_command("import", "--store", "BJ01", *dry_run, str(path),
                             stdout=io.StringIO(), stderr=err)  # fmt: skip
            assert str(error.value) == "文件中没有可识别的表单，未导入任何数据。"
    assert f"警告：{name}：无法识别的表单" in err.getvalue()


@pytest.mark.django_db
def test_a_store_mismatch_is_one_message(tmp_path, store, other_store, consultant) -> None:
    rows = "\n".join(
        f"SH01,2026-10-{1 + i % 28:02d},10:{i % 60:02d},first,张伟,客{i},1380000{i:04d}"
        for i in range(300)
    )
    path = tmp_path / "walk_ins.csv"
    path.write_text(
        f"store,date,arrived_at,visit_type,consultant,name,phone\n{rows}\n", encoding="utf-8"
    )
    err = io.StringIO()
    with translation.override("zh-hans"), pytest.raises(CommandError) as error:
        call_command("import", "--store", "BJ01", str(path), stdout=io.StringIO(), stderr=err)
    assert err.getvalue().splitlines() == [
        "walk_ins.csv，列「store」，值「SH01」：该门店不在 --store 指定的门店之中"
        "（共 300 行，第 2–301 行）"
    ]
    assert str(error.value) == "共 300 处错误，未导入任何数据。"


def test_many_errors_of_a_kind_are_counted_past_five() -> None:
    command = importlib.import_module("showroom.exchange.management.commands.import")
    problems = [
        Problem("a.csv", "", row, "日期", f"x{row}", "日期格式不正确") for row in range(2, 12)
    ]
    with translation.override("zh-hans"):
        lines = command.summarized(problems)
    assert lines == [
        *(f"a.csv，第 {row} 行，列「日期」，值「x{row}」：日期格式不正确" for row in range(2, 7)),
        "a.csv，列「日期」：另有 5 行同样的错误：日期格式不正确",
    ]


@pytest.mark.django_db
def test_export_progress_is_a_bar_on_a_terminal_only(tmp_path, store) -> None:
    terminal, log = Terminal(), io.StringIO()
    with translation.override("zh-hans"):
        call_command("export", "--store", "BJ01", "--month", "2026-10", str(tmp_path / "a"),
                     stdout=io.StringIO(), stderr=terminal)  # fmt: skip
    call_command("export", "--store", "BJ01", "--month", "2026-10", str(tmp_path / "b"),
                 stdout=io.StringIO(), stderr=log)  # fmt: skip
    assert log.getvalue() == ""
    drawn = terminal.getvalue()
    assert drawn.count("\n") == 1 and drawn.endswith("\n")  # one line, redrawn
    frames = drawn.rstrip("\n").split("\r")[1:]
    assert (
        frames[0]
        == "正在导出 ["
        + "#" * (30 // len(FORMS))
        + "·" * (30 - 30 // len(FORMS))
        + f"] 1/{len(FORMS)}"
    )
    assert frames[-1] == f"正在导出 [{'#' * 30}] {len(FORMS)}/{len(FORMS)}"
    assert len(frames) == len(FORMS)


# --- README ----------------------------------------------------------------------------------


def readme_commands() -> list[str]:
    """The command lines of the fenced bash blocks of README's 命令行 section."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## 命令行", 1)[1].split("\n## ", 1)[0]
    lines = []
    for block in re.findall(r"```bash\n(.*?)```", section, re.S):
        for line in block.splitlines():
            command = line.split(" #", 1)[0].strip()
            if command:
                lines.append(command)
    return lines


def test_readme_has_command_lines() -> None:
    commands = readme_commands()
    assert len(commands) >= 10
    assert all(c.startswith("showroom ") for c in commands)
    assert not any("BJ01" in c for c in commands)


@pytest.fixture
def demo_store(db):  # type: ignore[no-untyped-def]
    """DEMO as `showroom demo` makes it, but smaller: the months README's examples ask for."""
    months = sorted({m for c in readme_commands() for m in re.findall(r"\d{4}-\d{2}", c)})
    first = date.fromisoformat(months[0] + "-01")
    last = date.fromisoformat(months[-1] + "-01")
    span = (last.year - first.year) * 12 + last.month - first.month + 1
    summary = add_store(
        code="DEMO",
        name=names.DEMO_STORE_NAME,
        brand=names.DEMO_BRAND,
        start=first,
        months=span,
        seed=3,
        consultants=3,
        until=datetime(last.year, last.month, 28, 20, tzinfo=ZoneInfo("Asia/Shanghai")),
    )
    ensure_demo_logins(summary.store)
    return summary.store


@pytest.mark.django_db(transaction=False)
def test_readme_commands_run_as_written(demo_store, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    ran = []
    for line in readme_commands():
        name, *args = shlex.split(line)[1:]
        if name == "--help":
            assert "kpi" in cli.main_help_text("showroom")
            continue
        if name == "demo":
            # It serves and fetches the chart library: only its arguments are checked here.
            command = load_command_class(get_commands()[name], name)
            command.create_parser("showroom", name).parse_args(args)
            continue
        out, err = io.StringIO(), io.StringIO()
        try:
            call_command(name, *args, stdout=out, stderr=err)
        except CommandError as error:
            pytest.fail(f"{line}: {error}\n{err.getvalue()}")
        ran.append(name)
    assert {"generate", "export", "import", "kpi", "crosscheck", "report", "unlock"} <= set(ran)
    assert (tmp_path / "十月.xlsx").exists() and (tmp_path / "out" / "walk_ins.csv").exists()
    assert (tmp_path / "十月经营报告.xlsx").exists()
