"""Bad cells of the cards, activities, orders, losses and leads: each reported in Chinese with
its place, and nothing at all written."""

import pytest

from showroom.customers.models import Customer, GradeChange
from showroom.exchange.tests.builders import activity, customer, lead, loss, order, table
from showroom.owners.models import Vehicle
from showroom.sales.models import Activity, LossReport, Order
from showroom.traffic.models import Lead
from tests import factories as f

pytestmark = pytest.mark.django_db

CUSTOMERS, ACTIVITIES, ORDERS, LOSSES, LEADS = (
    "客户信息卡",
    "营业日报表",
    "订单交车",
    "战败失控",
    "线索",
)
BUILDERS = {CUSTOMERS: customer, ACTIVITIES: activity, ORDERS: order, LOSSES: loss, LEADS: lead}


def nothing_written():
    models = (Customer, Activity, Order, LossReport, Lead, Vehicle, GradeChange)
    return [m.objects.count() for m in models] == [0] * len(models)


@pytest.fixture
def cards(store, consultant, consultant2, manager):
    """Only the cards the rows name, in the file; nothing in the store."""
    return table(customer(), customer(客户姓名="赵女士", 联系电话="13900000002"))


def import_bad_cell(xlsx, run_import, cards, sheet, **bad):
    """The cards, a good row, then a row with one bad cell: only that cell is reported."""
    build = BUILDERS[sheet]
    sheets = {CUSTOMERS: cards} if sheet != CUSTOMERS else {}
    good = build()
    if sheet == CUSTOMERS:
        good = customer(联系电话="13700000099")
        sheets[CUSTOMERS] = table(good, build(**bad))
    elif sheet == LEADS:
        sheets[LEADS] = table(good, build(**{"联系电话": "13600000077", **bad}))
    else:
        sheets[sheet] = table(good, build(**bad))
    run = run_import(xlsx(sheets))
    assert not run.ok
    assert run.error == f"共 {len(run.lines)} 处错误，未导入任何数据。"
    assert nothing_written()
    return run.lines


@pytest.mark.parametrize(
    ("sheet", "bad", "expected"),
    [
        (
            CUSTOMERS,
            {"客户类型": "潜客"},
            "列「客户类型」，值「潜客」：取值不正确，应为以下之一："
            "意向 (prospect)、保有 (owner)、战败 (lost)、失控 (out_of_control)、休眠 (dormant)",
        ),
        (CUSTOMERS, {"联系电话": "无"}, "列「联系电话」，值「无」：电话号码不正确：其中没有数字"),
        (CUSTOMERS, {"客户姓名": None}, "列「客户姓名」：必填项不能为空"),
        (
            CUSTOMERS,
            {"性别": "未知"},
            "列「性别」，值「未知」：取值不正确，应为以下之一：男 (M)、女 (F)",
        ),
        (
            CUSTOMERS,
            {"车架号": "LBE-123"},
            "列「车架号」，值「LBE-123」：车架号不正确：只能包含字母和数字",
        ),
        (
            CUSTOMERS,
            {"建档日期": "去年"},
            "列「建档日期」，值「去年」：日期格式不正确，应为 YYYY-MM-DD",
        ),
        (
            ACTIVITIES,
            {"活动类型": "喝茶"},
            "列「活动类型」，值「喝茶」：取值不正确，应为以下之一："
            "来店接待 (reception)、电话跟进 (call)、短信微信 (message)、上门拜访 (home_visit)、"
            "邀约 (invitation)、试乘试驾 (test_drive)、报价 (quote)、签约 (order)、"
            "交车 (delivery)、"
            "保有维系 (owner_care)",
        ),
        (
            ACTIVITIES,
            {"联系电话": "13900000009"},
            "列「联系电话」，值「13900000009」：没有对应的客户信息卡",
        ),
        (ACTIVITIES, {"销售顾问": None}, "列「销售顾问」：必填项不能为空"),
        (
            ORDERS,
            {"联系电话": "13900000009"},
            "列「联系电话」，值「13900000009」：没有对应的客户信息卡",
        ),
        (ORDERS, {"车型": None}, "列「车型」：必填项不能为空"),
        (
            ORDERS,
            {"定金": "五千"},
            "列「定金」，值「五千」：金额不正确，应为 5000 或 5000.00 这样的数字",
        ),
        (
            ORDERS,
            {"精品金额": -100},
            "列「精品金额」，值「-100」：金额不正确，应为 5000 或 5000.00 这样的数字",
        ),
        (
            ORDERS,
            {"销售渠道": "网店"},
            "列「销售渠道」，值「网店」：取值不正确，应为以下之一："
            "展厅 (showroom)、二级网点 (secondary)、大客户 (fleet)",
        ),
        (
            ORDERS,
            {"交车日期": "2026-10-01"},
            "列「交车日期」，值「2026-10-01」：交车日期（2026-10-01）不能早于订单日期（2026-10-05）。",
        ),
        (
            ORDERS,
            {"取消日期": "2026-10-04"},
            "列「取消日期」，值「2026-10-04」：取消日期早于订单日期",
        ),
        (
            ORDERS,
            {"交车日期": "2026-10-12", "取消日期": "2026-10-14"},
            "列「取消日期」，值「2026-10-14」：已交车的订单不能取消",
        ),
        (
            ORDERS,
            {"保险": "买了"},
            "列「保险」，值「买了」：是/否值不正确，应为 是/否、Y/N、yes/no、1/0 或 ✓",
        ),
        (
            LOSSES,
            {"联系电话": "13900000009"},
            "列「联系电话」，值「13900000009」：没有对应的客户信息卡",
        ),
        (
            LOSSES,
            {"原因": "心情"},
            "列「原因」，值「心情」：取值不正确，应为以下之一：价格 (price)、"
            "产品 (product)、品牌 (brand)、服务 (service)、金融 (finance)、交期 (delivery_time)、"
            "置换 (trade_in)、距离 (location)、其他 (other)",
        ),
        (
            LOSSES,
            {"确认人": "刘总"},
            "列「确认人」，值「刘总」：未知的员工，应为本店员工的姓名或工号；"
            "或使用 --create-staff 导入以新建员工",
        ),
        (LOSSES, {"审核状态": "已确认"}, "列「确认人」：已确认的记录需要填写确认人"),
        (
            LOSSES,
            {"审核状态": "待确认", "确认人": "王经理"},
            "列「审核状态」，值「待确认」：待确认的申请不应有确认人或确认日期",
        ),
        (LOSSES, {"类型": None}, "列「类型」：必填项不能为空"),
        (
            LEADS,
            {"创建时间": "2026-10-01"},
            "列「创建时间」，值「2026-10-01」：日期时间格式不正确，应为 YYYY-MM-DD HH:MM",
        ),
        (LEADS, {"创建时间": None}, "列「创建时间」：必填项不能为空"),
        (
            LEADS,
            {"渠道": "抖音"},
            "列「渠道」，值「抖音」：未知的信息来源，应为本店的信息来源名称或代码",
        ),
        (LEADS, {"渠道": None}, "列「渠道」：必填项不能为空"),
        (LEADS, {"联系电话": None}, "列「联系电话」：必填项不能为空"),
        (
            LEADS,
            {"负责人": "无名氏"},
            "列「负责人」，值「无名氏」：未知的销售顾问，应为本店员工的姓名或工号；"
            "或使用 --create-staff 导入以新建顾问",
        ),
    ],
)
def test_bad_cell(xlsx, run_import, cards, sheet, bad, expected):
    assert import_bad_cell(xlsx, run_import, cards, sheet, **bad) == [
        f"book.xlsx，工作表「{sheet}」，第 3 行，{expected}"
    ]


def test_a_phone_twice_in_the_card_sheet(xlsx, run_import, store, consultant):
    path = xlsx(
        {CUSTOMERS: table(customer(), customer(客户姓名="王太太", 联系电话="138-0000-0001"))}
    )

    assert run_import(path).lines == [
        "book.xlsx，工作表「客户信息卡」，第 3 行，列「联系电话」，值「138-0000-0001」："
        "与 book.xlsx「客户信息卡」 第 2 行重复，只能有一行"
    ]
    assert nothing_written()


def test_a_card_in_two_files(xlsx, csv_file, run_import, store, consultant):
    book = xlsx({CUSTOMERS: table(customer())})
    same = csv_file("customers.csv", table(customer(建档日期="2026-10-01")))
    other = csv_file("客户信息卡2.csv", table(customer(意向级别="C")))

    assert run_import(book, same).ok  # the same card twice: one card
    assert Customer.objects.count() == 1
    assert run_import(book, other).lines == [
        "客户信息卡2.csv，第 2 行，列「联系电话」，值「13800000001」："
        "与 book.xlsx「客户信息卡」 第 2 行重复，只能有一行"
    ]


def test_a_lead_twice_in_a_file(xlsx, run_import, store, consultant2):
    path = xlsx({LEADS: table(lead(), lead(联系电话="+86 137 0000 0003"))})

    assert run_import(path).lines == [
        "book.xlsx，工作表「线索」，第 3 行，列「创建时间」，值「2026-10-03 20:15:00」："
        "与 book.xlsx「线索」 第 2 行重复，只能有一行"
    ]


def test_a_card_of_another_store_does_not_count(xlsx, run_import, store, other_store, consultant):
    f.CustomerFactory(store=other_store, phone="13800000001")

    run = run_import(xlsx({ORDERS: table(order())}))

    assert run.lines == [
        "book.xlsx，工作表「订单交车」，第 2 行，列「联系电话」，值「13800000001」："
        "没有对应的客户信息卡"
    ]


def test_a_bad_card_stops_every_sheet(xlsx, run_import, cards):
    path = xlsx(
        {
            CUSTOMERS: [
                *cards,
                list(customer(客户类型="保有", 车架号="LBE1", 建档日期="明天").values()),
            ],
            ORDERS: table(order(交车日期="2026-10-12", 车架号="LBE12345678901234")),
            LEADS: table(lead()),
        }
    )

    run = run_import(path)

    assert len(run.lines) == 1
    assert nothing_written()


def test_missing_required_columns_of_an_order_sheet(xlsx, run_import, cards):
    rows = table(order())
    keep = [i for i, h in enumerate(rows[0]) if h != "车型"]

    run = run_import(xlsx({ORDERS: [[row[i] for i in keep] for row in rows]}))

    assert run.lines == ["book.xlsx，工作表「订单交车」，第 1 行，列「车型」：缺少必填列"]
