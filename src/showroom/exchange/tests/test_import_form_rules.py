"""One form at a time in an import: the loss status, the owner rule, a card updated by its
phone, lead times and links, CSV files with English headers, order columns."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from showroom.customers.models import Customer, GradeChange
from showroom.exchange.tests.builders import customer, lead, loss, order, table
from showroom.exchange.tests.test_import_forms import (
    CUSTOMERS,
    LEADS,
    LOSSES,
    ORDERS,
    SHANGHAI,
    grade_changes,
)
from showroom.organization.choices import Role
from showroom.organization.models import Staff
from showroom.sales.models import Activity, LossReport, Order
from showroom.traffic.models import Lead
from tests import factories as f

pytestmark = pytest.mark.django_db


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


def test_loss_status_column_sets_the_decision(xlsx, run_import, store, staff):
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
