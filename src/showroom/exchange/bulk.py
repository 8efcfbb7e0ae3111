"""The import's new rows, built and inserted in bulk without Django's per-field round trip,
and removed in bulk again when the import is undone.

An import of a dealer's year of walk-ins makes a hundred thousand rows and as many history
rows. `Model(**values)` and `bulk_create` spend most of their time on what is the same for
every row (the defaults, each field's preparation for the database), so `Builder` makes the
instances from each field's default worked out once, `prepare` reads their values as one
tuple a row, each column's distinct values prepared once, and `send` writes them: binary COPY
on PostgreSQL (the primary keys taken from the table's sequence first), INSERTs of a thousand
rows each on SQLite (the keys counted on from the highest ever given, under the
transaction's write lock). `prepare` needs no database, so that a long import makes the next
rows ready while the database writes the last ones (behind.py). What they write is what
`bulk_create_with_history` writes: the same columns, the same prepared values, the primary
keys set on the instances, a "+" history row per row with its user and change reason. A
model with a field that prepares its own value (`pre_save`) other than a date's auto_now, or
of a type COPY may not take as it is, goes through Django's bulk_create.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from itertools import chain
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

    def many(
        self,
        fixed: dict[str, Any],
        names: Sequence[str],
        rows: Iterable[Sequence[Any]],
        fixed_related: dict[str, Any],
        related_names: Sequence[str],
        related_rows: Iterable[Sequence[Any]],
    ) -> list[Any]:
        """One instance a row: the values `fixed` and the row's values by attname `names`, over
        the defaults; the instances behind its foreign keys (the row's `related_rows` by
        `related_names`, and `fixed_related`) in its related cache, so that reading obj.source
        costs nothing. What is the same for every row is merged once."""
        made_names = {attname for attname, _make in self.made}
        base = {**self.constant, **{k: v for k, v in fixed.items() if k not in made_names}}
        after_made = {k: v for k, v in fixed.items() if k in made_names}
        model, new, made, signal = self.model, self.model.__new__, self.made, self.signal
        objs = []
        for cells, related in zip(rows, related_rows, strict=True):
            obj = new(model)
            data = obj.__dict__
            data.update(base)
            for attname, make in made:
                data[attname] = make()
            if after_made:
                data.update(after_made)
            data.update(zip(names, cells, strict=True))
            state = obj._state = ModelState()
            cache = dict(zip(related_names, related, strict=True))
            cache.update(fixed_related)
            state.fields_cache = cache
            if signal:
                post_init.send(sender=model, instance=obj)
            objs.append(obj)
        return objs


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
            key = (str(connection.settings_dict["NAME"]), table)
            sequence = _SEQUENCES.get(key)
            if sequence is None:
                cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
                sequence = _SEQUENCES[key] = cursor.fetchone()[0]
            # One array, not a row a key: the driver reads it in one go.
            cursor.execute(
                "SELECT array_agg(nextval(%s::regclass)) FROM generate_series(1, %s)",
                [sequence, count],
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
    """INSERT `rows`, tuples of `fields`' values as the model holds them: `_copy` of them
    prepared for the database."""
    if rows:
        _copy(model, fields, _prepared(fields, rows), written)


def _copy(
    model: type[models.Model],
    fields: list[Any],
    prepared: list[tuple[Any, ...]],
    written: Callable[[int], None] | None,
) -> None:
    """INSERT `prepared` rows of `fields`: binary COPY on PostgreSQL, INSERTs of many rows each
    on SQLite. `written(n)` is told of every PROGRESS rows sent, and of the last ones.

    On PostgreSQL the rows go in one COPY: the server stores and indexes the rows as they
    arrive, on the other core, while this process prepares the next ones; a COPY per slice
    of rows would wait at the end of each for the server to catch up."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(str(f.column)) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            types = _column_types(cursor, model._meta.db_table)
            # Binary COPY: each value as the column's own type, written by psycopg in C.
            sql = f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)"
            # The driver's own COPY: its errors made Django's, as Django's cursor makes them.
            with connection.wrap_database_errors, cursor.copy(sql) as copy:  # type: ignore[attr-defined]
                copy.set_types([types[f.column] for f in fields])
                write = copy.write_row
                for part in _parts(prepared, written):
                    for row in part:
                        write(row)
        else:
            # Many rows a statement: SQLite works through a statement without holding Python's
            # interpreter, so that another thread runs meanwhile (behind.py); a statement a row
            # would hand the interpreter back and forth for every row.
            # The statement is written with sqlite3's own "?" and run by it directly: Django's
            # cursor would rewrite each long statement's "%s" first.
            limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
            per = max(1, min(PROGRESS, limit // len(fields)))
            one = "(" + ", ".join(["?"] * len(fields)) + ")"
            insert = f"INSERT INTO {table} ({names}) VALUES "
            full = insert + ", ".join([one] * per)
            raw = cursor.cursor
            with connection.wrap_database_errors:
                for part in _parts(prepared, written):
                    for start in range(0, len(part), per):
                        rows = part[start : start + per]
                        sql = full if len(rows) == per else insert + ", ".join([one] * len(rows))
                        sqlite3.Cursor.execute(raw, sql, list(chain.from_iterable(rows)))


# Read once per database and table: the type of each column as PostgreSQL names it (for
# binary COPY), and the sequence of the primary key.
_TYPES: dict[tuple[str, str], dict[str, int]] = {}
_SEQUENCES: dict[tuple[str, str], str] = {}


def _column_types(cursor: Any, table: str) -> dict[str, int]:
    key = (str(connection.settings_dict["NAME"]), table)
    types = _TYPES.get(key)
    if types is None:
        cursor.execute(
            "SELECT attname, atttypid FROM pg_attribute"
            " WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
            [table],
        )
        types = _TYPES[key] = dict(cursor.fetchall())
    return types


def _parts(rows: Sequence[Any], written: Callable[[int], None] | None) -> Iterable[Sequence[Any]]:
    """`rows` PROGRESS at a time, `written` told of each part once it is through."""
    for start in range(0, len(rows), PROGRESS):
        part = rows[start : start + PROGRESS]
        yield part
        if written:
            written(len(part))


def _rows(items: Sequence[Any], keys: list[Any]) -> list[tuple[Any, ...]]:
    """The values at `keys` of each of `items` (dicts or tuples) as a tuple, read in one pass."""
    if len(keys) == 1:
        return [(item[keys[0]],) for item in items]
    return list(map(itemgetter(*keys), items))


@dataclasses.dataclass
class Outgoing:
    """New rows of one model and their "+" history rows, made ready for the database by
    `prepare` (which needs no database) and written by `send`. Rows without a primary key get
    theirs from the database in `send`, which puts it first in their rows and history rows."""

    objs: Sequence[Any]
    model: type[models.Model]
    user: Any
    reason: str
    fast: bool = False
    keyed: bool = True  # the instances hold their primary keys
    fields: list[Any] = dataclasses.field(default_factory=list)
    rows: list[tuple[Any, ...]] = dataclasses.field(default_factory=list)
    history: type[models.Model] | None = None
    history_manager: str = ""
    history_fields: list[Any] = dataclasses.field(default_factory=list)
    history_rows: list[tuple[Any, ...]] = dataclasses.field(default_factory=list)
    # The history fields that hold the row's primary key, when send is to fill them in.
    history_keys: list[Any] = dataclasses.field(default_factory=list)


def prepare(objs: Sequence[Any], model: type[models.Model], *, user: Any, reason: str) -> Outgoing:
    """The unsaved instances `objs` as `send` writes them: the same columns and prepared values
    as bulk_create_with_history, a "+" history row each with `user` and `reason` (each
    instance's own where it has one) and one moment for all."""
    out = Outgoing(objs, model, user, reason)
    if not objs or not _fast(model):
        return out
    out.fast = True
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    now = timezone.now()
    data = [obj.__dict__ for obj in objs]
    fields = list(meta.concrete_fields)
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            for values in data:
                values[f.attname] = now
    out.keyed = objs[0].pk is not None
    if not out.keyed:
        fields = [f for f in fields if f.attname != pk.attname]
    rows = _rows(data, [f.attname for f in fields])
    out.fields, out.rows = fields, _prepared(fields, rows)
    manager = getattr(meta, "simple_history_manager_attribute", None)
    if manager is None or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return out
    out.history_manager = manager
    out.history = history = getattr(model, manager).model
    if _fast(history):
        kept, history_rows = _history_values(
            objs, fields, history, rows, user=user, reason=reason, kind="+"
        )
        if not out.keyed:
            keys = {pk.attname, "history_relation_id"}
            out.history_keys = [f for f in history._meta.concrete_fields if f.attname in keys]
        out.history_fields, out.history_rows = kept, _prepared(kept, history_rows)
    return out


def send(out: Outgoing, *, written: Callable[[int], None] | None = None) -> None:
    """Writes what `prepare` made ready; `written(n)` is told as the rows are sent, PROGRESS
    at a time. A model with a field that prepares its own value (`pre_save`) other than a
    date's auto_now, or of a type COPY may not take as it is, goes through Django's
    bulk_create."""
    objs, model, user, reason = out.objs, out.model, out.user, out.reason
    if not objs:
        return
    if not out.fast:
        manager = getattr(model._meta, "simple_history_manager_attribute", None)
        for part in _parts(objs, written):
            if manager is None:
                model._default_manager.bulk_create(part, batch_size=BATCH)
            else:
                bulk_create_with_history(
                    part, model, batch_size=BATCH, default_user=user, default_change_reason=reason
                )
        return
    fields, rows = out.fields, out.rows
    history_fields, history_rows = out.history_fields, out.history_rows
    if not out.keyed:
        pk = model._meta.pk
        assert pk is not None
        ids = _new_ids(model, len(objs))
        for obj, key in zip(objs, ids, strict=True):
            obj.__dict__[pk.attname] = key
        fields = [pk, *fields]
        rows = [(key, *row) for key, row in zip(ids, rows, strict=True)]
        if out.history_keys:
            history_fields = [*out.history_keys, *history_fields]
            many = len(out.history_keys)
            history_rows = [(key,) * many + row for key, row in zip(ids, history_rows, strict=True)]
    _copy(model, fields, rows, written)
    alias = connection.alias  # a proxy: read once
    for obj in objs:
        state = obj._state
        state.adding = False
        state.db = alias
    if out.history is None:
        return
    if history_fields:
        _copy(out.history, history_fields, history_rows, None)
    else:  # a history model COPY may not take as it is
        getattr(model, out.history_manager).bulk_history_create(
            objs, batch_size=BATCH, default_user=user, default_change_reason=reason
        )


def create(
    objs: Sequence[Any],
    model: type[models.Model],
    *,
    user: Any,
    reason: str,
    written: Callable[[int], None] | None = None,
) -> None:
    """The rows and, for a model with history, a "+" history row each: `prepare`, then
    `send`."""
    send(prepare(objs, model, user=user, reason=reason), written=written)


def _history_values(
    objs: Sequence[Any],
    fields: list[Any],
    history: type[models.Model],
    rows: list[tuple[Any, ...]],
    *,
    user: Any,
    reason: str,
    kind: str,
) -> tuple[list[Any], list[tuple[Any, ...]]]:
    """The fields and values of a history row of `kind` ("+" created, "-" removed) for each of
    `objs`, whose values are `rows` (of the model's `fields`), all with one moment. The
    relation to the row (history_relation) is among them where `fields` hold the primary key."""
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
    at = {f.attname: i for i, f in enumerate(fields)}
    pk_name = objs[0]._meta.pk.attname
    if hasattr(history, "history_relation") and pk_name in at:
        extra["history_relation_id"] = [row[at[pk_name]] for row in rows]
    kept = [f for f in history._meta.concrete_fields if f.attname in at]
    extra_fields = [f for f in history._meta.concrete_fields if f.attname in extra]
    picked = _rows(rows, [at[f.attname] for f in kept])
    added = zip(*(extra[f.attname] for f in extra_fields), strict=True)
    return kept + extra_fields, [row + more for row, more in zip(picked, added, strict=True)]


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
        fields = list(model._meta.concrete_fields)
        values = _rows([obj.__dict__ for obj in objs], [f.attname for f in fields])
        kept, rows_ = _history_values(
            objs, fields, history, values, user=user, reason=reason, kind="-"
        )
        insert_rows(history, kept, rows_)
        for obj in objs:
            obj.skip_history_when_saving = True
    collector = Collector(using=rows.db, origin=rows)
    collector.collect(objs)
    collector.delete()
