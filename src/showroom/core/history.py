"""Change history of a row kept by simple-history: its versions field by field (old → new),
who saved it last, and the store-local times the screens show."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, cast

from django.db.models import Field as DjangoField
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import DeletedObject, HistoricalRecords


class _DayToDayHistory(HistoricalRecords):
    def post_delete(self, instance: Any, using: str | None = None, **kwargs: Any) -> None:
        # As for a save: a row removed with others in bulk (an import's undo) has its history
        # row written with theirs, in one statement, instead of one INSERT here.
        if hasattr(instance, "skip_history_when_saving"):
            return
        super().post_delete(instance, using=using, **kwargs)

    def get_extra_fields(self, model: Any, fields: Any) -> dict[str, Any]:
        # Nothing lists these tables' changes by date or by user: only the settings tables'
        # record of changes does.
        extra: dict[str, Any] = super().get_extra_fields(model, fields)
        extra["history_date"].db_index = False
        extra["history_user"].db_index = False
        return extra


def day_to_day_history(*, excluded_fields: list[str] | None = None) -> HistoricalRecords:
    """The history of a table of the day's work (walk-ins, calls, leads, cards, activities,
    orders, loss reports), which an import fills a hundred thousand rows at a time. It is read
    one row at a time, by the row's id: its other columns are not indexed (simple-history would
    copy each index of the table and index the date and the user, and every index is written
    by every save and imported row),
    and who made a change is not checked by a foreign key (one check a row at the import's
    commit; the user is the one signed in, and a staff member's removal empties it as before,
    by a scan of each table: the screens deactivate staff, they do not remove them).
    The settings tables' history keeps its indexes: their changes are listed by store."""
    return _DayToDayHistory(
        excluded_fields=excluded_fields,
        no_db_index=[
            "store", "source", "channel", "consultant", "assigned_to", "customer",
            "referred_by", "decided_by", "cancelled_by", "phone_norm",
        ],
        user_db_constraint=False,
    )  # fmt: skip


# How a stored value is shown: show(row, field name, value, user=…) → text.
Show = Callable[..., str]


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: datetime
    user: str
    kind: str  # "+" created, "~" changed, "-" deleted
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def when_text(self) -> str:
        return format_local(self.when)


def display_value(row: Model, name: str, value: Any) -> str:
    """A stored value of `row`'s field `name` as the screens show it: choices by their label,
    dates and times in ISO form, an empty value as a dash."""
    if value is None or value == "":
        return "—"
    model_field = _field(row, name)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def object_history(
    obj: Model, *, user: Any, fields: list[str], tz: Any, show: Show
) -> list[HistoryEntry]:
    """Each saved version of `obj` (a model with simple-history), newest first, with the
    `fields` it changed (old → new) shown by `show` for `user`."""
    records = list(obj.history.select_related("history_user").order_by("history_id"))  # type: ignore[attr-defined]
    order = {name: i for i, name in enumerate(fields)}
    entries: list[HistoryEntry] = []
    previous = None
    for record in records:
        changes: list[FieldChange] = []
        if previous is None:
            # The first version: what was entered, field by field.
            for name in fields:
                value = getattr(record, name, None)
                if value not in (None, "", False):
                    changes.append(
                        FieldChange(_label(obj, name), "—", show(obj, name, value, user=user))
                    )
        else:
            delta = record.diff_against(
                previous, foreign_keys_are_objs=True, included_fields=fields
            )
            for change in sorted(delta.changes, key=lambda c: order.get(c.field, len(order))):
                changes.append(
                    FieldChange(
                        _label(obj, change.field),
                        show(obj, change.field, _related(change.old), user=user),
                        show(obj, change.field, _related(change.new), user=user),
                    )
                )
        entries.append(
            HistoryEntry(
                when=timezone.localtime(record.history_date, tz),
                user=str(record.history_user) if record.history_user else str(_("system")),
                kind=record.history_type,
                changes=changes,
            )
        )
        previous = record
    entries.reverse()
    return entries


def last_change(obj: Model) -> tuple[str, datetime | None]:
    """Who saved `obj` (a store's row with simple-history) last and when, in the store's
    zone, for the edit-conflict message."""
    record = obj.history.select_related("history_user").order_by("-history_id").first()  # type: ignore[attr-defined]
    if record is None:
        return str(_("someone else")), None
    who = str(record.history_user) if record.history_user else str(_("someone else"))
    return who, timezone.localtime(record.history_date, obj.store.tz)  # type: ignore[attr-defined]


def format_local(dt: datetime | None) -> str:
    # Already in the store's zone: formatted as is, not through the request's time zone.
    return dt.strftime("%Y-%m-%d %H:%M") if dt else ""


def _related(value: Any) -> Any:
    """A foreign key's side of a change: simple-history stands in a DeletedObject for a
    cleared key (pk None), shown as empty, and for a row deleted since, shown as such."""
    if isinstance(value, DeletedObject):
        if value.pk is None:
            return None
        return _("(deleted %(type)s)") % {"type": value.model._meta.verbose_name}
    return value


def _field(row: Model, name: str) -> DjangoField[Any, Any]:
    return cast("DjangoField[Any, Any]", type(row)._meta.get_field(name))


def _label(row: Model, name: str) -> str:
    return str(_field(row, name).verbose_name)
