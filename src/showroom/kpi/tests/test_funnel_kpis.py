"""Prospect KPIs (docs/contracts.md) on a month built for the purpose: October 2026 at BJ01.

The same month serves test_deal_kpis and test_owner_kpis (`build_month`). Every expected
number is derived by hand in a comment from the rows below. 张伟 = zhang, 李娜 = li; card
dates are 2026 unless a year is given; "GC" are logged grade changes (date →grade).

BJ01 cards (consultant, source, model, card grade today, what happened):
  P1  08-15 zhang internet     途胜   O   GC 08-15 →C, 09-20 →A; order 10-08 (zhang, showroom,
                                           internet) delivered 10-20: ceremony, insurance,
                                           finance, accessories 2000; call 10-22, letter 10-30;
                                           owner care 10-25
  P2  09-10 li    friend       索纳塔 A   lost 10-11, confirmed 10-12 (open on 10-01)
  P3  09-05 zhang walk_by      途胜   A   GC 09-05 →B, 10-15 →H
  P4  07-01 li    internet     名图   C   out of control 10-20 only REQUESTED (stays open)
  P5  09-25 li    invitation   途胜   B   out of control 10-05, confirmed
  P6  06-01 zhang internet     途胜   —   order 09-20 (li, showroom, owner_referral) delivered
                                           10-03: insurance, trade-in; call 10-06, letter 10-10
  P7  10-03 zhang owner_referral 途胜 O   order 10-12 (zhang, showroom, owner_referral), not
                                           delivered
  P8  10-05 li    friend       索纳塔 B   GC 10-05 →B
  P9  10-10 li    internet     索纳塔 H   GC 10-10 →A, 11-02 →H (after the month)
  P10 10-02 zhang fleet        途胜   —   order 10-15 (zhang, FLEET, fleet) delivered 10-31;
                                           call 11-01, no letter
  P11 09-01 li    other        名图   B   order 10-18 (li, SECONDARY, no source) delivered
                                           10-26: ceremony, insurance, finance, accessories 500;
                                           call 10-31 (late), letter 11-01
  P12 10-06 zhang internet     途胜   A   order 10-09 CANCELLED
  P13 10-08 zhang —            —      —   owner of our brand bought elsewhere (not a prospect);
                                           a service visit 10-10
  P14 05-01 li    —            —      —   other-brand owner (not a prospect)
  P15 05-10 zhang internet     —      B   lost 09-15, confirmed
  P16 09-12 zhang internet     途胜   B   lost 09-28 RETURNED by the manager (stays open)
  P17 11-03 li    internet     —      B   created after the month
  P18 10-20 li    friend       途胜   —   order 10-20 (li, showroom, friend) delivered 11-02;
                                           call 11-04
  P19 08-01 li    internet     途胜   —   order 09-25 (li, showroom, internet), not delivered
Owners from earlier years (cards without source or model; see test_owner_kpis):
  Q1 zhang delivered 2024-03-10, service visit 2026-05-05
  Q2 zhang delivered 2024-05-01, service visit 2025-08-01
  Q3 li    delivered 2025-01-20, no visit; owner care 2026-09-01
  Q4 —     delivered 2025-10-31 (order by li; the card has no consultant), no visit
  Q5 zhang delivered 2025-06-01, service visits 2025-10-30 and 2026-11-05; a plain call
           (not owner care) 2026-10-10
  Q6 li    delivered 2025-12-01, service visit 2026-05-04
  Q7 zhang order delivered 2025-03-10 but CANCELLED, then lost 2025-04-01: not an owner
BJ01 walk-ins (phone = the card's; TD = test drive):
  W1 10-03 first zhang P7 TD     W5 10-20 first  li P18          W9  09-28 first  zhang P1 TD
  W2 10-04 first li    P8 TD     W6 10-25 repeat li P8 TD        W10 10-26 first  zhang P6 TD
  W3 10-08 repeat zhang P1 TD    W7 10-09 first  zhang P12 TD    W11 10-22 repeat li P11 TD
  W4 10-19 first zhang anonymous TD   W8 10-31 first li P9 TD
SH01 (刘洋): card S1 10-05 internet 途胜 with P10's phone, order 10-10 (showroom, internet)
  delivered 10-15; walk-in 10-05 first with that phone, TD.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from showroom.customers.choices import OwnerKind
from showroom.customers.models import Customer, GradeChange
from showroom.kpi.registry import REGISTRY
from showroom.kpi.selectors import compute_kpis
from showroom.organization.choices import Role
from showroom.organization.models import Store
from showroom.owners.choices import ServiceKind
from showroom.owners.models import ServiceVisit
from showroom.sales.choices import ActivityKind, Channel, LossKind, LossReason, LossStatus
from showroom.sales.models import Activity, LossReport, Order
from showroom.traffic.choices import VisitType
from tests import factories as f

pytestmark = pytest.mark.django_db

OCT = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
PROSPECT_CODES = [code for code, kpi in REGISTRY.items() if kpi.area == "prospects"]


def d(text: str) -> dt.date:
    """'10-08' is in 2026; '2025-10-31' as written."""
    return dt.date.fromisoformat(text if len(text) == 10 else f"2026-{text}")


def phone(n: int) -> str:
    return f"139{n:08d}"


def card(store: Store, n: int, created: str, consultant: Any, **kw: Any) -> Customer:
    return Customer.objects.create(
        store=store,
        name=f"客户{n}",
        phone=phone(n),
        created=d(created),
        consultant=consultant,
        source=f.source(kw.pop("source")) if kw.get("source") else None,
        **kw,
    )


def order(customer: Customer, ordered: str, consultant: Any, **kw: Any) -> Order:
    for field in ("delivery_date", "call_3day", "letter_7day"):
        if field in kw:
            kw[field] = d(kw[field])
    if kw.get("source"):
        kw["source"] = f.source(kw["source"])
    return Order.objects.create(
        store=customer.store,
        customer=customer,
        consultant=consultant,
        order_date=d(ordered),
        model=kw.pop("model", customer.model or "途胜"),
        **kw,
    )


def loss(customer: Customer, day: str, kind: str, status: str, by: Any = None) -> LossReport:
    return LossReport.objects.create(
        store=customer.store,
        customer=customer,
        consultant=customer.consultant,
        date=d(day),
        kind=kind,
        reason=LossReason.PRICE,
        status=status,
        decided_by=by if status != LossStatus.REQUESTED else None,
    )


def grades(customer: Customer, *changes: tuple[str, str]) -> None:
    old = ""
    for day, new in changes:
        GradeChange.objects.create(
            store=customer.store, customer=customer, date=d(day), old_grade=old, new_grade=new
        )
        old = new


def walk(store: Store, day: str, consultant: Any, n: int | None, *, first: bool, td: bool) -> None:
    f.WalkInFactory(
        store=store,
        date=d(day),
        consultant=consultant,
        name=f"客户{n}" if n else "",
        phone=phone(n) if n else "",
        visit_type=VisitType.FIRST if first else VisitType.REPEAT,
        test_drive=td,
    )


def build_month(store: Store, other_store: Store, zhang: Any, li: Any) -> dict[str, Customer]:
    """The rows of the module's docstring; returns the cards by their name there."""
    boss = f.StaffFactory(username="boss1", store=store, roles=Role.MANAGER)
    LOST, OUT = LossKind.LOST, LossKind.OUT_OF_CONTROL
    OK, WAIT, BACK = LossStatus.CONFIRMED, LossStatus.REQUESTED, LossStatus.RETURNED
    SHOWROOM = Channel.SHOWROOM
    c: dict[str, Customer] = {}

    c["P1"] = card(store, 1, "08-15", zhang, source="internet", model="途胜", grade="O")
    grades(c["P1"], ("08-15", "C"), ("09-20", "A"))
    order(c["P1"], "10-08", zhang, channel=SHOWROOM, source="internet", delivery_date="10-20",
          ceremony=True, insurance=True, finance=True, accessories=Decimal("2000"),
          call_3day="10-22", letter_7day="10-30")  # fmt: skip
    c["P2"] = card(store, 2, "09-10", li, source="friend", model="索纳塔", grade="A")
    lost_p2 = loss(c["P2"], "10-11", LOST, OK, boss)
    lost_p2.decided_on = d("10-12")
    lost_p2.save(update_fields=["decided_on"])
    c["P3"] = card(store, 3, "09-05", zhang, source="walk_by", model="途胜", grade="A")
    grades(c["P3"], ("09-05", "B"), ("10-15", "H"))
    c["P4"] = card(store, 4, "07-01", li, source="internet", model="名图", grade="C")
    loss(c["P4"], "10-20", OUT, WAIT)
    c["P5"] = card(store, 5, "09-25", li, source="invitation", model="途胜", grade="B")
    loss(c["P5"], "10-05", OUT, OK, boss)
    c["P6"] = card(store, 6, "06-01", zhang, source="internet", model="途胜")
    order(c["P6"], "09-20", li, channel=SHOWROOM, source="owner_referral",
          delivery_date="10-03", insurance=True, trade_in=True, call_3day="10-06",
          letter_7day="10-10")  # fmt: skip
    c["P7"] = card(store, 7, "10-03", zhang, source="owner_referral", model="途胜", grade="O")
    order(c["P7"], "10-12", zhang, channel=SHOWROOM, source="owner_referral")
    c["P8"] = card(store, 8, "10-05", li, source="friend", model="索纳塔", grade="B")
    grades(c["P8"], ("10-05", "B"))
    c["P9"] = card(store, 9, "10-10", li, source="internet", model="索纳塔", grade="H")
    grades(c["P9"], ("10-10", "A"), ("11-02", "H"))
    c["P10"] = card(store, 10, "10-02", zhang, source="fleet", model="途胜")
    order(c["P10"], "10-15", zhang, channel=Channel.FLEET, source="fleet",
          delivery_date="10-31", call_3day="11-01")  # fmt: skip
    c["P11"] = card(store, 11, "09-01", li, source="other", model="名图", grade="B")
    order(c["P11"], "10-18", li, channel=Channel.SECONDARY, delivery_date="10-26",
          ceremony=True, insurance=True, finance=True, accessories=Decimal("500"),
          call_3day="10-31", letter_7day="11-01")  # fmt: skip
    c["P12"] = card(store, 12, "10-06", zhang, source="internet", model="途胜", grade="A")
    order(c["P12"], "10-09", zhang, channel=SHOWROOM, source="internet", cancelled=True)
    c["P13"] = card(store, 13, "10-08", zhang, owner_kind=OwnerKind.OWN_BRAND_ELSEWHERE)
    ServiceVisit.objects.create(
        store=store, customer=c["P13"], date=d("10-10"), kind=ServiceKind.MAINTENANCE
    )
    c["P14"] = card(store, 14, "05-01", li, owner_kind=OwnerKind.OTHER_BRAND)
    c["P15"] = card(store, 15, "05-10", zhang, source="internet", grade="B")
    loss(c["P15"], "09-15", LOST, OK, boss)
    c["P16"] = card(store, 16, "09-12", zhang, source="internet", model="途胜", grade="B")
    loss(c["P16"], "09-28", LOST, BACK, boss)
    c["P17"] = card(store, 17, "11-03", li, source="internet", grade="B")
    c["P18"] = card(store, 18, "10-20", li, source="friend", model="途胜")
    order(c["P18"], "10-20", li, channel=SHOWROOM, source="friend", delivery_date="11-02",
          call_3day="11-04")  # fmt: skip
    c["P19"] = card(store, 19, "08-01", li, source="internet", model="途胜")
    order(c["P19"], "09-25", li, channel=SHOWROOM, source="internet")
    Activity.objects.create(
        store=store, customer=c["P1"], consultant=zhang, date=d("10-25"),
        kind=ActivityKind.OWNER_CARE,
    )  # fmt: skip

    # Owners from earlier years.
    def owner(name: str, n: int, delivered: str, consultant: Any, seller: Any = None) -> Customer:
        when = d(delivered)
        c[name] = card(store, n, str(when - dt.timedelta(days=10)), consultant)
        order(c[name], str(when - dt.timedelta(days=10)), seller or consultant,
              delivery_date=str(when))  # fmt: skip
        return c[name]

    def visit(customer: Customer, day: str) -> None:
        ServiceVisit.objects.create(
            store=store, customer=customer, date=d(day), kind=ServiceKind.MAINTENANCE
        )

    visit(owner("Q1", 21, "2024-03-10", zhang), "2026-05-05")
    visit(owner("Q2", 22, "2024-05-01", zhang), "2025-08-01")
    owner("Q3", 23, "2025-01-20", li)
    Activity.objects.create(
        store=store, customer=c["Q3"], consultant=li, date=d("09-01"),
        kind=ActivityKind.OWNER_CARE,
    )  # fmt: skip
    owner("Q4", 24, "2025-10-31", None, seller=li)
    owner("Q5", 25, "2025-06-01", zhang)
    visit(c["Q5"], "2025-10-30")
    visit(c["Q5"], "2026-11-05")
    Activity.objects.create(
        store=store, customer=c["Q5"], consultant=zhang, date=d("10-10"), kind=ActivityKind.CALL
    )
    visit(owner("Q6", 26, "2025-12-01", li), "2026-05-04")
    owner("Q7", 27, "2025-03-10", zhang)
    # Through save(): the kept state (owner spans) follows the ORM's writes.
    cancelled = Order.objects.get(customer=c["Q7"])
    cancelled.cancelled_on = cancelled.order_date
    cancelled.save()
    loss(c["Q7"], "2025-04-01", LOST, OK, boss)

    for day, who, n, first, td in [
        ("10-03", zhang, 7, True, True),
        ("10-04", li, 8, True, True),
        ("10-08", zhang, 1, False, True),
        ("10-19", zhang, None, True, True),
        ("10-20", li, 18, True, False),
        ("10-25", li, 8, False, True),
        ("10-09", zhang, 12, True, True),
        ("10-31", li, 9, True, True),
        ("09-28", zhang, 1, True, True),
        ("10-26", zhang, 6, True, True),
        ("10-22", li, 11, False, True),
    ]:
        walk(store, day, who, n, first=first, td=td)

    liu = f.StaffFactory(username="liu", full_name="刘洋", store=other_store)
    c["S1"] = card(other_store, 10, "10-05", liu, source="internet", model="途胜")
    order(c["S1"], "10-10", liu, channel=SHOWROOM, source="internet", delivery_date="10-15")
    walk(other_store, "10-05", liu, 10, first=True, td=True)
    return c


@pytest.fixture(autouse=True)
def _frozen(time_machine: time_machine.TimeMachineFixture) -> None:
    # Computed after the month: November's events must not leak into October's states.
    time_machine.move_to(dt.datetime(2026, 11, 15, 9, 0, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def month(store, other_store, consultant, consultant2):  # type: ignore[no-untyped-def]
    return build_month(store, other_store, consultant, consultant2)


# BJ01, October.
BJ01_PROSPECTS = {
    # Created 10-01..10-31, not owners without a sale here: P7 P8 P9 P10 P12 P18.
    # Not P13 (owner, bought elsewhere), not P17 (11-03), not the owners' old cards.
    "new_prospects": 6,
    # Created before 10-01 and neither ordered nor confirmed lost/out of control by 09-30:
    # P1 (ordered 10-08), P2 (lost 10-11: still open on 10-01), P3, P4 (request waiting),
    # P5 (out of control 10-05), P11 (ordered 10-18), P16 (its loss was sent back) = 7.
    # Not P6 (ordered 09-20), P15 (lost 09-15), P19 (ordered 09-25), P14 (other brand),
    # Q1–Q6 (ordered long ago), Q7 (its order was cancelled but it was lost 2025-04-01).
    "carried_over_prospects": 7,
    # Open on 10-31 (not ordered, lost or out of control by then): P3 P4 P8 P9 P12 P16.
    "prospects_H": 1,  # P3 (GC 10-15 →H; the card says A)
    "prospects_A": 2,  # P9 (GC 10-10 →A; 11-02 →H is after the month), P12 (cancelled order)
    "prospects_B": 2,  # P8 (GC), P16 (card grade, no GC)
    "prospects_C": 1,  # P4 (card grade; its out-of-control request is still waiting)
    # An order by 10-31 not delivered by 10-31: P7 (10-12), P18 (delivered 11-02),
    # P19 (ordered 09-25). Not P10 (delivered on 10-31 itself), not P12 (cancelled).
    "prospects_O": 3,
    "active_prospects": 5,  # H 1 + A 2 + B 2
}


def test_prospects_of_the_month(month, store):
    result = compute_kpis(stores=[store], start=OCT[0], end=OCT[1], codes=PROSPECT_CODES)
    assert result == BJ01_PROSPECTS


def test_prospects_by_consultant(month, store):
    result = compute_kpis(
        stores=[store], start=OCT[0], end=OCT[1], by="consultant", codes=PROSPECT_CODES
    )
    # Grouped by the card's consultant. Q4 (no consultant) is an owner, counted in none of
    # these, so no "(none)" group appears.
    assert result == {
        "张伟": {
            "new_prospects": 3,  # P7 P10 P12
            "carried_over_prospects": 3,  # P1 P3 P16
            "prospects_H": 1,  # P3
            "prospects_A": 1,  # P12
            "prospects_B": 1,  # P16
            "prospects_C": 0,
            "prospects_O": 1,  # P7
            "active_prospects": 3,
        },
        "李娜": {
            "new_prospects": 3,  # P8 P9 P18
            "carried_over_prospects": 4,  # P2 P4 P5 P11
            "prospects_H": 0,
            "prospects_A": 1,  # P9
            "prospects_B": 1,  # P8
            "prospects_C": 1,  # P4
            "prospects_O": 2,  # P18 P19
            "active_prospects": 2,
        },
    }


def test_prospects_by_source_and_model(month, store):
    by_source = compute_kpis(
        stores=[store], start=OCT[0], end=OCT[1], by="source", codes=PROSPECT_CODES
    )
    # The card's source. internet: new P9 P12; carried P1 P4 P16; open P4 (C) P9 (A) P12 (A)
    # P16 (B); O: P19. (P6 and P15 closed before October, P17 after it.)
    assert by_source["internet"] == {
        "new_prospects": 2, "carried_over_prospects": 3, "prospects_H": 0, "prospects_A": 2,
        "prospects_B": 1, "prospects_C": 1, "prospects_O": 1, "active_prospects": 3,
    }  # fmt: skip
    # friend: P2 (carried, lost), P8 (new, B), P18 (new, O).
    assert by_source["friend"] == {
        "new_prospects": 2, "carried_over_prospects": 1, "prospects_H": 0, "prospects_A": 0,
        "prospects_B": 1, "prospects_C": 0, "prospects_O": 1, "active_prospects": 1,
    }  # fmt: skip
    # Groups in which something counted; cards without a source (P13 P14, the owners) none.
    assert list(by_source) == [
        "fleet", "friend", "internet", "invitation", "other", "owner_referral", "walk_by",
    ]  # fmt: skip
    by_model = compute_kpis(
        stores=[store], start=OCT[0], end=OCT[1], by="model", codes=["prospects_O", "new_prospects"]
    )
    # 途胜: new P7 P10 P12 P18; O P7 P18 P19. 索纳塔: new P8 P9. 名图: nothing new or O.
    assert by_model == {
        "索纳塔": {"new_prospects": 2, "prospects_O": 0},
        "途胜": {"new_prospects": 4, "prospects_O": 3},
    }


def test_states_follow_the_dates_not_todays_status(month, store):
    # September: P2 was open at its end (lost only on 10-11) and P1 was A (GC 09-20).
    sep = (d("09-01"), d("09-30"))
    result = compute_kpis(stores=[store], start=sep[0], end=sep[1], codes=PROSPECT_CODES)
    assert result == {
        # Created in September, prospects: P2 P3 P5 P11 P16 = 5.
        "new_prospects": 5,
        # Open on 08-31: P1 (08-15), P4 (07-01), P6 (06-01, ordered 09-20), P15 (lost 09-15),
        # P19 (08-01, ordered 09-25) = 5.
        "carried_over_prospects": 5,
        # Open on 09-30: P1 A, P2 A (card), P3 B (GC 09-05), P4 C, P5 B (card), P11 B (card),
        # P16 B (returned loss).
        "prospects_H": 0,
        "prospects_A": 2,
        "prospects_B": 4,
        "prospects_C": 1,
        "prospects_O": 2,  # P6 (ordered 09-20, delivered only on 10-03) and P19
        "active_prospects": 6,
    }


def test_a_confirmed_loss_closes_only_from_its_date(store, consultant):
    p = card(store, 1, "09-01", consultant, grade="B")
    loss(p, "10-11", LossKind.LOST, LossStatus.CONFIRMED)
    codes = ["carried_over_prospects", "prospects_B", "lost_rate"]
    assert compute_kpis(stores=[store], start=OCT[0], end=OCT[1], codes=codes) == {
        "carried_over_prospects": 1,
        "prospects_B": 0,
        "lost_rate": 1.0,
    }
    # Up to 10-10 it was still open, with its grade.
    assert compute_kpis(stores=[store], start=OCT[0], end=d("10-10"), codes=codes) == {
        "carried_over_prospects": 1,
        "prospects_B": 1,
        "lost_rate": 0.0,
    }


def test_a_waiting_request_leaves_the_prospect_open_until_confirmed(store, consultant):
    p = card(store, 1, "09-01", consultant, grade="C")
    request = loss(p, "10-20", LossKind.OUT_OF_CONTROL, LossStatus.REQUESTED)
    codes = ["prospects_C", "out_of_control_rate"]
    result = compute_kpis(stores=[store], start=OCT[0], end=OCT[1], codes=codes)
    assert result == {"prospects_C": 1, "out_of_control_rate": 0.0}
    request.status = LossStatus.CONFIRMED
    request.save(update_fields=["status"])
    result = compute_kpis(stores=[store], start=OCT[0], end=OCT[1], codes=codes)
    assert result == {"prospects_C": 0, "out_of_control_rate": 1.0}


def test_other_store_and_stores_together(month, store, other_store):
    sh = compute_kpis(stores=[other_store], start=OCT[0], end=OCT[1], codes=PROSPECT_CODES)
    # S1: created 10-05, ordered 10-10 and delivered 10-15: new, nothing open or O at the end.
    assert sh == {
        "new_prospects": 1, "carried_over_prospects": 0, "prospects_H": 0, "prospects_A": 0,
        "prospects_B": 0, "prospects_C": 0, "prospects_O": 0, "active_prospects": 0,
    }  # fmt: skip
    both = compute_kpis(stores=Store.objects.all(), start=OCT[0], end=OCT[1], codes=PROSPECT_CODES)
    assert both == {**BJ01_PROSPECTS, "new_prospects": 7}
    by_store = compute_kpis(
        stores=Store.objects.all(), start=OCT[0], end=OCT[1], by="store", codes=PROSPECT_CODES
    )
    assert by_store == {"BJ01": BJ01_PROSPECTS, "SH01": sh}


def test_empty_month(store):
    result = compute_kpis(stores=[store], start=OCT[0], end=OCT[1], codes=PROSPECT_CODES)
    assert result == dict.fromkeys(PROSPECT_CODES, 0)
    assert compute_kpis(stores=[store], start=OCT[0], end=OCT[1], by="consultant") == {}
