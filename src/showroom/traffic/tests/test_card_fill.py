"""A walk-in or call completed with contact kept fills in the card, never a second one."""

import datetime as dt

import pytest
from django.urls import reverse

from showroom.customers.models import Customer, GradeChange
from showroom.traffic import services
from tests import factories as f

pytestmark = pytest.mark.django_db

D = dt.date
TODAY = D(2026, 10, 1)


def completion(**overrides):
    data = {
        "version": "1",
        "visit_type": "first",
        "party_size": "1",
        "name": "王先生",
        "phone": "138-1234-5678",
        "source": str(f.source("walk_by").pk),
        "model": "途胜",
        "grade": "H",
        "contact_kept": "unknown",
        "left_at": "10:45",
    }
    data.update(overrides)
    return data


def test_completed_walk_in_fills_a_new_card_and_logs_its_grade(client, store, consultant):
    row = f.WalkInFactory(store=store, consultant=consultant, date=TODAY)
    client.force_login(consultant)
    response = client.post(reverse("traffic:walkin_edit", args=[row.pk]), completion(complete="1"))
    assert response.status_code == 302
    card = Customer.objects.get()
    assert (card.name, card.phone_norm, card.model, card.source.code, card.grade) == (
        "王先生",
        "13812345678",
        "途胜",
        "walk_by",
        "H",
    )
    assert (card.consultant, card.created, card.next_follow_up) == (
        consultant,
        TODAY,
        D(2026, 10, 3),
    )
    assert list(
        GradeChange.objects.values_list("customer", "date", "old_grade", "new_grade", "changed_by")
    ) == [(card.pk, TODAY, "", "H", consultant.pk)]
    row.refresh_from_db()
    assert row.customer == card


def test_a_second_visit_in_another_format_never_makes_a_second_card(client, store, consultant):
    first = f.WalkInFactory(store=store, consultant=consultant, date=TODAY)
    client.force_login(consultant)
    client.post(reverse("traffic:walkin_edit", args=[first.pk]), completion(complete="1"))
    again = f.WalkInFactory(
        store=store, consultant=consultant, date=D(2026, 10, 5), visit_type="repeat"
    )
    client.post(
        reverse("traffic:walkin_edit", args=[again.pk]),
        completion(complete="1", phone="+86 13812345678", visit_type="repeat", grade="A"),
    )
    card = Customer.objects.get()
    again.refresh_from_db()
    assert again.customer == card
    # The card's grade moves with contacts logged on it, not with a register row.
    assert (card.grade, GradeChange.objects.count()) == ("H", 1)


def test_completion_fills_only_the_blanks_of_an_existing_card(store, consultant, consultant2):
    imported = f.CustomerFactory(
        store=store,
        consultant=None,
        name="王建国",
        phone="13812345678",
        grade="",
        model="",
        created=D(2026, 9, 1),
    )
    row = f.CallFactory(store=store, consultant=consultant2, date=TODAY)
    row.name, row.phone, row.model, row.grade = "王先生", "138 1234 5678", "伊兰特", "A"
    row.source = f.source("internet")
    assert services.save_row(
        row,
        fields=["name", "phone", "model", "grade", "source"],
        expected_version=1,
        user=consultant2,
        complete=True,
    )
    imported.refresh_from_db()
    assert (imported.name, imported.model, imported.grade, imported.consultant) == (
        "王建国",
        "伊兰特",
        "A",
        consultant2,
    )
    assert (imported.source.code, imported.next_follow_up, imported.version) == (
        "internet",
        D(2026, 10, 8),
        2,
    )
    assert list(GradeChange.objects.values_list("old_grade", "new_grade", "date")) == [
        ("", "A", TODAY)
    ]
    assert Customer.objects.count() == 1


def test_a_filled_card_is_not_overwritten(store, consultant, consultant2):
    theirs = f.CustomerFactory(
        store=store, consultant=consultant2, name="王建国", phone="13812345678", grade="B"
    )
    row = f.WalkInFactory(store=store, consultant=consultant, date=TODAY)
    row.name, row.phone, row.model, row.grade = "王先生", "13812345678", "伊兰特", "H"
    services.save_row(
        row, fields=["name", "phone", "model", "grade"], expected_version=1, user=consultant,
        complete=True,
    )  # fmt: skip
    theirs.refresh_from_db()
    assert (theirs.consultant, theirs.grade, theirs.model, theirs.version) == (
        consultant2,
        "B",
        "途胜",
        1,
    )
    row.refresh_from_db()
    assert row.customer == theirs


def test_a_completed_call_without_a_grade_makes_a_card_without_a_date(store, consultant):
    row = f.CallFactory(store=store, consultant=consultant, date=TODAY)
    row.name, row.phone = "钱女士", "13900009999"
    services.save_row(
        row, fields=["name", "phone"], expected_version=1, user=consultant, complete=True
    )
    card = Customer.objects.get()
    assert (card.grade, card.next_follow_up, GradeChange.objects.count()) == ("", None, 0)


def test_completion_records_the_reception_as_a_contact_with_its_grade(store, consultant):
    """The reception is on the back of the card and in the daily report, once, with the grade
    the completion gave the card; a row without contact kept records none."""
    from showroom.sales.models import Activity

    walk_in = f.WalkInFactory(store=store, consultant=consultant, date=TODAY)
    walk_in.name, walk_in.phone, walk_in.grade = "王先生", "13812345678", "H"
    fields = ["name", "phone", "grade"]
    assert services.save_row(
        walk_in, fields=fields, expected_version=1, user=consultant, complete=True
    )
    assert services.save_row(
        walk_in, fields=["notes"], expected_version=2, user=consultant, complete=True
    )
    call = f.CallFactory(store=store, consultant=consultant, date=D(2026, 10, 3))
    call.name, call.phone = "王先生", "13812345678"
    assert services.save_row(
        call, fields=fields, expected_version=1, user=consultant, complete=True
    )
    anonymous = f.CallFactory(store=store, consultant=consultant, date=TODAY, contact_kept=False)
    anonymous.name, anonymous.phone = "赵女士", "13900000002"
    services.save_row(anonymous, fields=fields, expected_version=1, user=consultant, complete=True)

    card = Customer.objects.get()
    assert list(
        Activity.objects.order_by("date").values_list("customer", "date", "kind", "grade_after")
    ) == [(card.pk, TODAY, "reception", "H"), (card.pk, D(2026, 10, 3), "call", "H")]
