"""The one definition of every KPI: code, names, formula, source forms, good direction.

The dashboard, the exports, the API and the command line all read `REGISTRY`; nothing else
names a KPI. Names and formulas are data in both languages (not gettext messages): they are
the contract's wording, and `KPI.name` / `KPI.formula` pick the active language.

`implemented` says whether `showroom.kpi.selectors.compute_kpis` computes the KPI yet;
consumers show only implemented KPIs, so that a missing computation is never taken for a
real null (a rate whose denominator is 0). Every KPI is computed now; target_attainment
divides by the targets of `showroom.targets` (per store and per consultant; null by source
or model, which have no targets).

Grouped by store, consultant, source or model, every row counts in its own group:
- walk-in and call rows (traffic KPIs; the walk-in side of close_rate, test_drive_close_rate,
  unique_close_rate): the row's consultant, source and intended model;
- customer cards (new, carried over, H/A/B/C/O prospects, owners, their retention and
  churn; the prospect base of order_rate, lost_rate, out_of_control_rate): the card's
  consultant (today's: a handed-over card counts with its new consultant), source, model;
- orders and deliveries (orders…, deliveries, every per-delivery rate, source_mix,
  owner_referral_rate, the orders of close_rate and order_rate): the order's consultant,
  source and model;
- lost and out-of-control records: the record's consultant, the card's source and model;
- leads: the agent assigned, the lead's channel (a source code) and model.
A rate across two of these divides within the group. Rows without a consultant, source or
model make a group of their own (`showroom.kpi.selectors.NONE_KEY`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from django.utils.translation import get_language

from showroom.core.numbers import percent as _percent

Good = Literal["up", "down"] | None
Kind = Literal["count", "rate", "average", "minutes", "mapping"]
Area = Literal["traffic", "prospects", "deals", "owners", "leads", "targets"]

# The forms a KPI is computed from: the exchange forms plus targets and service visits.
FORMS: dict[str, tuple[str, str]] = {
    "walk_ins": ("来店客户登记表", "Walk-in register"),
    "calls": ("来电客户登记表", "Call register"),
    "customers": ("客户信息卡", "Customer cards"),
    "activities": ("营业日报表", "Daily activity report"),
    "orders": ("订单交车", "Orders and deliveries"),
    "losses": ("战败失控", "Lost and out-of-control records"),
    "leads": ("线索", "Leads"),
    "targets": ("销售目标", "Sales targets"),
    "service_visits": ("售后进厂记录", "Service visits"),
}


def _english() -> bool:
    return (get_language() or "").startswith("en")


@dataclass(frozen=True)
class KPI:
    code: str
    name_zh: str
    name_en: str
    formula_zh: str
    formula_en: str
    sources: tuple[str, ...]
    good: Good
    # count: an int; rate: a fraction in [0, 1] or None; average: a float or None (a mean per
    # something, not a fraction); minutes: a float or None; mapping: {key: rate}.
    kind: Kind
    area: Area
    # Computed by compute_kpis yet (see the module's docstring).
    implemented: bool = True

    @property
    def name(self) -> str:
        return self.name_en if _english() else self.name_zh

    @property
    def formula(self) -> str:
        return self.formula_en if _english() else self.formula_zh

    def source_names(self) -> list[str]:
        return [FORMS[s][1] if _english() else FORMS[s][0] for s in self.sources]

    def format(self, value: object) -> str:
        """For people: rates as percentages (one decimal), minutes and averages to one decimal."""
        if value is None:
            return "—"
        if self.kind == "mapping" and isinstance(value, dict):
            return ", ".join(f"{k}: {_percent(v)}" for k, v in value.items()) or "—"
        if self.kind == "rate":
            return _percent(value)  # type: ignore[arg-type]
        if self.kind in ("average", "minutes"):
            # The values are exact; shown half-up, as people round.
            shown = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            return f"{shown:.1f}"
        return str(value)


WALK, CALL, CARD, ACT = "walk_ins", "calls", "customers", "activities"
ORD, LOSS, LEAD = "orders", "losses", "leads"

# Open prospects of grades H/A/B are the ones followed actively; C is neither good nor bad.
_GRADE_DIRECTIONS: tuple[tuple[str, Good], ...] = (
    ("H", "up"),
    ("A", "up"),
    ("B", "up"),
    ("C", None),
)

# In the order of the product's KPI table (docs/contracts.md shows it); rows that the formula
# tables combine (prospects_H / _A / _B / _C, orders_from_carried_over / orders_from_new) are
# one KPI each here.
_KPIS: tuple[KPI, ...] = (
    KPI(
        "walkin_batches",
        "展厅客流量总批次",
        "Walk-in parties",
        "期间内来店登记的行数（批次）",
        "Walk-in rows in the period",
        (WALK,),
        "up",
        "count",
        "traffic",
    ),
    KPI(
        "first_visit_batches",
        "首次来店批数",
        "First-visit parties",
        "期间内来店类型为首次的来店登记行数",
        "Walk-in rows with visit type first",
        (WALK,),
        "up",
        "count",
        "traffic",
    ),
    KPI(
        "repeat_visit_batches",
        "再次来店批数",
        "Repeat-visit parties",
        "期间内来店类型为再次的来店登记行数",
        "Walk-in rows with visit type repeat",
        (WALK,),
        "up",
        "count",
        "traffic",
    ),
    KPI(
        "invited_visit_batches",
        "邀约到店批数",
        "Invited visits",
        "期间内标记为邀约到店的来店登记行数",
        "Walk-in rows marked invited",
        (WALK,),
        "up",
        "count",
        "traffic",
    ),
    KPI(
        "call_batches",
        "来电批数",
        "Calls",
        "期间内来电登记的行数",
        "Call rows in the period",
        (CALL,),
        "up",
        "count",
        "traffic",
    ),
    KPI(
        "first_call_batches",
        "首次来电批数",
        "First-time calls",
        "期间内来电类型为首次的来电登记行数",
        "Call rows with call type first",
        (CALL,),
        "up",
        "count",
        "traffic",
    ),
    KPI(
        "avg_stay_minutes",
        "平均停留时间",
        "Average stay (minutes)",
        "首次来店且有进店、离店时间的行的（离店时间 − 进店时间）分钟数的平均值",
        "Mean of (departure − arrival) in minutes over first-visit rows having both times",
        (WALK,),
        "up",
        "minutes",
        "traffic",
    ),
    KPI(
        "retention_rate",
        "来店客户留档率",
        "Contact retention rate",
        "首次来店中留档的批数 ÷ 首次来店批数",
        "First-visit rows with contact kept ÷ first-visit parties",
        (WALK,),
        "up",
        "rate",
        "traffic",
    ),
    KPI(
        "receptions_per_consultant",
        "销售顾问月均接待批数",
        "Receptions per consultant",
        "首次来店批数 ÷ 首次来店行上的销售顾问人数（去重）",
        "First-visit parties ÷ distinct consultants on first-visit rows",
        (WALK,),
        None,
        "average",
        "traffic",
    ),
    KPI(
        "call_invitation_rate",
        "来电客户邀约来店率",
        "Call-to-visit rate",
        "上月首次来电的电话（去重）中，在来电之后、本期最后一天之前（含）有本店来店登记的比例",
        "Of the distinct phones of first-time calls in the previous month, the share with a "
        "walk-in row of the same store (same phone) after the call and on or before the "
        "period's last day",
        (CALL, WALK),
        "up",
        "rate",
        "traffic",
    ),
    KPI(
        "new_prospects",
        "新增意向客户数",
        "New prospects",
        "期间内建档的意向客户数（任何来源）",
        "Prospects created in the period (any source)",
        (CARD,),
        "up",
        "count",
        "prospects",
    ),
    KPI(
        "carried_over_prospects",
        "上月留存意向客户",
        "Prospects carried over",
        "期初仍未订单、战败或失控的意向客户数",
        "Prospects open at the start of the period (not yet ordered, lost or out of control)",
        (CARD, ORD, LOSS),
        None,
        "count",
        "prospects",
    ),
    *(
        KPI(
            f"prospects_{g}",
            f"{g}级意向客户数",
            f"Grade {g} prospects",
            f"期末级别为{g}的未关闭意向客户数",
            f"Open prospects with grade {g} at the end of the period",
            (CARD, ACT, ORD, LOSS),
            good,
            "count",
            "prospects",
        )
        for g, good in _GRADE_DIRECTIONS
    ),
    KPI(
        "prospects_O",
        "订单未交车客户数",
        "Ordered, not delivered",
        "期末前（含）有订单且到期末尚未交车的客户数",
        "Cards with an order on or before the period's end and no delivery by then",
        (ORD,),
        None,
        "count",
        "prospects",
    ),
    KPI(
        "active_prospects",
        "经常维系意向客户数",
        "Actively followed prospects",
        "H级 + A级 + B级意向客户数",
        "Grade H + A + B prospects",
        (CARD, ACT, ORD, LOSS),
        "up",
        "count",
        "prospects",
    ),
    KPI(
        "test_drive_rate",
        "试乘试驾率",
        "Test-drive rate",
        "有试乘试驾的来店登记行数 ÷ 展厅客流量总批次",
        "Walk-in rows with a test drive ÷ walk-in parties",
        (WALK,),
        "up",
        "rate",
        "traffic",
    ),
    KPI(
        "quote_rate",
        "报价率",
        "Quote rate",
        "有报价的来店登记行数 ÷ 展厅客流量总批次",
        "Walk-in rows with a quote ÷ walk-in parties",
        (WALK,),
        "up",
        "rate",
        "traffic",
    ),
    KPI(
        "orders",
        "订单数",
        "Orders",
        "期间内的订单数（期末前已退订的不计）",
        "Orders dated in the period, not cancelled on or before the period's end",
        (ORD,),
        "up",
        "count",
        "deals",
    ),
    KPI(
        "cancelled_orders",
        "退订数",
        "Cancelled orders",
        "取消日期在期间内的订单数",
        "Orders cancelled (cancellation date) in the period",
        (ORD,),
        "down",
        "count",
        "deals",
    ),
    KPI(
        "orders_from_carried_over",
        "留存成交",
        "Orders from carried-over prospects",
        "期间内的订单中，其意向客户为上月留存的订单数",
        "Orders in the period whose prospect was carried over",
        (ORD, CARD),
        "up",
        "count",
        "deals",
    ),
    KPI(
        "orders_from_new",
        "新增成交",
        "Orders from new prospects",
        "期间内的订单中，其意向客户为本期新增的订单数",
        "Orders in the period whose prospect was created in the period",
        (ORD, CARD),
        "up",
        "count",
        "deals",
    ),
    KPI(
        "deliveries",
        "交车数(销量)",
        "Deliveries (sales)",
        "期间内的交车数",
        "Deliveries dated in the period",
        (ORD,),
        "up",
        "count",
        "deals",
    ),
    KPI(
        "close_rate",
        "展厅成交率",
        "Showroom close rate",
        "期间内销售渠道为展厅的订单数 ÷ 首次来店批数",
        "Orders in the period with channel showroom ÷ first-visit parties",
        (ORD, WALK),
        "up",
        "rate",
        "deals",
    ),
    KPI(
        "test_drive_close_rate",
        "试驾成交率",
        "Test-drive close rate",
        "期间内来店有试乘试驾的电话（去重）中，在试驾当天或之后、期末之前（含）有订单的比例",
        "Of the distinct phones with a test drive on a walk-in row in the period, the share "
        "with an order dated on or after that test drive and on or before the period's last day",
        (WALK, ORD),
        "up",
        "rate",
        "deals",
    ),
    KPI(
        "order_rate",
        "订单率",
        "Order rate",
        "订单数 ÷ （上月留存意向客户 + 新增意向客户数）",
        "Orders ÷ (prospects carried over + new prospects)",
        (ORD, CARD, LOSS),
        "up",
        "rate",
        "deals",
    ),
    KPI(
        "lost_rate",
        "战败率",
        "Lost rate",
        "期间内的战败记录数 ÷ （上月留存意向客户 + 新增意向客户数）",
        "Lost records dated in the period ÷ (prospects carried over + new prospects)",
        (LOSS, CARD, ORD),
        "down",
        "rate",
        "deals",
    ),
    KPI(
        "out_of_control_rate",
        "失控率",
        "Out-of-control rate",
        "期间内的失控记录数 ÷ （上月留存意向客户 + 新增意向客户数）",
        "Out-of-control records dated in the period ÷ (prospects carried over + new prospects)",
        (LOSS, CARD, ORD),
        "down",
        "rate",
        "deals",
    ),
    KPI(
        "order_delivery_rate",
        "订单转化率",
        "Order-to-delivery rate",
        "交车数 ÷ 订单数",
        "Deliveries ÷ orders",
        (ORD,),
        "up",
        "rate",
        "deals",
    ),
    KPI(
        "showroom_sales_ratio",
        "展厅销售比率",
        "Showroom sales ratio",
        "销售渠道为展厅的交车数 ÷ 交车数",
        "Deliveries with channel showroom ÷ deliveries",
        (ORD,),
        None,
        "rate",
        "deals",
    ),
    KPI(
        "delivery_ceremony_rate",
        "交车仪式执行率",
        "Delivery ceremony rate",
        "有交车仪式的交车数 ÷ 交车数",
        "Deliveries with a ceremony ÷ deliveries",
        (ORD,),
        "up",
        "rate",
        "deals",
    ),
    KPI(
        "insurance_penetration",
        "新车投保率",
        "Insurance penetration",
        "售出保险的交车数 ÷ 交车数",
        "Deliveries with insurance sold ÷ deliveries",
        (ORD,),
        "up",
        "rate",
        "deals",
    ),
    KPI(
        "finance_penetration",
        "金融渗透率",
        "Finance penetration",
        "有金融贷款的交车数 ÷ 交车数",
        "Deliveries with finance ÷ deliveries",
        (ORD,),
        "up",
        "rate",
        "deals",
    ),
    KPI(
        "accessory_penetration",
        "精品渗透率",
        "Accessory penetration",
        "精品金额大于0的交车数 ÷ 交车数",
        "Deliveries with accessories amount > 0 ÷ deliveries",
        (ORD,),
        "up",
        "rate",
        "deals",
    ),
    KPI(
        "tradein_penetration",
        "二手车置换率",
        "Trade-in rate",
        "有二手车置换的交车数 ÷ 交车数",
        "Deliveries with a trade-in ÷ deliveries",
        (ORD,),
        "up",
        "rate",
        "deals",
    ),
    KPI(
        "call_3day_rate",
        "交车3日电话回访执行率",
        "3-day call rate",
        "期间内交车中在交车后3日内完成电话回访的交车数 ÷ 交车数",
        "Deliveries in the period whose 3-day call was made within 3 days after delivery "
        "÷ deliveries",
        (ORD,),
        "up",
        "rate",
        "deals",
    ),
    KPI(
        "letter_7day_rate",
        "交车7日信函回访执行率",
        "7-day letter rate",
        "期间内交车中在交车后7日内寄出回访信函的交车数 ÷ 交车数",
        "Deliveries in the period whose 7-day letter was sent within 7 days after delivery "
        "÷ deliveries",
        (ORD,),
        "up",
        "rate",
        "deals",
    ),
    KPI(
        "owner_referral_rate",
        "保有客户推荐率",
        "Owner referral rate",
        "来源为老客户推荐的交车数 ÷ 交车数",
        "Deliveries whose source is owner referral ÷ deliveries",
        (ORD,),
        "up",
        "rate",
        "owners",
    ),
    KPI(
        "owners",
        "保有客户数",
        "Owners",
        "期末在本店有已交车车辆的客户数",
        "Customers with a delivered vehicle from this store at the end of the period",
        (ORD, CARD),
        "up",
        "count",
        "owners",
    ),
    KPI(
        "owner_retention_rate",
        "保有客户维系率",
        "Owner retention rate",
        "期末前180天内有维系联系或进厂的保有客户数 ÷ 保有客户数",
        "Owners with a care contact or service visit in the 180 days up to the period's end "
        "÷ owners",
        (ORD, ACT, "service_visits"),
        "up",
        "rate",
        "owners",
    ),
    KPI(
        "owner_churn_rate",
        "保有客户流失率",
        "Owner churn rate",
        "最后一次进厂（无进厂则为交车）距期末超过365天的保有客户数 ÷ 保有客户数",
        "Owners whose last service visit (or delivery, if none) is more than 365 days before "
        "the period's end ÷ owners",
        (ORD, "service_visits"),
        "down",
        "rate",
        "owners",
    ),
    KPI(
        "target_attainment",
        "销售达成率",
        "Target attainment",
        "交车数 ÷ 本期交车目标（无目标时为空）",
        "Deliveries ÷ the period's delivery target (null without one)",
        (ORD, "targets"),
        "up",
        "rate",
        "targets",
    ),
    KPI(
        "source_mix",
        "成交客户来源渠道比例",
        "Deal source mix",
        "各信息来源：该来源的交车数 ÷ 交车数（按订单的来源代码列出，未填来源的列为(none)）",
        "For each source: deliveries from that source ÷ deliveries (keyed by the order's "
        "source code; deliveries without a source under (none))",
        (ORD,),
        None,
        "mapping",
        "deals",
    ),
    KPI(
        "unique_visitors",
        "到店客户数(去重)",
        "Unique visitors",
        "期间内来店登记行上的不同电话数，加上每一行未留电话的来店",
        "Distinct phones on walk-in rows in the period, plus each row without a phone",
        (WALK,),
        "up",
        "count",
        "traffic",
    ),
    KPI(
        "unique_close_rate",
        "去重成交率",
        "Unique close rate",
        "期间内有订单且期间内有来店登记的不同电话数 ÷ 期间内来店登记行上的不同电话数",
        "Distinct phones with an order in the period that also have a walk-in row in the "
        "period ÷ distinct phones on walk-in rows in the period",
        (ORD, WALK),
        "up",
        "rate",
        "deals",
    ),
    KPI(
        "leads",
        "线索数",
        "Leads",
        "期间内创建的线索数",
        "Leads created in the period",
        (LEAD,),
        "up",
        "count",
        "leads",
    ),
    KPI(
        "lead_response_minutes",
        "线索首次响应时长",
        "Lead response time (minutes)",
        "期间内已联系线索从创建到首次联系的分钟数的中位数（无则为空）",
        "Median minutes from a lead's creation to its first contact, over leads of the period "
        "that were contacted (null if none)",
        (LEAD,),
        "down",
        "minutes",
        "leads",
    ),
    KPI(
        "appointment_rate",
        "邀约率",
        "Appointment rate",
        "期间内已预约到店的线索数 ÷ 线索数",
        "Leads of the period with an appointment set ÷ leads",
        (LEAD,),
        "up",
        "rate",
        "leads",
    ),
    KPI(
        "show_rate",
        "邀约到店率",
        "Show rate",
        "预约日期在期间内、且其电话在预约日期加3天当日或之前（线索创建日起）有本店来店登记的线索数"
        " ÷ 预约日期在期间内的线索数",
        "Leads with an appointment date in the period whose phone has a walk-in row of the "
        "store on or before the appointment date + 3 days (from the lead's date on) ÷ leads "
        "with an appointment date in the period",
        (LEAD, WALK),
        "up",
        "rate",
        "leads",
    ),
)

REGISTRY: dict[str, KPI] = {k.code: k for k in _KPIS}


def implemented_codes() -> list[str]:
    """Codes that `compute_kpis` computes, in registry order."""
    return [code for code, kpi in REGISTRY.items() if kpi.implemented]
