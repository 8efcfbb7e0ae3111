"""Rows of the exchange forms for tests, and the commands run as `showroom` runs them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from io import StringIO
from typing import Any

from django.core.management import CommandError, call_command


@dataclass
class Run:
    ok: bool
    out: str
    err: str
    error: str = ""

    @property
    def lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


def run_command(name: str, *args: Any, **options: Any) -> Run:
    out, err = StringIO(), StringIO()
    try:
        call_command(name, *map(str, args), stdout=out, stderr=err, **options)
    except CommandError as exc:
        return Run(False, out.getvalue(), err.getvalue(), str(exc))
    return Run(True, out.getvalue(), err.getvalue())


def walk_in(**overrides: Any) -> dict[str, Any]:
    """A good walk-in row by Chinese header."""
    row: dict[str, Any] = {
        "日期": dt.date(2026, 10, 1),
        "进店时间": dt.time(10, 0),
        "来店类型": "首次",
        "销售顾问": "张伟",
        "客户姓名": "王先生",
        "联系电话": "13800000001",
    }
    row.update(overrides)
    return row


def call(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "日期": dt.date(2026, 10, 1),
        "来电时间": dt.time(9, 30),
        "来电类型": "首次",
        "销售顾问": "张伟",
        "客户姓名": "赵女士",
        "联系电话": "13900000002",
    }
    row.update(overrides)
    return row


def table(*rows: dict[str, Any]) -> list[list[Any]]:
    """Rows given as {header: value} dicts -> a header row and value rows."""
    headers: list[str] = []
    for row in rows:
        headers += [h for h in row if h not in headers]
    return [headers, *([row.get(h) for h in headers] for row in rows)]


def customer(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "客户姓名": "王先生",
        "联系电话": "13800000001",
        "客户类型": "意向",
        "意向车型": "途胜",
        "意向级别": "A",
        "信息来源": "网络(汽车网站)",
        "销售顾问": "张伟",
        "建档日期": dt.date(2026, 10, 1),
    }
    row.update(overrides)
    return row


def activity(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "日期": dt.date(2026, 10, 2),
        "销售顾问": "张伟",
        "联系电话": "13800000001",
        "活动类型": "电话跟进",
        "类别": "促进",
        "级别": "H",
        "下次跟进日期": dt.date(2026, 10, 4),
        "备注": "约周末试驾",
    }
    row.update(overrides)
    return row


def order(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "订单日期": dt.date(2026, 10, 5),
        "联系电话": "13800000001",
        "客户姓名": "王先生",
        "车型": "途胜",
        "销售顾问": "张伟",
        "定金": 5000,
    }
    row.update(overrides)
    return row


def loss(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "日期": dt.date(2026, 10, 20),
        "联系电话": "13900000002",
        "销售顾问": "李娜",
        "类型": "战败",
        "当时级别": "B",
        "竞品品牌": "丰田",
        "竞品车型": "RAV4",
        "原因": "价格",
        "说明": "对方优惠两万",
    }
    row.update(overrides)
    return row


def lead(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "创建时间": dt.datetime(2026, 10, 3, 20, 15),
        "渠道": "网络(汽车网站)",
        "客户姓名": "孙女士",
        "联系电话": "13700000003",
        "意向车型": "索纳塔",
        "负责人": "李娜",
    }
    row.update(overrides)
    return row
