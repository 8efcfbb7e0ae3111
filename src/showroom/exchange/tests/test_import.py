import datetime as dt

import openpyxl
import pytest
from django.core.management import ManagementUtility

from showroom.exchange.tests.builders import call, table, walk_in
from showroom.organization.choices import Role
from showroom.organization.models import Staff, Store
from showroom.traffic.models import Call, WalkIn
from tests import factories as f

pytestmark = pytest.mark.django_db

WALK_INS = "来店客户登记表"
CALLS = "来电客户登记表"


def walk_in_rows():
    return list(
        WalkIn.objects.order_by("date", "arrived_at", "id").values_list(
            "store__code",
            "date",
            "arrived_at",
            "left_at",
            "party_size",
            "visit_type",
            "name",
            "phone",
            "phone_norm",
            "source__code",
            "model",
            "consultant__username",
            "invited",
            "test_drive",
            "quoted",
            "grade",
            "contact_kept",
            "hand_card",
            "notes",
            "stay_minutes",
            "completed",
        )
    )


def call_rows():
    return list(
        Call.objects.order_by("date", "called_at", "id").values_list(
            "store__code",
            "date",
            "called_at",
            "call_type",
            "name",
            "phone",
            "source__code",
            "model",
            "consultant__username",
            "contact_kept",
            "appointment_date",
            "grade",
            "notes",
        )
    )


def test_imports_a_full_workbook(xlsx, run_import, consultant, consultant2):
    path = xlsx(
        {
            "展厅来店客户登记表(日)": [
                ["北京一店 展厅来店客户登记表 2026年10月"],
                [],
                [
                    "日期",
                    "进店时间",
                    "离店时间",
                    "人数",
                    "来店类型",
                    "客户姓名",
                    "联系电话",
                    "信息来源",
                    "意向车型",
                    "销售顾问",
                    "邀约到店",
                    "试乘试驾",
                    "报价",
                    "意向级别",
                    "是否留档",
                    "手卡号",
                    "备注",
                ],
                [
                    dt.date(2026, 10, 1),
                    dt.time(10, 5),
                    dt.time(11, 20),
                    3,
                    "首次",
                    "王先生",
                    13800000001,
                    "网络(汽车网站)",
                    "途胜",
                    "张伟",
                    "是",
                    "✓",
                    "否",
                    "A",
                    None,
                    12,
                    "带孩子",
                ],
                [
                    "2026-10-02",
                    "14:30",
                    None,
                    None,
                    "再次",
                    None,
                    None,
                    "walk_by",
                    None,
                    "C002",
                    None,
                    None,
                    None,
                    None,
                    "否",
                    None,
                    None,
                ],
            ],
            "展厅来电客户登记表(日)": [
                [
                    "日期",
                    "来电时间",
                    "来电类型",
                    "客户姓名",
                    "联系电话",
                    "信息来源",
                    "意向车型",
                    "销售顾问",
                    "是否留档",
                    "预约到店日期",
                    "意向级别",
                    "备注",
                ],
                [
                    "2026/10/3",
                    "9:15",
                    "首次",
                    "赵女士",
                    "139-0000-0002",
                    "厂家官网/400",
                    "索纳塔",
                    "李娜",
                    "Y",
                    "2026-10-05",
                    "b",
                    "问价格",
                ],
            ],
        }
    )

    run = run_import(path)

    assert run.ok, run.err
    assert walk_in_rows() == [
        (
            "BJ01",
            dt.date(2026, 10, 1),
            dt.time(10, 5),
            dt.time(11, 20),
            3,
            "first",
            "王先生",
            "13800000001",
            "13800000001",
            "internet",
            "途胜",
            "zhang",
            True,
            True,
            False,
            "A",
            None,
            "12",
            "带孩子",
            75,
            True,
        ),
        (
            "BJ01",
            dt.date(2026, 10, 2),
            dt.time(14, 30),
            None,
            1,
            "repeat",
            "",
            "",
            "",
            "walk_by",
            "",
            "li",
            False,
            False,
            False,
            "",
            False,
            "",
            "",
            None,
            True,
        ),
    ]
    assert call_rows() == [
        (
            "BJ01",
            dt.date(2026, 10, 3),
            dt.time(9, 15),
            "first",
            "赵女士",
            "139-0000-0002",
            "oem",
            "索纳塔",
            "li",
            True,
            dt.date(2026, 10, 5),
            "B",
            "问价格",
        ),
    ]
    assert run.out.splitlines() == [
        "来店客户登记表（BJ01）：新增 2 行，更新 0 行，未变 0 行",
        "来电客户登记表（BJ01）：新增 1 行，更新 0 行，未变 0 行",
        "共检查 3 行。",
    ]
    assert run.err == ""


def test_rows_link_to_existing_customers_by_phone_and_create_none(
    xlsx, run_import, store, other_store, consultant
):
    customer = f.CustomerFactory(store=store, phone="138 0000 0001", consultant=consultant)
    f.CustomerFactory(store=other_store, phone="13900000002", consultant=None)
    path = xlsx(
        {
            WALK_INS: table(walk_in(联系电话="+86 13800000001")),
            CALLS: table(call(联系电话="13900000002")),
        }
    )

    assert run_import(path).ok

    assert WalkIn.objects.get().customer == customer
    assert Call.objects.get().customer is None  # the customer with that phone is another store's
    assert store.customers.count() == 1


def test_reimport_changes_nothing(xlsx, run_import, consultant):
    rows = table(walk_in(), walk_in(客户姓名="", 联系电话=""), walk_in(客户姓名="", 联系电话=""))
    path = xlsx({WALK_INS: rows, CALLS: table(call())})
    assert run_import(path).ok
    keys = WalkIn.objects.values_list("pk", "import_key")
    before = walk_in_rows(), call_rows(), list(keys)

    again = run_import(path)

    assert again.ok
    assert again.out.splitlines()[:2] == [
        "来店客户登记表（BJ01）：新增 0 行，更新 0 行，未变 3 行",
        "来电客户登记表（BJ01）：新增 0 行，更新 0 行，未变 1 行",
    ]
    assert (walk_in_rows(), call_rows(), list(keys)) == before
    assert WalkIn.objects.count() == 3  # two identical anonymous parties stay two
    assert WalkIn.history.count() == 3  # the second import wrote no history either


def test_reimport_of_an_edited_file_updates_the_rows(xlsx, run_import, consultant):
    assert run_import(xlsx({WALK_INS: table(walk_in(意向级别="C"))})).ok
    row = WalkIn.objects.get()

    edited = xlsx({WALK_INS: table(walk_in(意向级别="A", 离店时间="10:45"))}, name="v2.xlsx")
    run = run_import(edited)

    assert run.out.splitlines()[0] == "来店客户登记表（BJ01）：新增 0 行，更新 1 行，未变 0 行"
    row.refresh_from_db()
    assert (row.grade, row.left_at, row.stay_minutes, row.version) == ("A", dt.time(10, 45), 45, 2)
    assert WalkIn.objects.count() == 1
    assert [h.grade for h in row.history.order_by("history_id")] == ["C", "A"]


def test_the_same_file_twice_in_one_import_adds_its_rows_once(xlsx, run_import, consultant):
    path = xlsx({WALK_INS: table(walk_in())})

    run = run_import(path, path)

    assert run.out.splitlines()[0] == "来店客户登记表（BJ01）：新增 1 行，更新 0 行，未变 1 行"
    assert WalkIn.objects.count() == 1


def test_dry_run_writes_nothing(xlsx, run_import, consultant):
    path = xlsx({WALK_INS: table(walk_in(), walk_in(进店时间="11:00")), CALLS: table(call())})

    run = run_import(path, dry_run=True)

    assert run.ok
    assert run.out.splitlines() == [
        "试运行：未写入任何数据。正式导入将会：",
        "来店客户登记表（BJ01）：新增 2 行，更新 0 行，未变 0 行",
        "来电客户登记表（BJ01）：新增 1 行，更新 0 行，未变 0 行",
        "共检查 3 行。",
    ]
    assert (WalkIn.objects.count(), Call.objects.count()) == (0, 0)


def test_dry_run_of_a_new_store_and_staff_creates_neither(xlsx, run_import, store):
    run = run_import(
        xlsx({WALK_INS: table(walk_in())}),
        store="NEW1",
        create_store=True,
        create_staff=True,
        dry_run=True,
    )

    assert run.ok, run.err
    assert run.out.splitlines()[:3] == [
        "试运行：未写入任何数据。正式导入将会：",
        "新建门店：NEW1",
        "新建销售顾问（NEW1）：张伟（设置密码后才能登录）",
    ]
    assert not Store.objects.filter(code="NEW1").exists()
    assert not Staff.objects.filter(full_name="张伟").exists()


def test_headers_in_english_and_chinese_in_any_order_with_an_unknown_column(
    xlsx, run_import, consultant
):
    path = xlsx(
        {
            "Sheet1": [
                [
                    " consultant ",
                    "Visit Type",
                    "客户姓名",
                    "备用列",
                    "date",
                    "arrived_at ",
                    "phone",
                ],
                ["C001", "repeat", "钱先生", "忽略我", "2026-10-04", "16:00", "13700000003"],
            ],
            "Sheet2": [
                ["called_at", "日期", "call_type", "销售顾问"],
                ["10:00", "2026-10-04", "再次", "张伟"],
            ],
        }
    )

    run = run_import(path)

    assert run.ok, run.err
    assert run.lines == ["警告：book.xlsx，工作表「Sheet1」：未知列「备用列」，已忽略"]
    fields = ("date", "arrived_at", "visit_type", "name", "phone")
    assert WalkIn.objects.values_list(*fields).get() == (
        dt.date(2026, 10, 4),
        dt.time(16, 0),
        "repeat",
        "钱先生",
        "13700000003",
    )
    assert Call.objects.values_list("called_at", "call_type").get() == (dt.time(10, 0), "repeat")


def test_unrecognized_sheets_are_skipped_with_a_warning(xlsx, run_import, consultant):
    path = xlsx(
        {
            "说明": [["填写说明"], ["日期请填写 YYYY-MM-DD"]],
            WALK_INS: table(walk_in()),
            "空表": [],
        }
    )

    run = run_import(path)

    assert run.ok
    assert run.lines == [
        "警告：book.xlsx，工作表「说明」：无法识别的表单（工作表名称或表头），已跳过",
        "警告：book.xlsx，工作表「空表」：空工作表，已跳过",
    ]
    assert WalkIn.objects.count() == 1


def test_real_excel_dates_and_times(tmp_path, run_import, consultant):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = WALK_INS
    sheet.append(["日期", "进店时间", "离店时间", "来店类型", "销售顾问", "联系电话", "人数"])
    sheet.append(
        [
            dt.date(2026, 10, 1),
            dt.time(9, 5),
            dt.datetime(2026, 10, 1, 9, 50),
            "首次",
            "张伟",
            13800000004,
            2.0,
        ]
    )
    sheet.append([dt.datetime(2026, 10, 2, 0, 0), None, None, "首次", "张伟", None, None])
    # Typed as numbers with date and time formats, as Excel keeps them.
    sheet["B3"] = 0.4201388888888889  # 10:05
    sheet["B3"].number_format = "h:mm"
    sheet["A4"] = 46297  # 2026-10-02
    sheet["A4"].number_format = "yyyy/m/d"
    sheet["B4"] = 0.75
    sheet["B4"].number_format = "hh:mm"
    for column in "DE":
        sheet[f"{column}4"] = sheet[f"{column}3"].value
    path = tmp_path / "excel.xlsx"
    workbook.save(path)

    assert run_import(path).ok

    fields = ("date", "arrived_at", "left_at", "phone", "party_size")
    assert list(WalkIn.objects.values_list(*fields)) == [
        (dt.date(2026, 10, 1), dt.time(9, 5), dt.time(9, 50), "13800000004", 2),
        (dt.date(2026, 10, 2), dt.time(10, 5), None, "", 1),
        (dt.date(2026, 10, 2), dt.time(18, 0), None, "", 1),
    ]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_files_in_the_encodings_excel_writes(csv_file, run_import, consultant, encoding):
    walk_ins = csv_file("walk_ins.csv", table(walk_in(备注="老客户介绍，想看SUV")), encoding)
    calls = csv_file(
        "来电登记.csv",
        [
            ["date", "called_at", "call_type", "consultant", "name", "source"],
            ["2026-10-01", "09:30", "first", "张伟", "赵女士", "朋友介绍"],
        ],
        encoding,
    )

    run = run_import(walk_ins, calls)

    assert run.ok, run.err
    assert WalkIn.objects.values_list("name", "notes").get() == ("王先生", "老客户介绍，想看SUV")
    assert Call.objects.values_list("name", "source__code").get() == ("赵女士", "friend")


def test_create_staff_creates_a_consultant_who_cannot_log_in_yet(xlsx, run_import, store):
    rows = table(walk_in(销售顾问="孙悟空"), walk_in(销售顾问="孙悟空", 进店时间="11:00"))
    path = xlsx({WALK_INS: rows})

    run = run_import(path, create_staff=True)

    assert run.ok, run.err
    staff = Staff.objects.get(full_name="孙悟空")
    assert (staff.store, staff.username, staff.roles, staff.is_active) == (
        store,
        "bj01.孙悟空",
        Role.CONSULTANT,
        True,
    )
    assert not staff.has_usable_password()
    assert list(WalkIn.objects.values_list("consultant", flat=True)) == [staff.pk, staff.pk]
    assert "新建销售顾问（BJ01）：孙悟空（设置密码后才能登录）" in run.out


def test_create_store(xlsx, run_import, store):
    path = xlsx({WALK_INS: table(walk_in())})

    run = run_import(path, store="GZ01", create_store=True, create_staff=True)

    assert run.ok, run.err
    new = Store.objects.get(code="GZ01")
    assert WalkIn.objects.get().store == new
    assert Staff.objects.get(full_name="张伟").store == new


def test_consultant_named_twice_in_the_store_must_be_given_by_code(
    xlsx, run_import, consultant, make_staff, store
):
    make_staff("zhang2", Role.CONSULTANT, store=store, full_name="张伟", staff_code="C009")

    run = run_import(xlsx({WALK_INS: table(walk_in(), walk_in(销售顾问="C009", 进店时间="11:00"))}))

    assert run.lines == [
        "book.xlsx，工作表「来店客户登记表」，第 2 行，列「销售顾问」，值「张伟」："
        "有多名员工同名，请改用工号"
    ]


def test_a_consultant_of_another_store_is_unknown(xlsx, run_import, store, other_store):
    f.StaffFactory(store=other_store, username="sh", full_name="张伟", staff_code="C001")

    run = run_import(xlsx({WALK_INS: table(walk_in())}))

    assert not run.ok
    assert WalkIn.objects.count() == 0


def test_store_column_must_name_an_imported_store(csv_file, run_import, consultant, other_store):
    rows = [
        ["store", "date", "arrived_at", "visit_type", "consultant"],
        ["BJ01", "2026-10-01", "10:00", "first", "张伟"],
        ["SH01", "2026-10-01", "10:00", "first", "张伟"],
    ]

    run = run_import(csv_file("walk_ins.csv", rows))

    assert run.lines == [
        "walk_ins.csv，第 3 行，列「store」，值「SH01」：该门店不在 --store 指定的门店之中"
    ]
    assert WalkIn.objects.count() == 0


def test_several_stores_in_one_file(csv_file, run_import, consultant, other_store):
    f.StaffFactory(store=other_store, username="sh", full_name="周杰", staff_code="S001")
    rows = [
        ["store", "date", "arrived_at", "visit_type", "consultant"],
        ["BJ01", "2026-10-01", "10:00", "first", "张伟"],
        ["SH01", "2026-10-01", "10:00", "first", "周杰"],
    ]

    run = run_import(csv_file("walk_ins.csv", rows), store="BJ01,SH01")

    assert run.ok, run.err
    assert sorted(WalkIn.objects.values_list("store__code", "consultant__username")) == [
        ("BJ01", "zhang"),
        ("SH01", "sh"),
    ]


def test_exit_status_and_chinese_errors_on_the_command_line(xlsx, consultant, capsys, monkeypatch):
    # The command line closes the connections when done; the test's transaction needs its own.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    path = xlsx({WALK_INS: table(walk_in(日期="2026-13-01"))})

    with pytest.raises(SystemExit) as exit_:
        ManagementUtility(["showroom", "import", "--store", "BJ01", str(path)]).execute()

    assert exit_.value.code == 1
    assert capsys.readouterr().err.splitlines() == [
        "book.xlsx，工作表「来店客户登记表」，第 2 行，列「日期」，值「2026-13-01」："
        "日期格式不正确，应为 YYYY-MM-DD",
        "CommandError: 共 1 处错误，未导入任何数据。",
    ]
    assert WalkIn.objects.count() == 0


def test_progress_is_reported_for_long_files(csv_file, run_import, consultant):
    rows = [
        walk_in(进店时间=f"{9 + i // 60 % 10}:{i % 60:02d}", 日期=f"2026-10-{1 + i // 600:02d}")
        for i in range(2500)
    ]

    run = run_import(csv_file("walk_ins.csv", table(*rows)))

    assert run.ok
    assert run.lines == [
        "已检查 1000 / 2500 行",
        "已检查 2000 / 2500 行",
        "已检查 2500 / 2500 行",
        "已写入 1000 / 2500 行",
        "已写入 2000 / 2500 行",
        "已写入 2500 / 2500 行",
    ]
    assert WalkIn.objects.count() == 2500

    again = run_import(csv_file("walk_ins.csv", table(*rows)), dry_run=True)

    assert again.lines[-1] == "已与现有数据比对 2500 / 2500 行"


def test_store_codes_in_either_case(csv_file, run_import, consultant):
    rows = [["store", *table(walk_in())[0]], ["bj01", *table(walk_in())[1]]]

    assert run_import(csv_file("walk_ins.csv", rows), store="bj01").ok

    assert WalkIn.objects.get().store.code == "BJ01"


def _rows_the_planner_knows(table_name: str) -> int | None:
    """The row count of `table_name` in the planner's statistics (None: none yet)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone() is None:
                return None
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s", [table_name])
            found = {int(stat.split()[0]) for (stat,) in cursor.fetchall()}
            return max(found) if found else None
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table_name])
        (count,) = cursor.fetchone()
        return None if count < 0 else int(count)


def test_a_large_import_leaves_the_planner_statistics_of_what_it_wrote(
    csv_file, run_import, consultant
):
    # A few rows change no plan; a dealer's year of walk-ins would, until statistics come.
    few = csv_file("walk_ins.csv", table(walk_in()))
    assert run_import(few).ok
    before = _rows_the_planner_knows("traffic_walkin")
    assert before != 1
    day = dt.date(2026, 1, 1)
    rows = [
        walk_in(日期=day + dt.timedelta(days=n % 280), 联系电话=f"139{n:08d}") for n in range(1000)
    ]
    many = csv_file("walk_ins.csv", table(*rows))
    run = run_import(many)
    assert run.ok, run.error
    assert WalkIn.objects.count() == 1001
    assert _rows_the_planner_knows("traffic_walkin") == 1001


def test_an_import_that_writes_nothing_leaves_the_planner_statistics_alone(
    csv_file, run_import, consultant, store
):
    rows = [walk_in(联系电话=f"139{n:08d}") for n in range(1000)]
    many = csv_file("walk_ins.csv", table(*rows))
    assert run_import(many).ok
    assert _rows_the_planner_knows("traffic_walkin") == 1000
    for n in range(5):  # rows the statistics do not know of yet
        WalkIn.objects.create(
            store=store,
            date=dt.date(2026, 10, 1),
            arrived_at=dt.time(10, n),
            consultant=consultant,
            name=f"散客{n}",
        )

    again = run_import(many)

    assert again.ok, again.error
    assert "新增 0 行，更新 0 行，未变 1000 行" in again.out
    # 1,000 rows compared and none written: no ANALYZE of the table.
    assert _rows_the_planner_knows("traffic_walkin") == 1000
