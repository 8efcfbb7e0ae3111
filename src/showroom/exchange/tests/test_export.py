import datetime as dt

import openpyxl
import pytest

from showroom.exchange import exports
from showroom.exchange.columns import CALLS, WALK_INS
from showroom.exchange.exports import ExportError, export, parse_months
from showroom.exchange.tests.builders import run_command
from showroom.organization.choices import Role
from showroom.organization.models import ExportRecord
from showroom.traffic.models import Call, WalkIn
from tests import factories as f

pytestmark = pytest.mark.django_db

FORM_SHEETS = [
    "来店客户登记表",
    "来电客户登记表",
    "客户信息卡",
    "营业日报表",
    "订单交车",
    "战败失控",
    "线索",
    "激活",
    "回厂",
    "销售目标",
]
OTHER_FORMS = (
    "customers",
    "activities",
    "orders",
    "losses",
    "leads",
    "reactivations",
    "service_visits",
    "targets",
)


@pytest.fixture
def registers(store, other_store, consultant, consultant2):
    """October rows of BJ01 with every field used, plus rows the export must leave out."""
    customer = f.CustomerFactory(store=store, phone="13800000001", consultant=consultant)
    rows = [
        f.WalkInFactory(
            store=store,
            date=dt.date(2026, 10, 1),
            arrived_at=dt.time(10, 5),
            left_at=dt.time(11, 20),
            party_size=3,
            visit_type="first",
            name="王先生",
            phone="13800000001",
            source=f.source("internet"),
            model="途胜",
            consultant=consultant,
            invited=True,
            test_drive=True,
            quoted=False,
            grade="A",
            contact_kept=None,
            hand_card="12",
            notes="带孩子",
            customer=customer,
        ),
        f.WalkInFactory(
            store=store,
            date=dt.date(2026, 10, 31),
            arrived_at=dt.time(17, 45),
            visit_type="repeat",
            consultant=consultant2,
            contact_kept=False,
            source=f.source("walk_by"),
        ),
        f.CallFactory(
            store=store,
            date=dt.date(2026, 10, 3),
            called_at=dt.time(9, 15),
            call_type="first",
            name="赵女士",
            phone="13900000002",
            source=f.source("oem"),
            model="索纳塔",
            consultant=consultant2,
            contact_kept=True,
            appointment_date=dt.date(2026, 10, 5),
            grade="B",
            notes="问价格",
        ),
    ]
    f.WalkInFactory(store=store, date=dt.date(2026, 9, 30), consultant=consultant)
    f.WalkInFactory(store=store, date=dt.date(2026, 11, 1), consultant=consultant)
    f.WalkInFactory(
        store=other_store,
        date=dt.date(2026, 10, 1),
        consultant=f.StaffFactory(store=other_store, username="sh"),
    )
    return rows


def values(sheet):
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_workbook_has_a_formatted_sheet_per_form(tmp_path, registers):
    out = tmp_path / "out" / "bj01.xlsx"

    run = run_command("export", out, store="BJ01", month="2026-10")

    assert run.ok, run.error
    assert run.out.splitlines() == [
        "来店客户登记表（BJ01）：2 行",
        "来电客户登记表（BJ01）：1 行",
        "客户信息卡（BJ01）：1 行",
        "营业日报表（BJ01）：0 行",
        "订单交车（BJ01）：0 行",
        "战败失控（BJ01）：0 行",
        "线索（BJ01）：0 行",
        "激活（BJ01）：0 行",
        "回厂（BJ01）：0 行",
        "销售目标（BJ01）：0 行",
        f"已写入：{out}",
    ]
    book = openpyxl.load_workbook(out)
    # The form sheets first; the monthly statistics (kpi's extra sheets) follow.
    assert book.sheetnames == [*FORM_SHEETS, "展厅来店统计表", "展厅来电统计表"]
    walk_ins, calls = book["来店客户登记表"], book["来电客户登记表"]
    assert values(walk_ins) == [
        [c.zh for c in WALK_INS.columns],
        [
            dt.datetime(2026, 10, 1),
            dt.time(10, 5),
            dt.time(11, 20),
            3,
            "首次",
            "王先生",
            "13800000001",
            "网络(汽车网站)",
            "途胜",
            "张伟",
            "是",
            "是",
            "否",
            "A",
            None,
            "12",
            "带孩子",
            WALK_INS.ref.of(registers[0]),
        ],
        [
            dt.datetime(2026, 10, 31),
            dt.time(17, 45),
            None,
            1,
            "再次",
            None,
            None,
            "路过",
            None,
            "李娜",
            "否",
            "否",
            "否",
            None,
            "否",
            None,
            None,
            WALK_INS.ref.of(registers[1]),
        ],
    ]
    assert values(calls) == [
        [c.zh for c in CALLS.columns],
        [
            dt.datetime(2026, 10, 3),
            dt.time(9, 15),
            "首次",
            "赵女士",
            "13900000002",
            "厂家官网/400",
            "索纳塔",
            "李娜",
            "是",
            dt.datetime(2026, 10, 5),
            "B",
            "问价格",
            CALLS.ref.of(registers[2]),
        ],
    ]
    assert (walk_ins["A2"].number_format, walk_ins["B2"].number_format) == ("yyyy-mm-dd", "hh:mm")
    assert calls["J2"].number_format == "yyyy-mm-dd"
    assert all(cell.font.bold for cell in walk_ins[1])
    assert not walk_ins["A2"].font.bold
    assert (walk_ins.freeze_panes, calls.freeze_panes) == ("A2", "A2")
    assert walk_ins.column_dimensions["A"].width == 12
    assert walk_ins.column_dimensions["Q"].width == 30  # 备注
    assert calls.column_dimensions["J"].width == 14  # 预约到店日期


def test_csv_folder_has_a_file_per_form_with_codes(tmp_path, registers):
    out = tmp_path / "csv"

    run = run_command("export", out, store="BJ01", month="2026-10")

    assert run.ok, run.error
    walk_ins = (out / "walk_ins.csv").read_bytes()
    assert walk_ins.startswith(b"\xef\xbb\xbf")  # a BOM, so that Excel reads UTF-8
    assert walk_ins.decode("utf-8-sig").splitlines() == [
        "store,date,arrived_at,left_at,party_size,visit_type,name,phone,source,model,consultant,"
        "invited,test_drive,quoted,grade,contact_kept,hand_card,notes,ref",
        "BJ01,2026-10-01,10:05,11:20,3,first,王先生,13800000001,internet,途胜,张伟,1,1,0,A,,12,带孩子,"
        + WALK_INS.ref.of(registers[0]),
        "BJ01,2026-10-31,17:45,,1,repeat,,,walk_by,,李娜,0,0,0,,0,,,"
        + WALK_INS.ref.of(registers[1]),
    ]
    assert (out / "calls.csv").read_text("utf-8-sig").splitlines() == [
        "store,date,called_at,call_type,name,phone,source,model,consultant,contact_kept,"
        "appointment_date,grade,notes,ref",
        "BJ01,2026-10-03,09:15,first,赵女士,13900000002,oem,索纳塔,李娜,1,2026-10-05,B,问价格,"
        + CALLS.ref.of(registers[2]),
    ]


def test_every_export_is_recorded(tmp_path, registers, store):
    run_command("export", tmp_path / "a.xlsx", store="BJ01", month="2026-09..2026-10")
    run_command("export", tmp_path / "csv", store="BJ01", month="2026-10")

    assert list(
        ExportRecord.objects.order_by("id").values_list(
            "store__code", "user", "actor", "kind", "format", "date_from", "date_to", "rows"
        )
    ) == [
        ("BJ01", None, "cli", "walk_ins", "xlsx", dt.date(2026, 9, 1), dt.date(2026, 10, 31), 3),
        ("BJ01", None, "cli", "calls", "xlsx", dt.date(2026, 9, 1), dt.date(2026, 10, 31), 1),
        *(
            ("BJ01", None, "cli", kind, "xlsx", dt.date(2026, 9, 1), dt.date(2026, 10, 31), rows)
            for kind, rows in zip(OTHER_FORMS, (1, 0, 0, 0, 0, 0, 0, 0), strict=True)
        ),
        ("BJ01", None, "cli", "walk_ins", "csv", dt.date(2026, 10, 1), dt.date(2026, 10, 31), 2),
        ("BJ01", None, "cli", "calls", "csv", dt.date(2026, 10, 1), dt.date(2026, 10, 31), 1),
        *(
            ("BJ01", None, "cli", kind, "csv", dt.date(2026, 10, 1), dt.date(2026, 10, 31), rows)
            for kind, rows in zip(OTHER_FORMS, (1, 0, 0, 0, 0, 0, 0, 0), strict=True)
        ),
    ]


def test_the_monthly_statistics_are_added_to_the_workbook(tmp_path, registers, store, monkeypatch):
    calls = []

    def monthly_report(workbook, store, start, end):
        calls.append((store.code, start, end))
        workbook.create_sheet("展厅来店统计表")["A1"] = "报表"

    monkeypatch.setattr(exports, "add_monthly_sheets", monthly_report)

    run_command("export", tmp_path / "a.xlsx", store="BJ01", month="2026-10..2026-12")
    run_command("export", tmp_path / "csv", store="BJ01", month="2026-10")

    assert calls == [("BJ01", dt.date(2026, 10, 1), dt.date(2026, 12, 31))]
    book = openpyxl.load_workbook(tmp_path / "a.xlsx")
    assert book.sheetnames == [*FORM_SHEETS, "展厅来店统计表"]


def test_round_trip_into_an_empty_store(tmp_path, registers, run_import):
    out = tmp_path / "bj01.xlsx"
    run_command("export", out, store="BJ01", month="2026-10")

    run = run_import(out, store="NEW1", create_store=True, create_staff=True)

    assert run.ok, run.err
    walk_in_fields = (
        "date",
        "arrived_at",
        "left_at",
        "party_size",
        "visit_type",
        "name",
        "phone",
        "phone_norm",
        "source",
        "model",
        "consultant__full_name",
        "invited",
        "test_drive",
        "quoted",
        "grade",
        "contact_kept",
        "hand_card",
        "notes",
        "stay_minutes",
    )
    call_fields = (
        "date",
        "called_at",
        "call_type",
        "name",
        "phone",
        "source",
        "model",
        "consultant__full_name",
        "contact_kept",
        "appointment_date",
        "grade",
        "notes",
    )

    def rows(model, code, fields):
        return list(model.objects.filter(store__code=code, date__month=10).values_list(*fields))

    assert rows(WalkIn, "NEW1", walk_in_fields) == rows(WalkIn, "BJ01", walk_in_fields)
    assert rows(Call, "NEW1", call_fields) == rows(Call, "BJ01", call_fields)
    assert len(rows(WalkIn, "NEW1", walk_in_fields)) == 2


def test_round_trip_through_csv(tmp_path, registers, run_import, store):
    out = tmp_path / "csv"
    run_command("export", out, store="BJ01", month="2026-10")
    before = list(
        WalkIn.objects.filter(date__month=10, store=store).values_list(
            "date",
            "arrived_at",
            "left_at",
            "visit_type",
            "source",
            "consultant",
            "invited",
            "contact_kept",
            "grade",
            "customer",
        )
    )
    WalkIn.objects.filter(date__month=10).delete()
    Call.objects.all().delete()

    first = run_import(out / "walk_ins.csv", out / "calls.csv")
    second = run_import(out / "walk_ins.csv", out / "calls.csv")

    assert first.ok, first.err
    assert second.out.splitlines()[:2] == [
        "来店客户登记表（BJ01）：新增 0 行，更新 0 行，未变 2 行",
        "来电客户登记表（BJ01）：新增 0 行，更新 0 行，未变 1 行",
    ]
    after = list(
        WalkIn.objects.filter(date__month=10, store=store).values_list(
            "date",
            "arrived_at",
            "left_at",
            "visit_type",
            "source",
            "consultant",
            "invited",
            "contact_kept",
            "grade",
            "customer",
        )
    )
    assert after == before


def test_several_stores_get_a_store_column(tmp_path, registers):
    out = tmp_path / "group.xlsx"

    run = run_command("export", out, store="BJ01,SH01", month="2026-10")

    assert run.ok
    sheet = openpyxl.load_workbook(out)["来店客户登记表"]
    assert [row[0] for row in values(sheet)] == ["门店", "BJ01", "BJ01", "SH01"]


def test_export_for_a_user_is_scoped_and_masks_phones(tmp_path, registers, store, make_staff):
    receptionist = make_staff("desk", Role.RECEPTIONIST, store=store)

    result = export(
        tmp_path / "csv",
        stores=[store],
        start=dt.date(2026, 10, 1),
        end=dt.date(2026, 10, 31),
        user=receptionist,
    )

    lines = (tmp_path / "csv" / "walk_ins.csv").read_text("utf-8-sig").splitlines()
    assert lines[1].split(",")[7] == "138****0001"
    # A receptionist keeps the front desk's registers; customer data is not hers to export.
    assert result.rows == {
        ("walk_ins", "BJ01"): 2,
        ("calls", "BJ01"): 1,
        **{(kind, "BJ01"): 0 for kind in OTHER_FORMS},
    }
    assert set(ExportRecord.objects.values_list("user", "actor")) == {(receptionist.pk, "desk")}


def test_bad_month_and_unknown_store(tmp_path, store):
    assert run_command("export", tmp_path / "a.xlsx", store="BJ01", month="2026-13").error == (
        "月份格式不正确，应为 YYYY-MM 或 YYYY-MM..YYYY-MM"
    )
    assert run_command("export", tmp_path / "a.xlsx", store="XX99", month="2026-10").error == (
        "未知门店：XX99。现有门店：BJ01"
    )
    assert not (tmp_path / "a.xlsx").exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-10", (dt.date(2026, 10, 1), dt.date(2026, 10, 31))),
        ("2026-02", (dt.date(2026, 2, 1), dt.date(2026, 2, 28))),
        ("2026-11..2027-01", (dt.date(2026, 11, 1), dt.date(2027, 1, 31))),
        ("2026-12", (dt.date(2026, 12, 1), dt.date(2026, 12, 31))),
    ],
)
def test_month_ranges(text, expected):
    assert parse_months(text) == expected


@pytest.mark.parametrize("text", ["2026-10..2026-09", "2026/10", "10-2026", "2026-00"])
def test_bad_month_ranges(text):
    with pytest.raises(ExportError):
        parse_months(text)
