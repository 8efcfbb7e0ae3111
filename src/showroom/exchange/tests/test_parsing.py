import datetime as dt
from decimal import Decimal

import pytest

from showroom.core.tables import as_text
from showroom.exchange.columns import CALLS, WALK_INS, normalize_header
from showroom.exchange.forms import ACTIVITIES, CUSTOMERS, FORMS, LEADS, LOSSES, ORDERS, VIN
from showroom.exchange.parsing import (
    Count,
    Date,
    DateTime,
    Grade,
    Invalid,
    Money,
    Phone,
    Text,
    Time,
    YesNo,
)

NO_LOOKUPS = None  # kinds without references never touch the lookups


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-10-01", dt.date(2026, 10, 1)),
        (" 2026-10-1 ", dt.date(2026, 10, 1)),
        ("2026/10/1", dt.date(2026, 10, 1)),
        ("2026.10.01", dt.date(2026, 10, 1)),
        ("2026年10月1日", dt.date(2026, 10, 1)),
        ("2026/10/1 0:00", dt.date(2026, 10, 1)),  # Excel's CSV of a date cell
        (dt.date(2026, 10, 1), dt.date(2026, 10, 1)),
        (dt.datetime(2026, 10, 1, 0, 0), dt.date(2026, 10, 1)),
        (46296.0, dt.date(2026, 10, 1)),  # a date cell whose format was lost: Excel's serial
    ],
)
def test_dates(raw, expected):
    assert Date().parse(raw, NO_LOOKUPS) == expected


@pytest.mark.parametrize("raw", ["2026-13-01", "2026-02-30", "10/1/2026", "明天", "20261001", True])
def test_bad_dates(raw):
    with pytest.raises(Invalid) as exc:
        Date().parse(raw, NO_LOOKUPS)
    assert str(exc.value.reason) == "日期格式不正确，应为 YYYY-MM-DD"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("10:05", dt.time(10, 5)),
        ("9:05", dt.time(9, 5)),
        ("09:05:59", dt.time(9, 5)),  # registers keep minutes
        ("10：05", dt.time(10, 5)),
        ("2026-10-01 14:30:00", dt.time(14, 30)),
        (dt.time(10, 5, 30), dt.time(10, 5)),
        (dt.time(10, 4, 59, 999000), dt.time(10, 5)),  # float noise of an Excel time
        (dt.datetime(2026, 10, 1, 14, 30), dt.time(14, 30)),
        (dt.timedelta(hours=10, minutes=5), dt.time(10, 5)),
        (0.5, dt.time(12, 0)),
        (0.4201388888, dt.time(10, 5)),  # 10:05 as a fraction of a day
        (0.0, dt.time(0, 0)),
    ],
)
def test_times(raw, expected):
    assert Time().parse(raw, NO_LOOKUPS) == expected


@pytest.mark.parametrize("raw", ["25:00", "10:60", "1005", "上午", 1.5, -0.1, 0.99999999])
def test_bad_times(raw):
    with pytest.raises(Invalid) as exc:
        Time().parse(raw, NO_LOOKUPS)
    assert str(exc.value.reason) == "时间格式不正确，应为 HH:MM"


@pytest.mark.parametrize("raw", ["是", "Y", "y", "yes", "YES", "1", 1.0, True, "✓", "√", "true"])
def test_yes(raw):
    assert YesNo().parse(raw, NO_LOOKUPS) is True


@pytest.mark.parametrize("raw", ["否", "N", "no", "0", 0.0, False, "×", "false"])
def test_no(raw):
    assert YesNo().parse(raw, NO_LOOKUPS) is False


@pytest.mark.parametrize("raw", ["也许", "2", 2.0, "ok"])
def test_bad_yes_no(raw):
    with pytest.raises(Invalid) as exc:
        YesNo().parse(raw, NO_LOOKUPS)
    assert "是/否值不正确" in str(exc.value.reason)


@pytest.mark.parametrize(("raw", "expected"), [("A", "A"), ("h", "H"), (" O ", "O"), ("B级", "B")])
def test_grades(raw, expected):
    assert Grade().parse(raw, NO_LOOKUPS) == expected


@pytest.mark.parametrize("raw", ["D", "AA", "1"])
def test_bad_grades(raw):
    with pytest.raises(Invalid) as exc:
        Grade().parse(raw, NO_LOOKUPS)
    assert str(exc.value.reason) == "意向级别不正确，应为 O、H、A、B、C 之一"


@pytest.mark.parametrize(("raw", "expected"), [("3", 3), (2.0, 2), ("2人", 2), (1.0, 1)])
def test_counts(raw, expected):
    assert Count().parse(raw, NO_LOOKUPS) == expected


@pytest.mark.parametrize("raw", ["0", "-1", "2.5", 2.5, "两", "1000"])
def test_bad_counts(raw):
    with pytest.raises(Invalid) as exc:
        Count().parse(raw, NO_LOOKUPS)
    assert str(exc.value.reason) == "数字不正确，应为 1 到 999 之间的整数"


def test_text_is_limited_to_the_field_length():
    assert Text(3).parse("abc", NO_LOOKUPS) == "abc"
    with pytest.raises(Invalid) as exc:
        Text(3).parse("abcd", NO_LOOKUPS)
    assert str(exc.value.reason) == "内容过长，最多 3 个字符"


def test_excel_numbers_read_as_typed():
    assert as_text(13800000004.0) == "13800000004"
    assert as_text(12.5) == "12.5"


def test_visit_type_accepts_chinese_and_codes():
    visit_type = next(c for c in WALK_INS.columns if c.name == "visit_type").kind
    assert [visit_type.parse(v, NO_LOOKUPS) for v in ("首次", "再次", "first", "Repeat")] == [
        "first",
        "repeat",
        "first",
        "repeat",
    ]
    with pytest.raises(Invalid) as exc:
        visit_type.parse("第三次", NO_LOOKUPS)
    assert str(exc.value.reason) == "取值不正确，应为以下之一：首次 (first)、再次 (repeat)"


def test_headers_tolerate_spaces_case_and_required_marks():
    assert normalize_header("  Arrived At ") == normalize_header("arrived_at")
    assert normalize_header("日期*") == normalize_header(" 日期 ")


def test_every_form_column_maps_to_a_model_field():
    for form in FORMS:
        defaults = form.defaults()
        assert set(defaults) == {c.attr for c in form.columns}
    assert WALK_INS.defaults()["party_size"] == 1
    assert WALK_INS.defaults()["contact_kept"] is None
    assert WALK_INS.defaults()["invited"] is False
    assert CALLS.defaults()["appointment_date"] is None


def test_sheet_names_with_decorations():
    assert WALK_INS.matches_sheet_name("展厅来店客户登记表（日）")
    assert WALK_INS.matches_sheet_name("来店客户登记表(日)")
    assert WALK_INS.matches_sheet_name("Walk-ins")
    assert WALK_INS.matches_sheet_name("walk_ins")
    assert not WALK_INS.matches_sheet_name("来电客户登记表")
    assert CALLS.matches_sheet_name("展厅来电客户登记表(日)")
    assert not CALLS.matches_sheet_name("展厅来店统计表(月)")


class _Local:
    tz = dt.timezone(dt.timedelta(hours=8))


LOCAL = _Local()
UTC8 = _Local.tz


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-10-01 09:30", dt.datetime(2026, 10, 1, 9, 30, tzinfo=UTC8)),
        ("2026/10/1 9:30:15", dt.datetime(2026, 10, 1, 9, 30, 15, tzinfo=UTC8)),
        ("2026年10月1日 9点30", dt.datetime(2026, 10, 1, 9, 30, tzinfo=UTC8)),
        ("2026-10-01T01:30:00Z", dt.datetime(2026, 10, 1, 1, 30, tzinfo=dt.UTC)),
        ("2026-10-01T09:30:00+08:00", dt.datetime(2026, 10, 1, 9, 30, tzinfo=UTC8)),
        (dt.datetime(2026, 10, 1, 9, 29, 59, 999800), dt.datetime(2026, 10, 1, 9, 30, tzinfo=UTC8)),
        (46296.395833333336, dt.datetime(2026, 10, 1, 9, 30, tzinfo=UTC8)),  # Excel's serial
    ],
)
def test_date_and_time(raw, expected):
    value = DateTime().parse(raw, LOCAL)
    assert value == expected
    assert value.utcoffset() is not None


@pytest.mark.parametrize(
    "raw", ["2026-10-01", "9:30", "2026-10-32 09:30", dt.date(2026, 10, 1), "明天"]
)
def test_bad_date_and_time(raw):
    with pytest.raises(Invalid) as exc:
        DateTime().parse(raw, LOCAL)
    assert str(exc.value.reason) == "日期时间格式不正确，应为 YYYY-MM-DD HH:MM"


def test_date_and_time_written_back():
    kind = DateTime()
    assert kind.to_csv(dt.datetime(2026, 10, 1, 9, 30)) == "2026-10-01 09:30"
    assert kind.to_csv(dt.datetime(2026, 10, 1, 9, 30, 15)) == "2026-10-01 09:30:15"
    # The key is the moment, whatever zone it was written in.
    assert kind.key(dt.datetime(2026, 10, 1, 9, 30, tzinfo=UTC8)) == kind.key(
        dt.datetime(2026, 10, 1, 1, 30, tzinfo=dt.UTC)
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("5000", Decimal("5000.00")),
        (5000.0, Decimal("5000.00")),
        ("5,000.5", Decimal("5000.50")),
        ("¥5000", Decimal("5000.00")),
        ("5000元", Decimal("5000.00")),
        (0.1 + 0.2, Decimal("0.30")),
        ("0", Decimal("0.00")),
    ],
)
def test_money(raw, expected):
    assert Money().parse(raw, NO_LOOKUPS) == expected


@pytest.mark.parametrize("raw", ["-1", "五千", "1e3x", "NaN", "Infinity", 1e12])
def test_bad_money(raw):
    with pytest.raises(Invalid) as exc:
        Money(12).parse(raw, NO_LOOKUPS)
    assert str(exc.value.reason) == "金额不正确，应为 5000 或 5000.00 这样的数字"


def test_money_written_back():
    assert Money().to_csv(Decimal("5000")) == "5000.00"
    assert Money().to_csv(None) == ""


def test_phone_with_digits_required():
    assert Phone(32, digits_required=True).parse("+86 138-0000-0001", NO_LOOKUPS) == (
        "+86 138-0000-0001"
    )
    with pytest.raises(Invalid):
        Phone(32, digits_required=True).parse("无", NO_LOOKUPS)
    assert Phone(32).parse("无", NO_LOOKUPS) == "无"  # a register keeps what was written


def test_vin():
    assert VIN.parse(" lbe 12345678901234 ", NO_LOOKUPS) == "LBE12345678901234"
    assert VIN.parse("901234", NO_LOOKUPS) == "901234"  # old cards: the last digits
    for bad in ("LBE-1234", "LBE123456789012345", "车架号"):
        with pytest.raises(Invalid):
            VIN.parse(bad, NO_LOOKUPS)


@pytest.mark.parametrize(
    ("sheet", "form"),
    [
        ("客户信息卡", CUSTOMERS),
        ("意向客户信息卡(2026)", CUSTOMERS),
        ("Customers", CUSTOMERS),
        ("营业日报表（10月）", ACTIVITIES),
        ("activities", ACTIVITIES),
        ("订单交车", ORDERS),
        ("订单", ORDERS),
        ("orders", ORDERS),
        ("战败失控", LOSSES),
        ("战败客户", LOSSES),
        ("losses", LOSSES),
        ("线索", LEADS),
        ("Leads", LEADS),
    ],
)
def test_sheet_names_of_the_new_forms(sheet, form):
    assert [f for f in FORMS if f.matches_sheet_name(sheet)] == [form]


def test_report_sheets_are_no_form():
    for name in ("展厅来店统计表", "展厅来电统计表", "说明"):
        assert not any(f.matches_sheet_name(name) for f in FORMS)
