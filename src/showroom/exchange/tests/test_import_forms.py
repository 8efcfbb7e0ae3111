"""Customer cards, activities, orders, losses and leads (docs/contracts.md) in one import."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from showroom.customers.models import Customer, GradeChange
from showroom.exchange.tests.builders import activity, customer, lead, loss, order, table
from showroom.owners.models import Vehicle
from showroom.sales.models import Activity, LossReport, Order
from showroom.traffic.models import Lead

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
CUSTOMERS, ACTIVITIES, ORDERS, LOSSES, LEADS = (
    "客户信息卡",
    "营业日报表",
    "订单交车",
    "战败失控",
    "线索",
)


def all_sheets():
    """One workbook with every form: two prospects (one buys, one is lost), an owner bought
    elsewhere, their contacts, the order and its delivery, the loss, and a lead."""
    return {
        LEADS: table(lead()),
        LOSSES: table(loss(确认人="王经理")),
        ORDERS: table(
            order(
                交车日期=dt.date(2026, 10, 12),
                交车仪式="是",
                保险="Y",
                金融="否",
                精品金额="3,500元",
                延保="✓",
                二手车置换=None,
                **{"3日回访日期": "2026-10-14", "7日信函日期": "2026/10/18"},
                车架号="lbe12345678901234",
                销售渠道="展厅",
            )
        ),
        ACTIVITIES: table(
            activity(),
            activity(日期="2026-10-05", 活动类型="签约", 级别="O", 下次跟进日期=None, 备注=None),
            activity(联系电话="139-0000-0002", 销售顾问="C002", 活动类型="短信/微信", 级别="B"),
        ),
        CUSTOMERS: table(
            customer(
                性别="男",
                区域="朝阳",
                行业="IT",
                购买周期="1个月",
                预算="20万",
                付款方式="分期",
                购买类型="置换",
                竞品车型="RAV4",
                备注="二胎家庭",
            ),
            customer(
                客户姓名="赵女士",
                联系电话="13900000002",
                意向级别="B",
                销售顾问="李娜",
                信息来源="friend",
                建档日期="2026-09-20",
            ),
            customer(
                客户姓名="钱先生",
                联系电话="13600000004",
                客户类型="保有",
                意向级别=None,
                意向车型="途胜",
                车架号="LBE00000000000042",
                车牌号="京A12345",
                建档日期="2025-05-01",
            ),
        ),
    }


CARD_FIELDS = (
    "name",
    "phone",
    "phone_norm",
    "gender",
    "region",
    "industry",
    "customer_type",
    "owner_kind",
    "model",
    "purchase_timeframe",
    "grade",
    "source__code",
    "consultant__username",
    "created",
    "budget",
    "payment",
    "purchase_type",
    "competitor_models",
    "notes",
)


def cards(store_code="BJ01"):
    return list(
        Customer.objects.filter(store__code=store_code)
        .order_by("phone_norm")
        .values_list(*CARD_FIELDS)
    )


def activities():
    return list(
        Activity.objects.order_by("date", "id").values_list(
            "customer__phone_norm",
            "consultant__username",
            "date",
            "kind",
            "category",
            "grade_after",
            "next_date",
            "notes",
        )
    )


ORDER_FIELDS = (
    "customer__phone_norm",
    "consultant__username",
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
    "cancelled",
    "cancelled_on",
)


def orders():
    return list(Order.objects.order_by("order_date", "id").values_list(*ORDER_FIELDS))


def losses():
    return list(
        LossReport.objects.order_by("date", "id").values_list(
            "customer__phone_norm",
            "consultant__username",
            "date",
            "kind",
            "grade",
            "competitor_brand",
            "competitor_model",
            "reason",
            "description",
            "status",
            "decided_by__username",
            "decided_on",
        )
    )


def leads():
    return list(
        Lead.objects.order_by("created_at", "id").values_list(
            "created_at",
            "date",
            "channel__code",
            "name",
            "phone",
            "phone_norm",
            "model",
            "assigned_to__username",
            "first_contact_at",
            "appointment_date",
            "customer__phone_norm",
        )
    )


def vehicles():
    return list(
        Vehicle.objects.order_by("id").values_list(
            "customer__phone_norm",
            "order__order_date",
            "vin",
            "plate",
            "brand",
            "model",
            "delivery_date",
        )
    )


def grade_changes():
    return list(
        GradeChange.objects.order_by("customer__phone_norm", "date", "id").values_list(
            "customer__phone_norm", "date", "old_grade", "new_grade"
        )
    )


def everything():
    return cards(), activities(), orders(), losses(), leads(), vehicles(), grade_changes()


@time_machine.travel(dt.datetime(2026, 10, 25, 9, 0, tzinfo=SHANGHAI), tick=False)
def test_one_workbook_with_every_form_imports_in_one_go(xlsx, run_import, store, staff):
    # The sheets in any order: the cards are written first, so that the others find them.
    path = xlsx(all_sheets())

    run = run_import(path)

    assert run.ok, run.err
    assert run.out.splitlines() == [
        "客户信息卡（BJ01）：新增 3 行，更新 0 行，未变 0 行",
        "营业日报表（BJ01）：新增 3 行，更新 0 行，未变 0 行",
        "订单交车（BJ01）：新增 1 行，更新 0 行，未变 0 行",
        "战败失控（BJ01）：新增 1 行，更新 0 行，未变 0 行",
        "线索（BJ01）：新增 1 行，更新 0 行，未变 0 行",
        "共检查 9 行。",
    ]
    assert run.lines == [
        "警告：客户信息卡（BJ01）：1 位保有客户没有本店订单，已记为本品牌他销保有客户"
    ]
    assert cards() == [
        (
            "钱先生",
            "13600000004",
            "13600000004",
            "",
            "",
            "",
            "owner",
            "elsewhere",
            "途胜",
            "",
            "",
            "internet",
            "zhang",
            dt.date(2025, 5, 1),
            "",
            "",
            "",
            "",
            "",
        ),
        (
            "王先生",
            "13800000001",
            "13800000001",
            "M",
            "朝阳",
            "IT",
            "prospect",
            "",
            "途胜",
            "1个月",
            "A",
            "internet",
            "zhang",
            dt.date(2026, 10, 1),
            "20万",
            "installment",
            "replacement",
            "RAV4",
            "二胎家庭",
        ),
        (
            "赵女士",
            "13900000002",
            "13900000002",
            "",
            "",
            "",
            "prospect",
            "",
            "途胜",
            "",
            "B",
            "friend",
            "li",
            dt.date(2026, 9, 20),
            "",
            "",
            "",
            "",
            "",
        ),
    ]
    assert activities() == [
        (
            "13800000001",
            "zhang",
            dt.date(2026, 10, 2),
            "call",
            "promotion",
            "H",
            dt.date(2026, 10, 4),
            "约周末试驾",
        ),
        (
            "13900000002",
            "li",
            dt.date(2026, 10, 2),
            "message",
            "promotion",
            "B",
            dt.date(2026, 10, 4),
            "约周末试驾",
        ),
        ("13800000001", "zhang", dt.date(2026, 10, 5), "order", "promotion", "O", None, ""),
    ]
    assert orders() == [
        (
            "13800000001",
            "zhang",
            dt.date(2026, 10, 5),
            "途胜",
            "showroom",
            None,
            Decimal("5000.00"),
            dt.date(2026, 10, 12),
            True,
            True,
            False,
            Decimal("3500.00"),
            True,
            False,
            dt.date(2026, 10, 14),
            dt.date(2026, 10, 18),
            "LBE12345678901234",
            False,
            None,
        ),
    ]
    assert losses() == [
        (
            "13900000002",
            "li",
            dt.date(2026, 10, 20),
            "lost",
            "B",
            "丰田",
            "RAV4",
            "price",
            "对方优惠两万",
            "confirmed",
            "boss",
            dt.date(2026, 10, 20),
        ),
    ]
    assert leads() == [
        (
            dt.datetime(2026, 10, 3, 12, 15, tzinfo=dt.UTC),
            dt.date(2026, 10, 3),
            "internet",
            "孙女士",
            "13700000003",
            "13700000003",
            "索纳塔",
            "li",
            None,
            None,
            None,
        ),
    ]
    # The owner's car from the card (sold elsewhere), the car sold with the delivered order.
    assert vehicles() == [
        ("13600000004", None, "LBE00000000000042", "京A12345", "北京现代", "途胜", None),
        (
            "13800000001",
            dt.date(2026, 10, 5),
            "LBE12345678901234",
            "",
            "北京现代",
            "途胜",
            dt.date(2026, 10, 12),
        ),
    ]
    # A new card's grade is logged on its card date.
    # Rebuilt from the activities' 级别: every grade change is made with a contact.
    assert grade_changes() == [
        ("13800000001", dt.date(2026, 10, 2), "", "H"),
        ("13800000001", dt.date(2026, 10, 5), "H", "O"),
        ("13900000002", dt.date(2026, 10, 2), "", "B"),
    ]


def test_reimport_of_every_form_changes_nothing(xlsx, run_import, store, staff):
    path = xlsx(all_sheets())
    assert run_import(path).ok
    before = everything()
    history = [m.history.count() for m in (Customer, Activity, Order, LossReport, Lead)]

    again = run_import(path)

    assert again.ok, again.err
    assert again.out.splitlines()[:5] == [
        "客户信息卡（BJ01）：新增 0 行，更新 0 行，未变 3 行",
        "营业日报表（BJ01）：新增 0 行，更新 0 行，未变 3 行",
        "订单交车（BJ01）：新增 0 行，更新 0 行，未变 1 行",
        "战败失控（BJ01）：新增 0 行，更新 0 行，未变 1 行",
        "线索（BJ01）：新增 0 行，更新 0 行，未变 1 行",
    ]
    assert everything() == before
    assert [m.history.count() for m in (Customer, Activity, Order, LossReport, Lead)] == history


def test_dry_run_of_every_form_writes_nothing(xlsx, run_import, store, staff):
    run = run_import(xlsx(all_sheets()), dry_run=True)

    assert run.ok, run.err
    assert run.out.splitlines() == [
        "试运行：未写入任何数据。正式导入将会：",
        "客户信息卡（BJ01）：新增 3 行，更新 0 行，未变 0 行",
        "营业日报表（BJ01）：新增 3 行，更新 0 行，未变 0 行",
        "订单交车（BJ01）：新增 1 行，更新 0 行，未变 0 行",
        "战败失控（BJ01）：新增 1 行，更新 0 行，未变 0 行",
        "线索（BJ01）：新增 1 行，更新 0 行，未变 0 行",
        "共检查 9 行。",
    ]
    assert everything() == ([], [], [], [], [], [], [])
