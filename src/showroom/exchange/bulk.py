"""The import's new rows, built and inserted in bulk without Django's per-field round trip.

An import of a dealer's year of walk-ins makes a hundred thousand rows and as many history
rows. `Model(**values)` and `bulk_create` spend most of their time on what is the same for
every row (the defaults, each field's preparation for the database), so `Builder` makes the
instances from each field's default worked out once, and `insert` prepares each column once
per distinct value. What they write is what `bulk_create_with_history` writes: the same
columns, the same prepared values, the primary keys set on the instances, a "+" history row
per row with its user and change reason. A model with a field that prepares its own value
(`pre_save`) other than a date's auto_now, or a database without INSERT … RETURNING, goes
through Django's bulk_create as before.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.db import connection, models
from django.db.models.base import ModelState
from django.db.models.signals import post_init
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, get_change_reason_from_object

# Rows per INSERT statement (SQLite allows fewer: see connection.ops.bulk_batch_size).
BATCH = 1000

# Fields whose value goes to the database as the Python value is (str, int, bool).
_PLAIN = frozenset(
    {
        models.CharField,
        models.TextField,
        models.EmailField,
        models.SlugField,
        models.BooleanField,
        models.IntegerField,
        models.SmallIntegerField,
        models.BigIntegerField,
        models.PositiveIntegerField,
        models.PositiveSmallIntegerField,
        models.PositiveBigIntegerField,
        models.AutoField,
        models.BigAutoField,
        models.SmallAutoField,
    }
)
_DATES = (models.DateField, models.TimeField)  # DateTimeField is a DateField


class Builder:
    """Unsaved instances of `model` from values by attname, as `model(**values)` makes them
    (the defaults), without its per-field work.

    The post_init receivers (notices, the kept state, KPI freshness) remember the values a
    row was loaded with, to compare them at its next save; a missing memory reads as "new".
    They are told (`signals`) only where a row is saved again after its insert: the insert,
    like bulk_create, sends no signal, and the import refreshes what its rows change itself."""

    def __init__(self, model: type[models.Model], *, signals: bool = True) -> None:
        self.model = model
        self.constant: dict[str, Any] = {}
        self.made: list[tuple[str, Callable[[], Any]]] = []
        for field in model._meta.concrete_fields:
            if field.has_default() and callable(field.default):
                self.made.append((field.attname, field.default))
            else:
                self.constant[field.attname] = field.get_default()
        self.signal = signals and post_init.has_listeners(model)

    def __call__(self, values: dict[str, Any], related: dict[str, Any] | None = None) -> Any:
        obj = self.model.__new__(self.model)
        data = obj.__dict__
        data.update(self.constant)
        for attname, make in self.made:
            data[attname] = make()
        data.update(values)
        state = obj._state = ModelState()
        if related:  # the instances behind foreign keys, so that reading obj.source costs nothing
            state.fields_cache.update(related)
        if self.signal:
            post_init.send(sender=self.model, instance=obj)
        return obj


def _converter(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    """How a column's values are prepared for the database; None: as they are."""
    target = field.target_field if field.is_relation else field  # type: ignore[attr-defined]
    if type(target) in _PLAIN:
        return None
    prepare = field.get_db_prep_save
    seen: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        if value is None:
            return None
        try:
            return seen[value]
        except KeyError:
            found = seen[value] = prepare(value, connection)
            return found
        except TypeError:  # not hashable
            return prepare(value, connection)

    return convert


def _fast(model: type[models.Model]) -> bool:
    if not connection.features.can_return_rows_from_bulk_insert:
        return False
    if model._meta.parents:  # multi-table inheritance: rows in several tables
        return False
    for field in model._meta.concrete_fields:
        if field.has_db_default() or getattr(field, "generated", False):
            return False  # the database makes the value: bulk_create knows how
        own = type(field).pre_save
        if own is models.Field.pre_save:
            continue
        if isinstance(field, _DATES) or own is models.DateField.pre_save:
            continue  # only auto_now and auto_now_add, handled by insert
        return False
    return True


def _batch_size(fields: list[Any], objs: Sequence[Any]) -> int:
    if connection.vendor == "sqlite":
        # Django assumes the 999 parameters of old SQLite; ask this one (32766 since 3.32).
        connection.ensure_connection()
        raw = connection.connection
        if hasattr(raw, "getlimit"):
            import sqlite3

            return int(raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)) // len(fields)
    return int(connection.ops.bulk_batch_size(fields, objs))


def _unnest(fields: list[Any]) -> str | None:
    """PostgreSQL's UNNEST of one typed array per column, where Django's bulk_create would use
    it (postgresql/compiler.py): fields of the standard types without their own placeholder."""
    if connection.vendor != "postgresql":
        return None
    types = []
    for field in fields:
        target = field.target_field if field.is_relation else field
        if hasattr(field, "get_placeholder") or (
            target.get_internal_type() not in connection.data_types
        ):
            return None
        types.append(f"(%s)::{field.db_type(connection).split('(')[0]}[]")
    return ", ".join(types)


def insert(objs: Sequence[Any], model: type[models.Model], *, returning: bool = True) -> None:
    """INSERT the unsaved instances `objs`, setting their primary keys (`returning`)."""
    if not objs:
        return
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    fields = [f for f in meta.concrete_fields if f is not pk or objs[0].pk is not None]
    now = timezone.now()
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objs:
                obj.__dict__[field.attname] = now
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(f.column)) for f in fields)
    # Django's SQLite cursor turns each %s into ? with a regular expression: over a thousand
    # rows of placeholders that is a good part of the insert, so SQLite gets ? to begin with.
    mark = "?" if connection.vendor == "sqlite" else "%s"
    one = "(" + ", ".join([mark] * len(fields)) + ")"
    size = max(1, min(BATCH, _batch_size(fields, objs)))
    converters = [(f.attname, _converter(f)) for f in fields]
    tail = f" RETURNING {quote(str(pk.column))}" if returning else ""
    arrays = _unnest(fields)
    if arrays is not None:
        # PostgreSQL: an array per column (as bulk_create does), a statement of a few
        # parameters instead of one per value, which the driver would parse one by one.
        size = BATCH * 5
        values = f" SELECT * FROM UNNEST({arrays})"
    with connection.cursor() as cursor:
        for start in range(0, len(objs), size):
            chunk = objs[start : start + size]
            # A column at a time, then row by row: fewer steps per value than a loop per row.
            data = [obj.__dict__ for obj in chunk]
            by_column = []
            for attname, convert in converters:
                column = [d[attname] for d in data]
                by_column.append(column if convert is None else list(map(convert, column)))
            sql = f"INSERT INTO {quote(meta.db_table)} ({columns})"
            if arrays is not None:
                cursor.execute(sql + values + tail, by_column)
            else:
                params = [value for row in zip(*by_column, strict=True) for value in row]
                cursor.execute(sql + " VALUES " + ", ".join([one] * len(chunk)) + tail, params)
            if returning:
                for obj, (key,) in zip(chunk, cursor.fetchall(), strict=True):
                    obj.__dict__[pk.attname] = key
    alias = connection.alias  # a proxy: read once
    for obj in objs:
        state = obj._state
        state.adding = False
        state.db = alias


def create(objs: Sequence[Any], model: type[models.Model], *, user: Any, reason: str) -> None:
    """The rows and, for a model with history, a "+" history row each (as
    bulk_create_with_history writes them, with one moment for the whole import)."""
    manager = getattr(model._meta, "simple_history_manager_attribute", None)
    if not _fast(model):
        if manager is None:
            model._default_manager.bulk_create(objs, batch_size=BATCH)
        else:
            bulk_create_with_history(
                objs, model, batch_size=BATCH, default_user=user, default_change_reason=reason
            )
        return
    insert(objs, model)
    if manager is None or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    history = getattr(model, manager).model
    if not _fast(history):
        getattr(model, manager).bulk_history_create(
            objs, batch_size=BATCH, default_user=user, default_change_reason=reason
        )
        return
    build = Builder(history, signals=False)
    tracked = [f.attname for f in history.tracked_fields]
    relation = hasattr(history, "history_relation")
    now = timezone.now()
    rows = []
    default_user = user or history.get_default_history_user(objs[0])  # the request's user
    for obj in objs:
        who = getattr(obj, "_history_user", default_user)
        data = obj.__dict__
        values = {name: data[name] for name in tracked}
        values["history_date"] = getattr(obj, "_history_date", now)
        values["history_user_id"] = who.pk if who is not None else None
        values["history_change_reason"] = get_change_reason_from_object(obj) or reason
        values["history_type"] = "+"
        if relation:
            values["history_relation_id"] = obj.pk
        rows.append(build(values))
    insert(rows, history, returning=False)
