"""Reading exchange files: workbooks and CSV files into tables, tables into recognized sheets.

A table keeps rows from A1, so that row index + 1 is the row number Excel shows.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import python_calamine
from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from showroom.core.text import csv_read
from showroom.exchange.columns import STORE_COLUMN, Column, Form, normalize_header
from showroom.exchange.forms import FORMS
from showroom.exchange.parsing import as_text, is_empty

WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"})
CSV_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
# A header row may follow a title row or two (and a blank line or a note).
HEADER_SCAN_ROWS = 10


class ReadError(Exception):
    def __init__(self, reason: str | Promise) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Table:
    file: str  # as the user named it
    sheet: str  # the sheet's name; a CSV file's name without its suffix
    rows: list[list[Any]]
    is_csv: bool = False


def read_tables(path: Path) -> list[Table]:
    """The tables of a workbook or CSV file; any damage to the file is a ReadError."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise ReadError(_("File not found"))
    if suffix not in WORKBOOK_SUFFIXES | CSV_SUFFIXES:
        raise ReadError(_("Unsupported file type; use .xlsx or .csv"))
    limit = settings.IMPORT_MAX_FILE_BYTES
    if path.stat().st_size > limit:
        raise ReadError(
            _("The file is too large: at most %(mb)d MB") % {"mb": limit // (1024 * 1024)}
        )
    if suffix in WORKBOOK_SUFFIXES:
        return _read_workbook(path)
    return [Table(str(path), path.stem, _read_csv(path.read_bytes()), is_csv=True)]


def _read_workbook(path: Path) -> list[Table]:
    if zipfile.is_zipfile(path):
        _check_archive(path)
    tables = []
    try:
        with python_calamine.CalamineWorkbook.from_path(str(path)) as workbook:
            for name in workbook.sheet_names:
                sheet = workbook.get_sheet_by_name(name)
                tables.append(Table(str(path), name, sheet.to_python(skip_empty_area=False)))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # calamine's own errors, and a panic of its Rust code
        raise ReadError(_("Cannot read the workbook: %(error)s") % {"error": exc}) from exc
    return tables


_SHEET_XML = re.compile(r"^xl/worksheets/[^/]+\.xml$")
# A formula cell whose value was never saved (a file written by a program, not by Excel).
_FORMULA_WITHOUT_VALUE = re.compile(
    rb'<c\b[^>]*\br="([A-Z]+[0-9]+)"[^>]*>\s*(?:<f\b[^>]*/>|<f\b[^>]*>[^<]*</f>)'
    rb"\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>"
)


def _check_archive(path: Path) -> None:
    """An .xlsx is a zip: refuse one that unpacks to more than the limit, and one whose
    formulas carry no saved value (they would read as empty cells)."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if sum(m.file_size for m in members) > settings.IMPORT_MAX_UNPACKED_BYTES:
                raise ReadError(_("The workbook is too large once unpacked"))
            for member in members:
                if not _SHEET_XML.match(member.filename):
                    continue
                found = _FORMULA_WITHOUT_VALUE.search(archive.read(member))
                if found:
                    raise ReadError(
                        _(
                            "Cell %(cell)s of %(part)s holds a formula without a saved value: "
                            "open the file in Excel and save it again, or enter the values"
                        )
                        % {"cell": found.group(1).decode(), "part": Path(member.filename).stem}
                    )
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError) as exc:
        raise ReadError(_("Cannot read the workbook: %(error)s") % {"error": exc}) from exc


def decode_csv(data: bytes) -> str:
    """UTF-8 with or without BOM; UTF-16 as Excel's 'Unicode text'; else GB18030 (Excel on a
    Chinese Windows saves CSV in the ANSI code page)."""
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16")
    except UnicodeDecodeError as exc:
        raise ReadError(_("Cannot read the file: it is not valid UTF-16 text")) from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ReadError(_("Cannot read the file: it is neither UTF-8 nor GB18030 text")) from exc


def _read_csv(data: bytes) -> list[list[Any]]:
    """The rows of a CSV file, each field as written before the export marked it as text."""
    text = decode_csv(data)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [[csv_read(field) for field in row] for row in reader]
    except csv.Error as exc:
        raise ReadError(
            _("Cannot read the file at line %(line)d: %(error)s")
            % {"line": reader.line_num, "error": exc}
        ) from exc


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
