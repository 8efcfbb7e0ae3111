"""One rule per kind of row, the same on every screen, export and report that shows it.

Rows that hang on a customer card (orders, loss reports, contacts) follow the card: after a
handover the new consultant reads them and the former one no longer does, whoever the row is
credited to. Leads: the person they are assigned to and the store-wide roles; never the
receptionist or marketing."""

from __future__ import annotations

import csv
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from showroom.exchange.exports import export
from showroom.exchange.forms import ACTIVITIES, LEADS, LOSSES, ORDERS
from showroom.exchange.selectors import export_rows
from showroom.kpi.dashboard.drill import drill_rows
from showroom.organization import access
from showroom.organization.choices import Role
from showroom.reports.sales import monthly
from showroom.sales.choices import ActivityCategory, ActivityKind, LossKind, LossReason, LossStatus
from showroom.sales.models import Activity, LossReport, Order
from showroom.traffic.models import Lead
from tests import factories as f

pytestmark = pytest.mark.django_db

OCT1, OCT31 = dt.date(2026, 10, 1), dt.date(2026, 10, 31)


@pytest.fixture
def handed_over(store, consultant, consultant2):  # type: ignore[no-untyped-def]
    """A card zhang worked (his order, loss report and contact) that li now holds."""
    card = f.CustomerFactory(store=store, consultant=consultant2, name="王先生")
    order = Order.objects.create(
        store=store, customer=card, consultant=consultant, order_date=OCT1, model="途胜"
    )
    loss = LossReport.objects.create(
        store=store,
        customer=card,
        consultant=consultant,
        date=dt.date(2026, 10, 5),
        kind=LossKind.LOST,
        reason=LossReason.PRICE,
        status=LossStatus.CONFIRMED,
    )
    contact = Activity.objects.create(
        store=store,
        customer=card,
        consultant=consultant,
        date=dt.date(2026, 10, 2),
        kind=ActivityKind.CALL,
        category=ActivityCategory.MANAGEMENT,
    )
    return {"order": order, "loss": loss, "contact": contact}


def _ids(qs):  # type: ignore[no-untyped-def]
    return sorted(qs.values_list("pk", flat=True))


def test_card_rows_follow_the_card_not_the_credit(
    handed_over, consultant, consultant2, manager, receptionist, make_staff, store
) -> None:  # type: ignore[no-untyped-def]
    marketing = make_staff("mkt", Role.MARKETING, store=store)
    for rule, model, row in (
        (access.order_rows, Order, handed_over["order"]),
        (access.loss_rows, LossReport, handed_over["loss"]),
        (access.activity_rows, Activity, handed_over["contact"]),
    ):
        assert _ids(rule(model.objects.all(), consultant)) == []
        assert _ids(rule(model.objects.all(), consultant2)) == [row.pk]
        assert _ids(rule(model.objects.all(), manager)) == [row.pk]
        assert _ids(rule(model.objects.all(), receptionist)) == []
        assert _ids(rule(model.objects.all(), marketing)) == []


@pytest.mark.parametrize(
    ("form", "row"), [(ORDERS, "order"), (LOSSES, "loss"), (ACTIVITIES, "contact")]
)
def test_exports_follow_the_same_rule_as_the_screens(
    handed_over, consultant, consultant2, store, form, row
) -> None:  # type: ignore[no-untyped-def]
    def exported(user):  # type: ignore[no-untyped-def]
        return _ids(export_rows(form=form, stores=[store], start=OCT1, end=OCT31, user=user))

    assert exported(consultant) == []
    assert exported(consultant2) == [handed_over[row].pk]


def test_loss_analysis_follows_the_card(handed_over, consultant, consultant2, store) -> None:  # type: ignore[no-untyped-def]
    def confirmed(user):  # type: ignore[no-untyped-def]
        report = monthly.loss_analysis(user=user, store=store, month_start=OCT1, month_end=OCT31)
        return [r.pk for r in report.confirmed]

    assert confirmed(consultant) == []
    assert confirmed(consultant2) == [handed_over["loss"].pk]


@pytest.fixture
def leads(store, make_staff):  # type: ignore[no-untyped-def]
    """One lead each for a DCC agent and for a marketing manager it was assigned to."""
    dcc = make_staff("dcc", Role.DCC, store=store)
    marketing = make_staff("mkt", Role.MARKETING, store=store)
    at = dt.datetime(2026, 10, 3, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

    def lead(to):  # type: ignore[no-untyped-def]
        return Lead.objects.create(
            store=store, created_at=at, channel=f.source("internet"), phone="13800000001",
            assigned_to=to,
        )  # fmt: skip

    of_dcc, of_marketing = lead(dcc), lead(marketing)
    return {"dcc": dcc, "marketing": marketing, "of_dcc": of_dcc, "of_marketing": of_marketing}


def test_lead_rows(leads, manager, receptionist) -> None:  # type: ignore[no-untyped-def]
    def seen(user):  # type: ignore[no-untyped-def]
        return _ids(access.lead_rows(Lead.objects.all(), user))

    # The DCC work the store's lead pool: every lead of the store, whoever has it.
    assert seen(leads["dcc"]) == sorted([leads["of_dcc"].pk, leads["of_marketing"].pk])
    assert seen(manager) == sorted([leads["of_dcc"].pk, leads["of_marketing"].pk])
    assert seen(leads["marketing"]) == []
    assert seen(receptionist) == []


def test_the_drill_down_and_the_export_show_the_same_leads(leads, store, manager) -> None:  # type: ignore[no-untyped-def]
    for user in (leads["marketing"], leads["dcc"], manager):
        drilled = drill_rows(user=user, store=store, code="leads", start=OCT1, end=OCT31)
        exported = export_rows(form=LEADS, stores=[store], start=OCT1, end=OCT31, user=user)
        assert _ids(drilled) == _ids(exported)
    # A marketing manager reads aggregates only, even of a lead assigned to them.
    marketing = leads["marketing"]
    assert _ids(drill_rows(user=marketing, store=store, code="leads", start=OCT1, end=OCT31)) == []


def test_the_card_holder_exports_the_cards_number_in_full(
    handed_over, consultant2, store, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    card = handed_over["order"].customer
    card.phone = "13912345678"
    card.save(update_fields=["phone"])
    out = tmp_path / "out"
    export(out, stores=[store], start=OCT1, end=OCT31, user=consultant2, forms=[ORDERS])
    with (out / "orders.csv").open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    assert [r["phone"] for r in rows] == ["13912345678"]
