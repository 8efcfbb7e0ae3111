import io
import json
import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from showroom.core.commands import text_width
from showroom.kpi.registry import REGISTRY, implemented_codes
from showroom.kpi.tests.test_funnel_kpis import build_month
from showroom.kpi.tests.test_traffic_kpis import (
    BJ01_OCTOBER,
    SH01_OCTOBER,
    TRAFFIC,
    build_october,
)

pytestmark = pytest.mark.django_db

# The traffic month has no cards, orders, losses or leads: counts 0, rates null, no mix…
NOTHING_ELSE = {
    code: 0 if REGISTRY[code].kind == "count" else {} if code == "source_mix" else None
    for code in implemented_codes()
    if code not in TRAFFIC
}
# … but walk-ins: 6 first visits, phones (…004 and …005) with test drives, 5 phones.
BJ01_ALL = {**BJ01_OCTOBER, **NOTHING_ELSE, "close_rate": 0 / 6,
            "test_drive_close_rate": 0 / 2, "unique_close_rate": 0 / 5}  # fmt: skip
SH01_ALL = {**SH01_OCTOBER, **NOTHING_ELSE, "close_rate": 0 / 1,
            "unique_close_rate": 0 / 2}  # fmt: skip


@pytest.fixture
def october(store, other_store, consultant, consultant2):  # type: ignore[no-untyped-def]
    build_october(store, other_store, consultant, consultant2)


def kpi(*args: str) -> str:
    out = io.StringIO()
    call_command("kpi", *args, stdout=out)
    return out.getvalue()


def test_json_of_one_store(october):
    result = json.loads(kpi("--store", "BJ01", "--month", "2026-10"))
    assert result == BJ01_ALL
    # Only the KPIs computed so far, in the registry's order.
    assert list(result) == implemented_codes()


def test_json_by_store_for_all_stores(october):
    result = json.loads(kpi("--store", "all", "--month", "2026-10", "--by", "store"))
    assert result == {"BJ01": BJ01_ALL, "SH01": SH01_ALL}


def test_several_stores_without_by_are_counted_together(october):
    result = json.loads(kpi("--store", "BJ01,SH01", "--month", "2026-10"))
    assert result["walkin_batches"] == 10  # 8 at BJ01 + 2 at SH01
    assert result["unique_visitors"] == 9  # 7 + 2
    assert result == json.loads(kpi("--store", "all", "--month", "2026-10"))


def test_json_by_consultant(october):
    result = json.loads(kpi("--store", "BJ01", "--month", "2026-10", "--by", "consultant"))
    assert set(result) == {"张伟", "李娜"}
    assert result["张伟"]["walkin_batches"] == 4
    assert result["李娜"]["call_invitation_rate"] == 1 / 3


# Minutes carry their unit in the table.
TRAFFIC_NAMES = [
    REGISTRY[code].name_zh + ("（分钟）" if REGISTRY[code].kind == "minutes" else "")
    for code in TRAFFIC
]


def test_table_in_chinese_with_percentages(october):
    with translation.override("zh-hans"):
        lines = kpi("--store", "BJ01", "--month", "2026-10", "--format", "table").splitlines()
    assert lines[0] == "门店：BJ01  月份：2026-10"
    assert lines[1].split() == ["指标", "数值"]
    rows = {line.split()[0]: line.split()[1] for line in lines[2:]}
    assert {name: rows[name] for name in TRAFFIC_NAMES} == {
        "展厅客流量总批次": "8", "首次来店批数": "6", "再次来店批数": "2", "邀约到店批数": "3",
        "来电批数": "4", "首次来电批数": "3", "平均停留时间（分钟）": "41.2",
        "来店客户留档率": "50.0%", "销售顾问月均接待批数": "3.0",
        "来电客户邀约来店率": "42.9%",  # 3 / 7
        "试乘试驾率": "37.5%", "报价率": "50.0%", "到店客户数(去重)": "7",
    }  # fmt: skip
    assert (rows["订单数"], rows["展厅成交率"], rows["订单率"]) == ("0", "0.0%", "—")
    assert rows["成交客户来源渠道比例"] == "—"  # no deliveries: one line, no value
    assert len(lines) == 2 + len(implemented_codes())


def test_table_by_source_aligns_columns(october):
    with translation.override("zh-hans"):
        lines = kpi(
            "--store", "BJ01", "--month", "2026-10", "--by", "source", "--format", "table"
        ).splitlines()
    # The sources by their names, not their codes.
    assert lines[1].split() == [
        "指标", "朋友介绍", "网络(汽车网站)", "电话邀约", "电视/广播/报纸", "厂家官网/400", "路过",
        "（未填）",
    ]  # fmt: skip
    stay = lines[1 + implemented_codes().index("avg_stay_minutes") + 1]
    assert stay.split() == ["平均停留时间（分钟）", "80.0", "38.0", "20.0", "—", "—", "30.0", "—"]
    # Right-aligned columns: every line of the table is as wide as the header.
    assert len({text_width(line) for line in lines[1:]}) == 1


def test_unknown_store_is_an_error_in_chinese(store):
    with translation.override("zh-hans"), pytest.raises(CommandError, match="未知门店：XX, YY"):
        kpi("--store", "BJ01,YY,XX", "--month", "2026-10")


def test_bad_month_is_an_error_in_chinese(store):
    with translation.override("zh-hans"), pytest.raises(CommandError, match="不是有效的月份"):
        kpi("--store", "BJ01", "--month", "2026-13")


def test_english_on_request(october):
    with translation.override("en"):
        lines = kpi("--store", "BJ01", "--month", "2026-10", "--format", "table").splitlines()
        assert lines[1].split() == ["KPI", "Value"]
        assert lines[2].startswith("Walk-in parties")
        with pytest.raises(CommandError, match="Unknown store: XX"):
            kpi("--store", "XX", "--month", "2026-10")


def run_cli(tmp_path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "SHOWROOM_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
    }
    return subprocess.run(
        [sys.executable, "-m", "showroom", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_exit_status_of_the_console_command(tmp_path):
    # The real console command, on a database of its own (the test database is not visible
    # to another process).
    assert run_cli(tmp_path, "migrate", "-v0").returncode == 0
    empty = run_cli(tmp_path, "kpi", "--store", "all", "--month", "2026-10")
    assert (empty.returncode, empty.stdout) == (1, "")
    assert "还没有门店" in empty.stderr

    made = run_cli(
        tmp_path,
        "shell",
        "-c",
        "from showroom.organization.models import Store; "
        "Store.objects.create(code='GZ01', name='广州')",
    )
    assert made.returncode == 0, made.stderr
    failed = run_cli(tmp_path, "kpi", "--store", "GZ01,NOPE", "--month", "2026-10")
    assert (failed.returncode, failed.stdout) == (1, "")
    assert "未知门店：NOPE" in failed.stderr

    ok = run_cli(tmp_path, "kpi", "--store", "GZ01", "--month", "2026-10")
    assert ok.returncode == 0, ok.stderr
    result = json.loads(ok.stdout)
    assert list(result) == implemented_codes()
    assert (result["walkin_batches"], result["retention_rate"]) == (0, None)


@pytest.fixture
def month(store, other_store, consultant, consultant2):  # type: ignore[no-untyped-def]
    build_month(store, other_store, consultant, consultant2)


def test_json_of_the_funnel_month(month):
    # test_funnel_kpis' month, computed on 11-15 or later (its rows run to 11-05).
    result = json.loads(kpi("--store", "BJ01", "--month", "2026-10"))
    assert list(result) == implemented_codes()
    assert (result["orders"], result["deliveries"], result["owners"]) == (5, 4, 10)
    assert result["source_mix"] == {
        "fleet": 0.25, "internet": 0.25, "owner_referral": 0.25, "(none)": 0.25,
    }  # fmt: skip


def test_table_lists_the_source_mix_per_source(month):
    with translation.override("zh-hans"):
        lines = kpi(
            "--store", "BJ01", "--month", "2026-10", "--by", "consultant", "--format", "table"
        ).splitlines()
    assert lines[1].split() == ["指标", "张伟", "李娜", "（未填）"]
    mix = [line.split() for line in lines if line.startswith("成交客户来源渠道比例")]
    # zhang delivered P1 (internet) and P10 (fleet); li P6 (owner_referral) and P11 (no
    # source); "(none)" (the owner Q4 without a consultant) delivered nothing this month.
    assert mix == [
        ["成交客户来源渠道比例/大客户/集团", "50.0%", "0.0%", "—"],
        ["成交客户来源渠道比例/网络(汽车网站)", "50.0%", "0.0%", "—"],
        ["成交客户来源渠道比例/老客户推荐", "0.0%", "50.0%", "—"],
        ["成交客户来源渠道比例/（未填）", "0.0%", "50.0%", "—"],
    ]
    assert len({text_width(line) for line in lines[1:]}) == 1


def test_json_means_are_exact_and_the_table_rounds(october):
    # 张伟's first visits stayed 45, 30 and 31 minutes: 35.333…, not 35.3.
    result = json.loads(kpi("--store", "BJ01", "--month", "2026-10", "--by", "consultant"))
    assert result["张伟"]["avg_stay_minutes"] == 106 / 3
    with translation.override("zh-hans"):
        table = kpi(
            "--store", "BJ01", "--month", "2026-10", "--by", "consultant", "--format", "table"
        ).splitlines()
    stay = next(line for line in table if line.startswith("平均停留时间"))
    assert "35.3" in stay.split()
