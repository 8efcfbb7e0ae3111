import datetime as dt

import pytest

from showroom.customers.choices import OwnerKind
from showroom.customers.models import Customer, GradeChange
from showroom.sales import funnel
from showroom.sales.models import LossReport, Order
from tests import factories as f

pytestmark = pytest.mark.django_db

D = dt.date


def card(store, consultant, name, created, grade="B", **kw):
    return f.CustomerFactory(
        store=store, consultant=consultant, name=name, created=created, grade=grade, **kw
    )


def test_states_follow_dated_events(store, consultant, manager):
    lost_later = card(store, consultant, "lost 10-11", D(2026, 9, 5), grade="A")
    LossReport.objects.create(
        store=store,
        customer=lost_later,
        consultant=consultant,
        date=D(2026, 10, 11),
        kind="lost",
        reason="price",
        status="confirmed",
        decided_by=manager,
    )
    waiting = card(store, consultant, "loss waiting", D(2026, 9, 6))
    LossReport.objects.create(
        store=store,
        customer=waiting,
        consultant=consultant,
        date=D(2026, 9, 20),
        kind="lost",
        reason="price",
    )
    ordered = card(store, consultant, "ordered 9-30", D(2026, 9, 1), grade="H")
    Order.objects.create(
        store=store,
        customer=ordered,
        consultant=consultant,
        order_date=D(2026, 9, 30),
        model="途胜",
        delivery_date=D(2026, 10, 8),
    )
    new = card(store, consultant, "new 10-01", D(2026, 10, 1))
    card(store, consultant, "owner elsewhere", D(2026, 9, 1), owner_kind=OwnerKind.OTHER_BRAND)

    carried = set(
        Customer.objects.filter(funnel.carried_over_into(D(2026, 10, 1))).values_list(
            "name", flat=True
        )
    )
    # Lost on 10-11 was still open on 10-01; a waiting request leaves the card open.
    assert carried == {"lost 10-11", "loss waiting"}
    open_end = set(
        Customer.objects.filter(funnel.open_on(D(2026, 10, 31))).values_list("name", flat=True)
    )
    assert open_end == {"loss waiting", "new 10-01"}
    assert new.pk in Customer.objects.filter(funnel.open_on(D(2026, 10, 1))).values_list(
        "pk", flat=True
    )
    o_sept = Customer.objects.filter(funnel.awaiting_delivery(D(2026, 9, 30)))
    assert list(o_sept.values_list("name", flat=True)) == ["ordered 9-30"]
    assert not Customer.objects.filter(funnel.awaiting_delivery(D(2026, 10, 8))).exists()


def test_grade_on_a_day_comes_from_the_grade_log(store, consultant):
    c = card(store, consultant, "mover", D(2026, 9, 1), grade="H")
    GradeChange.objects.create(store=store, customer=c, date=D(2026, 9, 1), new_grade="C")
    GradeChange.objects.create(
        store=store, customer=c, date=D(2026, 9, 20), old_grade="C", new_grade="A"
    )
    GradeChange.objects.create(
        store=store, customer=c, date=D(2026, 10, 5), old_grade="A", new_grade="H"
    )
    plain = card(store, consultant, "imported", D(2026, 9, 2), grade="B")
    rows = funnel.open_prospects(stores=[store], on=D(2026, 9, 30))
    assert {r.name: r.grade_then for r in rows} == {"mover": "A", "imported": "B"}
    assert funnel.open_prospects(stores=[store], on=D(2026, 9, 10)).get(pk=c.pk).grade_then == "C"
    assert plain.grade == "B"
