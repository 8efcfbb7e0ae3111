"""Reads of the administration: sign-in history and the record of changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from axes.models import AccessFailureLog, AccessLog
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from showroom.core.history import FieldChange, display_value
from showroom.organization import access, hooks
from showroom.organization.models import DealerGroup, Staff, Store, time_zone_name


def staff_list(
    *, user: Staff, store_code: str = "", query: str = "", inactive: bool = False
) -> QuerySet[Staff]:
    """The logins `user` administers, of one store if asked, matching `query`."""
    rows = access.staff_rows(Staff.objects.select_related("store"), user)
    if store_code:
        rows = rows.filter(store__code=store_code)
    if query:
        rows = rows.filter(
            Q(username__icontains=query) | Q(full_name__icontains=query) | Q(staff_code=query)
        )
    if not inactive:
        rows = rows.filter(is_active=True)
    return rows.order_by("store__code", "-is_active", "staff_code", "username")


def roster(*, user: Staff, store: Store) -> QuerySet[Staff]:
    """The consultants of `store` on its roster, in their rotation order."""
    return access.roster_rows(Staff.objects.filter(store=store), user).order_by(
        "rotation_order", "full_name", "username", "pk"
    )


@dataclass(frozen=True)
class SignIn:
    when: datetime
    succeeded: bool
    address: str
    device: str
    signed_out: datetime | None = None


def sign_ins(*, staff: Staff, limit: int = 100) -> list[SignIn]:
    """`staff`'s sign-ins and refused attempts, newest first (django-axes keeps both)."""
    good = AccessLog.objects.filter(username=staff.username).order_by("-attempt_time")[:limit]
    bad = AccessFailureLog.objects.filter(username=staff.username).order_by("-attempt_time")
    rows = [
        SignIn(r.attempt_time, True, r.ip_address or "", _device(r.user_agent), r.logout_time)
        for r in good
    ] + [
        SignIn(r.attempt_time, False, r.ip_address or "", _device(r.user_agent))
        for r in bad[:limit]
    ]
    return sorted(rows, key=lambda r: r.when, reverse=True)[:limit]


def _device(user_agent: str) -> str:
    # django-axes writes "<unknown>" when the browser sent no user agent: nothing to show.
    return "" if user_agent == "<unknown>" else user_agent


# What the record of changes shows of each model (never the password).
STORE_FIELDS = [
    "group", "code", "name", "brand", "time_zone", "address", "opening_time", "closing_time",
    "rotation_skips_busy", "rotation_skips_overdue", "is_active",
]  # fmt: skip
STAFF_FIELDS = [
    "username", "full_name", "staff_code", "store", "roles", "duty", "rotation_order",
    "is_active", "must_change_password",
]  # fmt: skip


@dataclass
class Change:
    when: datetime
    who: str
    what: str  # the store or person changed
    kind: str  # "+" created, "~" changed, "-" deleted
    changes: list[FieldChange] = field(default_factory=list)


def _show(row: Model, name: str, value: Any) -> str:
    if name == "roles":
        labels = Staff(roles=value or "").role_labels()
        return "、".join(labels) if labels else "—"
    if name in ("group", "store") and value is not None and not isinstance(value, Model):
        return str(value)
    if name == "time_zone" and value:
        return time_zone_name(value)
    return display_value(row, name, value)


def changes_of(records: QuerySet[Any], sample: Model, fields: list[str]) -> list[Change]:
    """The record of changes of simple-history `records` (newest first) of `sample`'s model,
    field by field among `fields`."""
    return _changes(records, sample, fields)


def _changes(records: QuerySet[Any], sample: Model, fields: list[str]) -> list[Change]:
    out: list[Change] = []
    for record in records:
        what = str(record.instance)
        previous = record.prev_record
        items: list[FieldChange] = []
        label = {n: str(getattr(sample._meta.get_field(n), "verbose_name", n)) for n in fields}
        if previous is None:
            for name in fields:
                value = getattr(record, name, None)
                if value not in (None, "", False):
                    items.append(FieldChange(label[name], "—", _show(sample, name, value)))
        else:
            delta = record.diff_against(previous, included_fields=fields)
            for c in delta.changes:
                old = _show(sample, c.field, _resolve(record, c.field, c.old))
                new = _show(sample, c.field, _resolve(record, c.field, c.new))
                items.append(FieldChange(label[c.field], old, new))
        if previous is not None and not items:
            continue  # a save that changed nothing shown here (a password, a version)
        who = str(record.history_user) if record.history_user else str(_("system"))
        out.append(Change(record.history_date, who, what, record.history_type, items))
    return out


def _resolve(record: Any, name: str, value: Any) -> Any:
    """A foreign key's stored id as the row it names."""
    if name == "store" and value is not None:
        return Store.objects.filter(pk=value).first() or value
    if name == "group" and value is not None:
        return DealerGroup.objects.filter(pk=value).first() or value
    return value


def change_log(*, user: Staff, limit: int = 200) -> list[Change]:
    """Who changed which store or login, when and what, newest first, within what `user`
    administers."""
    stores = access.administered_stores(user)
    staff = access.staff_rows(Staff.objects.all(), user)
    store_records = (
        Store.history.filter(id__in=stores.values("pk"))  # type: ignore[attr-defined]
        .select_related("history_user")
        .order_by("-history_date")[:limit]
    )
    staff_records = (
        Staff.history.filter(id__in=staff.values("pk"))  # type: ignore[attr-defined]
        .select_related("history_user")
        .order_by("-history_date")[:limit]
    )
    group_records = (
        DealerGroup.history.filter(id__in=stores.values("group"))  # type: ignore[attr-defined]
        .select_related("history_user")
        .order_by("-history_date")[:limit]
    )
    changes = (
        _changes(store_records, Store(), STORE_FIELDS)
        + _changes(staff_records, Staff(), STAFF_FIELDS)
        + _changes(group_records, DealerGroup(), ["name"])
    )
    # The settings other apps keep for these stores (sources, models offered…).
    for contributed in hooks.administration_changes.results(stores=stores, limit=limit):
        changes += contributed
    return sorted(changes, key=lambda c: c.when, reverse=True)[:limit]
