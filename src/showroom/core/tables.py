"""Workbooks and CSV files read into tables of cells, and what a cell says as text.

A table keeps rows from A1, so that row index + 1 is the row number Excel shows.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import python_calamine
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

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
    suffix = path.suffix.lower()
    if not path.is_file():
        raise ReadError(_("File not found"))
    if suffix in WORKBOOK_SUFFIXES:
        return _read_workbook(path)
    if suffix in CSV_SUFFIXES:
        return [Table(str(path), path.stem, _read_csv(path.read_bytes()), is_csv=True)]
    raise ReadError(_("Unsupported file type; use .xlsx or .csv"))


def _read_workbook(path: Path) -> list[Table]:
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own errors for every kind of damage
        raise ReadError(_("Cannot read the workbook: %(error)s") % {"error": exc}) from exc
    tables = []
    with workbook:
        for name in workbook.sheet_names:
            sheet = workbook.get_sheet_by_name(name)
            tables.append(Table(str(path), name, sheet.to_python(skip_empty_area=False)))
    return tables


def decode_csv(data: bytes) -> str:
    """UTF-8 with or without BOM; UTF-16 as Excel's 'Unicode text'; else GB18030 (Excel on a
    Chinese Windows saves CSV in the ANSI code page)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ReadError(_("Cannot read the file: it is neither UTF-8 nor GB18030 text")) from exc


def _read_csv(data: bytes) -> list[list[Any]]:
    text = decode_csv(data)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    return [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


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
