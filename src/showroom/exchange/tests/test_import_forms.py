"""Customer cards, activities, orders, losses and leads (SPEC §6.3–6.7) in one import."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from showroom.customers.models import Customer, GradeChange
from showroom.exchange.tests.builders import activity, customer, lead, loss, order, table
from showroom.organization.choices import Role
from showroom.organization.models import Staff
from showroom.owners.models import Vehicle
from showroom.sales.models import Activity, LossReport, Order
from showroom.traffic.models import Lead
from tests import factories as f

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


@pytest.fixture
def staff(consultant, consultant2, manager):
    return consultant, consultant2, manager


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


def test_a_loss_without_confirmed_by_is_a_waiting_request(xlsx, run_import, store, staff):
    f.CustomerFactory(store=store, phone="13900000002", consultant=staff[1])
    path = xlsx({LOSSES: table(loss(), loss(日期="2026-10-21", 类型="失控", 原因=None))})

    assert run_import(path).ok

    assert list(
        LossReport.objects.order_by("date").values_list(
            "kind", "reason", "status", "decided_by", "decided_on"
        )
    ) == [
        ("lost", "price", "requested", None, None),
        ("out_of_control", "other", "requested", None, None),
    ]


def test_loss_status_column_beyond_the_spec(xlsx, run_import, store, staff):
    f.CustomerFactory(store=store, phone="13900000002", consultant=staff[1])
    path = xlsx(
        {
            LOSSES: table(
                loss(确认人="boss", 审核状态="退回", 确认日期="2026-10-22"),
                loss(日期="2026-10-23", 确认人="王经理", 审核状态="已确认"),
            )
        }
    )

    assert run_import(path).ok

    assert list(
        LossReport.objects.order_by("date").values_list(
            "status", "decided_by__username", "decided_on"
        )
    ) == [
        ("returned", "boss", dt.date(2026, 10, 22)),
        ("confirmed", "boss", dt.date(2026, 10, 23)),
    ]


def test_owner_rule(xlsx, run_import, store, staff):
    """An owner is this store's sale only with an order for the phone (in the import or the
    store); otherwise sold elsewhere, unless the card already says other brand."""
    sold_before = f.CustomerFactory(store=store, phone="13500000005", customer_type="prospect")
    Order.objects.create(
        store=store,
        customer=sold_before,
        consultant=staff[0],
        order_date=dt.date(2026, 1, 5),
        model="途胜",
    )
    f.CustomerFactory(
        store=store, phone="13500000006", owner_kind="other_brand", customer_type="owner"
    )
    path = xlsx(
        {
            CUSTOMERS: table(
                customer(联系电话="13500000005", 客户类型="保有"),  # an order in the store
                customer(联系电话="13500000006", 客户类型="保有"),  # other brand, kept
                customer(联系电话="13500000007", 客户类型="保有"),  # an order in the file
                customer(联系电话="13500000008", 客户类型="保有客户"),  # none: elsewhere
                customer(联系电话="13500000009", 客户类型="保有", 保有类型="他品牌"),
                customer(联系电话="13500000010", 客户类型="战败"),
            ),
            ORDERS: table(order(联系电话="13500000007")),
        }
    )

    run = run_import(path)

    assert run.ok, run.err
    assert list(
        Customer.objects.order_by("phone_norm").values_list(
            "phone_norm", "customer_type", "owner_kind"
        )
    ) == [
        ("13500000005", "owner", ""),
        ("13500000006", "owner", "other_brand"),
        ("13500000007", "owner", ""),
        ("13500000008", "owner", "elsewhere"),
        ("13500000009", "owner", "other_brand"),
        ("13500000010", "lost", ""),
    ]
    assert run.lines == [
        "警告：客户信息卡（BJ01）：1 位保有客户没有本店订单，已记为本品牌他销保有客户"
    ]


@time_machine.travel(dt.datetime(2026, 10, 25, 9, 0, tzinfo=SHANGHAI), tick=False)
def test_an_existing_card_is_updated_by_phone_and_keeps_what_the_file_leaves_empty(
    xlsx, run_import, store, staff
):
    card = f.CustomerFactory(
        store=store,
        name="王",
        phone="138 0000 0001",
        consultant=staff[1],
        grade="B",
        region="海淀",
        created=dt.date(2026, 8, 1),
    )
    path = xlsx(
        {CUSTOMERS: [["客户姓名", "联系电话", "意向级别"], ["王先生", "+86 13800000001", "H"]]}
    )

    run = run_import(path)

    assert run.out.splitlines()[0] == "客户信息卡（BJ01）：新增 0 行，更新 1 行，未变 0 行"
    card.refresh_from_db()
    assert (card.name, card.phone, card.grade, card.region, card.created, card.consultant) == (
        "王先生",
        "+86 13800000001",
        "H",
        "海淀",
        dt.date(2026, 8, 1),
        staff[1],
    )
    assert card.version == 2
    # The import's grade change is logged on the import day.
    assert grade_changes() == [("13800000001", dt.date(2026, 10, 25), "B", "H")]
    assert Customer.objects.count() == 1


@time_machine.travel(dt.datetime(2026, 10, 25, 9, 0, tzinfo=SHANGHAI), tick=False)
def test_card_date_defaults_to_the_import_day(xlsx, run_import, store):
    path = xlsx({CUSTOMERS: [["name", "phone"], ["周先生", "13300000011"]]})

    run = run_import(path)

    assert run.ok, run.err
    assert Customer.objects.values_list(
        "created", "customer_type", "consultant", "grade"
    ).get() == (
        dt.date(2026, 10, 25),
        "prospect",
        None,
        "",
    )
    assert GradeChange.objects.count() == 0


def test_confirmed_by_a_new_manager_with_create_staff(xlsx, run_import, store, staff):
    f.CustomerFactory(store=store, phone="13900000002", consultant=staff[1])

    run = run_import(xlsx({LOSSES: table(loss(确认人="刘总"))}), create_staff=True)

    assert run.ok, run.err
    boss = Staff.objects.get(full_name="刘总")
    assert (boss.roles, boss.has_usable_password()) == (Role.MANAGER, False)
    assert LossReport.objects.get().decided_by == boss
    assert "新建员工（BJ01）：刘总，销售经理（设置密码后才能登录）" in run.out.splitlines()


def test_lead_times_are_the_store_local_time(xlsx, run_import, store, staff):
    path = xlsx(
        {
            LEADS: table(
                lead(
                    创建时间="2026-10-01 08:05",
                    首次联系时间="2026/10/1 8:20:30",
                    预约到店日期="2026-10-04",
                    渠道="oem",
                ),
                lead(创建时间="2026-10-01T23:30:00Z", 联系电话="13100000012", 负责人=None),
            )
        }
    )

    assert run_import(path).ok

    assert list(
        Lead.objects.order_by("created_at").values_list(
            "created_at",
            "date",
            "first_contact_at",
            "appointment_date",
            "channel__code",
            "assigned_to",
        )
    ) == [
        (
            dt.datetime(2026, 10, 1, 0, 5, tzinfo=dt.UTC),
            dt.date(2026, 10, 1),
            dt.datetime(2026, 10, 1, 0, 20, 30, tzinfo=dt.UTC),
            dt.date(2026, 10, 4),
            "oem",
            staff[1].pk,
        ),
        # 23:30 UTC is the next morning in Shanghai: the lead's date is the store's.
        (
            dt.datetime(2026, 10, 1, 23, 30, tzinfo=dt.UTC),
            dt.date(2026, 10, 2),
            None,
            None,
            "internet",
            None,
        ),
    ]


def test_lead_links_the_card_with_its_phone(xlsx, run_import, store, staff):
    card = f.CustomerFactory(store=store, phone="137-0000-0003")

    assert run_import(xlsx({LEADS: table(lead())})).ok

    assert Lead.objects.get().customer == card


def test_csv_files_with_english_headers(csv_file, run_import, store, staff):
    files = [
        csv_file(
            "customers.csv",
            [
                ["name", "phone", "customer_type", "grade", "consultant", "created", "source"],
                ["王先生", "13800000001", "prospect", "A", "C001", "2026-10-01", "internet"],
            ],
        ),
        csv_file(
            "orders.csv",
            [
                [
                    "order_date",
                    "phone",
                    "model",
                    "consultant",
                    "channel",
                    "insurance",
                    "accessories",
                ],
                ["2026-10-05", "13800000001", "途胜", "C001", "fleet", "1", "1200.5"],
            ],
        ),
        csv_file(
            "activities.csv",
            [
                ["date", "consultant", "phone", "activity", "category", "grade_after"],
                ["2026-10-05", "张伟", "13800000001", "order", "promotion", "O"],
            ],
        ),
        csv_file(
            "leads.csv",
            [
                ["created_at", "channel", "phone", "assigned_to"],
                ["2026-10-03 20:15", "车展/外展", "13700000003", "C002"],
            ],
        ),
    ]

    run = run_import(*files)

    assert run.ok, run.err
    assert Order.objects.values_list(
        "channel", "insurance", "accessories", "customer__name"
    ).get() == (
        "fleet",
        True,
        Decimal("1200.50"),
        "王先生",
    )
    assert Activity.objects.values_list("kind", "category", "grade_after").get() == (
        "order",
        "promotion",
        "O",
    )
    assert Lead.objects.values_list("channel__code", "assigned_to__username").get() == (
        "exhibition",
        "li",
    )


def test_the_card_sheet_is_recognized_by_its_header(xlsx, run_import, store, staff):
    path = xlsx(
        {
            "Sheet1": [
                ["客户姓名", "联系电话", "客户类型", "意向级别"],
                ["王先生", "13800000001", "意向", "C"],
            ],
            "Sheet2": table(order()),
        }
    )

    run = run_import(path)

    assert run.ok, run.err
    assert Order.objects.get().customer == Customer.objects.get()


def test_order_columns_of_a_cancellation_and_the_price(xlsx, run_import, store, staff):
    f.CustomerFactory(store=store, phone="13800000001", consultant=staff[0])
    f.CustomerFactory(store=store, phone="13900000002", consultant=staff[1])
    path = xlsx(
        {
            ORDERS: table(
                order(合同号="HT-7", 成交价="158,000", 颜色="珍珠白", 取消日期="2026-11-02"),
                order(联系电话="13900000002", 销售顾问="李娜", 取消日期=None),
            )
        }
    )

    assert run_import(path).ok

    assert list(
        Order.objects.order_by("customer__phone").values_list(
            "customer__phone_norm", "contract_no", "price", "colour", "cancelled", "cancelled_on"
        )
    ) == [
        ("13800000001", "HT-7", Decimal("158000.00"), "珍珠白", True, dt.date(2026, 11, 2)),
        ("13900000002", "", None, "", False, None),
    ]
