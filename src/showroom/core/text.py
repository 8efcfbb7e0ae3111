"""Text as people type it and on its way in and out: names folded for matching, the one
check of typed or imported text for control characters, and the one path by which text
reaches a workbook cell or a CSV field.

A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return) as a
formula. Every workbook the product writes keeps such a value as text (a string cell with
Excel's quote prefix), and every CSV field starting with one gets a leading apostrophe that
the import takes off again, so that an export read back gives the same text. Control
characters are refused where text comes in; any already stored are left out of an export
rather than breaking it. See docs/security.md.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from openpyxl.cell.cell import Cell
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# C0 controls but tab, line feed and carriage return; DEL; lone surrogates (not encodable).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# How a workbook spells a character inside its XML (_x0041_ is "A"), and a control one.
EXCEL_ESCAPE = re.compile(r"_x[0-9A-Fa-f]{4}_")
EXCEL_CONTROL_ESCAPE = re.compile(r"_x00(?:0[0-8BbCcEeFf]|1[0-9A-Fa-f]|7[Ff])_")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
CSV_TEXT_MARK = "'"
_MARKED_STARTS = frozenset((*FORMULA_TRIGGERS, CSV_TEXT_MARK))
# Found in fields joined by line feeds wherever csv_text might change one of them: a control
# character, or a line that starts as a marked field does. A field it finds nothing in is
# written as it is (a large export checks a row's text fields at once).
CSV_TEXT_CHANGES = re.compile(
    CONTROL_CHARACTERS.pattern
    + "|^["
    + "".join(re.escape(c) for c in sorted(_MARKED_STARTS))
    + "]",
    re.MULTILINE,
)

CONTROL_MESSAGE = _("Control characters are not allowed in text.")


def control_character_error(text: str) -> str | None:
    """The reason `text` cannot be stored, or None: a control character (NUL too, which
    PostgreSQL cannot store) or an escaped one as a workbook writes it (_x0001_)."""
    if CONTROL_CHARACTERS.search(text) or EXCEL_CONTROL_ESCAPE.search(text):
        return str(CONTROL_MESSAGE)
    return None


@deconstructible
class NoControlCharacters:
    """A form field validator: refuses text holding a control character."""

    code = "control_characters"

    def __call__(self, value: Any) -> None:
        if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
            raise ValidationError(CONTROL_MESSAGE, code=self.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NoControlCharacters)

    def __hash__(self) -> int:
        return hash(self.code)


def install_form_validator() -> None:
    """Every CharField of every form (and the TextFields, which become CharFields on a form)
    refuses control characters, as Django's own refuses NUL."""
    validator = NoControlCharacters()
    if validator not in forms.CharField.default_validators:
        forms.CharField.default_validators = [*forms.CharField.default_validators, validator]


def printable(text: str) -> str:
    """`text` without control characters (tab and line breaks stay)."""
    return CONTROL_CHARACTERS.sub("", text)


def is_formula_like(text: str) -> bool:
    """Would a spreadsheet run `text` as a formula? A plain number (-5, +3.2) is not one."""
    return text.startswith(FORMULA_TRIGGERS) and not _NUMBER.match(text)


# --- Workbooks --------------------------------------------------------------------------------


def cell_text(value: Any) -> Any:
    """A value as a workbook cell may hold it: text without control characters, its _xHHHH_
    sequences escaped so that a reader gives them back as written; anything else as it is."""
    if not isinstance(value, str):
        return value
    text = printable(value)
    return EXCEL_ESCAPE.sub(lambda m: "_x005F" + m.group(0), text)


def protect_cell(cell: Cell) -> Cell:
    """Keep a text cell text: no formula, no error code, and Excel's quote prefix on a value
    that starts like a formula, so that editing the cell does not turn it into one."""
    value = cell.value
    if isinstance(value, str) and (cell.data_type != "s" or is_formula_like(value)):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def put(ws: Worksheet, row: int, column: int, value: Any) -> Cell:
    """ws.cell(row, column, value) through the safe text path."""
    cell = ws.cell(row=row, column=column)
    cell.value = cell_text(value)
    return protect_cell(cell)


def append_row(ws: Worksheet, values: list[Any]) -> None:
    """ws.append(values) through the safe text path. The cells are made before they are
    appended: looking the row up again (ws[ws.max_row]) scans every cell of the sheet, which
    made a large export quadratic."""
    ws.append([protect_cell(Cell(ws, value=cell_text(v))) for v in values])


def protect_workbook(workbook: Workbook) -> Workbook:
    """Last look before saving: no cell of any sheet holds a formula."""
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                protect_cell(cell)
    return workbook


# --- CSV ----------------------------------------------------------------------------------------


def csv_text(value: Any) -> str:
    """A CSV field: a value that starts like a formula, or with the apostrophe itself, gets a
    leading apostrophe (csv_read takes it off again)."""
    text = "" if value is None else str(value)
    if CONTROL_CHARACTERS.search(text):
        text = printable(text)
    # Most fields start with neither: one look at the first character (a large export writes
    # millions of fields).
    if text[:1] in _MARKED_STARTS and (is_formula_like(text) or text.startswith(CSV_TEXT_MARK)):
        return CSV_TEXT_MARK + text
    return text


def csv_read(field: str) -> str:
    """A CSV field as written before csv_text marked it."""
    return field[1:] if field.startswith(CSV_TEXT_MARK) else field


def fold(text: str) -> str:
    """Names as people type them: full-width or half-width, any case, spaces or not."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()
