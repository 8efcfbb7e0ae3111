"""Every bad cell is reported as (file, sheet, row as Excel numbers it, column as written, value,
reason), and nothing at all is written."""

import pytest

from showroom.exchange.tests.builders import call, table, walk_in
from showroom.organization.models import Staff, Store
from showroom.traffic.models import Call, WalkIn

pytestmark = pytest.mark.django_db

WALK_INS = "来店客户登记表"
CALLS = "来电客户登记表"
PLACE = "book.xlsx，工作表「来店客户登记表」，第 3 行，"


def nothing_written():
    return WalkIn.objects.count() == 0 and Call.objects.count() == 0


def import_bad_cell(xlsx, run_import, **bad):
    """A good row, then a row with one bad cell: only the bad cell is reported."""
    run = run_import(xlsx({WALK_INS: table(walk_in(), walk_in(**{"进店时间": "11:00", **bad}))}))
    assert not run.ok
    assert run.error == "共 1 处错误，未导入任何数据。"
    assert nothing_written()
    return run.lines


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        ({"日期": "2026-13-01"}, "列「日期」，值「2026-13-01」：日期格式不正确，应为 YYYY-MM-DD"),
        ({"日期": "10月1日"}, "列「日期」，值「10月1日」：日期格式不正确，应为 YYYY-MM-DD"),
        ({"离店时间": "25:10"}, "列「离店时间」，值「25:10」：时间格式不正确，应为 HH:MM"),
        ({"进店时间": "上午十点"}, "列「进店时间」，值「上午十点」：时间格式不正确，应为 HH:MM"),
        (
            {"销售顾问": "诸葛亮"},
            "列「销售顾问」，值「诸葛亮」：未知的销售顾问，应为本店员工的姓名或工号；"
            "或使用 --create-staff 导入以新建顾问",
        ),
        (
            {"信息来源": "抖音"},
            "列「信息来源」，值「抖音」：未知的信息来源，应为本店的信息来源名称或代码",
        ),
        (
            {"试乘试驾": "可能"},
            "列「试乘试驾」，值「可能」：是/否值不正确，应为 是/否、Y/N、yes/no、1/0 或 ✓",
        ),
        (
            {"是否留档": "2"},
            "列「是否留档」，值「2」：是/否值不正确，应为 是/否、Y/N、yes/no、1/0 或 ✓",
        ),
        ({"意向级别": "D"}, "列「意向级别」，值「D」：意向级别不正确，应为 O、H、A、B、C 之一"),
        (
            {"来店类型": "第三次"},
            "列「来店类型」，值「第三次」：取值不正确，应为以下之一：首次 (first)、再次 (repeat)",
        ),
        ({"人数": 0}, "列「人数」，值「0」：数字不正确，应为 1 到 999 之间的整数"),
        ({"人数": "2.5"}, "列「人数」，值「2.5」：数字不正确，应为 1 到 999 之间的整数"),
        ({"客户姓名": "长" * 51}, f"列「客户姓名」，值「{'长' * 51}」：内容过长，最多 50 个字符"),
    ],
    ids=[
        "date",
        "date-without-year",
        "time",
        "time-words",
        "consultant",
        "source",
        "yes-no",
        "contact-kept",
        "grade",
        "visit-type",
        "party-size-zero",
        "party-size-fraction",
        "too-long",
    ],
)
def test_bad_cell(xlsx, run_import, consultant, bad, expected):
    assert import_bad_cell(xlsx, run_import, **bad) == [PLACE + expected]


@pytest.mark.parametrize("header", ["日期", "进店时间", "来店类型", "销售顾问"])
def test_missing_required_value(xlsx, run_import, consultant, header):
    assert import_bad_cell(xlsx, run_import, **{header: None}) == [
        f"{PLACE}列「{header}」：必填项不能为空"
    ]


def test_missing_required_columns(xlsx, run_import, consultant):
    rows = table(walk_in())
    keep = [i for i, h in enumerate(rows[0]) if h not in ("进店时间", "销售顾问")]
    path = xlsx({WALK_INS: [[row[i] for i in keep] for row in rows]})

    run = run_import(path)

    assert run.lines == [
        "book.xlsx，工作表「来店客户登记表」，第 1 行，列「进店时间」：缺少必填列",
        "book.xlsx，工作表「来店客户登记表」，第 1 行，列「销售顾问」：缺少必填列",
    ]
    assert nothing_written()


def test_a_named_sheet_without_a_header_row(xlsx, run_import, consultant):
    run = run_import(xlsx({WALK_INS: [["王先生", "13800000001"]]}))

    assert run.lines == [
        "book.xlsx，工作表「来店客户登记表」："
        "找不到表头行，应包含 日期、进店时间、离店时间、人数 等列"
    ]


def test_a_column_given_twice(xlsx, run_import, consultant):
    rows = table(walk_in())
    path = xlsx({WALK_INS: [[*rows[0], "date"], [*rows[1], "2026-10-02"]]})

    assert run_import(path).lines == [
        "book.xlsx，工作表「来店客户登记表」，第 1 行，列「date」：列重复出现"
    ]
    assert nothing_written()


def test_every_bad_cell_is_reported(xlsx, run_import, consultant):
    path = xlsx(
        {
            WALK_INS: [
                ["标题"],
                *table(walk_in(日期="2026-02-30", 意向级别="X"), walk_in(销售顾问="")),
            ],
            CALLS: table(call(来电时间="9点半")),
        }
    )

    run = run_import(path)

    walk_ins = "book.xlsx，工作表「来店客户登记表」，"
    calls = "book.xlsx，工作表「来电客户登记表」，"
    assert run.lines == [
        walk_ins + "第 3 行，列「日期」，值「2026-02-30」：日期格式不正确，应为 YYYY-MM-DD",
        walk_ins + "第 3 行，列「意向级别」，值「X」：意向级别不正确，应为 O、H、A、B、C 之一",
        walk_ins + "第 4 行，列「销售顾问」：必填项不能为空",
        calls + "第 2 行，列「来电时间」，值「9点半」：时间格式不正确，应为 HH:MM",
    ]
    assert run.error == "共 4 处错误，未导入任何数据。"


def test_a_bad_sheet_stops_the_good_sheet_too(xlsx, run_import, consultant):
    path = xlsx(
        {
            WALK_INS: table(walk_in(), walk_in(进店时间="11:00")),
            CALLS: table(call(), call(来电类型="回访")),
        }
    )

    run = run_import(path)

    assert not run.ok
    assert len(run.lines) == 1
    assert nothing_written()


def test_a_bad_file_stops_the_good_files_too(xlsx, csv_file, run_import, consultant):
    good = xlsx({WALK_INS: table(walk_in())}, name="good.xlsx")
    bad = csv_file("calls.csv", table(call(销售顾问="无名氏")))

    run = run_import(good, bad)

    assert run.lines == [
        "calls.csv，第 2 行，列「销售顾问」，值「无名氏」："
        "未知的销售顾问，应为本店员工的姓名或工号；或使用 --create-staff 导入以新建顾问"
    ]
    assert nothing_written()


def test_bad_rows_create_no_staff_and_no_store(xlsx, run_import, store):
    path = xlsx({WALK_INS: table(walk_in(), walk_in(日期="昨天"))})

    run = run_import(path, store="NEW1", create_store=True, create_staff=True)

    assert not run.ok
    assert not Store.objects.filter(code="NEW1").exists()
    assert not Staff.objects.filter(full_name="张伟").exists()


def test_unknown_store_without_create_store(xlsx, run_import, consultant):
    run = run_import(xlsx({WALK_INS: table(walk_in())}), store="GZ01")

    assert run.lines == [
        "值「GZ01」：未知的门店（现有门店：BJ01）；如需新建，请使用 --create-store 导入"
    ]
    assert not Store.objects.filter(code="GZ01").exists()
    assert nothing_written()


def test_a_missing_file_and_an_unsupported_one(tmp_path, run_import, consultant):
    (tmp_path / "notes.docx").write_bytes(b"PK")

    run = run_import(tmp_path / "missing.xlsx", tmp_path / "notes.docx")

    assert run.lines == [
        "missing.xlsx：文件不存在",
        "notes.docx：不支持的文件类型，请使用 .xlsx 或 .csv",
    ]


def test_a_damaged_workbook(tmp_path, run_import, consultant):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"not a zip file")

    run = run_import(path)

    assert not run.ok
    assert run.lines[0].startswith("broken.xlsx：无法读取工作簿：")


def test_a_bad_header_and_a_bad_cell_elsewhere_are_both_reported(xlsx, run_import, consultant):
    calls = table(call())
    path = xlsx(
        {
            WALK_INS: table(walk_in(日期="2026-10-32")),
            CALLS: [[h for h in calls[0] if h != "来电类型"], ["2026-10-01"]],
        }
    )

    # Headers are checked as the files are read, before any row.
    assert run_import(path).lines == [
        "book.xlsx，工作表「来电客户登记表」，第 1 行，列「来电类型」：缺少必填列",
        "book.xlsx，工作表「来店客户登记表」，第 2 行，列「日期」，值「2026-10-32」："
        "日期格式不正确，应为 YYYY-MM-DD",
    ]


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (
            {"来电类型": "回访"},
            "列「来电类型」，值「回访」：取值不正确，应为以下之一：首次 (first)、再次 (repeat)",
        ),
        (
            {"预约到店日期": "下周六"},
            "列「预约到店日期」，值「下周六」：日期格式不正确，应为 YYYY-MM-DD",
        ),
        ({"来电时间": None}, "列「来电时间」：必填项不能为空"),
    ],
    ids=["call-type", "appointment-date", "call-time-missing"],
)
def test_bad_call_cell(xlsx, run_import, consultant, bad, expected):
    run = run_import(xlsx({CALLS: table(call(), call(**{"来电时间": "10:00", **bad}))}))

    assert run.lines == ["book.xlsx，工作表「来电客户登记表」，第 3 行，" + expected]
    assert nothing_written()
