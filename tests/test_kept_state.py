"""The kept prospect spans (sales.spans, sales.funnel.open_spans): every write that closes or
reopens a card keeps them as a rebuild from the events would, and reading them gives exactly
the open cards that sales.funnel.open_on decides from the events. The same for the kept owner
spans (owners.spans): every write of deliveries, service visits and owner care keeps them as a
rebuild would, and the owners, retained and churned owners they give on each day are exactly
those of the definitions (docs/contracts.md), decided here from the rows themselves."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from showroom.customers.choices import OwnerKind
from showroom.customers.models import Customer, GradeChange
from showroom.demo.generator import generate
from showroom.exchange.tests.builders import run_command
from showroom.kpi import funnel_kpis
from showroom.kpi.selectors import compute_kpis
from showroom.organization.models import Store
from showroom.owners import spans as owner_spans_module
from showroom.owners.models import OwnerSpan, ServiceVisit
from showroom.owners.services import log_care, record_visit
from showroom.owners.spans import owner_spans
from showroom.sales import spans
from showroom.sales.choices import ActivityKind
from showroom.sales.deals.services import (
    cancel_order,
    deliver_order,
    record_order,
    restore_order,
)
from showroom.sales.funnel import OPEN_END, open_on, open_spans
from showroom.sales.losses.services import confirm_loss, request_loss, return_loss
from showroom.sales.models import Activity, LossReport, Order, ProspectSpan, Reactivation
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


OWNERS = ["owners", "owner_retention_rate", "owner_churn_rate"]


def assert_current() -> None:
    assert spans.differences() == (set(), set())


def owners_by_definition(day: date) -> dict[str, set[int]]:
    """The owners at the end of `day`, and of them the retained and the churned, decided from
    the rows as docs/contracts.md defines them."""
    delivered: dict[int, list[date]] = {}
    for card, on in Order.objects.filter(cancelled=False, delivery_date__isnull=False).values_list(
        "customer_id", "delivery_date"
    ):
        delivered.setdefault(card, []).append(on)
    visits: dict[int, list[date]] = {}
    for card, on in ServiceVisit.objects.values_list("customer_id", "date"):
        visits.setdefault(card, []).append(on)
    care: dict[int, list[date]] = {}
    for card, on in Activity.objects.filter(kind=ActivityKind.OWNER_CARE).values_list(
        "customer_id", "date"
    ):
        care.setdefault(card, []).append(on)
    found: dict[str, set[int]] = {"owner": set(), "retained": set(), "churned": set()}
    for card, days in delivered.items():
        if min(days) > day:
            continue
        found["owner"].add(card)
        recent = [d for d in care.get(card, []) + visits.get(card, []) if 0 <= (day - d).days < 180]
        if recent:
            found["retained"].add(card)
        kept_in_touch = [d for d in visits.get(card, []) + days if 0 <= (day - d).days <= 365]
        if not kept_in_touch:
            found["churned"].add(card)
    return found


def owners_kept(day: date) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {"owner": set(), "retained": set(), "churned": set()}
    covering = OwnerSpan.objects.filter(started_on__lte=day, ended_on__gt=day)
    for kind, card in covering.values_list("kind", "customer_id"):
        assert card not in found[kind], (day, kind, card)  # one span of a kind covers a day
        found[kind].add(card)
    return found


def same_owners(days: list[date]) -> None:
    for day in days:
        assert owners_kept(day) == owners_by_definition(day), day


def same_owner_kpis(stores: list[Store], days: list[date], by: str | None = None) -> None:
    """The owners' KPIs from the kept spans equal those of the previous plan, which decides
    every card from its events."""
    for day in days:
        period = {"stores": stores, "start": day.replace(day=1), "end": day, "codes": OWNERS}
        kept_values = compute_kpis(by=by, **period)
        funnel_kpis.PLAN = "events"
        try:
            from_events = compute_kpis(by=by, **period)
        finally:
            funnel_kpis.PLAN = "kept"
        assert kept_values == from_events, day


# The prospects' KPIs, each computed by the kept plan from the rows it is dated by.
PROSPECTS = [*FUNNEL, "prospects_O", "active_prospects", "out_of_control_rate"]


def same_prospect_kpis(stores: list[Store], periods: list[tuple[date, date]]) -> None:
    """The prospects' KPIs of the kept plan equal those of the previous plan, which decides
    every card from its events: for the stores together, by store and by the card's
    consultant, source and model."""
    for start, end in periods:
        for by in (None, "store", "consultant", "source", "model"):
            period = {"stores": stores, "start": start, "end": end, "codes": PROSPECTS, "by": by}
            kept_values = compute_kpis(**period)
            funnel_kpis.PLAN = "events"
            try:
                from_events = compute_kpis(**period)
            finally:
                funnel_kpis.PLAN = "kept"
            assert kept_values == from_events, (start, end, by)


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
    # Grades: the card's own, and for some cards logged changes before, in and after the months.
    grading = random.Random(5)
    for card in cards:
        card.grade = grading.choice(["H", "A", "B", "C", "O", ""])
        card.save(update_fields=["grade"])
        for _ in range(grading.randrange(3)):
            GradeChange.objects.create(
                store=store,
                customer=card,
                date=card.created + timedelta(days=grading.randrange(-5, 70)),
                new_grade=grading.choice(["H", "A", "B", "C", ""]),
            )
    assert_current()
    days = [first + timedelta(days=n) for n in range(-1, 90, 3)]
    same_open_cards(days)
    periods = [
        (D(2026, 9, 1), D(2026, 9, 30)),
        (D(2026, 10, 1), D(2026, 10, 31)),
        (D(2026, 9, 12), D(2026, 10, 20)),
    ]
    same_prospect_kpis([store], periods)

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
    same_prospect_kpis([store], periods)

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
    assert OwnerSpan.objects.filter(store=store, kind="owner").count() > 20
    assert_current()
    same_owner_kpis([store], [D(2026, 6, 30), D(2026, 7, 31)], by="consultant")
    same_prospect_kpis([store], [(D(2026, 6, 1), D(2026, 6, 30)), (D(2026, 7, 1), D(2026, 7, 31))])

    # The import writes in bulk: a round trip into a new store keeps its spans too.
    out = tmp_path / "s001.xlsx"
    assert run_command("export", out, store="S001", month="2026-07").ok
    done = run_command("import", out, store="NEW1", create_store=True, create_staff=True)
    assert done.ok, done.err
    new = Store.objects.get(code="NEW1")
    assert ProspectSpan.objects.filter(store=new).count() > 100
    assert OwnerSpan.objects.filter(store=new, kind="owner").exists()
    assert_current()
    same_owner_kpis([new, store], [D(2026, 7, 31)], by="store")
    july = {"start": D(2026, 7, 1), "end": D(2026, 7, 31), "codes": FUNNEL}
    assert compute_kpis(stores=[new], **july) == compute_kpis(stores=[store], **july)

    # The command: --check passes; a change behind the program's back is found and rebuilt.
    call_command("rebuild_kpi_state", store="all", check=True)
    kept_before = sorted(ProspectSpan.objects.values_list("customer_id", "opened_on", "closed_on"))
    first = ProspectSpan.objects.filter(store=store).order_by("pk")[0]
    ProspectSpan.objects.filter(pk=first.pk).update(closed_on=first.opened_on)
    with pytest.raises(CommandError):
        call_command("rebuild_kpi_state", store="S001", check=True)
    owners_before = sorted(OwnerSpan.objects.values_list("customer_id", "kind", "started_on"))
    call_command("rebuild_kpi_state", store="all")
    OwnerSpan.objects.filter(store=store, kind="owner").first().delete()  # type: ignore[union-attr]
    with pytest.raises(CommandError):
        call_command("rebuild_kpi_state", store="S001", check=True)
    ProspectSpan.objects.all().delete()
    OwnerSpan.objects.all().delete()
    call_command("rebuild_kpi_state", store="all")
    after = sorted(ProspectSpan.objects.values_list("customer_id", "opened_on", "closed_on"))
    assert after == kept_before
    assert sorted(OwnerSpan.objects.values_list("customer_id", "kind", "started_on")) == (
        owners_before
    )


def test_owner_spans_of_one_card() -> None:
    d = D(2025, 1, 10)
    assert owner_spans(deliveries=[], care=[d], visits=[d]) == []
    # Delivered only: in touch for 366 days (the delivery day and 365 after), then churned;
    # retained never.
    assert owner_spans(deliveries=[d], care=[], visits=[]) == [
        ("owner", d, OPEN_END),
        ("churned", D(2026, 1, 11), OPEN_END),
    ]
    # A care contact long before the delivery does not retain; one within 180 days before it
    # retains from the delivery on; a service visit retains and keeps in touch; overlapping
    # contacts make one span.
    assert owner_spans(
        deliveries=[d],
        care=[D(2024, 6, 1), D(2024, 12, 1), D(2025, 4, 1)],
        visits=[D(2025, 12, 1)],
    ) == [
        ("owner", d, OPEN_END),
        ("retained", d, D(2025, 9, 28)),
        ("retained", D(2025, 12, 1), D(2026, 5, 30)),
        ("churned", D(2026, 12, 2), OPEN_END),
    ]
    # A second car delivered after a year without visits ends the churn.
    assert owner_spans(deliveries=[D(2027, 1, 1), d], care=[], visits=[]) == [
        ("owner", d, OPEN_END),
        ("churned", D(2026, 1, 11), D(2027, 1, 1)),
        ("churned", D(2028, 1, 2), OPEN_END),
    ]


def test_random_owner_histories_keep_the_spans_the_rows_give(store, consultant, manager) -> None:
    rng = random.Random(11)
    first = D(2025, 1, 1)
    cards = []
    for number in range(30):
        card = f.CustomerFactory(
            store=store,
            consultant=consultant,
            name=f"o{number}",
            phone=f"1370000{number:04d}",
            created=first + timedelta(days=rng.randrange(60)),
        )
        cards.append(card)
        for _ in range(rng.randrange(3)):
            ordered = card.created + timedelta(days=rng.randrange(30))
            delivered = ordered + timedelta(days=rng.randrange(60)) if rng.random() < 0.8 else None
            Order.objects.create(
                store=store,
                customer=card,
                consultant=consultant,
                order_date=ordered,
                model="途胜",
                delivery_date=delivered,
                cancelled_on=ordered + timedelta(days=5)
                if not delivered and rng.random() < 0.5
                else None,
            )
        for _ in range(rng.randrange(5)):
            day = card.created + timedelta(days=rng.randrange(-30, 700))
            if rng.random() < 0.5:
                ServiceVisit.objects.create(
                    store=store, customer=card, date=day, kind="maintenance"
                )
            else:
                Activity.objects.create(
                    store=store,
                    customer=card,
                    consultant=consultant,
                    date=day,
                    kind=rng.choice([ActivityKind.OWNER_CARE, ActivityKind.OWNER_CARE, "call"]),
                )
    assert OwnerSpan.objects.filter(kind="owner").count() > 10
    assert_current()
    days = [first + timedelta(days=n) for n in range(0, 1200, 7)]
    same_owners(days)

    # Later edits: a delivery moved and one undone, a visit moved to another card, a follow-up
    # turned into owner care and back, rows deleted.
    order = Order.objects.filter(delivery_date__isnull=False).first()
    assert order is not None
    order.delivery_date += timedelta(days=40)
    order.save()
    other = Order.objects.filter(delivery_date__isnull=False).exclude(pk=order.pk).first()
    assert other is not None
    other.delivery_date = None
    other.save(update_fields=["delivery_date"])
    visit = ServiceVisit.objects.first()
    assert visit is not None
    visit.customer = cards[0] if visit.customer_id != cards[0].pk else cards[1]
    visit.save()
    call = Activity.objects.exclude(kind=ActivityKind.OWNER_CARE).first()
    assert call is not None
    call.kind = ActivityKind.OWNER_CARE
    call.save(update_fields=["kind"])
    care = Activity.objects.filter(kind=ActivityKind.OWNER_CARE).last()
    assert care is not None
    care.kind = "call"
    care.date += timedelta(days=3)
    care.save()
    ServiceVisit.objects.last().delete()  # type: ignore[union-attr]
    Activity.objects.filter(kind=ActivityKind.OWNER_CARE).first().delete()  # type: ignore[union-attr]
    Order.objects.filter(delivery_date__isnull=False).last().delete()  # type: ignore[union-attr]
    cancelled = Order.objects.filter(delivery_date__isnull=True, cancelled=False).first()
    if cancelled is not None:
        cancelled.delivery_date = cancelled.order_date + timedelta(days=9)
        cancelled.save()
    assert_current()
    same_owners(days)
    same_owner_kpis([store], [D(2025, 6, 30), D(2026, 3, 31), D(2026, 9, 15)], by="consultant")

    # Deleting a card takes its spans along (its orders first: they protect it).
    cards[5].orders.all().delete()
    cards[5].delete()
    assert not OwnerSpan.objects.filter(customer_id=cards[5].pk).exists()
    assert_current()

    written = sorted(OwnerSpan.objects.values_list("customer_id", "kind", "started_on", "ended_on"))
    OwnerSpan.objects.all().delete()
    owner_spans_module.refresh()
    assert (
        sorted(OwnerSpan.objects.values_list("customer_id", "kind", "started_on", "ended_on"))
        == written
    )


def test_the_services_keep_the_owner_spans(store, consultant, manager) -> None:
    card = f.CustomerFactory(
        store=store, consultant=consultant, name="甲", created=D(2025, 1, 2), grade="H"
    )
    order = record_order(
        customer=card, user=consultant, order_date=D(2025, 1, 5), model="途胜", channel="showroom"
    )
    assert not OwnerSpan.objects.exists()
    order.refresh_from_db()
    assert deliver_order(
        order, user=consultant, expected_version=order.version, delivery_date=D(2025, 1, 20)
    )
    card.refresh_from_db()
    record_visit(owner=card, day=D(2025, 7, 1), kind="maintenance")
    log_care(owner=card, user=consultant, day=D(2026, 2, 1), notes="回访")
    assert sorted(
        OwnerSpan.objects.filter(customer=card).values_list("kind", "started_on", "ended_on")
    ) == [
        ("churned", D(2026, 7, 2), OPEN_END),
        ("owner", D(2025, 1, 20), OPEN_END),
        ("retained", D(2025, 7, 1), D(2025, 12, 28)),
        ("retained", D(2026, 2, 1), D(2026, 7, 31)),
    ]
    assert_current()
    same_owners([D(2025, 1, 19), D(2025, 1, 20), D(2025, 12, 27), D(2025, 12, 28), D(2026, 7, 2)])
    same_owner_kpis([store], [D(2025, 12, 31), D(2026, 7, 31)])


@pytest.mark.django_db(transaction=True)
def test_a_rebuild_settles_the_kept_tables() -> None:
    """Outside a transaction, the rebuild leaves the kept tables' statistics and, on
    PostgreSQL, their visibility map up to date (VACUUM (ANALYZE)): the KPIs read the spans
    by index alone."""
    generate(stores=1, months=2, seed=8, start=D(2026, 6, 1), consultants=3)
    call_command("rebuild_kpi_state", store="all")
    call_command("rebuild_kpi_state", store="all", check=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in (ProspectSpan._meta.db_table, OwnerSpan._meta.db_table):
                cursor.execute(
                    "SELECT relallvisible, reltuples FROM pg_class WHERE relname = %s", [table]
                )
                visible, rows = cursor.fetchone()
                assert visible > 0 and rows > 0, table


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite: IMMEDIATE transactions")
def test_a_rebuild_holds_the_writes_it_derives_from_until_it_commits() -> None:
    import psycopg
    from django.db import transaction

    with transaction.atomic():
        spans.hold_writes()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT relation::regclass::text FROM pg_locks"
                " WHERE pid = pg_backend_pid() AND mode = 'ShareLock' AND relation IS NOT NULL"
            )
            held = sorted(row[0] for row in cursor.fetchall())
        assert held == [
            "customers_customer",
            "owners_servicevisit",
            "sales_activity",
            "sales_lossreport",
            "sales_order",
            "sales_reactivation",
        ]
        # Another connection may read, but its write waits (here: gives up after 0.1 s).
        params = connection.get_connection_params()
        with psycopg.connect(**params, autocommit=True) as other:
            other.execute("SET lock_timeout = '100ms'")
            assert other.execute("SELECT count(*) FROM sales_order").fetchone() == (0,)
            with pytest.raises(psycopg.errors.LockNotAvailable):
                other.execute("UPDATE sales_order SET version = version WHERE false")
