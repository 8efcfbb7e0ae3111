"""The export workflow (`showroom export`): the forms in the layouts the import reads.

OUT ending in .xlsx: one workbook, a sheet per form with Chinese names, headers and labels,
plus the monthly walk-in and call statistics of each store. Otherwise OUT is a folder that gets
one CSV per form with English headers, codes as values and a `store` column. Which rows:
`selectors.export_rows` (the range, whole histories, and what the range's KPIs read). Every
export is recorded (`ExportRecord`), as exports of personal data must be (docs/security.md).
"""

from __future__ import annotations

import csv
import multiprocessing
import re
import shutil
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from operator import call, itemgetter
from pathlib import Path
from typing import Any

from django.db import connection, connections, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from showroom.core.processes import forget_inherited_connections
from showroom.core.text import CSV_TEXT_CHANGES, append_row, csv_text, protect_workbook
from showroom.customers.models import Source
from showroom.exchange.columns import STORE_COLUMN, Column, Form
from showroom.exchange.forms import FORMS
from showroom.exchange.parsing import DateTime, Kind, Phone, Ref, SourceRef, StaffRef, Text
from showroom.exchange.selectors import export_rows
from showroom.kpi.statistics.workbooks import add_monthly_sheets
from showroom.organization import access
from showroom.organization.models import ExportRecord, Staff, Store

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center")
_BATCH = 5000  # rows a server-side cursor reads at a time
_MONTHS = re.compile(r"^(\d{4})-(\d{1,2})(?:\.\.(\d{4})-(\d{1,2}))?$")


class ExportError(ValueError):
    pass


@dataclass
class ExportResult:
    files: list[Path] = field(default_factory=list)
    rows: dict[tuple[str, str], int] = field(default_factory=dict)  # (form, store code) -> rows


def parse_months(text: str) -> tuple[date, date]:
    """'2026-10' or '2026-10..2026-12' -> the first day of the first month, the last of the last."""
    match = _MONTHS.match(text.strip())
    if not match:
        raise ExportError(_("Invalid month, expected YYYY-MM or YYYY-MM..YYYY-MM"))
    y1, m1, y2, m2 = match.groups()
    try:
        start = date(int(y1), int(m1), 1)
        last = date(int(y2 or y1), int(m2 or m1), 1)
    except ValueError as exc:
        raise ExportError(_("Invalid month, expected YYYY-MM or YYYY-MM..YYYY-MM")) from exc
    if last < start:
        raise ExportError(_("The range ends before it starts"))
    following = date(last.year + last.month // 12, last.month % 12 + 1, 1)
    return start, date.fromordinal(following.toordinal() - 1)


def export(
    out: Path,
    *,
    stores: Sequence[Store],
    start: date,
    end: date,
    user: Staff | None = None,
    forms: Sequence[Form] = FORMS,
    progress: Callable[[int, int], None] | None = None,
    jobs: int = 1,
) -> ExportResult:
    """`progress(done, total)` is told after each form (and each store's monthly sheets;
    each part of a form when a CSV export is written by `jobs` processes)."""
    if out.suffix.lower() == ".xlsx":
        fmt = "xlsx"
        result = write_workbook(
            out, stores=stores, start=start, end=end, user=user, forms=forms, progress=progress
        )
    else:
        fmt = "csv"
        result = write_csv_folder(
            out,
            stores=stores,
            start=start,
            end=end,
            user=user,
            forms=forms,
            progress=progress,
            jobs=jobs,
        )
    by_code = {s.code: s for s in stores}
    with transaction.atomic():
        ExportRecord.objects.bulk_create(
            ExportRecord(
                store=by_code[code],
                user=user,
                actor=user.username if user else "cli",
                kind=form_name,
                format=fmt,
                date_from=start,
                date_to=end,
                rows=rows,
                destination=str(out)[:500],
            )
            for (form_name, code), rows in result.rows.items()
        )
    return result


def _phone_owner(obj: Any, column: Column) -> int | None:
    """Whose number it is: the card's consultant for a card's number (an order shows its
    customer's), else the row's own consultant or assignee."""
    if column.export_path.startswith("customer."):
        return obj.customer.consultant_id  # type: ignore[no-any-return]
    return getattr(obj, "consultant_id", getattr(obj, "assigned_to_id", None))


def _cell(
    column: Column, value: Any, tz: Any, owner: int | None, user: Staff | None, csv_values: bool
) -> Any:
    if isinstance(value, datetime):  # a sheet holds the store's local time
        value = value.astimezone(tz).replace(tzinfo=None)
    if user is not None and isinstance(column.kind, Phone) and value:
        value = access.shown_phone(user, value, owner_id=owner)
    return csv_text(column.kind.to_csv(value)) if csv_values else column.kind.to_excel(value)


def _cells(
    obj: Any, columns: Sequence[Column], user: Staff | None, *, csv_values: bool
) -> list[Any]:
    """A row of model objects (a custom form's) as cells."""
    return [
        _cell(
            column,
            obj.store.code if column is STORE_COLUMN else column.export_value(obj),
            obj.store.tz,
            _phone_owner(obj, column) if user is not None else None,
            user,
            csv_values,
        )
        for column in columns
    ]


class _Selected:
    """The fields a row query selects, the store's id first: `at` adds a path once and gives
    its place in each row's tuple."""

    def __init__(self) -> None:
        self.paths: list[str] = ["store_id"]

    def at(self, path: str) -> int:
        if path not in self.paths:
            self.paths.append(path)
        return self.paths.index(path)


def _rows(
    form: Form,
    qs: QuerySet[Any] | Iterable[Any],
    columns: Sequence[Column],
    user: Staff | None,
    *,
    csv_values: bool,
) -> Iterator[tuple[str, list[Any]]]:
    """(store code, cells) of each exported row. A query is read as tuples of the columns'
    fields, with the stores, staff and sources looked up in tables read once: a model object
    per row (and its related ones) cost several times what writing the row does."""
    if not isinstance(qs, QuerySet):
        for obj in qs:
            yield obj.store.code, _cells(obj, columns, user, csv_values=csv_values)
        return
    fields = _Selected()
    at = fields.at

    stores = {s.pk: s for s in Store.objects.all()}
    staff: dict[int, Staff] | None = None
    sources: dict[int, Source] | None = None
    owner_field = next(
        (f for f in ("consultant_id", "assigned_to_id") if _has_field(form, f)), None
    )
    getters: list[Callable[[tuple[Any, ...]], Any]] = []
    owners: list[int | None] = []
    for column in columns:
        owner: int | None = None
        if column is STORE_COLUMN:
            getters.append(lambda row: stores[row[0]].code)
        elif isinstance(column.kind, Ref):
            getters.append(_ref_getter(column.kind, at("pk"), at(column.kind.stamp)))
        elif column.stored and isinstance(column.kind, StaffRef):
            if staff is None:
                staff = {s.pk: s for s in Staff.objects.all()}
            getters.append(_lookup_getter(staff, at(f"{column.attr}_id")))
        elif column.stored and isinstance(column.kind, SourceRef):
            if sources is None:
                sources = {s.pk: s for s in Source.objects.all()}
            getters.append(_lookup_getter(sources, at(f"{column.attr}_id")))
        else:
            getters.append(itemgetter(at((column.export_path or column.attr).replace(".", "__"))))
        if user is not None and isinstance(column.kind, Phone):
            if column.export_path.startswith("customer."):
                owner = at("customer__consultant_id")
            elif owner_field is not None:
                owner = at(owner_field)
        owners.append(owner)
    plan = list(zip(columns, getters, owners, strict=True))
    for row in qs.values_list(*fields.paths).iterator(chunk_size=5000):
        store = stores[row[0]]
        yield (
            store.code,
            [
                _cell(c, get(row), store.tz, None if o is None else row[o], user, csv_values)
                for c, get, o in plan
            ],
        )


class _Fields(dict[Any, str]):
    """A column's CSV field of each distinct value, made once: a choice, a date, a staff
    member or a store recurs in millions of rows of a large export."""

    def __init__(self, make: Callable[[Any], str]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, value: Any) -> str:
        made = self[value] = self.make(value)
        return made


def _csv_rows(form: Form, qs: QuerySet[Any], columns: Sequence[Column]) -> Iterator[list[str]]:
    """The CSV fields of each row of a command-line export (no user, so no masked phones),
    exactly as `_rows` makes them, with less work a field: the query gives a tuple of the
    columns' fields, and a field is made by one call (a lookup in a `_Fields` table for the
    values that recur). The first field of each yielded list is the row's store id, for the
    caller to count and drop."""
    fields = _Selected()
    at = fields.at

    stores = {s.pk: s for s in Store.objects.all()}
    staff: dict[int, Staff] = {}
    sources: dict[int, Source] = {}
    indexes: list[int] = [0]
    makers: list[Callable[[Any], Any]] = [int]  # the store id, kept for the caller
    # Text fields, as many values as rows: written as they are when CSV_TEXT_CHANGES finds
    # nothing in the row's text (almost every row), else through csv_text.
    texts: list[int] = []
    exact: list[Callable[[Any], Any]] = [int]
    # (position, row -> field) of the fields made from more than one value of the row.
    whole_row: list[tuple[int, Callable[[tuple[Any, ...]], str]]] = []
    for position, column in enumerate(columns, start=1):
        kind = column.kind
        make: Callable[[Any], Any]
        if column is STORE_COLUMN:
            indexes.append(0)
            make = _Fields(
                lambda pk: csv_text(STORE_COLUMN.kind.to_csv(stores[pk].code))
            ).__getitem__
        elif isinstance(kind, Ref):
            indexes.append(0)
            make = str
            whole_row.append((position, _ref_field(kind, at("pk"), at(kind.stamp))))
        elif isinstance(kind, DateTime):  # local to the row's store
            indexes.append(0)
            make = str
            whole_row.append((position, _local_field(kind, at(column.attr), stores)))
        elif column.stored and isinstance(kind, StaffRef | SourceRef):
            if isinstance(kind, StaffRef) and not staff:
                staff.update((s.pk, s) for s in Staff.objects.all())
            if isinstance(kind, SourceRef) and not sources:
                sources.update((s.pk, s) for s in Source.objects.all())
            table: dict[int, Any] = staff if isinstance(kind, StaffRef) else sources
            indexes.append(at(f"{column.attr}_id"))
            make = _Fields(_lookup_field(kind, table)).__getitem__
        else:
            indexes.append(at((column.export_path or column.attr).replace(".", "__")))
            if isinstance(kind, Text) and type(kind).to_csv is Kind.to_csv:
                texts.append(indexes[-1])
                makers.append(str)
                exact.append(csv_text)
                continue
            make = _Fields(partial(_coded_field, kind)).__getitem__
        makers.append(make)
        exact.append(make)
    values = itemgetter(*indexes)
    text_values = _tuple_getter(texts)
    for row in _tuples(qs.values_list(*fields.paths)):
        try:  # a text field that is None (or not text) takes the exact way
            plain = CSV_TEXT_CHANGES.search("\n".join(text_values(row))) is None
        except TypeError:
            plain = False
        cells = list(map(call, makers if plain else exact, values(row)))
        for position, make_field in whole_row:
            cells[position] = make_field(row)
        yield cells


def _tuples(qs: QuerySet[Any]) -> Iterator[tuple[Any, ...]]:
    """The rows of a values_list query, read in batches by a server-side cursor. On
    PostgreSQL the cursor reads a timestamp with psycopg's own loader: the one Django
    registers (to set the zone, which is UTC here as well) parses it in Python, and took
    longer than all the rest of a row's work."""
    connection = connections[qs.db]
    if connection.vendor != "postgresql":
        yield from qs.iterator(chunk_size=_BATCH)
        return
    from psycopg.types.datetime import TimestamptzLoader

    sql, params = qs.query.sql_with_params()
    with connection.chunked_cursor() as cursor:
        cursor.cursor.adapters.register_loader("timestamptz", TimestamptzLoader)
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(_BATCH):
            yield from rows


def _tuple_getter(indexes: list[int]) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    """itemgetter, but a tuple whatever the number of indexes."""
    if len(indexes) > 1:
        return itemgetter(*indexes)
    return lambda row: tuple(row[i] for i in indexes)


def _ref_field(ref: Ref, pk: int, stamp: int) -> Callable[[tuple[Any, ...]], str]:
    return lambda row: csv_text(f"{ref.code}{row[pk]}-{ref.check(row[pk], row[stamp])}")


def _local_field(
    kind: Kind, index: int, stores: dict[int, Store]
) -> Callable[[tuple[Any, ...]], str]:
    def local(row: tuple[Any, ...]) -> str:
        value = row[index]
        if isinstance(value, datetime):
            value = value.astimezone(stores[row[0]].tz).replace(tzinfo=None)
        return csv_text(kind.to_csv(value))

    return local


def _coded_field(kind: Kind, value: Any) -> str:
    return csv_text(kind.to_csv(value))


def _lookup_field(kind: Kind, table: dict[int, Any]) -> Callable[[int | None], str]:
    return lambda pk: csv_text(kind.to_csv(None if pk is None else table[pk]))


def _has_field(form: Form, name: str) -> bool:
    return any(f.attname == name for f in form.model._meta.concrete_fields)


def _ref_getter(ref: Ref, pk: int, stamp: int) -> Callable[[tuple[Any, ...]], str]:
    return lambda row: f"{ref.code}{row[pk]}-{ref.check(row[pk], row[stamp])}"


def _lookup_getter(table: dict[int, Any], index: int) -> Callable[[tuple[Any, ...]], Any]:
    return lambda row: None if row[index] is None else table[row[index]]


def _columns(form: Form, stores: Sequence[Store], *, always_store: bool) -> list[Column]:
    return ([STORE_COLUMN] if always_store or len(stores) > 1 else []) + list(form.columns)


def write_workbook(
    path: Path,
    *,
    stores: Sequence[Store],
    start: date,
    end: date,
    user: Staff | None,
    forms: Sequence[Form] = FORMS,
    progress: Callable[[int, int], None] | None = None,
) -> ExportResult:
    result = ExportResult(files=[path])
    workbook = Workbook()
    workbook.remove(workbook.active)
    steps = len(forms) + len(stores)
    for step, form in enumerate(forms, start=1):
        sheet = workbook.create_sheet(form.zh)
        columns = _columns(form, stores, always_store=False)
        sheet.append([c.zh for c in columns])
        for index, column in enumerate(columns, start=1):
            cell = sheet.cell(row=1, column=index)
            cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, HEADER_ALIGNMENT
            # A Chinese character is about two widths of a Latin one.
            width = max(column.width, 2 * len(column.zh) + 2)
            sheet.column_dimensions[get_column_letter(index)].width = width
        for store in stores:
            result.rows[form.name, store.code] = 0
        qs = export_rows(form=form, stores=list(stores), start=start, end=end, user=user)
        for code, cells in _rows(form, qs, columns, user, csv_values=False):
            append_row(sheet, cells)
            result.rows[form.name, code] += 1
        for index, column in enumerate(columns, start=1):
            if column.kind.number_format:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = column.kind.number_format
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(sheet.max_row, 2)}"
        if progress:
            progress(step, steps)
    for step, store in enumerate(stores, start=len(forms) + 1):
        add_monthly_sheets(workbook, store, start, end)
        if progress:
            progress(step, steps)
    path.parent.mkdir(parents=True, exist_ok=True)
    protect_workbook(workbook).save(path)
    return result


def _counted(rows: Iterator[list[Any]], counts: Counter[int]) -> Iterator[list[Any]]:
    """The rows without their first field, the store id, counted by it."""
    for row in rows:
        counts[row[0]] += 1
        del row[0]
        yield row


def write_csv_folder(
    folder: Path,
    *,
    stores: Sequence[Store],
    start: date,
    end: date,
    user: Staff | None,
    forms: Sequence[Form] = FORMS,
    progress: Callable[[int, int], None] | None = None,
    jobs: int = 1,
) -> ExportResult:
    """With `jobs` > 1 on PostgreSQL, outside a transaction and for the command line (no
    user), that many processes write the files side by side, each form in as many parts as
    jobs, each part a run of the stores in code order; the parts are then put end to end.
    A form's rows are in store code order, so the files are the same either way."""
    result = ExportResult()
    folder.mkdir(parents=True, exist_ok=True)
    for form in forms:
        for store in stores:
            result.rows[form.name, store.code] = 0
        result.files.append(folder / f"{form.name}.csv")
    by_code = sorted(stores, key=lambda s: s.code)
    parallel = (
        jobs > 1
        and len(stores) > 1
        and user is None
        and connection.vendor == "postgresql"
        and not connection.in_atomic_block
        and "fork" in multiprocessing.get_all_start_methods()
    )
    if not parallel:
        for step, (form, path) in enumerate(zip(forms, result.files, strict=True), start=1):
            for code, rows in _write_form(path, form, stores, start, end, user).items():
                result.rows[form.name, code] += rows
            if progress:
                progress(step, len(forms))
        return result
    size = -(-len(by_code) // jobs)
    parts = [by_code[i : i + size] for i in range(0, len(by_code), size)]
    tasks = [(f, p) for f in range(len(forms)) for p in range(len(parts))]
    global _SPLIT
    _SPLIT = _Split(folder=folder, forms=forms, parts=parts, start=start, end=end)
    connections.close_all()  # each process opens its own; a socket must not be shared
    try:
        with multiprocessing.get_context("fork").Pool(
            min(jobs, len(tasks)), initializer=forget_inherited_connections
        ) as pool:
            for step, counts in enumerate(pool.imap_unordered(_write_part, tasks), start=1):
                for (form_name, code), rows in counts.items():
                    result.rows[form_name, code] += rows
                if progress:
                    progress(step, len(tasks))
        for form, path in zip(forms, result.files, strict=True):
            with path.open("ab") as whole:
                for part in range(1, len(parts)):
                    with _part_path(folder, form, part).open("rb") as piece:
                        shutil.copyfileobj(piece, whole, 1 << 20)
    finally:
        _SPLIT = None
        for form in forms:
            for part in range(1, len(parts)):
                _part_path(folder, form, part).unlink(missing_ok=True)
    return result


@dataclass(frozen=True)
class _Split:
    """What the processes of a parallel CSV export write (inherited when they are forked)."""

    folder: Path
    forms: Sequence[Form]
    parts: list[list[Store]]
    start: date
    end: date


_SPLIT: _Split | None = None


def _part_path(folder: Path, form: Form, part: int) -> Path:
    return folder / f".{form.name}.csv.part{part}"


def _write_part(task: tuple[int, int]) -> dict[tuple[str, str], int]:
    """In a forked process: one part of one form. The first part is the form's file (with
    the byte order mark and the header); the others only rows, to be appended to it."""
    assert _SPLIT is not None
    form_index, part = task
    form = _SPLIT.forms[form_index]
    path = (
        _SPLIT.folder / f"{form.name}.csv" if part == 0 else _part_path(_SPLIT.folder, form, part)
    )
    try:
        counts = _write_form(
            path,
            form,
            _SPLIT.parts[part],
            _SPLIT.start,
            _SPLIT.end,
            None,
            first=part == 0,
        )
    finally:
        connections.close_all()
    return {(form.name, code): rows for code, rows in counts.items()}


def _write_form(
    path: Path,
    form: Form,
    stores: Sequence[Store],
    start: date,
    end: date,
    user: Staff | None,
    *,
    first: bool = True,
) -> Counter[str]:
    """Writes the form's rows of `stores` to `path`; the rows by store code."""
    counts: Counter[str] = Counter()
    columns = _columns(form, stores, always_store=True)
    # UTF-8 with a BOM, so that Excel opens the Chinese text correctly.
    with path.open("w", encoding="utf-8-sig" if first else "utf-8", newline="") as file:
        writer = csv.writer(file)
        if first:
            writer.writerow([c.name for c in columns])
        qs = export_rows(form=form, stores=list(stores), start=start, end=end, user=user)
        if user is None and isinstance(qs, QuerySet):
            codes = {s.pk: s.code for s in stores}
            by_pk: Counter[int] = Counter()
            writer.writerows(_counted(_csv_rows(form, qs, columns), by_pk))
            for pk, rows in by_pk.items():
                counts[codes[pk]] += rows
        else:
            for code, cells in _rows(form, qs, columns, user, csv_values=True):
                writer.writerow(cells)
                counts[code] += 1
    return counts
