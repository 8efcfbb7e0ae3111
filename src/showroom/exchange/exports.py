"""The export workflow (`showroom export`): the forms in the layouts the import reads.

OUT ending in .xlsx: one workbook, a sheet per form with Chinese names, headers and labels,
plus the monthly walk-in and call statistics of each store. Otherwise OUT is a folder that gets
one CSV per form with English headers, codes as values and a `store` column. Which rows:
`selectors.export_rows` (the range, whole histories, and what the range's KPIs read). Every
export is recorded (`ExportRecord`), as exports of personal data must be (docs/security.md).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import itemgetter
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from showroom.core.text import append_row, csv_text, protect_workbook
from showroom.customers.models import Source
from showroom.exchange.columns import STORE_COLUMN, Column, Form
from showroom.exchange.forms import FORMS
from showroom.exchange.parsing import Phone, Ref, SourceRef, StaffRef
from showroom.exchange.selectors import export_rows
from showroom.kpi.statistics.workbooks import add_monthly_sheets
from showroom.organization import access
from showroom.organization.models import ExportRecord, Staff, Store

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center")
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
) -> ExportResult:
    """`progress(done, total)` is told after each form (and each store's monthly sheets)."""
    write = write_workbook if out.suffix.lower() == ".xlsx" else write_csv_folder
    fmt = "xlsx" if write is write_workbook else "csv"
    result = write(
        out, stores=stores, start=start, end=end, user=user, forms=forms, progress=progress
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
    fields: list[str] = ["store_id"]

    def at(path: str) -> int:
        if path not in fields:
            fields.append(path)
        return fields.index(path)

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
    for row in qs.values_list(*fields).iterator(chunk_size=5000):
        store = stores[row[0]]
        yield (
            store.code,
            [
                _cell(c, get(row), store.tz, None if o is None else row[o], user, csv_values)
                for c, get, o in plan
            ],
        )


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


def write_csv_folder(
    folder: Path,
    *,
    stores: Sequence[Store],
    start: date,
    end: date,
    user: Staff | None,
    forms: Sequence[Form] = FORMS,
    progress: Callable[[int, int], None] | None = None,
) -> ExportResult:
    result = ExportResult()
    folder.mkdir(parents=True, exist_ok=True)
    for step, form in enumerate(forms, start=1):
        path = folder / f"{form.name}.csv"
        columns = _columns(form, stores, always_store=True)
        for store in stores:
            result.rows[form.name, store.code] = 0
        # UTF-8 with a BOM, so that Excel opens the Chinese text correctly.
        with path.open("w", encoding="utf-8-sig", newline="") as file:
            writer = csv.writer(file)
            writer.writerow([c.name for c in columns])
            qs = export_rows(form=form, stores=list(stores), start=start, end=end, user=user)
            for code, cells in _rows(form, qs, columns, user, csv_values=True):
                writer.writerow(cells)
                result.rows[form.name, code] += 1
        result.files.append(path)
        if progress:
            progress(step, len(forms))
    return result
