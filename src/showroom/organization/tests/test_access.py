import datetime as dt

import pytest
from django.utils import translation

from showroom.organization import access
from showroom.organization.choices import Role
from showroom.traffic.models import WalkIn
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(store, other_store, consultant, consultant2):
    outsider = f.StaffFactory(store=other_store, username="sh_c")
    return {
        "mine": f.WalkInFactory(store=store, consultant=consultant),
        "colleague": f.WalkInFactory(store=store, consultant=consultant2),
        "other_store": f.WalkInFactory(store=other_store, consultant=outsider),
    }


def visible(user):
    return set(access.front_desk_rows(WalkIn.objects.all(), user).values_list("pk", flat=True))


def test_consultant_sees_only_own_rows(rows, consultant):
    assert visible(consultant) == {rows["mine"].pk}


def test_receptionist_sees_whole_register_of_own_store(rows, receptionist):
    assert visible(receptionist) == {rows["mine"].pk, rows["colleague"].pk}


@pytest.mark.parametrize("role", [Role.MANAGER, Role.ASSISTANT, Role.CRM, Role.GENERAL_MANAGER])
def test_store_wide_roles_see_their_store_only(rows, make_staff, store, role):
    user = make_staff(f"u_{role}", role, store=store)
    assert visible(user) == {rows["mine"].pk, rows["colleague"].pk}


def test_dcc_and_marketing_see_no_other_consultants_rows(rows, make_staff, store):
    assert visible(make_staff("dcc", Role.DCC, store=store)) == set()
    assert visible(make_staff("mkt", Role.MARKETING, store=store)) == set()


def test_group_analyst_sees_every_store(rows, group_analyst):
    assert visible(group_analyst) == {r.pk for r in rows.values()}


def test_group_role_tied_to_a_store_sees_only_that_store(rows, make_staff, store):
    assert visible(make_staff("grp_store", Role.GROUP, store=store)) == {
        rows["mine"].pk,
        rows["colleague"].pk,
    }


def test_several_stores_only_for_a_group_login_that_sees_them(
    store, other_store, manager, group_analyst, make_staff, django_assert_num_queries
):
    tied = make_staff("grp_store", Role.GROUP, store=store)
    with django_assert_num_queries(0):  # a store's own staff: known without a query
        assert access.sees_several_stores(manager) is False
        assert access.sees_several_stores(tied) is False
    assert access.sees_several_stores(group_analyst) is True
    other_store.is_active = False
    other_store.save(update_fields=["is_active"])
    assert access.sees_several_stores(group_analyst) is False  # one open store left


def test_inactive_user_sees_nothing(rows, consultant):
    consultant.is_active = False
    assert visible(consultant) == set()


def test_customers_hidden_from_receptionist_and_marketing(
    store, consultant, receptionist, make_staff
):
    from showroom.customers.models import Customer

    f.CustomerFactory(store=store, consultant=consultant)
    qs = Customer.objects.all()
    assert access.customer_rows(qs, receptionist).count() == 0
    assert access.customer_rows(qs, make_staff("mkt", Role.MARKETING, store=store)).count() == 0
    assert access.customer_rows(qs, consultant).count() == 1
    assert access.customer_rows(qs, make_staff("crm", Role.CRM, store=store)).count() == 1


@pytest.mark.parametrize(
    ("raw", "masked"), [("13812345678", "138****5678"), ("12345", "*****"), ("", "")]
)
def test_mask_phone(raw, masked):
    assert access.mask_phone(raw) == masked


def test_shown_value_masks_phones_as_the_role_requires(rows, consultant, receptionist):
    mine, colleague = rows["mine"], rows["colleague"]
    assert access.shown_value(mine, "phone", "13800000001", user=consultant) == "13800000001"
    assert access.shown_value(colleague, "phone", "13800000002", user=consultant) == "138****0002"
    assert access.shown_value(mine, "phone", "13800000001", user=receptionist) == "138****0001"
    assert access.shown_value(mine, "phone", "", user=consultant) == "—"


def test_shown_value_shows_other_fields_as_the_screens_do(rows, consultant):
    mine = rows["mine"]
    with translation.override("en"):
        assert access.shown_value(mine, "visit_type", "repeat", user=consultant) == "Repeat visit"
    assert access.shown_value(mine, "arrived_at", dt.time(9, 5), user=consultant) == "09:05"
    assert access.shown_value(mine, "date", dt.date(2026, 10, 1), user=consultant) == "2026-10-01"
    assert access.shown_value(mine, "consultant", consultant, user=consultant) == str(consultant)
    assert access.shown_value(mine, "name", None, user=consultant) == "—"
