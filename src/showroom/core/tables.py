"""Workbooks and CSV files read into tables of cells, and what a cell says as text.

A table keeps rows from A1, so that row index + 1 is the row number Excel shows. Any damage to
a file, and a file or cell over the configured limits, is a ReadError with a message for the
user, never an exception of the reading library.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import python_calamine
from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from showroom.core.text import CSV_TEXT_MARK

WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"})
CSV_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})


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
        # csv_read, written out: a call per field is most of the read of a large file.
        return [[f[1:] if f[:1] == CSV_TEXT_MARK else f for f in row] for row in reader]
    except csv.Error as exc:
        raise ReadError(
            _("Cannot read the file at line %(line)d: %(error)s")
            % {"line": reader.line_num, "error": exc}
        ) from exc


def is_empty(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def as_text(raw: object) -> str:
    """A cell as the user typed it: Excel's 13800000004.0 is 13800000004."""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, datetime):
        return raw.isoformat(sep=" ")
    if isinstance(raw, date | time):
        return raw.isoformat()
    return str(raw).strip()
