"""The import workflow (SPEC §6, §7 `showroom import`): all or nothing, idempotent.

1. read every file and recognize its sheets;
2. parse every row of every sheet, collecting each bad cell as a `Problem`;
3. only when there is none (and it is not a dry run), write everything in one transaction.
A row's `import_key` (store, natural fields, occurrence within the file) makes a second
import of the same file find its rows again instead of adding them twice.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from showroom.customers.models import Customer, Source
from showroom.customers.phones import normalize_phone
from showroom.exchange.columns import Form, model_field
from showroom.exchange.parsing import Invalid, as_text, is_empty
from showroom.exchange.readers import ReadError, Sheet, Table, read_tables, recognize
from showroom.organization.choices import Role
from showroom.organization.models import Staff, Store

BATCH = 500
PROGRESS_EVERY = 1000
_STORE_CODE = re.compile(r"^[-a-zA-Z0-9_]+$")

# Called now and then with (stage, rows done, rows in all): stage is 'check' or 'write'.
Progress = Callable[[str, int, int], None]


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
        return _located(self.reason, self.file, self.sheet, self.row, self.column, self.value)


def _located(
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
    created_staff: list[tuple[str, str]] = field(default_factory=list)  # (store code, name)

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
        self.notices.append(_located(message, table.file, "" if table.is_csv else table.sheet))


@dataclass
class Row:
    form: Form
    store: Store
    values: dict[str, Any]
    key: str


def _fold(text: str) -> str:
    """Names as people type them: full-width or half-width, any case, spaces or not."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


class StoreLookups:
    """Sources and staff of one store by the names a sheet uses, loaded once per import."""

    def __init__(self, store: Store, *, create_staff: bool) -> None:
        self.store = store
        self.create_staff = create_staff
        self.new_staff: dict[str, Staff] = {}
        self._sources: dict[str, Source] | None = None
        self._staff: list[dict[str, list[Staff]]] | None = None

    def source(self, text: str) -> Source | None:
        if self._sources is None:
            if self.store.pk:
                sources = Source.for_store(self.store)
            else:
                sources = Source.objects.filter(store__isnull=True, active=True)
            self._sources = {}
            # The store's own sources win over a standard one of the same name.
            for source in sorted(sources, key=lambda s: s.store_id is not None):
                for name in (source.code, source.name_zh, source.name_en):
                    if name:
                        self._sources[_fold(name)] = source
        return self._sources.get(_fold(text))

    def staff(self, text: str) -> Staff | None:
        if self._staff is None:
            by_code: dict[str, list[Staff]] = defaultdict(list)
            by_name: dict[str, list[Staff]] = defaultdict(list)
            by_username: dict[str, list[Staff]] = defaultdict(list)
            # Departed staff stay in old registers, so inactive staff are matched too.
            members = Staff.objects.filter(store=self.store) if self.store.pk else []
            for member in members:
                if member.staff_code:
                    by_code[_fold(member.staff_code)].append(member)
                if member.full_name:
                    by_name[_fold(member.full_name)].append(member)
                by_username[_fold(member.username)].append(member)
            self._staff = [by_code, by_name, by_username]
        folded = _fold(text)
        for index in self._staff:
            found = index.get(folded, [])
            if len(found) > 1:
                active = [m for m in found if m.is_active and m.has_role(Role.CONSULTANT)]
                if len(active) != 1:
                    raise Invalid(_("Several staff members have this name; use the staff code"))
                found = active
            if found:
                return found[0]
        if not self.create_staff:
            return None
        if folded not in self.new_staff:
            self.new_staff[folded] = Staff(
                store=self.store, full_name=text[:50], roles=Role.CONSULTANT, is_active=True
            )
        return self.new_staff[folded]


def resolve_stores(spec: str, *, create: bool, report: ImportReport) -> dict[str, Store]:
    """--store: a code, codes separated by commas, or `all`. Unsaved stores are to be created.

    Keyed by the code in lower case: people type store codes in either case."""
    if spec.strip().lower() == "all":
        return {s.code.lower(): s for s in Store.objects.all()}
    codes = list(dict.fromkeys(c.strip() for c in spec.split(",") if c.strip()))
    stores: dict[str, Store] = {}
    for code in codes:
        found = Store.objects.filter(code__iexact=code).first()
        if found is not None:
            stores[code.lower()] = found
        elif not _STORE_CODE.match(code) or len(code) > 32:
            report.problem(None, None, "", code, _("Invalid store code"))
        elif create:
            stores[code.lower()] = Store(code=code, name=code)
            report.created_stores.append(code)
        else:
            report.problem(
                None, None, "", code, _("Unknown store; import with --create-store to create it")
            )
    if not codes:
        report.problem(None, None, "", spec, _("No store given"))
    return stores


def import_files(
    paths: Sequence[Path | str],
    *,
    stores: str,
    create_store: bool = False,
    create_staff: bool = False,
    dry_run: bool = False,
    user: Staff | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    report = ImportReport(dry_run=dry_run)
    by_code = resolve_stores(stores, create=create_store, report=report)
    lookups = {
        key: StoreLookups(store, create_staff=create_staff) for key, store in by_code.items()
    }
    if not report.ok:  # without its stores, no row can be checked
        return report
    sheets: list[tuple[int, Sheet]] = []  # (which file, sheet)
    for number, path in enumerate(map(Path, paths)):
        try:
            tables = read_tables(path)
        except ReadError as exc:
            report.problem(Table(str(path), "", [], is_csv=True), None, "", "", exc.reason)
            continue
        sheets.extend((number, sheet) for sheet in _recognized(tables, report))

    total = sum(max(0, len(s.table.rows) - s.header_index - 1) for _n, s in sheets)
    ticker = _Ticker("check", total, progress)
    rows: list[Row] = []
    occurrences: dict[tuple[Any, ...], int] = defaultdict(int)
    for number, sheet in sheets:
        for row in _parse_sheet(sheet, by_code, lookups, report, ticker):
            natural = row.form.natural_key(row.values)
            # Identical rows within a file are distinct parties; across files, the same one.
            counter = (number, row.form.name, row.store.code, natural)
            occurrences[counter] += 1
            row.key = row.form.import_key(row.store.code, natural, occurrences[counter])
            rows.append(row)
    ticker.finish()
    report.rows = len(rows)
    for look in lookups.values():
        report.created_staff.extend((look.store.code, s.full_name) for s in look.new_staff.values())
    if not report.ok:
        return report

    groups: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for row in rows:
        groups[row.form.name, row.store.code].append(row)
    if dry_run:
        for (form_name, code), group in groups.items():
            report.counts[form_name, code] = _plan(group, lock=False)[3]
        return report
    with transaction.atomic():
        for code in report.created_stores:
            by_code[code.lower()].save()
        for look in lookups.values():
            _save_new_staff(look)
        ticker = _Ticker("write", len(rows), progress)
        for (form_name, code), group in groups.items():
            new, changed, fields, counts = _plan(group, lock=True)
            form = group[0].form
            reason = "import"
            if new:
                bulk_create_with_history(
                    new,
                    form.model,
                    batch_size=BATCH,
                    default_user=user,
                    default_change_reason=reason,
                )
            if changed:
                bulk_update_with_history(
                    changed,
                    form.model,
                    sorted(fields),
                    batch_size=BATCH,
                    default_user=user,
                    default_change_reason=reason,
                )
            report.counts[form_name, code] = counts
            ticker.tick(len(group))
        ticker.finish()
    return report


class _Ticker:
    """Reports progress every PROGRESS_EVERY rows, and once at the end."""

    def __init__(self, stage: str, total: int, progress: Progress | None) -> None:
        self.stage, self.total, self.progress = stage, total, progress
        self.done = self.reported = 0

    def tick(self, n: int = 1) -> None:
        self.done += n
        if self.progress and self.done - self.reported >= PROGRESS_EVERY:
            self.reported = self.done
            self.progress(self.stage, self.done, self.total)

    def finish(self) -> None:
        if self.progress and self.reported != self.done:
            self.reported = self.done
            self.progress(self.stage, self.done, self.total)


def _recognized(tables: Iterable[Table], report: ImportReport) -> list[Sheet]:
    sheets = []
    for table in tables:
        if not any(not is_empty(c) for row in table.rows for c in row):
            report.notice(table, _("empty sheet, skipped"))
            continue
        sheet = recognize(table)
        if sheet is None:
            report.notice(table, _("not a known form (sheet name or header row), skipped"))
            continue
        header_row = sheet.header_index + 1
        if not sheet.columns:
            headers = "、".join(c.zh for c in sheet.form.columns[:4])
            report.problem(
                table,
                None,
                "",
                "",
                _("No header row found; expected headers such as %(headers)s")
                % {"headers": headers},
            )
            continue
        for header in sheet.unknown:
            report.notice(table, _("unknown column “%(column)s” ignored") % {"column": header})
        for column in sheet.missing:
            report.problem(table, header_row, column.zh, "", _("Required column missing"))
        for header in sheet.duplicates:
            report.problem(table, header_row, header, "", _("Column appears more than once"))
        # Rows of a sheet with a bad header are not checked: their columns are in doubt.
        if not sheet.missing and not sheet.duplicates:
            sheets.append(sheet)
    return sheets


def _parse_sheet(
    sheet: Sheet,
    stores: dict[str, Store],
    lookups: dict[str, StoreLookups],
    report: ImportReport,
    ticker: _Ticker,
) -> Iterable[Row]:
    table, form = sheet.table, sheet.form
    defaults = form.defaults()
    only_store = next(iter(stores.values())) if len(stores) == 1 else None
    if sheet.store_index is None and only_store is None:
        report.problem(
            table, None, "", "", _("The sheet has no store column; import it with a single --store")
        )
        return
    used = [i for i, _c, _h in sheet.columns]
    if sheet.store_index is not None:
        used.append(sheet.store_index)
    for index in range(sheet.header_index + 1, len(table.rows)):
        ticker.tick()
        cells = table.rows[index]
        if all(is_empty(_cell(cells, i)) for i in used):
            continue
        excel_row = index + 1
        store = only_store
        if sheet.store_index is not None:
            store_header = as_text(table.rows[sheet.header_index][sheet.store_index])
            code = _cell(cells, sheet.store_index)
            if not is_empty(code):
                store = stores.get(as_text(code).lower())
                if store is None:
                    report.problem(
                        table,
                        excel_row,
                        store_header,
                        code,
                        _("The store is not one of those named by --store"),
                    )
                    continue
            elif store is None:
                report.problem(table, excel_row, store_header, "", _("Required value missing"))
                continue
        assert store is not None
        values = dict(defaults)
        good = True
        for i, column, header in sheet.columns:
            raw = _cell(cells, i)
            if is_empty(raw):
                if column.required:
                    report.problem(table, excel_row, header, "", _("Required value missing"))
                    good = False
                continue
            try:
                values[column.attr] = column.kind.parse(raw, lookups[store.code.lower()])
            except Invalid as exc:
                report.problem(table, excel_row, header, raw, exc.reason)
                good = False
        if good:
            yield Row(form, store, values, "")


def _cell(cells: list[object], index: int) -> object:
    return cells[index] if index < len(cells) else None


def _chunks(items: Sequence[Any], size: int = BATCH) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _plan(rows: list[Row], *, lock: bool) -> tuple[list[Any], list[Any], set[str], Counts]:
    """New model rows, changed existing rows (and their changed fields), and the counts."""
    form, store = rows[0].form, rows[0].store
    model = form.model
    existing: dict[str, Any] = {}
    customers: dict[str, int] = {}
    if store.pk:
        keys = sorted({r.key for r in rows})
        # Repeats the condition of the partial unique index, so that the database uses it.
        qs = model.objects.filter(~Q(import_key=""), store=store).order_by()  # type: ignore[attr-defined]
        if lock:
            qs = qs.select_for_update()
        for chunk in _chunks(keys):
            existing.update((obj.import_key, obj) for obj in qs.filter(import_key__in=chunk))
        if form.links_customer:
            phones = sorted({p for r in rows if (p := normalize_phone(r.values.get("phone")))})
            for chunk in _chunks(phones):
                found = Customer.objects.filter(store=store, phone_norm__in=chunk)
                customers.update(found.values_list("phone_norm", "pk"))
    relations = {
        c.attr: f.attname for c in form.columns if (f := model_field(model, c.attr)).is_relation
    }
    counts = Counts()
    new: list[Any] = []
    changed: dict[str, Any] = {}
    fields: set[str] = set()
    planned: set[str] = set()
    for row in rows:
        if row.key in planned:  # the same row in an earlier file of this import
            counts.unchanged += 1
            continue
        planned.add(row.key)
        obj: Any = existing.get(row.key)
        if obj is None:
            obj = model(store=store, import_key=row.key, **form.constants, **row.values)
            if form.links_customer:
                obj.customer_id = customers.get(normalize_phone(row.values.get("phone")))
            if form.derive:
                form.derive(obj)
            new.append(obj)
            counts.new += 1
            continue
        diff = _differences(relations, obj, row.values)
        if not diff:
            counts.unchanged += 1
            continue
        for name in diff:
            setattr(obj, name, row.values[name])
        if form.derive:
            form.derive(obj)
        obj.version += 1
        fields.update(diff, form.derived_fields, ("version",))
        changed[row.key] = obj
        counts.updated += 1
    return new, list(changed.values()), fields, counts


def _differences(relations: dict[str, str], obj: Any, values: dict[str, Any]) -> list[str]:
    """The fields whose value differs; `relations` maps foreign keys to their id attribute."""
    diff = []
    for name, value in values.items():
        attname = relations.get(name)
        if attname is not None:
            if getattr(obj, attname) != (value.pk if value is not None else None):
                diff.append(name)
        elif getattr(obj, name) != value:
            diff.append(name)
    return diff


def _save_new_staff(lookups: StoreLookups) -> None:
    """--create-staff: an active consultant login that cannot log in until given a password."""
    if not lookups.new_staff:
        return
    prefix = f"{lookups.store.code.lower()}."
    taken = set(
        Staff.objects.filter(username__startswith=prefix).values_list("username", flat=True)
    )
    for member in lookups.new_staff.values():
        base = prefix + (re.sub(r"[^\w.@+-]", "", member.full_name)[:100] or "consultant")
        username, n = base, 1
        while username in taken:
            n += 1
            username = f"{base}{n}"
        taken.add(username)
        member.username = username
        member.store = lookups.store  # the store may itself have just been created
        member.set_unusable_password()
        member.save()
