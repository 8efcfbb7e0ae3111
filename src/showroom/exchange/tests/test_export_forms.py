"""Export of the cards, activities, orders, losses and leads, and the round trip back."""

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest
import time_machine

from showroom.customers.models import Customer, GradeChange
from showroom.exchange.exports import export
from showroom.exchange.forms import CUSTOMERS, FORMS, LEADS, LOSSES, ORDERS
from showroom.exchange.tests.builders import customer, order, run_command, table
from showroom.exchange.tests.test_import_forms import SHANGHAI, all_sheets
from showroom.kpi.selectors import compute_kpis
from showroom.organization.models import Store
from showroom.owners.models import Vehicle
from showroom.sales.models import Activity, LossReport, Order
from showroom.traffic.models import Lead
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def deals(store, other_store, consultant, consultant2, manager):
    """BJ01: a card from August still open in October, an October card that orders, a lost
    one; rows of September, October and November; a row of another store."""
    old = f.CustomerFactory(
        store=store,
        name="老客户",
        phone="13800000011",
        consultant=consultant,
        grade="C",
        created=dt.date(2026, 8, 15),
        source=f.source("walk_by"),
    )
    new = f.CustomerFactory(
        store=store,
        name="王先生",
        phone="13800000001",
        consultant=consultant,
        grade="A",
        created=dt.date(2026, 10, 1),
        customer_type="owner",
        gender="M",
        payment="installment",
        purchase_type="replacement",
        source=f.source("internet"),
    )
    lost = f.CustomerFactory(
        store=store,
        name="赵女士",
        phone="13900000002",
        consultant=consultant2,
        grade="B",
        created=dt.date(2026, 9, 20),
        customer_type="lost",
    )
    f.CustomerFactory(store=store, phone="13800000099", created=dt.date(2026, 11, 2))
    f.CustomerFactory(store=other_store, phone="13800000098", created=dt.date(2026, 10, 2))
    # Of the card's activities before October, only its last graded one is exported.
    days = (dt.date(2026, 9, 10), dt.date(2026, 9, 30), dt.date(2026, 10, 2))
    for day, card in zip(days, (old, old, new), strict=True):
        Activity.objects.create(
            store=store,
            customer=card,
            consultant=consultant,
            date=day,
            kind="call",
            category="promotion",
            grade_after="H",
            next_date=day + dt.timedelta(days=2),
            notes="跟进",
        )
    order = Order.objects.create(
        store=store,
        customer=new,
        consultant=consultant,
        order_date=dt.date(2026, 10, 5),
        model="途胜",
        source=f.source("internet"),
        deposit=Decimal("5000"),
        delivery_date=dt.date(2026, 10, 12),
        ceremony=True,
        insurance=True,
        accessories=Decimal("3500"),
        call_3day=dt.date(2026, 10, 14),
        vin="LBE12345678901234",
    )
    Vehicle.objects.create(
        store=store,
        customer=new,
        order=order,
        vin=order.vin,
        model="途胜",
        delivery_date=order.delivery_date,
        plate="京A12345",
    )
    Order.objects.create(
        store=store,
        customer=old,
        consultant=consultant,
        order_date=dt.date(2026, 11, 3),
        model="索纳塔",
    )
    LossReport.objects.create(
        store=store,
        customer=lost,
        consultant=consultant2,
        date=dt.date(2026, 9, 25),
        kind="lost",
        grade="B",
        competitor_brand="丰田",
        competitor_model="RAV4",
        reason="price",
        status="confirmed",
        decided_by=manager,
        decided_on=dt.date(2026, 9, 26),
    )
    LossReport.objects.create(
        store=store,
        customer=old,
        consultant=consultant,
        date=dt.date(2026, 10, 30),
        kind="out_of_control",
        reason="other",
    )
    for moment in (dt.datetime(2026, 10, 3, 20, 15), dt.datetime(2026, 9, 30, 23, 0)):
        Lead(
            store=store,
            created_at=moment.replace(tzinfo=SHANGHAI),
            channel=f.source("oem"),
            name="孙女士",
            phone="13700000003",
            model="索纳塔",
            assigned_to=consultant2,
            first_contact_at=moment.replace(tzinfo=SHANGHAI) + dt.timedelta(minutes=12),
        ).save()


def test_csv_files_of_the_new_forms(tmp_path, deals):
    out = tmp_path / "csv"

    run = run_command("export", out, store="BJ01", month="2026-10")

    assert run.ok, run.error
    assert sorted(p.name for p in out.iterdir()) == [
        "activities.csv",
        "calls.csv",
        "customers.csv",
        "leads.csv",
        "losses.csv",
        "orders.csv",
        "reactivations.csv",
        "service_visits.csv",
        "targets.csv",
        "walk_ins.csv",
    ]

    def lines(name):
        """The file's lines without their last column, 编号, once each is checked to name the
        row it is on (the row of that form and store that carries that reference)."""
        form = next(f for f in FORMS if f"{f.name}.csv" == name)
        header, *rows = (out / name).read_text("utf-8-sig").splitlines()
        assert header.endswith(",ref")
        shown = []
        for line in rows:
            line, ref = line.rsplit(",", 1)
            obj = form.model.objects.get(pk=form.ref.pk(ref), store__code="BJ01")
            assert form.ref.of(obj) == ref
            shown.append(line)
        return [header.removesuffix(",ref"), *shown]

    # Cards, orders and losses with their whole history up to October's end.
    assert lines("customers.csv") == [
        "store,name,phone,gender,region,industry,customer_type,model,purchase_timeframe,grade,"
        "source,consultant,created,budget,payment,purchase_type,competitor_models,vin,plate,"
        "owner_kind,notes",
        "BJ01,老客户,13800000011,,,,prospect,途胜,,C,walk_by,张伟,2026-08-15,,,,,,,,",
        "BJ01,赵女士,13900000002,,,,lost,途胜,,B,,李娜,2026-09-20,,,,,,,,",
        "BJ01,王先生,13800000001,M,,,owner,途胜,,A,internet,张伟,2026-10-01,,installment,"
        "replacement,,LBE12345678901234,京A12345,,",
    ]
    # Activities of the range, and each card's last graded one before it.
    assert lines("activities.csv") == [
        "store,date,consultant,phone,name,activity,category,grade_after,next_date,notes",
        "BJ01,2026-09-30,张伟,13800000011,老客户,call,promotion,H,2026-10-02,跟进",
        "BJ01,2026-10-02,张伟,13800000001,王先生,call,promotion,H,2026-10-04,跟进",
    ]
    assert lines("orders.csv") == [
        "store,order_date,phone,name,model,consultant,channel,source,deposit,delivery_date,"
        "ceremony,insurance,finance,accessories,extended_warranty,trade_in,call_3day,"
        "letter_7day,vin,contract_no,price,colour,cancelled_on",
        "BJ01,2026-10-05,13800000001,王先生,途胜,张伟,showroom,internet,5000.00,2026-10-12,"
        "1,1,0,3500.00,0,0,2026-10-14,,LBE12345678901234,,,,",
    ]
    assert lines("losses.csv") == [
        "store,date,phone,name,consultant,kind,grade,competitor_brand,competitor_model,reason,"
        "description,confirmed_by,status,decided_on",
        "BJ01,2026-09-25,13900000002,赵女士,李娜,lost,B,丰田,RAV4,price,,王经理,confirmed,"
        "2026-09-26",
        "BJ01,2026-10-30,13800000011,老客户,张伟,out_of_control,,,,other,,,requested,",
    ]
    # Leads of the range, in the store's local time.
    assert lines("leads.csv") == [
        "store,created_at,channel,name,phone,email,model,assigned_to,first_contact_at,"
        "appointment_date,notes",
        "BJ01,2026-10-03 20:15,oem,孙女士,13700000003,,索纳塔,李娜,2026-10-03 20:27,,",
    ]


def test_workbook_sheets_of_the_new_forms(tmp_path, deals):
    out = tmp_path / "bj01.xlsx"

    assert run_command("export", out, store="BJ01", month="2026-10").ok

    book = openpyxl.load_workbook(out)
    orders = [[c.value for c in row] for row in book["订单交车"].iter_rows()]
    assert orders[0] == [c.zh for c in ORDERS.columns]
    assert orders[1] == [
        dt.datetime(2026, 10, 5),
        "13800000001",
        "王先生",
        "途胜",
        "张伟",
        "展厅",
        "网络(汽车网站)",
        5000,
        dt.datetime(2026, 10, 12),
        "是",
        "是",
        "否",
        3500,
        "否",
        "否",
        dt.datetime(2026, 10, 14),
        None,
        "LBE12345678901234",
        None,
        None,
        None,
        None,
        ORDERS.ref.of(Order.objects.get(store__code="BJ01", order_date=dt.date(2026, 10, 5))),
    ]
    assert book["订单交车"]["H2"].number_format == "#,##0.00"
    leads = [[c.value for c in row] for row in book["线索"].iter_rows()]
    assert leads[0] == [c.zh for c in LEADS.columns]
    assert leads[1][:3] == [dt.datetime(2026, 10, 3, 20, 15), "厂家官网/400", "孙女士"]
    assert book["线索"]["A2"].number_format == "yyyy-mm-dd hh:mm"
    losses = [[c.value for c in row] for row in book["战败失控"].iter_rows()]
    assert [row[3:5] for row in losses] == [
        ["销售顾问", "类型"],
        ["李娜", "战败"],
        ["张伟", "失控"],
    ]
    cards = [[c.value for c in row] for row in book["客户信息卡"].iter_rows()]
    assert cards[0] == [c.zh for c in CUSTOMERS.columns]
    assert [row[5] for row in cards[1:]] == ["意向", "战败", "保有"]
    assert [c.value for c in book["战败失控"][1]] == [c.zh for c in LOSSES.columns]


@time_machine.travel(dt.datetime(2026, 10, 25, 9, 0, tzinfo=SHANGHAI), tick=False)
@pytest.mark.parametrize("as_csv", [False, True], ids=["xlsx", "csv"])
def test_round_trip_into_an_empty_store(
    tmp_path, xlsx, run_import, store, consultant, consultant2, manager, as_csv
):
    assert run_import(xlsx(all_sheets())).ok
    out = tmp_path / ("csv" if as_csv else "bj01.xlsx")
    assert run_command("export", out, store="BJ01", month="2026-10").ok
    files = sorted(out.iterdir()) if as_csv else [out]
    if as_csv:  # a CSV row names its store: the files go to NEW1 as BJ01's rows would not
        for path in files:
            text = path.read_text("utf-8-sig").replace("\nBJ01,", "\nNEW1,")
            path.write_text(text, "utf-8-sig")

    run = run_import(*files, store="NEW1", create_store=True, create_staff=True)

    assert run.ok, run.err
    for model, fields in SAME:
        assert rows(model, "NEW1", fields) == rows(model, "BJ01", fields), model
        assert len(rows(model, "NEW1", fields)) == COUNTS[model]
    again = run_import(*files, store="NEW1")
    assert [line.split("：")[1] for line in again.out.splitlines()[:5]] == [
        f"新增 0 行，更新 0 行，未变 {n} 行" for n in (3, 3, 1, 1, 1)
    ]


SAME = [
    (
        Customer,
        (
            "name",
            "phone",
            "gender",
            "region",
            "industry",
            "customer_type",
            "owner_kind",
            "model",
            "purchase_timeframe",
            "grade",
            "source",
            "consultant__full_name",
            "created",
            "budget",
            "payment",
            "purchase_type",
            "competitor_models",
            "notes",
        ),
    ),
    (
        Activity,
        (
            "customer__phone",
            "consultant__full_name",
            "date",
            "kind",
            "category",
            "grade_after",
            "next_date",
            "notes",
        ),
    ),
    (
        Order,
        (
            "customer__phone",
            "consultant__full_name",
            *(
                f
                for f in (
                    "order_date",
                    "model",
                    "channel",
                    "source",
                    "deposit",
                    "delivery_date",
                    "ceremony",
                    "insurance",
                    "finance",
                    "accessories",
                    "extended_warranty",
                    "trade_in",
                    "call_3day",
                    "letter_7day",
                    "vin",
                    "contract_no",
                    "price",
                    "colour",
                    "cancelled",
                    "cancelled_on",
                )
            ),
        ),
    ),
    (
        LossReport,
        (
            "customer__phone",
            "consultant__full_name",
            "date",
            "kind",
            "grade",
            "competitor_brand",
            "competitor_model",
            "reason",
            "description",
            "status",
            "decided_by__full_name",
            "decided_on",
        ),
    ),
    (
        Lead,
        (
            "created_at",
            "date",
            "channel",
            "name",
            "phone",
            "email",
            "model",
            "assigned_to__full_name",
            "first_contact_at",
            "appointment_date",
            "notes",
            "customer__phone",
        ),
    ),
    (Vehicle, ("customer__phone", "order__order_date", "vin", "plate", "model", "delivery_date")),
    (GradeChange, ("customer__phone", "date", "old_grade", "new_grade")),
]
# The grade history as the activities' 级别 give it (both stores' rows came from an import).
COUNTS = {Customer: 3, Activity: 3, Order: 1, LossReport: 1, Lead: 1, Vehicle: 2, GradeChange: 3}


def rows(model, code, fields):
    return sorted(model.objects.filter(store__code=code).values_list(*fields), key=lambda r: str(r))


def test_a_consultant_exports_only_their_own_customers(tmp_path, deals, store, consultant):
    result = export(
        tmp_path / "csv",
        stores=[store],
        start=dt.date(2026, 10, 1),
        end=dt.date(2026, 10, 31),
        user=consultant,
    )

    assert {k: v for k, v in result.rows.items() if k[0] not in ("walk_ins", "calls")} == {
        ("customers", "BJ01"): 2,
        ("activities", "BJ01"): 2,  # with the card's last graded one before October
        ("orders", "BJ01"): 1,
        ("losses", "BJ01"): 1,
        ("leads", "BJ01"): 0,  # the leads are 李娜's
        ("reactivations", "BJ01"): 0,
        ("service_visits", "BJ01"): 0,
        ("targets", "BJ01"): 0,
    }
    lines = (tmp_path / "csv" / "customers.csv").read_text("utf-8-sig").splitlines()
    assert [line.split(",")[1:3] for line in lines[1:]] == [
        ["老客户", "13800000011"],
        ["王先生", "13800000001"],
    ]


def test_a_delivered_order_edited_and_imported_again_updates_its_car(
    tmp_path, xlsx, run_import, store, consultant
):
    cards = table(customer())
    first = xlsx({"客户信息卡": cards, "订单交车": table(order(交车日期="2026-10-12"))})
    edited = xlsx(
        {"客户信息卡": cards, "订单交车": table(order(交车日期="2026-10-15", 车架号="LBE1"))},
        name="v2.xlsx",
    )
    assert run_import(first).ok

    run = run_import(edited)

    assert run.out.splitlines()[1] == "订单交车（BJ01）：新增 0 行，更新 1 行，未变 0 行"
    assert list(Vehicle.objects.values_list("order__delivery_date", "vin", "delivery_date")) == [
        (dt.date(2026, 10, 15), "LBE1", dt.date(2026, 10, 15))
    ]


@time_machine.travel(dt.datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI), tick=False)
@pytest.mark.parametrize("as_csv", [False, True], ids=["xlsx", "csv"])
def test_a_cancellation_and_the_price_make_the_round_trip(
    tmp_path, xlsx, run_import, store, consultant, as_csv
):
    """An order cancelled after October's end is October's order all the same, and November's
    cancelled order; both stores give the same KPIs after the round trip."""
    cards = table(customer(), customer(客户姓名="李女士", 联系电话="13800000002"))
    orders = table(
        order(合同号="HT-7", 成交价=158000, 颜色="珍珠白", 取消日期="2026-11-02"),
        order(订单日期="2026-10-20", 联系电话="13800000002", 取消日期="2026-10-25"),
    )
    assert run_import(xlsx({"客户信息卡": cards, "订单交车": orders})).ok
    out = tmp_path / ("csv" if as_csv else "bj01.xlsx")
    assert run_command("export", out, store="BJ01", month="2026-10..2026-11").ok
    files = sorted(out.iterdir()) if as_csv else [out]
    if as_csv:
        text = (out / "orders.csv").read_text("utf-8-sig")
        first, second = (line.rsplit(",", 1)[0] for line in text.splitlines()[1:3])
        assert first.endswith(",HT-7,158000.00,珍珠白,2026-11-02")
        assert second.endswith(",,,,2026-10-25")
        for path in files:
            path.write_text(path.read_text("utf-8-sig").replace("\nBJ01,", "\nNEW1,"), "utf-8-sig")

    assert run_import(*files, store="NEW1", create_store=True, create_staff=True).ok

    fields = ("order_date", "contract_no", "price", "colour", "cancelled", "cancelled_on")
    assert rows(Order, "NEW1", fields) == rows(Order, "BJ01", fields)
    codes = ["orders", "cancelled_orders", "carried_over_prospects", "prospects_O"]
    kpis = {}
    for code in ("BJ01", "NEW1"):
        stores = Store.objects.filter(code=code)
        kpis[code] = [
            compute_kpis(stores=stores, start=start, end=end, codes=codes)
            for start, end in (
                (dt.date(2026, 10, 1), dt.date(2026, 10, 31)),
                (dt.date(2026, 11, 1), dt.date(2026, 11, 30)),
            )
        ]
    assert (
        kpis["BJ01"]
        == kpis["NEW1"]
        == [
            {"orders": 1, "cancelled_orders": 1, "carried_over_prospects": 0, "prospects_O": 1},
            # 李女士 is open again from 10-25, hence carried over into November.
            {"orders": 0, "cancelled_orders": 1, "carried_over_prospects": 1, "prospects_O": 0},
        ]
    )
