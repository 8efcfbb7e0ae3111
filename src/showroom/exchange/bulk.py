"""The import's new rows, built and inserted in bulk without Django's per-field round trip,
and removed in bulk again when the import is undone.

An import of a dealer's year of walk-ins makes a hundred thousand rows and as many history
rows. `Model(**values)` and `bulk_create` spend most of their time on what is the same for
every row (the defaults, each field's preparation for the database), so `Builder` makes the
instances from each field's default worked out once, and `insert` writes their values read
as one tuple a row, each column's distinct values prepared once: binary COPY on PostgreSQL
(the primary keys taken from the table's sequence first), one prepared INSERT run over all
rows on SQLite (the keys counted on from the highest ever given, under the transaction's
write lock). What they write is what `bulk_create_with_history` writes: the same columns, the
same prepared values, the primary keys set on the instances, a "+" history row per row with
its user and change reason. A model with a field that prepares its own value (`pre_save`)
other than a date's auto_now, or of a type COPY may not take as it is, goes through Django's
bulk_create.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from operator import itemgetter
from typing import Any

from django.conf import settings
from django.db import connection, models
from django.db.models.base import ModelState
from django.db.models.deletion import Collector
from django.db.models.signals import post_init
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, get_change_reason_from_object

# Rows per INSERT statement (SQLite allows fewer: see connection.ops.bulk_batch_size).
BATCH = 1000
# Rows between two reports of progress.
PROGRESS = 1000

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
# Fields whose prepared value (get_db_prep_save) COPY and sqlite3 take as it is.
_KNOWN = (*_PLAIN, *_DATES, models.DecimalField)


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


def loaded(rows: models.QuerySet[Any]) -> list[Any]:
    """`rows` as instances, as iterating the query gives them, without `Model.__init__`'s
    work for each field and without post_init signals: the receivers remember the loaded
    values for a later save of the row, which the import never makes (it writes in bulk and
    refreshes the kept state of what it wrote itself)."""
    model: type[models.Model] = rows.model
    names = [field.attname for field in model._meta.concrete_fields]
    found = []
    for values in rows.values_list(*names):
        obj = model.__new__(model)
        obj.__dict__.update(zip(names, values, strict=True))
        state = obj._state = ModelState()
        state.adding = False
        state.db = rows.db
        found.append(obj)
    return found


def _prepared(fields: Sequence[Any], rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """`rows` (tuples of `fields`' values as the model holds them) as the database takes
    them: each distinct value of a column prepared once, the rows made again only when a
    column's values change (dates become text on SQLite; PostgreSQL takes them as they are)."""
    changed: dict[int, Callable[[Any], Any]] = {}
    for i, field in enumerate(fields):
        target = field.target_field if field.is_relation else field
        if type(target) in _PLAIN:
            continue
        prepare = field.get_db_prep_save
        values = map(itemgetter(i), rows)
        try:
            prepared = {v: prepare(v, connection) for v in set(values) if v is not None}
        except TypeError:  # a value that cannot be hashed

            def one(value: Any, prepare: Any = prepare) -> Any:
                return None if value is None else prepare(value, connection)

            changed[i] = one
            continue
        if all(value is done for value, done in prepared.items()):
            continue
        prepared[None] = None
        changed[i] = prepared.__getitem__
    if not changed:
        return rows
    columns: list[Iterable[Any]] = list(zip(*rows, strict=True))
    for i, prepare_value in changed.items():
        columns[i] = map(prepare_value, columns[i])
    return list(zip(*columns, strict=True))


def _fast(model: type[models.Model]) -> bool:
    if connection.vendor not in ("postgresql", "sqlite"):
        return False
    if model._meta.parents:  # multi-table inheritance: rows in several tables
        return False
    for field in model._meta.concrete_fields:
        target = field.target_field if field.is_relation else field  # type: ignore[attr-defined]
        if not isinstance(target, _KNOWN):
            return False  # a value COPY may not take as Django prepares it (JSON, arrays…)
        if field.has_db_default() or getattr(field, "generated", False):
            return False  # the database makes the value: bulk_create knows how
        own = type(field).pre_save
        if own is models.Field.pre_save:
            continue
        if isinstance(field, _DATES) or own is models.DateField.pre_save:
            continue  # only auto_now and auto_now_add, handled by insert
        return False
    return True


def _new_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` primary keys for new rows, as the database would give them, in the import's
    transaction: from the table's sequence on PostgreSQL (safe beside other writers); on
    SQLite, after the highest ever given (AUTOINCREMENT never gives a deleted row's id
    again), which the transaction's write lock (settings: IMMEDIATE) keeps to itself."""
    meta = model._meta
    assert meta.pk is not None and connection.in_atomic_block
    table, column = meta.db_table, str(meta.pk.column)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One array, not a row a key: the driver reads it in one go.
            cursor.execute(
                "SELECT array_agg(nextval(pg_get_serial_sequence(%s, %s)))"
                " FROM generate_series(1, %s)",
                [table, column, count],
            )
            return sorted(cursor.fetchone()[0])
        quote = connection.ops.quote_name
        cursor.execute(f"SELECT MAX({quote(column)}) FROM {quote(table)}")
        top = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        found = cursor.fetchone()
        top = max(top, found[0] if found else 0)
    return list(range(top + 1, top + 1 + count))


def insert_rows(
    model: type[models.Model],
    fields: list[Any],
    rows: list[tuple[Any, ...]],
    *,
    written: Callable[[int], None] | None = None,
) -> None:
    """INSERT `rows`, tuples of `fields`' values as the model holds them: binary COPY on
    PostgreSQL, one prepared INSERT run over the rows on SQLite. `written(n)` is told of
    every PROGRESS rows sent, and of the last ones.

    On PostgreSQL all rows go in one COPY: the server stores and indexes the rows as they
    arrive, on the other core, while this process prepares the next ones; a COPY per slice
    of rows would wait at the end of each for the server to catch up."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(str(f.column)) for f in fields)
    prepared = _prepared(fields, rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT attname, atttypid FROM pg_attribute"
                " WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
                [model._meta.db_table],
            )
            types = dict(cursor.fetchall())
            # Binary COPY: each value as the column's own type, written by psycopg in C.
            sql = f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)"
            with cursor.copy(sql) as copy:  # type: ignore[attr-defined]
                copy.set_types([types[f.column] for f in fields])
                write = copy.write_row
                for part in _parts(prepared, written):
                    for row in part:
                        write(row)
        else:
            marks = ", ".join(["%s"] * len(fields))
            sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"
            for part in _parts(prepared, written):
                cursor.executemany(sql, part)


def _parts(rows: Sequence[Any], written: Callable[[int], None] | None) -> Iterable[Sequence[Any]]:
    """`rows` PROGRESS at a time, `written` told of each part once it is through."""
    for start in range(0, len(rows), PROGRESS):
        part = rows[start : start + PROGRESS]
        yield part
        if written:
            written(len(part))


def insert(
    objs: Sequence[Any],
    model: type[models.Model],
    *,
    written: Callable[[int], None] | None = None,
) -> list[tuple[Any, ...]]:
    """INSERT the unsaved instances `objs`, setting their primary keys; returns their values
    as tuples in the order of the model's concrete fields. `written` as for insert_rows."""
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    now = timezone.now()
    data = [obj.__dict__ for obj in objs]
    fields = list(meta.concrete_fields)
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for values in data:
                values[field.attname] = now
    if objs and objs[0].pk is None:
        ids = _new_ids(model, len(objs))
        for values, key in zip(data, ids, strict=True):
            values[pk.attname] = key
    rows = _rows(data, [f.attname for f in fields])
    insert_rows(model, fields, rows, written=written)
    alias = connection.alias  # a proxy: read once
    for obj in objs:
        state = obj._state
        state.adding = False
        state.db = alias
    return rows


def _rows(items: Sequence[Any], keys: list[Any]) -> list[tuple[Any, ...]]:
    """The values at `keys` of each of `items` (dicts or tuples) as a tuple, read in one pass."""
    if len(keys) == 1:
        return [(item[keys[0]],) for item in items]
    return list(map(itemgetter(*keys), items))


def create(
    objs: Sequence[Any],
    model: type[models.Model],
    *,
    user: Any,
    reason: str,
    written: Callable[[int], None] | None = None,
) -> None:
    """The rows and, for a model with history, a "+" history row each (as
    bulk_create_with_history writes them, with one moment for the whole import). `written(n)`
    is told as the rows are sent, PROGRESS at a time."""
    if not objs:
        return
    manager = getattr(model._meta, "simple_history_manager_attribute", None)
    if not _fast(model):
        for part in _parts(objs, written):
            if manager is None:
                model._default_manager.bulk_create(part, batch_size=BATCH)
            else:
                bulk_create_with_history(
                    part, model, batch_size=BATCH, default_user=user, default_change_reason=reason
                )
        return
    rows = insert(objs, model, written=written)
    if manager is None or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    history = getattr(model, manager).model
    if not _fast(history):
        getattr(model, manager).bulk_history_create(
            objs, batch_size=BATCH, default_user=user, default_change_reason=reason
        )
        return
    _history_rows(objs, model, history, rows, user=user, reason=reason, kind="+")


def _history_rows(
    objs: Sequence[Any],
    model: type[models.Model],
    history: type[models.Model],
    rows: list[tuple[Any, ...]],
    *,
    user: Any,
    reason: str,
    kind: str,
) -> None:
    """A history row of `kind` ("+" created, "-" removed) for each of `objs`, whose values are
    `rows` (in the order of the model's concrete fields), all with one moment."""
    default_user = user or history.get_default_history_user(objs[0])  # type: ignore[attr-defined]
    now = timezone.now()
    data = [obj.__dict__ for obj in objs]
    users = [values.get("_history_user", default_user) for values in data]
    extra: dict[str, list[Any]] = {
        "history_date": [values.get("_history_date", now) for values in data],
        "history_user_id": [who.pk if who is not None else None for who in users],
        "history_change_reason": [get_change_reason_from_object(obj) or reason for obj in objs],
        "history_type": [kind] * len(objs),
    }
    at = {f.attname: i for i, f in enumerate(model._meta.concrete_fields)}
    if hasattr(history, "history_relation"):
        pk = at[model._meta.pk.attname]  # type: ignore[union-attr]
        extra["history_relation_id"] = [row[pk] for row in rows]
    fields = [f for f in history._meta.concrete_fields if f.attname in at]
    extra_fields = [f for f in history._meta.concrete_fields if f.attname in extra]
    picked = _rows(rows, [at[f.attname] for f in fields])
    added = zip(*(extra[f.attname] for f in extra_fields), strict=True)
    both = [row + more for row, more in zip(picked, added, strict=True)]
    insert_rows(history, fields + extra_fields, both)


def remove(rows: models.QuerySet[Any], *, user: Any, reason: str) -> None:
    """Delete `rows` as `rows.delete()` would (the rows that depend on them too, with the
    same signals), their "-" history rows written together in one statement where their
    history allows it (core.history.day_to_day_history) rather than one INSERT a row from the
    delete signal."""
    objs = list(rows)
    if not objs:
        return
    model = rows.model
    manager = getattr(model._meta, "simple_history_manager_attribute", None)
    history = getattr(model, manager).model if manager else None
    if (
        history is not None
        and getattr(settings, "SIMPLE_HISTORY_ENABLED", True)
        and _fast(history)
        and _fast(model)
    ):
        attnames = [field.attname for field in model._meta.concrete_fields]
        values = _rows([obj.__dict__ for obj in objs], attnames)
        _history_rows(objs, model, history, values, user=user, reason=reason, kind="-")
        for obj in objs:
            obj.skip_history_when_saving = True
    collector = Collector(using=rows.db, origin=rows)
    collector.collect(objs)
    collector.delete()
