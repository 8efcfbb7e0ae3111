"""What follows the traffic: one store's six months up to a fixed "now", generated once for the
module and read by every test (they only read)."""

from __future__ import annotations

import itertools
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.db import connection, transaction

from showroom.customers.choices import CADENCE_DAYS
from showroom.customers.models import Customer, GradeChange
from showroom.customers.phones import normalize_phone
from showroom.customers.services import ensure_standard_sources
from showroom.demo import names
from showroom.demo.aftersales import VIN_VALUES, VIN_WEIGHTS, add_years
from showroom.demo.digest import store_digest
from showroom.demo.generator import CRM_TABLES, TABLES, generate
from showroom.organization.choices import Role
from showroom.organization.models import Staff, Store
from showroom.owners.models import ServiceVisit, Vehicle
from showroom.sales import funnel
from showroom.sales.models import (
    Activity,
    DailyReview,
    LossReport,
    Order,
    Quote,
    Reactivation,
    TestDrive,
)
from showroom.traffic.models import Lead, WalkIn

NOW = datetime.fromisoformat("2025-06-15T14:05:00+08:00")
TODAY = NOW.date()
RANK = {"": 0, "C": 1, "B": 2, "A": 3, "H": 4, "O": 5}
CADENCE = {str(grade): days for grade, days in CADENCE_DAYS.items()}


@pytest.fixture(scope="module")
def store(django_db_setup, django_db_blocker) -> Iterator[Store]:  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        with transaction.atomic():
            ensure_standard_sources()
            with time_machine.travel(NOW, tick=False):
                result = generate(stores=1, months=6, seed=2)
            yield result.stores[0].store
            transaction.set_rollback(True)
        # Test database teardown may see another connection than this one (after browser tests
        # have run, for one): close it here, or the test database cannot be dropped.
        connection.close()


def days(n: int) -> timedelta:
    return timedelta(days=n)


def test_orders_belong_to_cards_and_come_after_them(store: Store) -> None:
    orders = list(Order.objects.filter(store=store).select_related("customer"))
    assert 120 <= len(orders) <= 500
    for order in orders:
        card = order.customer
        assert card.store_id == store.pk and card.owner_kind == ""
        assert card.created <= order.order_date <= TODAY
        assert (order.consultant_id, order.source_id, order.model) == (
            card.consultant_id,
            card.source_id,
            card.model,
        )
        assert order.deposit in {2000, 5000, 10000, 20000}
    assert len({o.contract_no for o in orders}) == len(orders)
    # Each order is the card's move to grade O that day.
    to_o = set(
        GradeChange.objects.filter(store=store, new_grade="O").values_list("customer", "date")
    )
    assert {(o.customer_id, o.order_date) for o in orders} == to_o
    channels = Counter(o.channel for o in orders)
    assert channels["showroom"] > 0.7 * len(orders)
    assert channels["secondary"] > 0 and channels["fleet"] > 0
    # Mostly H and A prospects sign.
    before = Counter(
        GradeChange.objects.filter(store=store, new_grade="O").values_list("old_grade", flat=True)
    )
    assert before["H"] + before["A"] > 0.9 * len(orders) and before["H"] > before["A"]


def test_deliveries_come_days_to_weeks_after_orders(store: Store) -> None:
    orders = Order.objects.filter(store=store)
    delivered = list(orders.filter(delivery_date__isnull=False))
    assert all(o.order_date <= o.delivery_date <= TODAY and not o.cancelled for o in delivered)
    lags = [(o.delivery_date - o.order_date).days for o in delivered]
    assert max(lags) <= 45 and 3 <= statistics.median(lags) <= 14
    # Some of last month's orders were delivered this month; the newest wait for their car.
    assert any(o.order_date.month == 5 and o.delivery_date.month == 6 for o in delivered)
    waiting = orders.filter(delivery_date__isnull=True, cancelled=False)
    assert waiting.filter(order_date__gte=TODAY - days(7)).exists()
    assert not waiting.filter(order_date__lt=TODAY - days(45)).exists()
    # Ceremonies, and the 3-day call and 7-day letter: mostly on time, some late, some missed.
    settled = [o for o in delivered if o.delivery_date <= TODAY - days(15)]
    assert 0.75 < sum(o.ceremony for o in settled) / len(settled) < 0.95
    for field, limit, on_time in (("call_3day", 3, 0.75), ("letter_7day", 7, 0.7)):
        done = [(getattr(o, field) - o.delivery_date).days for o in settled if getattr(o, field)]
        assert all(d >= 1 for d in done)
        assert on_time < sum(d <= limit for d in done) / len(settled) < 0.95
        assert any(d > limit for d in done) and len(done) < len(settled)
    assert not orders.filter(call_3day__gt=TODAY).exists()
    # A cancelled order is never delivered; the customer mostly buys elsewhere (a loss request
    # on the cancellation day), some keep looking, an open A prospect again.
    cancelled = list(orders.filter(cancelled=True))
    assert cancelled
    for order in cancelled:
        assert order.delivery_date is None
        assert order.order_date < order.cancelled_on <= TODAY and order.cancel_reason
        contact = Activity.objects.get(
            customer=order.customer, date=order.cancelled_on, grade_after="A", kind="call"
        )
        lost = LossReport.objects.filter(customer=order.customer, date=order.cancelled_on)
        assert lost.exists() is (contact.notes != "客户退订，仍在比较")


def vin_is_valid(vin: str) -> bool:
    total = sum(VIN_VALUES[ch] * w for ch, w in zip(vin, VIN_WEIGHTS, strict=True))
    return len(vin) == 17 and vin[8] == ("X" if total % 11 == 10 else str(total % 11))


def test_every_delivered_order_has_a_vehicle_and_an_owner(store: Store) -> None:
    delivered = Order.objects.filter(store=store, delivery_date__isnull=False)
    assert delivered.count() >= 100
    for order in delivered.select_related("vehicle", "customer"):
        vehicle = order.vehicle
        assert vehicle.customer_id == order.customer_id
        assert (vehicle.vin, vehicle.model, vehicle.delivery_date) == (
            order.vin,
            order.model,
            order.delivery_date,
        )
        assert vin_is_valid(vehicle.vin) and vehicle.vin.startswith(names.WMI[store.brand])
        assert vehicle.brand == store.brand
        assert vehicle.insurance_end == add_years(order.delivery_date, 1) - days(1)
        assert (vehicle.finance_end is not None) == order.finance
        assert vehicle.warranty_end == add_years(
            order.delivery_date, 5 if order.extended_warranty else 3
        )
        assert order.customer.customer_type == "owner"
        assert order.customer.next_follow_up is None
    plates = list(Vehicle.objects.filter(store=store).values_list("plate", flat=True))
    assert sum(1 for p in plates if p) > 0.9 * len(plates)
    prefixes = {p[:2] for p in plates if p}
    city = next(c for c in names.CITIES if c in store.name)
    assert prefixes <= set(names.PLATES[city])
    sold = Vehicle.objects.filter(store=store, order__isnull=False)
    assert not sold.filter(order__delivery_date__isnull=True).exists()
    owners = Customer.objects.filter(store=store, customer_type="owner", owner_kind="")
    assert owners.count() == delivered.count()


def test_value_added_penetration_over_six_months(store: Store) -> None:
    delivered = list(Order.objects.filter(store=store, delivery_date__isnull=False))
    n = len(delivered)

    def share(test) -> float:  # type: ignore[no-untyped-def]
        return sum(1 for o in delivered if test(o)) / n

    assert 0.8 <= share(lambda o: o.insurance) <= 0.9
    assert 0.3 <= share(lambda o: o.finance) <= 0.5
    assert 0.5 <= share(lambda o: o.accessories > 0) <= 0.7
    assert 0.12 <= share(lambda o: o.extended_warranty) <= 0.28
    assert 0.08 <= share(lambda o: o.trade_in) <= 0.22
    for order in delivered:
        price = names.PRICES[order.model] * 10_000
        assert order.accessories == 0 or 0.009 * price <= order.accessories <= 0.061 * price
    # Financing shows on the card; trade-ins come mostly with replacement purchases.
    cards = {o.customer_id: o.customer for o in Order.objects.filter(store=store)}
    assert all(
        cards[o.customer_id].payment == ("installment" if o.finance else "full") for o in delivered
    )
    trade_ins = Counter(cards[o.customer_id].purchase_type for o in delivered if o.trade_in)
    assert trade_ins["replacement"] > 0.7 * sum(trade_ins.values())


def test_confirmed_losses_close_the_prospect(store: Store) -> None:
    manager = Staff.objects.get(store=store, roles=Role.MANAGER)
    confirmed = list(LossReport.objects.filter(store=store, status="confirmed"))
    assert len(confirmed) > 200
    kinds = Counter(r.kind for r in confirmed)
    assert kinds["lost"] > 50 and kinds["out_of_control"] > 50
    crm = Staff.objects.get(store=store, roles=Role.CRM)
    again = defaultdict(list)
    for reactivation in Reactivation.objects.filter(store=store).order_by("date"):
        again[reactivation.customer_id].append(reactivation)
    # Some are handed back to sales by the CRM's activation calls (激活), weeks later.
    assert len(again) >= 3
    for report in confirmed:
        assert report.decided_by_id == manager.pk and report.date <= report.decided_on <= TODAY
        assert report.reason and report.description
        if report.kind == "lost":
            assert report.competitor_brand and report.competitor_model
        else:
            assert not report.competitor_brand
        back = next((r for r in again[report.customer_id] if r.date > report.date), None)
        if back is not None:
            assert back.date >= report.decided_on + days(20) and back.by_id == crm.pk
            assert back.consultant_id == report.customer.consultant_id and back.list_name
            assert Customer.objects.filter(funnel.open_on(back.date), pk=back.customer_id)
            continue
        assert report.customer.customer_type == report.kind
        assert report.customer.next_follow_up is None
        # Nothing happens with the card after the loss.
        assert not Activity.objects.filter(customer=report.customer, date__gt=report.date)
        assert not Order.objects.filter(customer=report.customer, order_date__gt=report.date)
    for report in confirmed[::10]:
        card = Customer.objects.filter(pk=report.customer_id)
        assert not card.filter(funnel.open_on(report.date)).exists()
        if report.customer.created < report.date:
            assert card.filter(funnel.open_on(report.date - days(1))).exists()
    lost = [r for r in confirmed if r.kind == "lost"]
    reasons = Counter(r.reason for r in lost)
    assert reasons.most_common(1)[0][0] == "price" and len(reasons) >= 7
    brands = {r.competitor_brand for r in lost}
    assert len(brands) >= 8 and store.brand in brands  # also the same brand at another dealer
    for report in lost:
        assert (
            report.competitor_model
            in {
                **names.BRANDS,
                **names.OTHER_BRANDS,
            }[report.competitor_brand]
        )


def test_some_loss_requests_wait_and_some_were_sent_back(store: Store) -> None:
    waiting = list(LossReport.objects.filter(store=store, status="requested"))
    assert waiting
    for report in waiting:
        assert report.date >= TODAY - days(4) and report.decided_by is None
        assert report.customer.customer_type == "prospect"
        assert Customer.objects.filter(pk=report.customer_id).filter(funnel.open_on(TODAY))
    returned = list(LossReport.objects.filter(store=store, status="returned"))
    assert 0.03 < len(returned) / LossReport.objects.filter(store=store).count() < 0.25
    for report in returned:
        assert report.manager_note and report.decided_on >= report.date
    # Sent-back prospects are followed up again (or lost for good later).
    again = sum(
        1
        for r in returned
        if Activity.objects.filter(customer=r.customer, date__gt=r.decided_on).exists()
        or r.customer.next_follow_up
    )
    assert again > 0.8 * len(returned)


def test_follow_ups_keep_the_grade_cadence_and_some_are_overdue_today(store: Store) -> None:
    open_now = funnel.open_prospects(stores=[store], on=TODAY)
    n = open_now.count()
    overdue = open_now.filter(next_follow_up__lt=TODAY).count()
    assert 100 < n and 0.02 * n < overdue < 0.3 * n
    # Never a next date later than the grade's cadence allows.
    rows = Activity.objects.filter(store=store, next_date__isnull=False)
    for day, grade, next_date in rows.values_list("date", "grade_after", "next_date"):
        assert 1 <= (next_date - day).days <= CADENCE[grade]
    # The card's next follow-up is the one its latest contact planned, unless the manager sent
    # a loss request back since.
    latest: dict[int, tuple[date, date | None]] = {}
    for customer, day, next_date in (
        Activity.objects.filter(store=store)
        .order_by("date", "id")
        .values_list("customer", "date", "next_date")
    ):
        latest[customer] = (day, next_date)
    sent_back = set(
        LossReport.objects.filter(store=store, status="returned").values_list("customer", flat=True)
    )
    for card in open_now:
        if card.pk not in sent_back and card.pk in latest:
            assert card.next_follow_up == latest[card.pk][1]


def test_activities_and_grade_log_tell_each_card_s_story(store: Store) -> None:
    cards = {c.pk: c for c in Customer.objects.filter(store=store, owner_kind="")}
    log: dict[int, list[GradeChange]] = defaultdict(list)
    for change in GradeChange.objects.filter(store=store).order_by("date", "id"):
        log[change.customer_id].append(change)
    assert set(log) == set(cards)
    moves = Counter()
    for pk, changes in log.items():
        card = cards[pk]
        assert (changes[0].old_grade, changes[0].date) == ("", card.created)
        for before, after in itertools.pairwise(changes):
            assert after.old_grade == before.new_grade and after.date >= before.date
            moves[before.new_grade + after.new_grade] += 1
        assert changes[-1].new_grade == card.grade
        assert all(c.changed_by_id == card.consultant_id for c in changes)
    # Grades climb C→B→A→H→O, and also drop.
    assert all(moves[m] > 10 for m in ("CB", "BA", "AH", "HO", "BC", "AB", "HA"))
    activities: dict[int, list[Activity]] = defaultdict(list)
    for activity in Activity.objects.filter(store=store).order_by("date", "id"):
        activities[activity.customer_id].append(activity)
    development = 0
    # A re-activated customer is a new prospect again: the call that hands them back is 开拓.
    again = set(Reactivation.objects.filter(store=store).values_list("customer_id", "date"))
    for pk, acts in activities.items():
        if pk not in cards:
            continue
        grade = ""
        for i, activity in enumerate(acts):
            assert activity.consultant_id == cards[pk].consultant_id
            if activity.category == "development" and (pk, activity.date) in again:
                pass
            elif activity.category == "development":
                assert i == 0 and activity.date == cards[pk].created
                development += 1
            elif activity.category == "promotion":
                assert RANK[activity.grade_after] > RANK[grade], (pk, activity.date)
            grade = activity.grade_after
    assert development > 0.9 * len(cards)
    kinds = Counter(Activity.objects.filter(store=store).values_list("kind", flat=True))
    assert set(kinds) == {
        "reception",
        "call",
        "message",
        "home_visit",
        "invitation",
        "test_drive",
        "quote",
        "order",
        "delivery",
        "owner_care",
    }
    categories = Counter(Activity.objects.filter(store=store).values_list("category", flat=True))
    assert categories["management"] > categories["development"] > 0
    assert categories["promotion"] > 0


def test_test_drives_and_quotes_match_the_walk_ins(store: Store) -> None:
    walk_ins = WalkIn.objects.filter(store=store)
    drives = Counter(walk_ins.filter(test_drive=True).values_list("customer", "date"))
    quotes = Counter(walk_ins.filter(quoted=True).values_list("customer", "date"))
    assert None not in {c for c, _ in drives} | {c for c, _ in quotes}
    assert drives == Counter(TestDrive.objects.filter(store=store).values_list("customer", "date"))
    assert quotes == Counter(Quote.objects.filter(store=store).values_list("customer", "date"))
    assert len(drives) > 200 and len(quotes) > 300
    for drive in TestDrive.objects.filter(store=store):
        assert drive.route in names.TEST_DRIVE_ROUTES and 15 <= drive.duration_minutes <= 40
    for quote in Quote.objects.filter(store=store):
        price = names.PRICES[quote.model] * 10_000
        assert 0.87 * price <= quote.amount <= 0.99 * price


def test_leads_are_answered_and_some_come_in_within_three_days(store: Store) -> None:
    leads = list(Lead.objects.filter(store=store))
    assert 300 < len(leads) < 1500
    tz = store.tz
    for lead in leads:
        assert lead.date == lead.created_at.astimezone(tz).date() and lead.created_at <= NOW
        assert lead.phone_norm == normalize_phone(lead.phone)
        assert lead.first_contact_at is None or lead.created_at < lead.first_contact_at <= NOW
        assert lead.appointment_date is None or lead.first_contact_at is not None
    channels = Counter(lead.channel.code for lead in leads)
    assert channels["internet"] + channels["oem"] > 0.8 * len(leads)
    never = [lead for lead in leads if lead.first_contact_at is None]
    assert 0.03 < len(never) / len(leads) < 0.2
    minutes = [
        (lead.first_contact_at - lead.created_at).total_seconds() / 60
        for lead in leads
        if lead.first_contact_at
    ]
    assert 5 < statistics.median(minutes) < 240 and max(minutes) > 8 * 60
    # Appointments, and the people who come in on them: first visits marked invited, with the
    # lead's phone, within 3 days of the date.
    visits = defaultdict(list)
    for phone, day, invited, kind in WalkIn.objects.filter(store=store).values_list(
        "phone_norm", "date", "invited", "visit_type"
    ):
        visits[phone].append((day, invited, kind))
    due = [
        lead for lead in leads if lead.appointment_date and lead.appointment_date < TODAY - days(3)
    ]
    shown = [
        lead
        for lead in due
        if any(
            lead.appointment_date <= day <= lead.appointment_date + days(3) and invited
            for day, invited, _ in visits[lead.phone_norm]
        )
    ]
    assert len(shown) > 30 and 0.35 < len(shown) / len(due) < 0.8
    for lead in leads:
        if lead.customer_id:
            first = min(visits[lead.phone_norm])
            assert first[1:] == (True, "first") and lead.customer.created == first[0]
            assert lead.customer.phone_norm == lead.phone_norm


def test_the_lead_desk_works_the_leads(store: Store) -> None:
    """Each lead's calls start at its first contact; each appointment date is one appointment
    on the calendar, shown exactly when the lead's phone came in (what show_rate counts)."""
    from showroom.kpi.selectors import compute_kpis
    from showroom.traffic.models import Appointment, LeadContact

    leads = {lead.pk: lead for lead in Lead.objects.filter(store=store)}
    first_call: dict[int, datetime] = {}
    outcomes: Counter[str] = Counter()
    for lead_id, at, outcome in LeadContact.objects.filter(lead__store=store).values_list(
        "lead_id", "at", "outcome"
    ):
        first_call[lead_id] = min(at, first_call.get(lead_id, at))
        outcomes[outcome] += 1
    for pk, lead in leads.items():
        assert first_call.get(pk) == lead.first_contact_at, pk
        assert lead.assigned_at == lead.created_at
    assert outcomes["reached"] > outcomes["no_answer"] > outcomes["message"] > 0
    appointments = list(Appointment.objects.filter(store=store).select_related("lead"))
    booked = {a.lead_id: a for a in appointments}
    assert len(booked) == len(appointments)
    assert {pk for pk, lead in leads.items() if lead.appointment_date} == set(booked)
    for a in appointments:
        assert a.date == a.lead.appointment_date == a.starts_at.astimezone(store.tz).date()
        assert a.status in (("shown", "no_show") if a.date < TODAY else ("booked", "shown"))
    closed = Counter(lead.closed_reason for lead in leads.values() if lead.closed_at)
    assert set(closed) <= {"no_answer", "not_interested", "bought_elsewhere", "duplicate",
                           "invalid_number"} and closed["not_interested"] > 0  # fmt: skip
    # A closed month: the calendar's shown appointments are the show rate's shows.
    start, end = date(2025, 4, 1), date(2025, 4, 30)
    month = [a for a in appointments if start <= a.date <= end]
    shown = sum(1 for a in month if a.status == "shown")
    values = compute_kpis(stores=[store], start=start, end=end, codes=["show_rate"])
    assert len(month) > 20 and values["show_rate"] == shown / len(month)


def test_owners_without_a_sale_here(store: Store) -> None:
    others = list(Customer.objects.filter(store=store).exclude(owner_kind=""))
    assert {c.owner_kind for c in others} == {"elsewhere", "other_brand"}
    for card in others:
        assert card.customer_type == "owner" and card.grade == ""
        assert not Order.objects.filter(customer=card).exists()
        vehicle = Vehicle.objects.get(customer=card)
        assert vehicle.order_id is None and vehicle.delivery_date < card.created
        assert (vehicle.brand == store.brand) == (card.owner_kind == "elsewhere")
        assert ServiceVisit.objects.filter(customer=card, date=card.created).exists()
    assert not funnel.open_prospects(stores=[store], on=TODAY).exclude(owner_kind="").exists()


def test_owners_come_back_to_the_workshop_and_get_care(store: Store) -> None:
    visits = ServiceVisit.objects.filter(store=store, vehicle__order__isnull=False)
    assert visits.count() > 20
    for visit in visits.select_related("vehicle"):
        assert visit.date > visit.vehicle.delivery_date
        if visit.notes == names.FIRST_SERVICE_NOTE:
            assert visit.amount == 0 and 75 <= (visit.date - visit.vehicle.delivery_date).days
    kinds = Counter(ServiceVisit.objects.filter(store=store).values_list("kind", flat=True))
    assert kinds["maintenance"] > kinds["repair"] > 0 and kinds["accident"] > 0
    care = Activity.objects.filter(store=store, kind="owner_care")
    notes = Counter(care.values_list("notes", flat=True))
    assert notes[names.CARE_NOTES["call_3day"]] > 50 and notes[names.CARE_NOTES["maintenance"]] > 0
    calls = set(Order.objects.filter(store=store).values_list("customer", "call_3day"))
    assert (
        set(care.filter(notes=names.CARE_NOTES["call_3day"]).values_list("customer", "date"))
        <= calls
    )


def test_owners_refer_new_buyers(store: Store) -> None:
    referred = list(Customer.objects.filter(store=store, referred_by__isnull=False))
    assert len(referred) >= 10
    delivered = dict(
        Vehicle.objects.filter(store=store, order__isnull=False).values_list(
            "customer", "delivery_date"
        )
    )
    for card in referred:
        assert card.source.code == "owner_referral"
        assert card.referred_by.customer_type == "owner"
        assert delivered[card.referred_by_id] <= card.created
    # Once the store has owners, every card that came through one names them.
    first_owner = min(delivered.values())
    unnamed = Customer.objects.filter(
        store=store,
        source__code="owner_referral",
        created__gt=first_owner,
        referred_by__isnull=True,
    )
    assert not unnamed.exists()


def test_consultants_differ_in_conversion_lateness_and_losses(store: Store) -> None:
    cards = Customer.objects.filter(store=store, owner_kind="")
    per: dict[int, Counter] = defaultdict(Counter)  # type: ignore[type-arg]
    for consultant in cards.values_list("consultant", flat=True):
        per[consultant]["cards"] += 1
    for consultant in Order.objects.filter(store=store).values_list("consultant", flat=True):
        per[consultant]["orders"] += 1
    confirmed = LossReport.objects.filter(store=store, status="confirmed")
    for consultant in confirmed.values_list("consultant", flat=True):
        per[consultant]["losses"] += 1
    # Follow-ups made after their date.
    planned = {}
    for customer, day, next_date, consultant in (
        Activity.objects.filter(store=store)
        .order_by("date", "id")
        .values_list("customer", "date", "next_date", "consultant")
    ):
        if customer in planned and day > planned[customer]:
            per[consultant]["late"] += 1
        if customer in planned:
            per[consultant]["follow_ups"] += 1
        planned[customer] = next_date or date.max
    order_rate = [c["orders"] / c["cards"] for c in per.values()]
    loss_rate = [c["losses"] / c["cards"] for c in per.values()]
    late = [c["late"] / c["follow_ups"] for c in per.values()]
    assert max(order_rate) > 1.8 * min(order_rate)
    assert max(loss_rate) - min(loss_rate) > 0.1
    assert max(late) > 2 * min(late)


def test_the_manager_reviews_some_daily_reports(store: Store) -> None:
    reviews = list(DailyReview.objects.filter(store=store))
    assert 30 < len(reviews) < 300
    manager = Staff.objects.get(store=store, roles=Role.MANAGER)
    consultants = set(Staff.objects.consultants(store).values_list("pk", flat=True))
    for review in reviews:
        assert review.reviewed_by_id == manager.pk and review.consultant_id in consultants
        local = review.reviewed_at.astimezone(store.tz)
        assert local.date() == review.date < TODAY and local.hour == 19


def wipe(stores: list[Store]) -> None:
    from showroom.targets.models import StoreTarget

    for store in stores:
        StoreTarget.objects.filter(store=store).delete()
        for _, model in reversed(TABLES + CRM_TABLES):
            if any(f.name == "store" for f in model._meta.fields):  # the others cascade
                model.objects.filter(store=store).delete()
        Staff.objects.filter(store=store).delete()
        store.delete()


@pytest.mark.django_db(transaction=True)
def test_parallel_stores_and_checked_references_give_the_same_data(vendor: str) -> None:
    if vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite writes one store at a time and always checks")
    ensure_standard_sources()
    options = {"stores": 2, "months": 1, "seed": 4, "start": date(2025, 3, 1), "consultants": 3}
    plain = generate(**options)  # type: ignore[arg-type]
    digests = [store_digest(s.store) for s in plain.stores]
    for other in ({"check_references": True}, {"jobs": 2}):
        wipe([s.store for s in plain.stores])
        again = generate(**options, **other)  # type: ignore[arg-type]
        assert [s.store.code for s in again.stores] == ["S001", "S002"]
        assert [store_digest(s.store) for s in again.stores] == digests, other
        plain = again
