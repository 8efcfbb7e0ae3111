"""Re-activations (激活) and service visits (回厂) as column tables.

Both name their customer by phone, as activities do: the card must exist in the store or come
in the customers sheet of the same import. Exported: the rows of the range and, of each
exported card, the last before it (carried.py): a re-activation makes a new prospect
(docs/contracts.md, KPIs), and the owner KPIs read the service visits of the year before a
period's end.
"""

from __future__ import annotations

from typing import Any

from showroom.exchange import carried
from showroom.exchange.columns import (
    DATE,
    STAFF,
    VIN,
    Column,
    Form,
    _text,
    customer_name,
    customer_phone,
    ref_column,
)
from showroom.exchange.parsing import Choice, Money, Whole
from showroom.organization import access
from showroom.owners.models import ServiceVisit
from showroom.sales.models import Reactivation

# The odometer of a car still on the road: at most two million kilometres.
MILEAGE = Whole(2_000_000)


def _derive_reactivation(row: Any) -> None:
    # Who handed the customer back: the screens record the user; an import, the receiver.
    if row.by_id is None:
        row.by_id = row.consultant_id


REACTIVATIONS = Form(
    name="reactivations",
    zh="激活",
    model=Reactivation,
    sheet_aliases=("客户激活", "激活名单", "reactivation"),
    date_field="date",
    order_by=("date", "id"),
    scope=access.card_rows,
    customer_column="phone",
    before_range=carried.reactivations,
    derive=_derive_reactivation,
    columns=(
        Column("date", "日期", DATE, required=True, identity=True, aliases=("激活日期",)),
        customer_phone(),
        customer_name(),
        Column(
            "consultant",
            "销售顾问",
            STAFF,
            required=True,
            identity=True,
            aliases=("顾问", "接收顾问"),
        ),
        Column("list", "名单", _text(Reactivation, "list_name"), field="list_name", width=16),
        Column("notes", "备注", _text(Reactivation, "reason"), field="reason", width=30),
        ref_column("RA"),
    ),
)

SERVICE_VISITS = Form(
    name="service_visits",
    zh="回厂",
    model=ServiceVisit,
    sheet_aliases=("回厂登记", "售后回厂", "service_visit"),
    date_field="date",
    order_by=("date", "id"),
    scope=access.card_rows,
    customer_column="phone",
    before_range=carried.service_visits,
    columns=(
        Column("date", "日期", DATE, required=True, identity=True, aliases=("进厂日期",)),
        customer_phone(),
        customer_name(),
        Column("vin", "车架号", VIN, identity=True, aliases=("VIN",), width=20),
        Column("plate", "车牌号", _text(ServiceVisit, "plate"), aliases=("车牌",)),
        Column(
            "kind",
            "类型",
            Choice(
                ("maintenance", "保养", "定期保养", "首保"),
                ("repair", "维修", "一般维修", "机修"),
                ("accident", "事故", "事故维修", "钣喷"),
                ("warranty", "保修", "索赔", "三包"),
            ),
            identity=True,
            aliases=("维修类型", "业务类型"),
            width=8,
        ),
        Column("mileage", "里程", MILEAGE, aliases=("行驶里程", "进厂里程"), width=10),
        Column("amount", "金额", Money(10), aliases=("结算金额", "维修金额"), width=10),
        Column("advisor", "服务顾问", _text(ServiceVisit, "advisor"), aliases=("接待顾问",)),
        Column("notes", "备注", _text(ServiceVisit, "notes"), width=30),
        ref_column("SV"),
    ),
)
