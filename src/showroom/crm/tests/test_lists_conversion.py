"""Each list's conversion (crm.list_selectors), exact numbers, in a constant number of queries.

Sales list L (finance ending, created 2026-11-01), E1..E10, each with its own card C1..C10:
  E1 not called; E2 not reached; E3 wrong number; E4 not interested; E5 call back;
  E6..E10 interested, submitted 11-02;
  E6 assigned 11-03, order 11-05                       → won
  E7 assigned 11-03, closed by the consultant          → closed
  E8 assigned 11-03, order 10-20 (before the submission) and a cancelled one 11-06 → open
  E9 not assigned, loss confirmed 11-04                → closed
  E10 assigned, closed by the consultant, then order 11-06 → won (the order wins)
  → entries 10, called 9, reached 7 (E4..E10), interested 5, assigned 4, won 2, closed 2,
    open 1; called→interested 5/9, interested→won 2/5
After-sales list S (maintenance due, 11-01): F1, F2 interested, submitted 11-02, handed 11-03;
  F1 service visit 11-08 → won; F2 visit 11-01 (before the hand-over) → open; F3 not interested
  → entries 3, called 3, reached 3, interested 2, assigned 2, won 1, closed 0, open 1
List T created 2026-09-30 (outside the period): one entry, not counted.
"""

from __future__ import annotations

import datetime as dt

import pytest

from showroom.crm.choices import CallOutcome, EntryResult, ListKind
from showroom.crm.lists.selectors import Conversion, conversion, list_index, with_state
from showroom.crm.models import CallList, CallListEntry
from showroom.organization.choices import Role
from showroom.owners.choices import ServiceKind
from showroom.owners.models import ServiceVisit
from showroom.sales.choices import LossKind, LossReason, LossStatus
from showroom.sales.models import LossReport, Order
from tests import factories as f

pytestmark = pytest.mark.django_db
D = dt.date
NOV = (D(2026, 11, 1), D(2026, 11, 30))


@pytest.fixture
def lists(store, consultant, make_staff):  # type: ignore[no-untyped-def]
    crm = make_staff("crm", Role.CRM, store=store)

    def make_list(kind: str, day: dt.date, name: str) -> CallList:
        return CallList.objects.create(
            store=store, kind=kind, name=name, created_on=day, created_by=crm
        )

    def entry(call_list, n, outcome="", submitted=False, assigned=False, **kw):  # type: ignore[no-untyped-def]
        card = f.CustomerFactory(store=store, consultant=consultant, name=f"{call_list.name}{n}")
        return CallListEntry.objects.create(
            store=store,
            call_list=call_list,
            customer=card,
            name=card.name,
            outcome=outcome,
            submitted_on=D(2026, 11, 2) if submitted else None,
            assigned_on=D(2026, 11, 3) if assigned else None,
            assigned_to=consultant
            if assigned and call_list.kind != ListKind.MAINTENANCE_DUE
            else None,
            **kw,
        )

    def order(e, day, cancelled=False):  # type: ignore[no-untyped-def]
        Order.objects.create(
            store=store,
            customer=e.customer,
            consultant=consultant,
            order_date=day,
            model="途胜",
            cancelled=cancelled,
        )

    sales = make_list(ListKind.FINANCE_ENDING, D(2026, 11, 1), "E")
    yes = CallOutcome.INTERESTED
    entry(sales, 1)
    entry(sales, 2, CallOutcome.NOT_REACHED)
    entry(sales, 3, CallOutcome.WRONG_NUMBER)
    entry(sales, 4, CallOutcome.NOT_INTERESTED)
    entry(sales, 5, CallOutcome.CALL_BACK)
    e6 = entry(sales, 6, yes, True, True)
    entry(sales, 7, yes, True, True, result=EntryResult.CLOSED, close_reason="已买别家")
    e8 = entry(sales, 8, yes, True, True)
    e9 = entry(sales, 9, yes, True)
    e10 = entry(sales, 10, yes, True, True, result=EntryResult.CLOSED, close_reason="暂不考虑")
    order(e6, D(2026, 11, 5))
    order(e8, D(2026, 10, 20))
    order(e8, D(2026, 11, 6), cancelled=True)
    order(e10, D(2026, 11, 6))
    LossReport.objects.create(
        store=store,
        customer=e9.customer,
        consultant=consultant,
        date=D(2026, 11, 4),
        kind=LossKind.LOST,
        reason=LossReason.PRICE,
        status=LossStatus.CONFIRMED,
    )
    after = make_list(ListKind.MAINTENANCE_DUE, D(2026, 11, 1), "F")
    f1 = entry(after, 1, yes, True, True)
    f2 = entry(after, 2, yes, True, True)
    entry(after, 3, CallOutcome.NOT_INTERESTED)
    for e, day in ((f1, D(2026, 11, 8)), (f2, D(2026, 11, 1))):
        ServiceVisit.objects.create(
            store=store, customer=e.customer, date=day, kind=ServiceKind.MAINTENANCE
        )
    old = make_list(ListKind.FINANCE_ENDING, D(2026, 9, 30), "T")
    entry(old, 1, yes, True)
    return crm, sales, after, old


def test_figures_per_list(lists):  # type: ignore[no-untyped-def]
    _crm, sales, after, old = lists
    got = conversion(CallListEntry.objects.all())
    assert got[sales.pk] == Conversion(
        entries=10, called=9, reached=7, interested=5, assigned=4, won=2, closed=2, open=1
    )
    assert (got[sales.pk].interest_rate, got[sales.pk].win_rate) == (5 / 9, 2 / 5)
    assert (got[sales.pk].interest_pct, got[sales.pk].win_pct) == ("56%", "40%")
    assert got[after.pk] == Conversion(
        entries=3, called=3, reached=3, interested=2, assigned=2, won=1, closed=0, open=1
    )
    assert got[old.pk] == Conversion(entries=1, called=1, reached=1, interested=1, open=1)
    states = dict(with_state(CallListEntry.objects.all()).values_list("name", "state"))
    assert [states[f"E{n}"] for n in range(1, 11)] == [
        "", "", "", "", "", "won", "closed", "open", "closed", "won",
    ]  # fmt: skip
    assert [states[f"F{n}"] for n in range(1, 4)] == ["won", "open", ""]


def test_index_per_list_and_kind(lists, store, manager, django_assert_num_queries):  # type: ignore[no-untyped-def]
    crm, sales, after, _old = lists
    with django_assert_num_queries(2):
        index = list_index(user=crm, store=store, start=NOV[0], end=NOV[1])
    assert [c.pk for c in index.lists] == [after.pk, sales.pk]
    assert [label for label, _f in index.by_kind] == [
        str(ListKind.FINANCE_ENDING.label),
        str(ListKind.MAINTENANCE_DUE.label),
    ]
    assert [fig.entries for _k, fig in index.by_kind] == [10, 3]
    assert index.total == Conversion(
        entries=13, called=12, reached=10, interested=7, assigned=6, won=3, closed=2, open=2
    )
    assert index.total.win_pct == "43%"  # 3 / 7
    # The manager sees the same; a consultant and marketing see no list.
    assert len(list_index(user=manager, store=store, start=NOV[0], end=NOV[1]).lists) == 2


def test_no_lists_for_consultants_or_marketing(lists, store, consultant, make_staff):  # type: ignore[no-untyped-def]
    marketing = make_staff("mkt", Role.MARKETING, store=store)
    for user in (consultant, marketing):
        assert list_index(user=user, store=store, start=NOV[0], end=NOV[1]).lists == []


def test_a_win_marked_by_hand_counts(lists):  # type: ignore[no-untyped-def]
    _crm, sales, _after, _old = lists
    CallListEntry.objects.filter(call_list=sales, name="E8").update(result=EntryResult.WON)
    got = conversion(CallListEntry.objects.filter(call_list=sales))[sales.pk]
    assert (got.won, got.closed, got.open) == (3, 2, 0)
