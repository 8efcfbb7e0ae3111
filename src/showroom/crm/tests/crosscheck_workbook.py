"""A test workbook for the data cross-check: every check code planted once or twice inside the
30 days up to CHECK_DATE, decoys on day −30 (just outside) and owner cards without a sale that
would otherwise be flagged. Written with openpyxl under the Chinese headers of docs/contracts.md."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl

from showroom.exchange.tests.builders import table

CHECK_DATE = dt.date(2026, 10, 31)
DAY_30 = dt.date(2026, 10, 1)  # 30 days before: outside the window
FIRST_DAY = dt.date(2026, 10, 2)  # 29 days before: inside

ZHANG, LI, WANG = "张伟", "李娜", "王强"  # 王强 keeps no contact: the retention outlier


def d(day: int, month: int = 10) -> dt.date:
    return dt.date(2026, month, day)


def t(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def visit(day: dt.date, consultant: str, **kw: Any) -> dict[str, Any]:
    """A complete first visit, unless told otherwise."""
    row: dict[str, Any] = {
        "日期": day,
        "进店时间": t("10:00"),
        "离店时间": t("10:40"),
        "来店类型": "首次",
        "客户姓名": "客户",
        "联系电话": "",
        "意向车型": "途胜",
        "销售顾问": consultant,
        "意向级别": "B",
        "是否留档": "",
        "手卡号": "",
    }
    row.update(kw)
    return row


def phone_call(day: dt.date, consultant: str, **kw: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "日期": day,
        "来电时间": t("09:30"),
        "来电类型": "首次",
        "客户姓名": "来电客户",
        "联系电话": "",
        "意向车型": "途胜",
        "销售顾问": consultant,
        "是否留档": "",
    }
    row.update(kw)
    return row


def card(phone: str, created: dt.date, consultant: str, **kw: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "客户姓名": f"卡{phone[-4:]}",
        "联系电话": phone,
        "客户类型": "意向",
        "意向车型": "途胜",
        "意向级别": "B",
        "销售顾问": consultant,
        "建档日期": created,
        "保有类型": "",
    }
    row.update(kw)
    return row


def walk_ins() -> list[dict[str, Any]]:
    return [
        # kept_without_customer: kept (name and phone, 是否留档 empty), no card has the phone.
        visit(d(20), ZHANG, 客户姓名="陈先生", 联系电话="138 1111 0001"),
        # kept_without_phone: marked kept, no phone.
        visit(d(15), LI, 客户姓名="刘女士", 是否留档="是", 意向级别="C"),
        # Not kept (no phone, 是否留档 empty): nothing to report.
        visit(d(16), LI, 客户姓名="路人", 是否留档=""),
        # missing_grade: first visit kept without a grade (its card exists).
        visit(d(22), ZHANG, 客户姓名="孙先生", 联系电话="13833330001", 意向级别=""),
        # A repeat visit without a grade is no exception.
        visit(
            d(23), ZHANG, 客户姓名="孙先生", 联系电话="13833330001", 来店类型="再次", 意向级别=""
        ),
        # short_stay_high_grade: H after 10 minutes; A after exactly 15 minutes is no exception.
        visit(d(25), LI, 联系电话="13833330003", 离店时间=t("10:10"), 意向级别="H"),
        visit(d(26), LI, 联系电话="13844440003", 离店时间=t("10:15"), 意向级别="A"),
        # duplicate_hand_card: A07 twice on 10-28; once on 10-29 is fine.
        visit(d(28), ZHANG, 联系电话="13844440001", 手卡号="A07"),
        visit(
            d(28), ZHANG, 联系电话="13844440002", 进店时间=t("15:00"), 离店时间=None, 手卡号="A07"
        ),
        visit(d(29), ZHANG, 联系电话="13844440004", 手卡号="A07"),
        # The walk-in that a card of 10-05 has 7 days before it (outside the window itself).
        visit(d(28, 9), ZHANG, 联系电话="13822220007"),
        # retention_outlier: 王强's ten first visits, none kept.
        *(
            visit(d(3 + i), WANG, 客户姓名="", 是否留档="否", 意向级别="", 意向车型="")
            for i in range(10)
        ),
        # Decoys on day −30, each of which would be an exception a day later.
        visit(DAY_30, ZHANG, 客户姓名="旧客", 联系电话="13811110003"),
        visit(DAY_30, LI, 客户姓名="旧客", 是否留档="是"),
        visit(DAY_30, ZHANG, 客户姓名="旧客", 联系电话="13855550001", 意向级别=""),
        visit(DAY_30, LI, 联系电话="13855550002", 离店时间=t("10:05"), 意向级别="H"),
        visit(DAY_30, WANG, 客户姓名="", 是否留档="否", 手卡号="B01"),
        visit(
            DAY_30,
            WANG,
            客户姓名="",
            是否留档="否",
            手卡号="B01",
            进店时间=t("11:00"),
            离店时间=t("11:40"),
        ),
    ]


def calls() -> list[dict[str, Any]]:
    return [
        # kept_without_customer on the window's first day: 是否留档 是, no card.
        phone_call(FIRST_DAY, LI, 联系电话="13811110002", 是否留档="是"),
        # missing_model: a call kept without a model (its card exists).
        phone_call(d(18), ZHANG, 客户姓名="周女士", 联系电话="13833330002", 意向车型=""),
        # Decoy on day −30: kept, no model, no card.
        phone_call(DAY_30, ZHANG, 联系电话="13855550003", 意向车型=""),
    ]


def cards() -> list[dict[str, Any]]:
    return [
        # customer_without_contact: a prospect with no walk-in, call or lead near its date…
        card("13822220001", d(10), LI),
        # …and an owner sold here (an order below) is a prospect too.
        card("13822220002", d(12), ZHANG, 客户类型="保有"),
        # Owners without a sale here are not checked: sold elsewhere, other brand.
        card("13822220003", d(12), ZHANG, 客户类型="保有"),
        card("13822220004", d(13), ZHANG, 客户类型="保有", 保有类型="他品牌"),
        # Created on day −30: outside the window.
        card("13822220005", DAY_30, LI),
        # A lead 5 days later; a walk-in 7 days before (outside the window) — both count.
        card("13822220006", d(20), LI),
        card("13822220007", d(5), ZHANG),
        # The cards of the rows above.
        card("13833330001", d(22), ZHANG),
        card("13833330002", d(18), ZHANG),
        card("13833330003", d(25), LI),
        card("13844440001", d(28), ZHANG),
        card("13844440002", d(28), ZHANG),
        card("13844440003", d(26), LI),
        card("13844440004", d(29), ZHANG),
    ]


def orders() -> list[dict[str, Any]]:
    return [
        {
            "订单日期": d(12),
            "联系电话": "13822220002",
            "车型": "途胜",
            "销售顾问": ZHANG,
            "交车日期": d(14),
        }
    ]


def leads() -> list[dict[str, Any]]:
    return [
        {
            "创建时间": dt.datetime(2026, 10, 25, 19, 30),
            "渠道": "网络(汽车网站)",
            "联系电话": "13822220006",
            "负责人": LI,
        }
    ]


def build(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in (
        ("来店客户登记表", walk_ins()),
        ("来电客户登记表", calls()),
        ("客户信息卡", cards()),
        ("订单交车", orders()),
        ("线索", leads()),
    ):
        sheet = workbook.create_sheet(title)
        for row in table(*rows):
            sheet.append(row)
    workbook.save(path)
    return path
