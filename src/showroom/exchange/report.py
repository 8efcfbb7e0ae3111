"""What an import found: each bad cell as a `Problem`, notices, counts, and the parsed rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from showroom.core.tables import Table, as_text, is_empty
from showroom.exchange.columns import Form
from showroom.exchange.readers import Sheet
from showroom.organization.models import Store


@dataclass(frozen=True)
class Problem:
    """One bad cell (or a bad sheet or file, with the finer parts left empty)."""

    file: str
    sheet: str
    row: int | None  # as Excel numbers it
    column: str  # the header as written in the file
    value: str
    reason: str

    def __str__(self) -> str:
        return located(self.reason, self.file, self.sheet, self.row, self.column, self.value)


def located(
    message: str,
    file: str,
    sheet: str = "",
    row: int | None = None,
    column: str = "",
    value: str = "",
) -> str:
    place = [Path(file).name] if file else []
    if sheet:
        place.append(_("sheet “%(sheet)s”") % {"sheet": sheet})
    if row:
        place.append(_("row %(row)d") % {"row": row})
    if column:
        place.append(_("column “%(column)s”") % {"column": column})
    if value:
        place.append(_("value “%(value)s”") % {"value": value})
    if not place:  # a problem of the whole import
        return message
    # Translators: separates the parts of an error's place: file, sheet, row, column, value.
    return _("%(place)s: %(reason)s") % {"place": _(", ").join(place), "reason": message}


@dataclass
class Counts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportReport:
    dry_run: bool = False
    problems: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    counts: dict[tuple[str, str], Counts] = field(default_factory=dict)  # (form, store code)
    rows: int = 0
    created_stores: list[str] = field(default_factory=list)
    # (store code, name, roles)
    created_staff: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(
        self,
        table: Table | None,
        row: int | None,
        column: str,
        value: object,
        reason: str | Promise,
    ) -> None:
        shown = "" if is_empty(value) else as_text(value)
        self.problems.append(
            Problem(
                table.file if table else "",
                "" if table is None or table.is_csv else table.sheet,
                row,
                column,
                shown[:60],
                str(reason),
            )
        )

    def notice(self, table: Table, message: str) -> None:
        self.notices.append(located(message, table.file, "" if table.is_csv else table.sheet))


@dataclass
class Row:
    """One good row of a sheet: its parsed values by model attribute, and where it came from."""

    form: Form
    store: Store
    values: dict[str, Any]
    key: str
    given: set[str] = field(default_factory=set)  # the attributes of the non-empty cells
    raw: dict[str, Any] = field(default_factory=dict)  # the cells as written, by attribute
    sheet: Sheet | None = None
    number: int = 0  # the row as Excel numbers it
    file: int = 0  # which of the import's files
    # Set by the cross-form checks: a card's type after this import (links.py).
    customer_type: str = ""

    def header(self, name: str) -> str:
        """The column `name` as the file wrote its header (its Chinese header if absent)."""
        if self.sheet is not None:
            for _i, column, written in self.sheet.columns:
                if column.name == name:
                    return written
        return self.form.column(name).zh

    def problem(self, report: ImportReport, name: str, reason: str | Promise) -> None:
        value = self.raw.get(self.form.column(name).attr)
        report.problem(
            self.sheet.table if self.sheet else None, self.number, self.header(name), value, reason
        )

    def stored_values(self, *, only_given: bool = False) -> dict[str, Any]:
        return {
            attr: self.values[attr]
            for attr in self.form.stored
            if not only_given or attr in self.given
        }
