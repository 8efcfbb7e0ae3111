"""The kept prospect spans (sales.spans, sales.funnel.open_spans): every write that closes or
reopens a card keeps them as a rebuild from the events would, and reading them gives exactly
the open cards that sales.funnel.open_on decides from the events."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command

from showroom.customers.choices import OwnerKind
from showroom.customers.models import Customer
from showroom.demo.generator import generate
from showroom.exchange.tests.builders import run_command
from showroom.kpi.selectors import compute_kpis
from showroom.organization.models import Store
from showroom.sales import spans
from showroom.sales.deals.services import cancel_order, record_order, restore_order
from showroom.sales.funnel import OPEN_END, open_on, open_spans
from showroom.sales.losses.services import confirm_loss, request_loss, return_loss
from showroom.sales.models import LossReport, Order, ProspectSpan, Reactivation
from tests import factories as f

pytestmark = pytest.mark.django_db

D = date


# The KPIs read from the kept spans.
FUNNEL = [
    "new_prospects",
    "carried_over_prospects",
    "prospects_H",
    "prospects_A",
    "prospects_B",
    "prospects_C",
    "order_rate",
    "lost_rate",
]


def kept(store: Store, name: str = "甲") -> list[tuple[date, date]]:
    return list(
        ProspectSpan.objects.filter(store=store, customer__name=name)
        .order_by("opened_on")
        .values_list("opened_on", "closed_on")
    )


def assert_current() -> None:
    assert spans.differences() == (set(), set())


def same_open_cards(days: list[date]) -> None:
    for day in days:
        by_events = set(Customer.objects.filter(open_on(day)).values_list("pk", flat=True))
        by_spans = set(
            Customer.objects.filter(open_on(day, kept=True)).values_list("pk", flat=True)
        )
        assert by_spans == by_events, day


def test_spans_of_one_card() -> None:
    def of(**events):  # type: ignore[no-untyped-def]
        given = {"orders": [], "losses": [], "reactivations": [], **events}
        return open_spans(created=D(2026, 9, 1), prospect=True, **given)

    assert of() == [(D(2026, 9, 1), OPEN_END)]
    assert (
        open_spans(created=D(2026, 9, 1), prospect=False, orders=[], losses=[], reactivations=[])
        == []
    )
    # Ordered 09-10, cancelled 09-20: open again from the cancellation day.
    assert of(orders=[(D(2026, 9, 10), D(2026, 9, 20))]) == [
        (D(2026, 9, 1), D(2026, 9, 10)),
        (D(2026, 9, 20), OPEN_END),
    ]
    # Lost 09-15, re-activated 10-01, ordered on the re-activation's own day: closed again.
    assert of(
        losses=[D(2026, 9, 15)], reactivations=[D(2026, 10, 1)], orders=[(D(2026, 10, 1), None)]
    ) == [(D(2026, 9, 1), D(2026, 9, 15))]
    # Re-activated after the loss: open from the re-activation on.
    assert of(losses=[D(2026, 9, 15)], reactivations=[D(2026, 10, 1)]) == [
        (D(2026, 9, 1), D(2026, 9, 15)),
        (D(2026, 10, 1), OPEN_END),
    ]
    # An order before the card date (imported that way) closes it from its card date.
    assert of(orders=[(D(2026, 8, 1), None)]) == []


def test_random_histories_keep_the_spans_the_events_give(store, consultant, manager) -> None:
    rng = random.Random(4)
    first = D(2026, 9, 1)
    cards = []
    for number in range(40):
        card = f.CustomerFactory(
            store=store,
            consultant=consultant,
            name=f"c{number}",
            phone=f"1380000{number:04d}",
            created=first + timedelta(days=rng.randrange(30)),
            owner_kind=OwnerKind.OTHER_BRAND if number % 13 == 5 else OwnerKind.NONE,
        )
        cards.append(card)
        for _ in range(rng.randrange(4)):
            day = card.created + timedelta(days=rng.randrange(-3, 50))
            kind = rng.choice(["order", "loss", "back"])
            if kind == "order":
                cancelled = (
                    day + timedelta(days=rng.randrange(0, 20)) if rng.random() < 0.4 else None
                )
                Order.objects.create(
                    store=store,
                    customer=card,
                    consultant=consultant,
                    order_date=day,
                    model="途胜",
                    cancelled_on=cancelled,
                )
            elif kind == "loss":
                LossReport.objects.create(
                    store=store,
                    customer=card,
                    consultant=consultant,
                    date=day,
                    kind="lost",
                    reason="price",
                    status=rng.choice(["confirmed", "confirmed", "requested"]),
                )
            else:
                Reactivation.objects.create(
                    store=store, customer=card, consultant=consultant, by=manager, date=day
                )
    assert_current()
    days = [first + timedelta(days=n) for n in range(-1, 90, 3)]
    same_open_cards(days)

    # Later edits: dates moved, a loss undone, an order deleted, a card date and kind changed.
    order = Order.objects.filter(store=store).first()
    assert order is not None
    order.order_date += timedelta(days=5)
    order.save()
    loss = LossReport.objects.filter(status="confirmed").first()
    assert loss is not None
    loss.status = "returned"
    loss.save(update_fields=["status"])
    Order.objects.filter(store=store).last().delete()  # type: ignore[union-attr]
    Reactivation.objects.first().delete()  # type: ignore[union-attr]
    cards[3].created = first - timedelta(days=10)
    cards[3].save()
    cards[4].owner_kind = OwnerKind.OTHER_BRAND
    cards[4].save(update_fields=["owner_kind"])
    moved = Order.objects.filter(store=store).exclude(customer=cards[7]).first()
    assert moved is not None
    moved.customer = cards[7]
    moved.save()
    assert_current()
    same_open_cards(days)

    # Deleting a card takes its spans along (its loss records cascade first).
    cards[9].orders.all().delete()
    cards[9].delete()
    assert_current()

    written = sorted(ProspectSpan.objects.values_list("customer_id", "opened_on", "closed_on"))
    spans.refresh()
    assert sorted(ProspectSpan.objects.values_list("customer_id", "opened_on", "closed_on")) == (
        written
    )


def test_the_services_keep_the_spans(store, consultant, manager) -> None:
    card = f.CustomerFactory(
        store=store, consultant=consultant, name="甲", created=D(2026, 9, 1), grade="H"
    )
    assert kept(store) == [(D(2026, 9, 1), OPEN_END)]

    order = record_order(
        customer=card, user=consultant, order_date=D(2026, 9, 10), model="途胜", channel="showroom"
    )
    assert kept(store) == [(D(2026, 9, 1), D(2026, 9, 10))]
    order.refresh_from_db()
    assert cancel_order(
        order, user=manager, expected_version=order.version, day=D(2026, 9, 20), reason="价格"
    )
    assert kept(store) == [(D(2026, 9, 1), D(2026, 9, 10)), (D(2026, 9, 20), OPEN_END)]
    order.refresh_from_db()
    assert restore_order(order, user=manager, expected_version=order.version)
    assert kept(store) == [(D(2026, 9, 1), D(2026, 9, 10))]
    order.refresh_from_db()
    assert cancel_order(
        order, user=manager, expected_version=order.version, day=D(2026, 9, 20), reason="价格"
    )

    report = request_loss(
        customer=card, user=consultant, day=D(2026, 10, 5), kind="lost", reason="price"
    )
    # A request waiting for the manager leaves the card open.
    assert kept(store)[-1] == (D(2026, 9, 20), OPEN_END)
    report.refresh_from_db()
    assert confirm_loss(report, user=manager, expected_version=report.version)
    assert kept(store)[-1] == (D(2026, 9, 20), D(2026, 10, 5))
    other = f.CustomerFactory(store=store, consultant=consultant, name="乙", created=D(2026, 9, 2))
    second = request_loss(
        customer=other, user=consultant, day=D(2026, 10, 6), kind="lost", reason="price"
    )
    second.refresh_from_db()
    assert return_loss(
        second, user=manager, expected_version=second.version, note="再跟", follow_up=D(2026, 10, 9)
    )
    assert kept(store, "乙") == [(D(2026, 9, 2), OPEN_END)]
    Reactivation.objects.create(
        store=store, customer=card, consultant=consultant, by=manager, date=D(2026, 11, 1)
    )
    assert kept(store)[2] == (D(2026, 11, 1), OPEN_END)
    assert_current()


def test_generated_and_imported_stores_are_current_and_rebuilt_alike(tmp_path) -> None:
    generate(stores=1, months=2, seed=8, start=D(2026, 6, 1), consultants=3)
    store = Store.objects.get(code="S001")
    assert ProspectSpan.objects.filter(store=store).count() > 100
    assert_current()

    # The import writes in bulk: a round trip into a new store keeps its spans too.
    out = tmp_path / "s001.xlsx"
    assert run_command("export", out, store="S001", month="2026-07").ok
    done = run_command("import", out, store="NEW1", create_store=True, create_staff=True)
    assert done.ok, done.err
    new = Store.objects.get(code="NEW1")
    assert ProspectSpan.objects.filter(store=new).count() > 100
    assert_current()
    july = {"start": D(2026, 7, 1), "end": D(2026, 7, 31), "codes": FUNNEL}
    assert compute_kpis(stores=[new], **july) == compute_kpis(stores=[store], **july)

    # The command: --check passes; a change behind the program's back is found and rebuilt.
    call_command("rebuild_kpi_state", store="all", check=True)
    kept_before = sorted(ProspectSpan.objects.values_list("customer_id", "opened_on", "closed_on"))
    first = ProspectSpan.objects.filter(store=store).order_by("pk")[0]
    ProspectSpan.objects.filter(pk=first.pk).update(closed_on=first.opened_on)
    with pytest.raises(CommandError):
        call_command("rebuild_kpi_state", store="S001", check=True)
    ProspectSpan.objects.all().delete()
    call_command("rebuild_kpi_state", store="all")
    after = sorted(ProspectSpan.objects.values_list("customer_id", "opened_on", "closed_on"))
    assert after == kept_before
