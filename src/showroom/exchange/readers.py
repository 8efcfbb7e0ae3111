"""Reading exchange files: tables (`showroom.core.tables`) into recognized sheets."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from showroom.core.tables import Table, as_text, is_empty
from showroom.exchange.columns import STORE_COLUMN, Column, Form, normalize_header
from showroom.exchange.forms import FORMS

# A header row may follow a title row or two (and a blank line or a note).
HEADER_SCAN_ROWS = 10


@dataclass
class Sheet:
    """A table recognized as one of the forms, with its header row located."""

    table: Table
    form: Form
    header_index: int  # index into table.rows; the header's Excel row is header_index + 1
    columns: list[tuple[int, Column, str]]  # cell index, column, header as written
    store_index: int | None = None
    unknown: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)

    @property
    def missing(self) -> list[Column]:
        present = {column.name for _i, column, _h in self.columns}
        return [c for c in self.form.required if c.name not in present]


def _match_header(row: list[Any], form: Form) -> Sheet:
    sheet = Sheet(Table("", "", []), form, 0, [])
    header_map = form.header_map
    seen: set[str] = set()
    for index, cell in enumerate(row):
        if is_empty(cell):
            continue
        written = as_text(cell)
        key = normalize_header(written)
        column = header_map.get(key)
        if column is None and key in _STORE_HEADERS:
            if sheet.store_index is None:
                sheet.store_index = index
            else:
                sheet.duplicates.append(written)
        elif column is None:
            sheet.unknown.append(written)
        elif column.name in seen:
            sheet.duplicates.append(written)
        else:
            seen.add(column.name)
            sheet.columns.append((index, column, written))
    return sheet


_STORE_HEADERS = frozenset(normalize_header(h) for h in STORE_COLUMN.headers())


def recognize(table: Table, forms: tuple[Form, ...] = FORMS) -> Sheet | None:
    """The form a table holds: by its sheet (or file) name, else by a header row that holds
    every required column of a form. A named sheet without any known header gives a Sheet
    without columns, so that the import reports it rather than skipping it."""
    named = next((f for f in forms if f.matches_sheet_name(table.sheet)), None)
    candidates = (named,) if named else forms
    best: Sheet | None = None
    for index, row in enumerate(table.rows[:HEADER_SCAN_ROWS]):
        for form in candidates:
            sheet = _match_header(row, form)
            if not named and sheet.missing:
                continue
            # Forms share headers (客户姓名, 联系电话…): the one that leaves fewest unknown wins.
            if sheet.columns and (best is None or _score(sheet) > _score(best)):
                sheet.header_index = index
                best = sheet
    if best is None:
        if named is None:
            return None
        best = Sheet(table, named, 0, [])
    best.table = table
    return best


def _score(sheet: Sheet) -> tuple[int, int]:
    return len(sheet.columns) - len(sheet.unknown), len(sheet.columns)
