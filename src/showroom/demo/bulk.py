"""Fast inserts of many rows: COPY on PostgreSQL, one prepared INSERT on SQLite."""

from __future__ import annotations

import operator
from types import SimpleNamespace

from django.db import connection, models
from django.db.models import Field
from django.utils import timezone

BATCH = 1000  # rows per INSERT where bulk_create is used


class Row(SimpleNamespace):
    """A row waiting to be inserted: its attributes are the model's attnames (`store_id`, …).

    Much cheaper to make than a model instance, which matters at millions of rows."""


# Fields whose Python values the database drivers take as they are; others are prepared by Django.
_PLAIN_FIELDS = (
    models.AutoField,
    models.BigAutoField,
    models.CharField,
    models.TextField,
    models.BooleanField,
    models.IntegerField,
    models.ForeignKey,
)
# psycopg adapts these itself (dates, times, aware datetimes, Decimal or int amounts).
_PLAIN_ON_POSTGRESQL = (models.DateField, models.TimeField, models.DecimalField)


class IdPool:
    """Primary keys handed out before the rows are written, so that rows of other tables can
    refer to them while a store is being built. Call it inside the transaction that inserts.

    PostgreSQL: blocks taken from the table's sequence (safe alongside other writers). SQLite:
    counting up from the highest id, which is safe because the open transaction holds the
    database's write lock. Ids a block leaves unused are simply never used.
    """

    def __init__(self, model: type[models.Model], block: int = 2000) -> None:
        self.model = model
        self.block = block
        self._ids: list[int] = []
        self._next = 0

    def take(self) -> int:
        if self._next >= len(self._ids):
            self._refill()
        value = self._ids[self._next]
        self._next += 1
        return value

    def _refill(self) -> None:
        meta = self.model._meta
        assert meta.pk is not None and connection.in_atomic_block
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [meta.db_table, meta.pk.column, self.block],
                )
                self._ids = sorted(value for (value,) in cursor.fetchall())
            else:
                if self._ids:
                    top = self._ids[-1]
                else:
                    table = connection.ops.quote_name(meta.db_table)
                    column = connection.ops.quote_name(meta.pk.column or meta.pk.attname)
                    cursor.execute(f"SELECT MAX({column}) FROM {table}")
                    top = cursor.fetchone()[0] or 0
                self._ids = list(range(top + 1, top + 1 + self.block))
        self._next = 0


def insert(model: type[models.Model], rows: list[Row], *, with_ids: bool = False) -> None:
    """Insert rows of one model as they are, bypassing save() and signals; fields a row leaves
    out get their defaults. Rows that already have an `id` (from an `IdPool`) keep it; with
    `with_ids`, rows without one get their new `id`. Call it inside a transaction.

    PostgreSQL gets COPY and SQLite one prepared INSERT run over all rows: several times faster
    than `bulk_create` for the millions of rows of a group benchmark. Other databases get
    `bulk_create` of model instances.
    """
    if not rows:
        return
    meta = model._meta
    pk = meta.pk
    assert pk is not None and connection.in_atomic_block
    known = {f.attname for f in meta.concrete_fields}
    for row in rows:
        if not known.issuperset(vars(row)):
            raise ValueError(f"{model.__name__} has no {set(vars(row)) - known}")
    has_ids = hasattr(rows[0], "id")
    vendor = connection.vendor
    if vendor not in {"postgresql", "sqlite"}:
        objs = [model(**vars(row)) for row in rows]
        model._default_manager.bulk_create(objs, batch_size=BATCH)
        for row, obj in zip(rows, objs, strict=True):
            row.id = obj.pk
        return

    if with_ids and not has_ids:
        pool = IdPool(model, block=len(rows))
        for row in rows:
            row.id = pool.take()
        has_ids = True

    table = connection.ops.quote_name(meta.db_table)
    now = timezone.now()
    # (field, default): those passed as they are first, then those Django prepares.
    plain: list[tuple[Field, object]] = []
    prepared: list[tuple[Field, object]] = []
    for f in meta.concrete_fields:
        if f is pk and not has_ids:
            continue
        stamped = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        default = now if stamped else f.get_default()
        as_is = isinstance(f, _PLAIN_FIELDS) or (
            vendor == "postgresql" and isinstance(f, _PLAIN_ON_POSTGRESQL)
        )
        (plain if as_is else prepared).append((f, default))
    fields = [f for f, _ in plain + prepared]
    defaults = {f.attname: default for f, default in plain}
    pick = operator.itemgetter(*defaults) if len(defaults) > 1 else None

    def record(values: dict[str, object]) -> list[object]:
        # Defaults overlaid with the row's values, read out in column order, both in C.
        merged = {**defaults, **values}
        out = list(pick(merged)) if pick else [merged[f.attname] for f, _ in plain]
        for f, default in prepared:  # SQLite: Django turns datetimes and amounts into its own
            value = values.get(f.attname, default)
            out.append(None if value is None else f.get_db_prep_save(value, connection))
        return out

    names_sql = ", ".join(connection.ops.quote_name(f.column or f.attname) for f in fields)
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            # Binary COPY: several times less work than text on both ends. It wants each value
            # as the column's own type (whole amounts as int or Decimal, never float).
            cursor.execute(
                "SELECT attname, atttypid FROM pg_attribute"
                " WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
                [meta.db_table],
            )
            types = dict(cursor.fetchall())
            sql = f"COPY {table} ({names_sql}) FROM STDIN (FORMAT BINARY)"
            with cursor.copy(sql) as copy:
                copy.set_types([types[f.column] for f in fields])
                write = copy.write_row
                for row in rows:
                    write(record(row.__dict__))
        else:
            marks = ", ".join(["%s"] * len(fields))
            records = [record(row.__dict__) for row in rows]
            sql = f"INSERT INTO {table} ({names_sql}) VALUES ({marks})"
            cursor.executemany(sql, records)  # type: ignore[arg-type]
