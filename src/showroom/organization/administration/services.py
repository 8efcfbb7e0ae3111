"""Writes of the administration: each a small transaction; edits of existing rows are
version-checked (core.versions.claim) and refused when someone else saved in between."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max

from showroom.core.versions import claim
from showroom.organization.choices import Duty, Role
from showroom.organization.models import DealerGroup, Staff, Store


def _save_versioned(
    row: Store | Staff, *, values: dict[str, Any], expected_version: int, user: Staff | None
) -> bool:
    """Write `values` onto `row` if it is still at `expected_version`; False otherwise."""
    model = type(row)
    with transaction.atomic():
        version = claim(model, row.pk, expected_version)
        if version is None:
            return False
        for name, value in values.items():
            setattr(row, name, value)
        row.version = version
        row._history_user = user  # type: ignore[union-attr]
        row.save(update_fields=[*values, "version"])
    return True


def save_store(store: Store, *, values: dict[str, Any], expected_version: int, user: Staff) -> bool:
    return _save_versioned(store, values=values, expected_version=expected_version, user=user)


def create_store(*, values: dict[str, Any], user: Staff | None) -> Store:
    store = Store(**values)
    store._history_user = user  # type: ignore[attr-defined]
    store.full_clean()
    store.save()
    return store


def set_store_active(store: Store, *, active: bool, user: Staff) -> None:
    """Close (or reopen) a store: a closed store leaves every picker and its staff cannot
    sign in; nothing of its rows is deleted."""
    store.is_active = active
    store._history_user = user  # type: ignore[attr-defined]
    store.save(update_fields=["is_active"])


def create_staff(
    *, values: dict[str, Any], roles: list[str], password: str, user: Staff | None
) -> Staff:
    """A new login with an initial password the person must replace at their first sign-in."""
    staff = Staff(**values, roles=",".join(roles), must_change_password=True)
    staff.set_password(password)
    if Role.CONSULTANT in roles and staff.store_id:
        last = Staff.objects.consultants(staff.store).aggregate(m=Max("rotation_order"))["m"]
        staff.rotation_order = (last or 0) + 1  # new consultants join the end of the turn
    staff._history_user = user  # type: ignore[attr-defined]
    staff.save()
    return staff


def save_staff(
    staff: Staff,
    *,
    values: dict[str, Any],
    roles: list[str],
    expected_version: int,
    user: Staff,
) -> bool:
    values = {**values, "roles": ",".join(roles)}
    return _save_versioned(staff, values=values, expected_version=expected_version, user=user)


def reset_password(staff: Staff, *, password: str, user: Staff) -> None:
    """A temporary password; the person must choose their own at the next sign-in."""
    staff.set_password(password)
    staff.must_change_password = True
    staff._history_user = user  # type: ignore[attr-defined]
    staff.save(update_fields=["password", "must_change_password"])


def password_changed(staff: Staff) -> None:
    """The person chose their own password: the reset is done."""
    if staff.must_change_password:
        staff.must_change_password = False
        staff._history_user = staff  # type: ignore[attr-defined]
        staff.save(update_fields=["must_change_password"])


def set_staff_active(staff: Staff, *, active: bool, user: Staff) -> None:
    """Deactivate (or reactivate) a login. A deactivated login cannot sign in and leaves the
    rotation and the pickers; what it recorded stays, and its customers wait for a handover."""
    staff.is_active = active
    staff._history_user = user  # type: ignore[attr-defined]
    staff.save(update_fields=["is_active"])


def set_duty(staff: Staff, *, duty: str, user: Staff) -> bool:
    """Put `staff` on duty, at lunch or out (the roster and the front desk). The last tap wins;
    False, and nothing recorded, when they already are so (a second tap, or a colleague's tap
    meanwhile). The row is locked first, so that of two taps at once each sees the other's."""
    with transaction.atomic():
        current = (
            Staff.objects.filter(pk=staff.pk)
            .order_by()
            .select_for_update()
            .values_list("duty", flat=True)
            .first()
        )
        if current is None or current == duty:
            staff.duty = current or staff.duty
            return False
        staff.duty = Duty(duty)
        staff._history_user = user  # type: ignore[attr-defined]
        staff.save(update_fields=["duty"])
    return True


def move_in_rotation(staff: Staff, *, up: bool, user: Staff) -> None:
    """Swap `staff` with the consultant before (up) or after them in the store's order; the
    order is renumbered 1, 2, 3… on the way, so equal numbers cannot stall a move."""
    assert staff.store is not None
    with transaction.atomic():
        team = list(
            Staff.objects.consultants(staff.store)
            .select_for_update()
            .order_by("rotation_order", "full_name", "username", "pk")
        )
        ids = [c.pk for c in team]
        if staff.pk not in ids:
            return
        i = ids.index(staff.pk)
        j = i - 1 if up else i + 1
        if 0 <= j < len(team):
            team[i], team[j] = team[j], team[i]
        for position, member in enumerate(team, start=1):
            if member.rotation_order != position:
                member.rotation_order = position
                member._history_user = user  # type: ignore[attr-defined]
                member.save(update_fields=["rotation_order"])


def set_rotation_rules(store: Store, *, skips_busy: bool, skips_overdue: bool, user: Staff) -> None:
    store.rotation_skips_busy = skips_busy
    store.rotation_skips_overdue = skips_overdue
    store._history_user = user  # type: ignore[attr-defined]
    store.save(update_fields=["rotation_skips_busy", "rotation_skips_overdue"])


@dataclass(frozen=True)
class FirstRun:
    group: DealerGroup
    store: Store
    admin: Staff


def set_up(
    *,
    group: str,
    store_code: str,
    store_name: str,
    brand: str = "",
    time_zone: str = "Asia/Shanghai",
    username: str,
    full_name: str = "",
    password: str,
) -> FirstRun:
    """The dealer group, its first store and its group admin, who sets up everything else
    on the screens. The admin chose the password themselves: no change is forced."""
    with transaction.atomic():
        dealer_group, _created = DealerGroup.objects.get_or_create(name=group)
        store = create_store(
            values={
                "group": dealer_group,
                "code": store_code,
                "name": store_name,
                "brand": brand,
                "time_zone": time_zone,
            },
            user=None,
        )
        admin = Staff(
            username=username, full_name=full_name, roles=Role.GROUP_ADMIN.value, store=None
        )
        admin.set_password(password)
        admin.save()
    return FirstRun(dealer_group, store, admin)
