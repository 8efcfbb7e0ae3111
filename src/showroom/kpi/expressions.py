"""SQL expressions the KPI queries need that Django does not spell the same on SQLite and
PostgreSQL: whole days between two dates, seconds between two moments, and a median."""

from __future__ import annotations

import statistics
from typing import Any

from django.db.models import Aggregate, CharField, FloatField, Func, IntegerField


class DaysBetween(Func):
    """`later - earlier` in whole days, for two dates (negative when `later` is earlier)."""

    output_field = IntegerField()
    arity = 2

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra,
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # date - date is an integer number of days in PostgreSQL.
        return self.as_sql(
            compiler, connection, template="(%(expressions)s)", arg_joiner=" - ", **extra
        )


class SecondsBetween(Func):
    """`later - earlier` in seconds, for two timestamps."""

    output_field = FloatField()
    arity = 2

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # Django keeps aware datetimes as UTC text; julianday() reads their fractional seconds
        # too (strftime('%s') would drop them, and a median could round otherwise than on
        # PostgreSQL). Its double carries about 50 µs: rounded to the millisecond, whole
        # seconds stay whole.
        return self.as_sql(
            compiler,
            connection,
            template="ROUND((julianday(%(expressions)s)) * 86400.0, 3)",
            arg_joiner=") - julianday(",
            **extra,
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="EXTRACT(EPOCH FROM (%(expressions)s))::double precision",
            arg_joiner=" - ",
            **extra,
        )


class _Median(Aggregate):
    """PostgreSQL: the median itself, computed by the database."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()
    allow_distinct = False


class _Values(Aggregate):
    """SQLite has no median: the group's values, comma-separated, in the same query."""

    function = "GROUP_CONCAT"
    name = "Values"
    output_field = CharField()
    allow_distinct = False


def median(expression: Any, *, vendor: str, **extra: Any) -> Aggregate:
    """An aggregate whose result `median_value` turns into the median (None without values)."""
    if vendor == "postgresql":
        return _Median(expression, **extra)
    return _Values(expression, **extra)


def median_value(result: Any) -> float | None:
    """The median from what `median()` returned: a number, a list of values, or NULL."""
    if result is None or result == "":
        return None
    if isinstance(result, str):
        return float(statistics.median(float(v) for v in result.split(",")))
    return float(result)
