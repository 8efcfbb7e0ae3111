"""The customer card, daily activities, orders, losses and leads as column tables, and
`FORMS`: every form the import recognizes and the export writes, in workbook order (with the
re-activations and service visits of followups.py and the targets of target_rows.py).

Rows of activities, orders and losses name their customer by phone (`customer_column`): the
card must exist in the store or come in the customers sheet of the same import. A few columns
beyond the dealers' forms let a round trip keep what the screens record (an owner's kind);
files without them import by the rules of docs/contracts.md.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from showroom.customers.models import Customer
from showroom.customers.phones import normalize_phone
from showroom.exchange import carried
from showroom.exchange.columns import (
    CALLS,
    DATE,
    GRADE,
    PHONE_ALIASES,
    SOURCE,
    STAFF,
    VIN,
    WALK_INS,
    YES_NO,
    Column,
    Form,
    _text,
    customer_name,
    customer_phone,
    ref_column,
)
from showroom.exchange.followups import REACTIVATIONS, SERVICE_VISITS
from showroom.exchange.parsing import (
    Choice,
    DateTime,
    Money,
    Phone,
    StaffRef,
    Text,
)
from showroom.exchange.target_rows import TARGETS
from showroom.organization import access
from showroom.organization.choices import Role
from showroom.organization.models import Store
from showroom.owners.models import Vehicle
from showroom.sales.models import Activity, LossReport, Order
from showroom.sales.rules import delivery_date_error
from showroom.traffic.models import Lead

DATETIME = DateTime()
MANAGER = StaffRef(Role.MANAGER)


def _derive_customer(row: Any) -> None:
    row.phone_norm = normalize_phone(row.phone)


def _customer_export(qs: QuerySet[Any]) -> QuerySet[Any]:
    # The card shows the owner's latest car (Vehicle's own ordering).
    latest = Vehicle.objects.filter(customer=OuterRef("pk")).order_by("-delivery_date", "id")
    return qs.annotate(
        vehicle_vin=Subquery(latest.values("vin")[:1]),
        vehicle_plate=Subquery(latest.values("plate")[:1]),
    )


CUSTOMERS = Form(
    name="customers",
    zh="客户信息卡",
    model=Customer,
    sheet_aliases=("客户信息", "客户卡", "客户档案", "customer"),
    date_field="created",
    order_by=("created", "id"),
    derive=_derive_customer,
    derived_fields=("phone_norm",),
    scope=access.customer_rows,
    key_field="phone_norm",
    unique=True,
    sparse=True,
    before_range=carried.customers,
    write_order=0,
    export_query=_customer_export,
    columns=(
        Column("name", "客户姓名", _text(Customer, "name"), required=True, aliases=("姓名",)),
        Column(
            "phone",
            "联系电话",
            Phone(32, digits_required=True),
            required=True,
            identity=True,
            aliases=PHONE_ALIASES,
            width=15,
        ),
        Column(
            "gender",
            "性别",
            Choice(("M", "男", "male", "先生"), ("F", "女", "female", "女士")),
            width=8,
        ),
        Column("region", "区域", _text(Customer, "region"), aliases=("地区", "住址区域")),
        Column("industry", "行业", _text(Customer, "industry")),
        Column(
            "customer_type",
            "客户类型",
            Choice(
                ("prospect", "意向", "意向客户"),
                ("owner", "保有", "保有客户"),
                ("lost", "战败", "战败客户"),
                ("out_of_control", "失控", "失控客户"),
                ("dormant", "休眠", "休眠客户"),
            ),
            aliases=("客户分类",),
            width=10,
        ),
        Column("model", "意向车型", _text(Customer, "model"), aliases=("车型",)),
        Column(
            "purchase_timeframe",
            "购买周期",
            _text(Customer, "purchase_timeframe"),
            aliases=("预计购买时间",),
        ),
        Column("grade", "意向级别", GRADE, aliases=("级别",), width=10),
        Column("source", "信息来源", SOURCE, aliases=("来源",), width=14),
        Column("consultant", "销售顾问", STAFF, aliases=("顾问",)),
        Column("created", "建档日期", DATE, aliases=("建卡日期",)),
        Column("budget", "预算", _text(Customer, "budget")),
        Column(
            "payment",
            "付款方式",
            Choice(("full", "全款", "一次性付款"), ("installment", "分期", "贷款", "按揭")),
            width=10,
        ),
        Column(
            "purchase_type",
            "购买类型",
            Choice(("first", "首购", "首次购车"), ("replacement", "置换"), ("additional", "增购")),
            width=10,
        ),
        Column("competitor_models", "竞品车型", _text(Customer, "competitor_models"), width=16),
        Column(
            "vin",
            "车架号",
            VIN,
            stored=False,
            export_path="vehicle_vin",
            aliases=("VIN",),
            width=20,
        ),
        Column(
            "plate",
            "车牌号",
            _text(Vehicle, "plate"),
            stored=False,
            export_path="vehicle_plate",
            aliases=("车牌",),
        ),
        # An extra column: left empty, an owner is sold here when an order exists, else elsewhere.
        Column(
            "owner_kind",
            "保有类型",
            Choice(
                ("elsewhere", "本品牌他销", "他销"),
                ("other_brand", "他品牌", "他厂牌", "他品牌保有"),
            ),
            width=12,
        ),
        Column("notes", "备注", Text(2000), width=30),
        ref_column("CU", "created"),
    ),
)

ACTIVITIES = Form(
    name="activities",
    zh="营业日报表",
    model=Activity,
    sheet_aliases=("营业日报", "活动日报", "activity"),
    date_field="date",
    order_by=("date", "consultant__username", "id"),
    scope=access.activity_rows,
    customer_column="phone",
    before_range=carried.activities,
    columns=(
        Column("date", "日期", DATE, required=True, identity=True, aliases=("活动日期",)),
        Column("consultant", "销售顾问", STAFF, required=True, aliases=("顾问",)),
        customer_phone(),
        customer_name(),
        Column(
            "activity",
            "活动类型",
            Choice(
                ("reception", "来店接待", "展厅接待", "接待"),
                ("call", "电话跟进", "电话", "电话回访"),
                ("message", "短信微信", "短信/微信", "短信", "微信"),
                ("home_visit", "上门拜访", "拜访"),
                ("invitation", "邀约"),
                ("test_drive", "试乘试驾", "试驾"),
                ("quote", "报价"),
                ("order", "签约", "订单"),
                ("delivery", "交车"),
                ("owner_care", "保有维系", "保有客户维系"),
            ),
            required=True,
            identity=True,
            field="kind",
            aliases=("活动",),
        ),
        Column(
            "category",
            "类别",
            Choice(("management", "管理"), ("promotion", "促进"), ("development", "开拓")),
            aliases=("活动类别",),
            width=8,
        ),
        Column("grade_after", "级别", GRADE, aliases=("意向级别", "跟进后级别"), width=8),
        Column("next_date", "下次跟进日期", DATE, aliases=("下次跟进",), width=14),
        Column("notes", "备注", _text(Activity, "notes"), width=30),
        ref_column("AC"),
    ),
)


def _check_order(values: dict[str, Any], given: set[str]) -> list[tuple[str, Any]]:
    ordered, delivered = values.get("order_date"), values.get("delivery_date")
    reason = delivery_date_error(order_date=ordered, delivery_date=delivered)
    if reason:
        return [("delivery_date", reason)]
    cancelled = values.get("cancelled_on")
    if cancelled and ordered and cancelled < ordered:
        return [("cancelled_on", _("The cancellation date is before the order date"))]
    if cancelled and delivered:
        return [("cancelled_on", _("A delivered order cannot be cancelled"))]
    return []


def _derive_order(order: Any) -> None:
    order.cancelled = order.cancelled_on is not None


ORDERS = Form(
    name="orders",
    zh="订单交车",
    model=Order,
    sheet_aliases=("订单", "交车", "order"),
    date_field="order_date",
    order_by=("order_date", "id"),
    scope=access.order_rows,
    customer_column="phone",
    before_range=carried.orders,
    row_check=_check_order,
    derive=_derive_order,
    derived_fields=("cancelled",),
    columns=(
        Column("order_date", "订单日期", DATE, required=True, identity=True, aliases=("签约日期",)),
        customer_phone(),
        customer_name(),
        Column(
            "model",
            "车型",
            _text(Order, "model"),
            required=True,
            identity=True,
            aliases=("订购车型",),
        ),
        Column("consultant", "销售顾问", STAFF, required=True, aliases=("顾问",)),
        Column(
            "channel",
            "销售渠道",
            Choice(("showroom", "展厅"), ("secondary", "二级网点", "二网"), ("fleet", "大客户")),
            aliases=("渠道",),
            width=10,
        ),
        Column("source", "信息来源", SOURCE, aliases=("来源",), width=14),
        Column("deposit", "定金", Money(12), aliases=("订金",), width=10),
        Column("delivery_date", "交车日期", DATE),
        Column("ceremony", "交车仪式", YES_NO, width=10),
        Column("insurance", "保险", YES_NO, aliases=("新车投保",), width=8),
        Column("finance", "金融", YES_NO, aliases=("贷款",), width=8),
        Column("accessories", "精品金额", Money(10), aliases=("精品",), width=10),
        Column("extended_warranty", "延保", YES_NO, width=8),
        Column("trade_in", "二手车置换", YES_NO, aliases=("置换",), width=10),
        Column("call_3day", "3日回访日期", DATE, aliases=("3日电话回访",), width=14),
        Column("letter_7day", "7日信函日期", DATE, aliases=("7日信函回访",), width=14),
        Column("vin", "车架号", VIN, aliases=("VIN",), width=20),
        Column("contract_no", "合同号", _text(Order, "contract_no")),
        Column("price", "成交价", Money(12), aliases=("成交价格",), width=10),
        Column("colour", "颜色", _text(Order, "colour"), aliases=("车身颜色",), width=8),
        Column("cancelled_on", "取消日期", DATE, aliases=("退订日期",)),
        ref_column("OR"),
    ),
)


_LOSS_STATUS = Choice(
    ("requested", "待确认", "申请中"),
    ("confirmed", "已确认", "确认"),
    ("returned", "退回", "已退回"),
)


def _check_loss(values: dict[str, Any], given: set[str]) -> list[tuple[str, Any]]:
    """审核状态 as given; absent or empty: confirmed when 确认人 is given, else waiting. A
    decided record (confirmed or sent back) without 确认日期 was decided on the row's date."""
    if not values.get("reason"):
        values["reason"] = "other"
    manager = values.get("decided_by")
    status = values.get("status") if "status" in given else None
    if status is None:
        status = "confirmed" if manager else "requested"
    values["status"] = status
    if status == "confirmed" and manager is None:
        return [("confirmed_by", _("A confirmed record needs the manager who confirmed it"))]
    if status == "requested":
        if manager is not None or values.get("decided_on"):
            return [("status", _("A waiting request has no manager's decision yet"))]
        return []
    if not values.get("decided_on"):
        values["decided_on"] = values.get("date")
    return []


LOSSES = Form(
    name="losses",
    zh="战败失控",
    model=LossReport,
    sheet_aliases=("战败", "失控", "loss"),
    date_field="date",
    order_by=("date", "id"),
    scope=access.loss_rows,
    customer_column="phone",
    before_range=carried.losses,
    row_check=_check_loss,
    columns=(
        Column("date", "日期", DATE, required=True, identity=True, aliases=("战败日期",)),
        customer_phone(),
        customer_name(),
        Column("consultant", "销售顾问", STAFF, required=True, aliases=("顾问",)),
        Column(
            "kind",
            "类型",
            Choice(("lost", "战败"), ("out_of_control", "失控")),
            required=True,
            identity=True,
            aliases=("战败失控类型",),
            width=8,
        ),
        Column("grade", "当时级别", GRADE, aliases=("级别",), width=10),
        Column("competitor_brand", "竞品品牌", _text(LossReport, "competitor_brand")),
        Column("competitor_model", "竞品车型", _text(LossReport, "competitor_model")),
        Column(
            "reason",
            "原因",
            Choice(
                ("price", "价格"),
                ("product", "产品"),
                ("brand", "品牌"),
                ("service", "服务"),
                ("finance", "金融"),
                ("delivery_time", "交期"),
                ("trade_in", "置换"),
                ("location", "距离"),
                ("other", "其他"),
            ),
            aliases=("战败原因",),
            width=8,
        ),
        Column("description", "说明", _text(LossReport, "description"), width=30),
        # Who decided: the manager who confirmed it, or who sent it back (退回).
        Column("confirmed_by", "确认人", MANAGER, field="decided_by", aliases=("审核人",)),
        Column("status", "审核状态", _LOSS_STATUS, aliases=("状态",), width=10),
        Column("decided_on", "确认日期", DATE, aliases=("审核日期",)),
        ref_column("LO"),
    ),
)


def _derive_lead(row: Any) -> None:
    row.phone_norm = normalize_phone(row.phone)
    row.date = row.created_at.astimezone(row.store.tz).date()


LEADS = Form(
    name="leads",
    zh="线索",
    model=Lead,
    sheet_aliases=("线索登记", "lead"),
    date_field="date",
    order_by=("created_at", "id"),
    links_customer=True,
    derive=_derive_lead,
    derived_fields=("phone_norm", "date"),
    scope=access.lead_rows,
    before_range=carried.leads,
    unique=True,
    columns=(
        Column(
            "created_at",
            "创建时间",
            DATETIME,
            required=True,
            identity=True,
            aliases=("线索时间", "日期时间"),
            width=18,
        ),
        Column("channel", "渠道", SOURCE, required=True, aliases=("线索渠道", "信息来源", "来源")),
        Column("name", "客户姓名", _text(Lead, "name"), aliases=("姓名",)),
        Column(
            "phone",
            "联系电话",
            Phone(32, digits_required=True),
            required=True,
            identity=True,
            aliases=PHONE_ALIASES,
            width=15,
        ),
        Column("email", "邮箱", _text(Lead, "email"), aliases=("电子邮箱", "e-mail"), width=20),
        Column("model", "意向车型", _text(Lead, "model"), aliases=("车型",)),
        Column("assigned_to", "负责人", STAFF, aliases=("跟进人", "DCC专员")),
        Column("first_contact_at", "首次联系时间", DATETIME, width=18),
        Column("appointment_date", "预约到店日期", DATE, aliases=("预约日期",), width=14),
        Column("notes", "备注", _text(Lead, "notes"), width=30),
        ref_column("LE"),
    ),
)

# Every form the import recognizes and the export writes, in workbook order.
FORMS: tuple[Form, ...] = (
    WALK_INS,
    CALLS,
    CUSTOMERS,
    ACTIVITIES,
    ORDERS,
    LOSSES,
    LEADS,
    REACTIVATIONS,
    SERVICE_VISITS,
    TARGETS,
)


def lead_import_key(*, store: Store, created_at: datetime, phone: str) -> str:
    """The import_key of a lead row of these values, as the import computes it."""
    values = {"created_at": created_at, "phone": phone}
    return LEADS.import_key(store.code, LEADS.natural_key(values), 1)
