"""The import workflow (`showroom import`, docs/contracts.md): all or nothing, idempotent.

1. read every file and recognize its sheets;
2. parse every row of every sheet, collecting each bad cell as a `Problem`;
3. check what ties the rows together (links.py: cards named by phone, the owner rule);
4. only when there is no problem (and it is not a dry run), write everything in one
   transaction: customer cards first, then the rows that refer to them.
A long sheet that nothing else in the import refers to is written while it is read, and rolled
back if a problem turns up (`_import_streamed`): the same outcome, sooner.
A row is found again by its reference (编号, written by the export: see parsing.Ref), else by
its `import_key` (store, natural fields, occurrence within the file), so that importing an
export or the same file again finds its rows instead of adding them twice; a card without a
reference is found by its normalized phone.
"""

from __future__ import annotations

import functools
import gc
import json
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import zip_longest
from pathlib import Path
from typing import Any, ParamSpec, Protocol

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from showroom.core.statistics import refresh_statistics
from showroom.core.tables import ReadError, Table, as_text, is_empty, read_tables
from showroom.customers.models import Customer
from showroom.exchange import advice, bulk, links
from showroom.exchange.behind import Behind
from showroom.exchange.columns import Form, json_string, model_field
from showroom.exchange.forms import FORMS
from showroom.exchange.links import Written
from showroom.exchange.lookups import StoreLookups, resolve_stores, save_new_staff
from showroom.exchange.parsing import Invalid, check_cell, normalized_phone
from showroom.exchange.readers import Sheet, recognize
from showroom.exchange.report import Counts, ImportReport, Problem, Row
from showroom.exchange.rules import impossible, impossible_rows
from showroom.kpi.freshness import touched as kpi_data_touched
from showroom.organization.models import Staff, Store
from showroom.owners.models import ServiceVisit
from showroom.sales.choices import ActivityKind
from showroom.sales.models import Activity, LossReport, Order, Reactivation
from showroom.sales.spans import refresh as refresh_kept_state
from showroom.traffic.leads.services import route_new_lead
from showroom.traffic.models import Lead

__all__ = ["ImportReport", "Problem", "import_files"]

P = ParamSpec("P")
logger = logging.getLogger(__name__)
BATCH = 500
# Keys per query when finding rows again (one parameter: a JSON array, see _among).
LOOKUP_BATCH = 50_000
_MISSING = object()
PROGRESS_EVERY = 1000
FORM_ORDER = {form.name: i for i, form in enumerate(FORMS)}

# Called now and then with (stage, rows done, rows in all, form of the rows counted last): the
# stage is 'check' (reading the rows), 'compare' (a dry run's comparison with the stored rows)
# or 'write'; a form's rows are reported before the next form's are counted.
Progress = Callable[[str, int, int, str], None]


class Journal(Protocol):
    """Told, inside the import's transaction, what each form's write is about to change
    (`before`) and once it and its links are written (`after`): the import center records it
    so that an import can be undone (exchange/center/journal.py)."""

    def before(self, form: Form, store: Store, written: list[Written]) -> None: ...

    def after(self, form: Form, store: Store, written: list[Written]) -> None: ...


def _paused_collection(function: Callable[P, ImportReport]) -> Callable[P, ImportReport]:
    """Runs `function` without Python's cyclic garbage collector: an import holds hundreds of
    thousands of young objects (cells, rows, instances) that each collection would walk again,
    a third of a large import's time; what it leaves is collected once it is over."""

    @functools.wraps(function)
    def paused(*args: P.args, **kwargs: P.kwargs) -> ImportReport:
        if not gc.isenabled():
            return function(*args, **kwargs)
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            gc.enable()

    return paused


@_paused_collection
def import_files(
    paths: Sequence[Path | str],
    *,
    stores: str,
    create_store: bool = False,
    create_staff: bool = False,
    dry_run: bool = False,
    user: Staff | None = None,
    progress: Progress | None = None,
    journal: Journal | None = None,
) -> ImportReport:
    report = ImportReport(dry_run=dry_run)
    try:
        return _import_files(
            report,
            paths,
            stores=stores,
            create_store=create_store,
            create_staff=create_staff,
            user=user,
            progress=progress,
            journal=journal,
        )
    except IntegrityError as exc:
        # Rows that passed every check and were refused all the same: most likely the same rows
        # written by another import at the same moment. Nothing was written.
        logger.info("import refused by the database: %s", exc)
        report.counts.clear()
        report.problem(
            None,
            None,
            "",
            "",
            _(
                "The database refused these rows (%(error)s): nothing was imported. If the "
                "same rows were being imported at the same moment, import the file again: the "
                "rows written then are found, not added twice."
            )
            % {"error": (str(exc).strip() or type(exc).__name__).splitlines()[0]},
        )
        return report


def _import_files(
    report: ImportReport,
    paths: Sequence[Path | str],
    *,
    stores: str,
    create_store: bool,
    create_staff: bool,
    user: Staff | None,
    progress: Progress | None,
    journal: Journal | None,
) -> ImportReport:
    dry_run = report.dry_run
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
    if (
        not dry_run
        and journal is None
        and not create_staff
        and not report.created_stores
        and len(sheets) == 1
        and len(by_code) == 1
        and total >= STREAM_ROWS
        and _streamable(sheets[0][1].form)
    ):
        number, sheet = sheets[0]
        return _import_streamed(sheet, number, by_code, lookups, report, total, user, progress)
    ticker = _Ticker("check", total, progress)
    rows: list[Row] = []
    for number, sheet in sheets:
        ticker.start(sheet.form.name)
        rows.extend(_parse_sheet(sheet, number, by_code, lookups, report, ticker))
    ticker.finish()
    _Keys()(rows, report)
    if report.ok:
        links.check(rows, report)
        for form in FORMS:
            if form.custom is not None:
                form.custom.check([r for r in rows if r.form is form], report)
    report.rows = len(rows)
    for look in lookups.values():
        report.created_staff.extend(
            (look.store.code, s.full_name, s.roles) for s in look.new_staff.values()
        )
    if not report.ok:
        return report

    groups: dict[tuple[str, str], list[Row]] = defaultdict(list)
    # Cards first, so that the rows referring to them find them; then in workbook order.
    for row in sorted(rows, key=lambda r: (r.form.write_order, FORM_ORDER[r.form.name])):
        groups[row.form.name, row.store.code].append(row)
    if dry_run:
        ticker = _Ticker("compare", len(rows), progress)
        for (form_name, code), group in groups.items():
            ticker.start(form_name)
            custom = group[0].form.custom
            report.counts[form_name, code] = (
                custom.write(group, user=user, dry_run=True)
                if custom is not None
                else _plan(group, lock=False).counts
            )
            ticker.tick(len(group))
        ticker.finish()
        return report
    with transaction.atomic():
        for code in report.created_stores:
            by_code[code.lower()].save()
        for look in lookups.values():
            save_new_staff(look)
        ticker = _Ticker("write", len(rows), progress)
        cards: set[int] = set()
        written_to: dict[str, int] = defaultdict(int)
        for (form_name, code), group in groups.items():
            ticker.start(form_name)
            goal = ticker.done + len(group)
            custom = group[0].form.custom
            store = group[0].store
            if custom is not None:
                # The journal compares the rows such a writer keeps before and after.
                if journal is not None:
                    journal.before(group[0].form, store, [])
                report.counts[form_name, code] = custom.write(group, user=user, dry_run=False)
                if journal is not None:
                    journal.after(group[0].form, store, [])
                ticker.tick(len(group))
                continue
            plan = _plan(group, lock=True)
            written_to[group[0].form.model._meta.db_table] += len(plan.new) + len(plan.changed)
            if journal is not None:
                journal.before(group[0].form, store, plan.written)
            _write(group[0].form, plan, user, ticker)
            cards.update(_funnel_cards(plan))
            if form_name == "customers":
                links.after_cards(plan.written, store, user)
            elif form_name == "orders":
                links.after_orders(plan.written, store)
            elif form_name == "activities":
                links.after_activities(plan.written, store, user)
            elif form_name == "service_visits":
                links.after_service_visits(plan.written, store)
            if journal is not None:
                journal.after(group[0].form, store, plan.written)
            report.counts[form_name, code] = plan.counts
            ticker.tick(goal - ticker.done)  # the rows left unchanged, and the links
        # The bulk writes send no signals: the kept state of the cards they touched.
        refresh_kept_state(customers=cards)
        kpi_data_touched(s.pk for s in by_code.values() if s.pk)
    refresh_statistics(
        table for table, count in written_to.items() if count >= STATISTICS_AFTER_ROWS
    )
    ticker.finish()
    return report


# A table an import wrote this many rows to has its planner statistics refreshed after it.
STATISTICS_AFTER_ROWS = 1000
# A sheet of at least this many rows (of a form `_streamable`, for one store) is written while
# it is read: `_import_streamed`.
STREAM_ROWS = 10_000
# Rows planned and written together when a sheet is written while it is read.
STREAM_PART = 5000
# Forms whose rows other rows of an import refer to, or whose writing is followed by other
# writes (links.after_*, the routing of waiting leads): written only once all is read.
_LINKED = frozenset({"customers", "orders", "activities", "service_visits", "leads"})


def _streamable(form: Form) -> bool:
    return form.custom is None and form.name not in _LINKED


def _import_streamed(
    sheet: Sheet,
    number: int,
    by_code: dict[str, Store],
    lookups: dict[str, StoreLookups],
    report: ImportReport,
    total: int,
    user: Staff | None,
    progress: Progress | None,
) -> ImportReport:
    """One long sheet of one store's walk-ins (or of another form that nothing else in the
    import refers to), written part by part while the rest is still read and prepared: the
    database stores, indexes and checks a part on the other core (`Behind`) while this process
    makes the next ready. The outcome is the same as reading everything first: the rows are
    keyed in the same order, the parts' plans add up to the whole sheet's, and a problem
    anywhere rolls every part back. The foreign keys are checked at the end of each part's
    statement rather than at the commit, so that this is done while the next part is read, not
    after the last."""
    form = sheet.form
    store = next(iter(by_code.values()))
    for look in lookups.values():
        look.load()  # the reading does not use the connection while the writer does
    check = _Ticker("check", total, progress)
    write = _Ticker("write", total, progress)
    sent = _Ticker("write", total, None)  # counted in the writer's thread
    keys = _Keys()
    rows: list[Row] = []
    planned: set[str] = set()
    counts = Counts()
    cards: set[int] = set()
    written = 0
    postgresql = connection.vendor == "postgresql"
    with transaction.atomic():
        stored = _StoredRows(form, store)
        behind = Behind(name="import-writer")
        stored.behind = behind

        def hand(part: list[Row]) -> None:
            nonlocal written
            if not part:
                return
            plan = _plan(part, lock=True, planned=planned, look_up=stored)
            for name in ("new", "updated", "unchanged"):
                setattr(counts, name, getattr(counts, name) + getattr(plan.counts, name))
            cards.update(_funnel_cards(plan))
            written += len(plan.new) + len(plan.changed)
            out = bulk.prepare(plan.new, form.model, user=user, reason=REASON)
            # From here on the plan is the writer's.
            behind.do(functools.partial(_send, form, plan, out, user, sent))

        def waiting() -> None:
            if report.ok:  # rows with problems: nothing is written in the end
                write.tick(sent.done - write.done)

        try:
            if postgresql:
                behind.do(functools.partial(_constraints, "IMMEDIATE"))
            check.start(form.name)
            keyed = handed = 0
            for row in _parse_sheet(sheet, number, by_code, lookups, report, check):
                rows.append(row)
                if len(rows) - keyed >= PROGRESS_EVERY:
                    keys(rows[keyed:], report)
                    keyed = len(rows)
                    if report.ok and keyed - handed >= STREAM_PART:
                        hand(rows[handed:keyed])
                        handed = keyed
            keys(rows[keyed:], report)
            if report.ok:
                hand(rows[handed:])
            check.finish()
            if report.ok:
                write.total = len(rows)
                write.start(form.name)
            if postgresql:
                behind.do(functools.partial(_constraints, "DEFERRED"))
        except BaseException:
            behind.cancel()  # the rollback comes next
            raise
        behind.close(waiting)
        report.rows = len(rows)
        if report.ok:
            links.check(rows, report)
        if not report.ok:
            transaction.set_rollback(True)
            return report
        waiting()
        report.counts[form.name, store.code] = counts
        # The bulk writes send no signals: the kept state of the cards they touched.
        refresh_kept_state(customers=cards)
        kpi_data_touched([store.pk])
    if written >= STATISTICS_AFTER_ROWS:
        refresh_statistics([form.model._meta.db_table])
    write.finish()
    return report


def _constraints(mode: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SET CONSTRAINTS ALL {mode}")


class _StoredRows:
    """A streamed sheet's look-up (`LookUp`): the keys of the store's stored rows and its
    cards' phones are read once, before the sheet; a part that finds stored rows by key or by
    reference has them loaded (and locked) by the writer, once it is through what it was
    handed before."""

    behind: Behind

    def __init__(self, form: Form, store: Store) -> None:
        rows = _rows_of_store(form, store, keyed=True)
        self.keys: dict[str, int] = dict(rows.values_list(form.key_field, "pk"))
        self.cards: dict[str, int] = dict(
            Customer.objects.filter(store=store)
            .exclude(phone_norm="")
            .values_list("phone_norm", "pk")
        )

    def __call__(
        self,
        form: Form,
        store: Store,
        keys: list[str],
        pks: list[int],
        phones: list[str],
        lock: bool,
    ) -> Stored:
        by_key = [self.keys[key] for key in keys if key in self.keys]
        found = Stored(customers={p: self.cards[p] for p in phones if p in self.cards})
        if not by_key and not pks:
            return found
        wanted = sorted(set(by_key).union(pks))
        loaded = self.behind.call(functools.partial(_load, form, store, wanted, lock))
        named, ref = set(pks), form.ref
        for obj in loaded:
            key = getattr(obj, form.key_field)
            if key in self.keys and key:
                found.existing[key] = obj
            if obj.pk in named:
                found.by_ref[ref.of(obj)] = obj
        return found


def _funnel_cards(plan: Plan) -> set[int]:
    """The cards whose kept state a plan's written rows may change: prospect spans (orders,
    losses, re-activations; sales.spans) and owner spans (orders, service visits, owner care;
    owners.spans)."""
    found: set[int] = set()
    # A plan's rows are of one model: walk-ins, calls and leads change no card's spans.
    if not plan.written or not isinstance(plan.written[0].obj, _FUNNEL_MODELS):
        return found
    for written in plan.written:
        obj = written.obj
        if isinstance(obj, Customer):
            found.add(obj.pk)
        elif isinstance(obj, Order | LossReport | Reactivation | ServiceVisit) or (
            isinstance(obj, Activity) and _owner_care(obj, written.before)
        ):
            found.add(obj.customer_id)
            moved_from = (written.before or {}).get("customer")
            if moved_from is not None:
                found.add(getattr(moved_from, "pk", moved_from))
    return found


_FUNNEL_MODELS = (Customer, Order, LossReport, Reactivation, ServiceVisit, Activity)


def _owner_care(activity: Activity, before: dict[str, Any] | None) -> bool:
    return ActivityKind.OWNER_CARE in (activity.kind, (before or {}).get("kind"))


_Identity = tuple[str, Callable[[Any], str], dict[Any, tuple[str, str]]]


class _Keys:
    """Each row's key: a card's normalized phone; else its import_key. Identical rows within a
    file are distinct parties (walk-ins, orders…); across files, the same one. Forms that are
    `unique` (one card per phone, one lead per phone and moment) reject a second row in a file
    and a different row with the same key in another file. Rows handed over in parts, in
    order, get the keys they would get handed over at once."""

    def __init__(self) -> None:
        self.occurrences: dict[tuple[Any, ...], int] = defaultdict(int)
        self.first: dict[tuple[Any, ...], Row] = {}
        # By form: each identity column's attribute, key function, and each distinct value's part
        # of the natural key (form.natural_key) with that part written as JSON, worked out once.
        self.known_of: dict[str, list[_Identity]] = {}
        self.key_of_store: dict[tuple[str, str], Callable[[Sequence[str], int], str]] = {}

    def __call__(self, rows: list[Row], report: ImportReport) -> None:
        start = 0
        while start < len(rows):  # a run of rows of one form at a time (a sheet's rows)
            form = rows[start].form
            end = start + 1
            while end < len(rows) and rows[end].form is form:
                end += 1
            run = rows[start:end]
            start = end
            identity = self.known_of.get(form.name)
            if identity is None:
                identity = self.known_of[form.name] = [
                    (c.attr, c.kind.key, {}) for c in form.columns if c.identity
                ]
            part_columns = []
            text_columns = []
            for attr, key_of, known in identity:
                values = [row.values[attr] for row in run]
                try:
                    for value in set(values).difference(known):
                        part = key_of(value)
                        known[value] = part, json_string(part)
                    pairs = list(map(known.__getitem__, values))
                except TypeError:  # a value that cannot be hashed
                    pairs = [(part, json_string(part)) for part in map(key_of, values)]
                part_columns.append([part for part, _text in pairs])
                text_columns.append([text for _part, text in pairs])
            naturals = list(zip(*part_columns, strict=True)) if part_columns else [()] * len(run)
            texts = list(zip(*text_columns, strict=True)) if text_columns else [()] * len(run)
            for row, natural, encoded in zip(run, naturals, texts, strict=True):
                code = row.store.code
                if form.unique:
                    seen = self.first.setdefault((form.name, code, natural), row)
                    if seen is not row and (seen.file == row.file or _differ(seen, row)):
                        column = next(c.name for c in form.columns if c.identity)
                        row.problem(
                            report,
                            column,
                            _("The same as row %(row)d of %(file)s: only one row is allowed")
                            % {"row": seen.number, "file": _file_name(seen)},
                        )
                counter = (row.file, form.name, code, natural)
                self.occurrences[counter] += 1
                if form.key_field == "import_key":
                    make = self.key_of_store.get((form.name, code))
                    if make is None:
                        make = self.key_of_store[form.name, code] = form.import_key_of(code)
                    row.key = make(encoded, self.occurrences[counter])
                else:
                    row.key = "".join(natural)


def _differ(a: Row, b: Row) -> bool:
    def shown(row: Row) -> dict[str, Any]:
        return {k: getattr(v, "pk", v) for k, v in row.values.items() if k in row.given}

    return shown(a) != shown(b)


def _file_name(row: Row) -> str:
    if row.sheet is None:
        return ""
    table = row.sheet.table
    return Path(table.file).name if table.is_csv else f"{Path(table.file).name}「{table.sheet}」"


class _Ticker:
    """Reports progress every PROGRESS_EVERY rows, at the end of each form's rows, and once at
    the end."""

    def __init__(self, stage: str, total: int, progress: Progress | None) -> None:
        self.stage, self.total, self.progress = stage, total, progress
        self.done = self.reported = 0
        self.form = ""

    def start(self, form: str) -> None:
        """The rows counted from now on are `form`'s. The stage's start is reported too: its
        first rows may take a while (a long form's comparison with the stored rows)."""
        if form != self.form:
            self.finish()
            first = not self.form
            self.form = form
            if first and self.progress:
                self.progress(self.stage, self.done, self.total, form)

    def tick(self, n: int = 1) -> None:
        self.done += n
        if self.progress and self.done - self.reported >= PROGRESS_EVERY:
            self.reported = self.done
            self.progress(self.stage, self.done, self.total, self.form)

    def finish(self) -> None:
        if self.progress and self.reported != self.done:
            self.reported = self.done
            self.progress(self.stage, self.done, self.total, self.form)


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
    number: int,
    stores: dict[str, Store],
    lookups: dict[str, StoreLookups],
    report: ImportReport,
    ticker: _Ticker,
) -> Iterable[Row]:
    """The sheet's good rows, a block of rows at a time: each block is read a column at a
    time (`_SheetReader.block`); a block with any bad cell or row is read again row by row
    (`_SheetReader.one_by_one`), which reports its problems in the order a reader expects."""
    table = sheet.table
    only_store = next(iter(stores.values())) if len(stores) == 1 else None
    if sheet.store_index is None and only_store is None:
        report.problem(table, None, "", "", advice.no_store_column())
        return
    reader = _SheetReader(sheet, number, stores, only_store, lookups, report)
    index, end = sheet.header_index + 1, len(table.rows)
    while index < end:
        # Blocks end where the progress is reported, so that it moves as it did row by row.
        size = PROGRESS_EVERY - (ticker.done - ticker.reported) % PROGRESS_EVERY
        stop = min(end, index + size)
        found = reader.block(index, stop)
        if found is None:
            for row_index in range(index, stop):
                ticker.tick()
                yield from reader.one_by_one(row_index)
        else:
            ticker.tick(stop - index)
            yield from found
        index = stop


# An empty cell in the parsed values of a column (its value is the column's default).
_EMPTY = object()


class _SheetReader:
    """Reads the rows of one sheet; what a column does and each distinct cell's value (by
    store) are worked out once for the whole sheet."""

    def __init__(
        self,
        sheet: Sheet,
        number: int,
        stores: dict[str, Store],
        only_store: Store | None,
        lookups: dict[str, StoreLookups],
        report: ImportReport,
    ) -> None:
        self.sheet, self.number, self.stores, self.only_store = sheet, number, stores, only_store
        self.lookups, self.report = lookups, report
        self.table, self.form = sheet.table, sheet.form
        self.defaults = self.form.defaults()
        self.used = [i for i, _c, _h in sheet.columns]
        if sheet.store_index is not None:
            self.used.append(sheet.store_index)
        self.columns = [
            (i, header, column.attr, column.kind.parse, column.required)
            for i, column, header in sheet.columns
        ]
        self.limit = settings.IMPORT_MAX_CELL_CHARS
        self.now_of: dict[str, datetime] = {}
        # Each store's parsed cells, by column: the value, an Invalid or _EMPTY, by cell (a
        # text cell by itself, any other by (type, value): 1.0 is not "1", True is not 1).
        self.memo: dict[str, list[dict[Any, Any]]] = defaultdict(
            lambda: [{} for _c in self.columns]
        )
        self.store_header = ""
        if sheet.store_index is not None:
            self.store_header = as_text(self.table.rows[sheet.header_index][sheet.store_index])

    def now(self, key: str, store: Store) -> datetime:
        found = self.now_of.get(key)
        if found is None:
            found = self.now_of[key] = store.now()
        return found

    def block(self, begin: int, end: int) -> list[Row] | None:
        """The good rows of table.rows[begin:end], read a column at a time; None when one
        of them has a problem (nothing is reported: `one_by_one` reports it)."""
        part = self.table.rows[begin:end]
        size = len(part)
        cells = list(zip_longest(*part))  # by column, short rows made up with None
        nothing = (None,) * size

        def column(i: int) -> Sequence[Any]:
            return cells[i] if i < len(cells) else nothing

        # Blank rows (every cell of the form's columns empty) are skipped, as row by row.
        blank: set[int] | None = None
        for i in self.used:
            empty = {c for c in set(column(i)) if is_empty(c)}
            found = {j for j, c in enumerate(column(i)) if c in empty} if empty else set()
            blank = found if blank is None else blank & found
            if not blank:
                break
        keep = [j for j in range(size) if j not in blank] if blank else range(size)
        by_store: dict[str, list[int]] = {}
        if self.sheet.store_index is None:
            assert self.only_store is not None
            by_store[self.only_store.code.lower()] = list(keep)
        else:
            codes = column(self.sheet.store_index)
            found_store: dict[Any, str | None] = {}
            for j in keep:
                code = codes[j]
                key = found_store.get(code, "")
                if key == "":
                    if is_empty(code):
                        store = self.only_store
                    else:
                        store = self.stores.get(as_text(code).lower())
                    key = found_store[code] = store.code.lower() if store else None
                if key is None:
                    return None  # an unknown store, or none
                by_store.setdefault(key, []).append(j)
        rows: list[tuple[int, Row]] = []
        for key, indices in by_store.items():
            found_rows = self._store_rows(key, indices, column, begin)
            if found_rows is None:
                return None
            rows.extend(found_rows)
        if len(by_store) > 1:
            rows.sort(key=lambda item: item[0])
        return [row for _j, row in rows]

    def _store_rows(
        self,
        key: str,
        indices: list[int],
        column: Callable[[int], Sequence[Any]],
        begin: int,
    ) -> list[tuple[int, Row]] | None:
        if not indices:
            return []
        store = self.stores.get(key) or self.only_store
        assert store is not None
        lookup = self.lookups[key]
        size = len(indices)
        pick = (lambda cells: [cells[j] for j in indices]) if size != len(column(0)) else list
        attrs: list[str] = []
        raw_columns: list[list[Any]] = []
        value_columns: dict[str, list[Any]] = {}
        empty_at: dict[str, list[int]] = {}
        for (i, _header, attr, parse, required), parsed in zip(
            self.columns, self.memo[key], strict=True
        ):
            raws = pick(column(i))
            types = set(map(type, raws))
            keys = raws if types <= {str, type(None)} else [_cell_key(c) for c in raws]
            for cell in set(keys).difference(parsed):
                # Each distinct cell checked and parsed once, the same for every row with it.
                raw = cell[1] if type(cell) is tuple else cell
                if is_empty(raw):
                    parsed[cell] = _EMPTY
                    continue
                try:
                    check_cell(raw, self.limit)
                    parsed[cell] = parse(raw, lookup)
                except Invalid as exc:
                    parsed[cell] = exc
            outcomes = [parsed[cell] for cell in set(keys)]
            if any(isinstance(value, Invalid) for value in outcomes):
                return None
            values = list(map(parsed.__getitem__, keys))
            empties: list[int] = []
            if any(value is _EMPTY for value in outcomes):
                empties = [j for j, value in enumerate(values) if value is _EMPTY]
            if empties:
                if required:
                    return None
                default = self.defaults[attr]
                for j in empties:
                    values[j] = default
                empty_at[attr] = empties
            attrs.append(attr)
            raw_columns.append(raws)
            value_columns[attr] = values
        form, defaults, sheet, number = self.form, self.defaults, self.sheet, self.number
        names = list(defaults)
        ordered = [value_columns.get(name) or [defaults[name]] * size for name in names]
        if impossible_rows(
            form.name, dict(zip(names, ordered, strict=True)), store, self.now(key, store)
        ):
            return None
        given = set(attrs)
        rows: list[tuple[int, Row]] = []
        excel_rows = [begin + j + 1 for j in indices]
        for j, row_values, raw_cells, excel_row in zip(
            indices,
            (dict(zip(names, t, strict=True)) for t in zip(*ordered, strict=True)),
            (dict(zip(attrs, t, strict=True)) for t in zip(*raw_columns, strict=True)),
            excel_rows,
            strict=True,
        ):
            row = Row(form, store, row_values, "", set(given), raw_cells, sheet, excel_row, number)
            rows.append((j, row))
        for attr, empties in empty_at.items():
            for position in empties:
                row = rows[position][1]
                row.given.discard(attr)
                del row.raw[attr]
        if form.row_check:
            for _j, row in rows:
                if form.row_check(row.values, row.given):
                    return None
        return rows

    def one_by_one(self, index: int) -> Iterable[Row]:
        """Table row `index`, if good; its problems reported, cell by cell, if not."""
        table, form, report = self.table, self.form, self.report
        cells = table.rows[index]
        width = len(cells)
        if all(i >= width or is_empty(cells[i]) for i in self.used):
            return
        excel_row = index + 1
        store = self.only_store
        if self.sheet.store_index is not None:
            code = _cell(cells, self.sheet.store_index)
            if not is_empty(code):
                store = self.stores.get(as_text(code).lower())
                if store is None:
                    report.problem(
                        table,
                        excel_row,
                        self.store_header,
                        code,
                        advice.other_store(", ".join(s.code for s in self.stores.values())),
                    )
                    return
            elif store is None:
                report.problem(table, excel_row, self.store_header, "", _("Required value missing"))
                return
        assert store is not None
        key = store.code.lower()
        lookup = self.lookups[key]
        row = Row(
            form,
            store,
            dict(self.defaults),
            "",
            sheet=self.sheet,
            number=excel_row,
            file=self.number,
        )
        values, given, raws = row.values, row.given, row.raw
        good = True
        for (i, header, attr, parse, required), parsed in zip(
            self.columns, self.memo[key], strict=True
        ):
            raw = cells[i] if i < width else None
            if raw is None or (type(raw) is str and not raw.strip()):
                if required:
                    report.problem(table, excel_row, header, "", _("Required value missing"))
                    good = False
                continue
            raws[attr] = raw
            cell = _cell_key(raw)
            value = parsed.get(cell, _MISSING)
            if value is _MISSING:
                try:
                    check_cell(raw, self.limit)
                    value = parse(raw, lookup)
                except Invalid as exc:
                    value = exc
                parsed[cell] = value
            if isinstance(value, Invalid):
                report.problem(table, excel_row, header, raw, value.reason)
                good = False
                continue
            values[attr] = value
            given.add(attr)
        if good and form.row_check:
            for name, reason in form.row_check(row.values, row.given):
                row.problem(report, name, reason)
                good = False
        if good:
            for name, reason in impossible(form.name, row.values, store, self.now(key, store)):
                row.problem(report, name, reason)
                good = False
        if good:
            yield row


def _cell_key(raw: object) -> object:
    return raw if type(raw) is str else (type(raw), raw)


def _cell(cells: list[object], index: int) -> object:
    return cells[index] if index < len(cells) else None


def _chunks(items: Sequence[Any], size: int = BATCH) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class Plan:
    new: list[Any] = field(default_factory=list)
    changed: list[Any] = field(default_factory=list)
    fields: set[str] = field(default_factory=set)
    counts: Counts = field(default_factory=Counts)
    written: list[Written] = field(default_factory=list)


@dataclass
class Stored:
    """What a group's rows find in the database."""

    existing: dict[str, Any] = field(default_factory=dict)  # stored rows by key
    by_ref: dict[str, Any] = field(default_factory=dict)  # stored rows by reference (编号)
    customers: dict[str, int] = field(default_factory=dict)  # card ids by normalized phone


# (form, store, the rows' keys, the primary keys their references name, their normalized
# phones, whether to lock the rows found) -> what they find.
LookUp = Callable[[Form, Store, list[str], list[int], list[str], bool], Stored]


def _rows_of_store(form: Form, store: Store, *, lock: bool = False, keyed: bool = False) -> Any:
    """The store's rows of `form` (locked for the import's transaction with `lock`); with
    `keyed`, only those a key can find."""
    rows = form.model.objects.filter(store=store).order_by()  # type: ignore[attr-defined]
    if lock:
        rows = rows.select_for_update()
    if keyed and form.key_field == "import_key":
        # Repeats the condition of the partial unique index, so that the database uses it.
        rows = rows.filter(~Q(import_key=""))
    return rows


def _load(form: Form, store: Store, pks: list[int], lock: bool) -> list[Any]:
    """The store's rows of `form` with these primary keys."""
    rows = _rows_of_store(form, store, lock=lock)
    found: list[Any] = []
    # As many keys a statement as the database takes (a part's keys in one on PostgreSQL).
    size = min(connection.features.max_query_params or STREAM_PART, STREAM_PART)
    for chunk in _chunks(pks, size):
        found.extend(bulk.loaded(rows.filter(pk__in=chunk)))
    return found


def _look_up(
    form: Form, store: Store, keys: list[str], pks: list[int], phones: list[str], lock: bool
) -> Stored:
    found = Stored()
    model = form.model
    keyed = _rows_of_store(form, store, lock=lock, keyed=True)
    for chunk in _chunks(keys, LOOKUP_BATCH):
        loaded = bulk.loaded(keyed.filter(_among(model, form.key_field, chunk)))
        found.existing.update((getattr(obj, form.key_field), obj) for obj in loaded)
    found.by_ref.update((form.ref.of(obj), obj) for obj in _load(form, store, pks, lock))
    for chunk in _chunks(phones, LOOKUP_BATCH):
        cards = Customer.objects.filter(_among(Customer, "phone_norm", chunk), store=store)
        found.customers.update(cards.values_list("phone_norm", "pk"))
    return found


def _plan(
    rows: list[Row],
    *,
    lock: bool,
    planned: set[str] | None = None,
    look_up: LookUp = _look_up,
) -> Plan:
    """New model rows, changed existing rows (and their changed fields), and the counts.
    `planned` holds the rows planned already (their keys, or "pk:" and the primary key of those
    found): the plans of a group's parts, one after the other, with one `planned`, add up to
    the plan of the whole group. `look_up` finds the stored rows and cards."""
    form, store = rows[0].form, rows[0].store
    model = form.model
    phone_column = form.customer_column or ("phone" if form.links_customer else "")
    phone_attr = form.column(phone_column).attr if phone_column else ""
    # Each distinct phone of the rows normalized once.
    normalized: dict[Any, str] = {}
    if phone_attr:
        normalized = {p: normalized_phone(p) for p in {r.values.get(phone_attr) for r in rows}}
    stored = Stored()
    if store.pk:
        # A row's reference (编号) finds it first, whatever its content has become since.
        ref = form.ref
        stored = look_up(
            form,
            store,
            sorted({r.key for r in rows}),
            sorted({pk for r in rows if (pk := ref.pk(r.values.get("ref") or "")) is not None}),
            sorted({p for p in normalized.values() if p}) if phone_attr else [],
            lock,
        )
    existing, by_ref, customers = stored.existing, stored.by_ref, stored.customers
    relations = {
        attr: f.attname for attr in form.stored if (f := model_field(model, attr)).is_relation
    }
    plan = Plan()
    changed: dict[str, Any] = {}
    if planned is None:
        planned = set()
    new_rows: list[Row] = []
    new_at: list[int] = []  # where each new row's Written goes in plan.written
    for row in rows:
        obj: Any = by_ref.get(row.values.get("ref") or "") if by_ref else None
        if obj is None:
            obj = existing.get(row.key)
        seen = f"pk:{obj.pk}" if obj is not None else row.key
        if seen in planned:  # the same row in an earlier file of this import
            plan.counts.unchanged += 1
            continue
        planned.add(seen)
        if obj is None:
            new_at.append(len(plan.written))
            plan.written.append(None)  # type: ignore[arg-type]
            new_rows.append(row)
            continue
        values = row.stored_values(only_given=form.sparse)
        diff = _differences(relations, obj, values)
        if not diff:
            plan.counts.unchanged += 1
            plan.written.append(Written(row, obj, {}))
            continue
        before = {name: getattr(obj, relations.get(name, name)) for name in diff}
        for name in diff:
            setattr(obj, name, values[name])
        if form.derive:
            form.derive(obj)
        plan.fields.update(diff, form.derived_fields)
        if form.has_version:
            obj.version += 1
            plan.fields.add("version")
        changed[seen] = obj
        plan.counts.updated += 1
        plan.written.append(Written(row, obj, before))
    plan.changed = list(changed.values())
    if new_rows:
        customer_ids: list[int | None] | None = None
        if phone_attr:
            customer_ids = [customers.get(normalized[r.values.get(phone_attr)]) for r in new_rows]
        plan.new = _new_objects(form, store, new_rows, customer_ids, relations)
        plan.counts.new = len(plan.new)
        for at, row, obj in zip(new_at, new_rows, plan.new, strict=True):
            plan.written[at] = Written(row, obj, None)
    return plan


def _among(model: Any, name: str, values: Sequence[str]) -> Q:
    """Rows whose text field `name` is one of `values`, with `values` as one parameter instead
    of one parameter each (a lookup of thousands of keys is then one short statement): on
    PostgreSQL an array constant (`= ANY`, probed in the index, or hashed), on SQLite a JSON
    array read by json_each."""
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        column = f"{quote(model._meta.db_table)}.{quote(str(model_field(model, name).column))}"
        array = ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)
        condition = RawSQL(f"{column} = ANY(%s::text[])", ["{" + array + "}"], BooleanField())
        return Q(condition)
    if connection.vendor == "sqlite":
        listed = RawSQL("SELECT value FROM json_each(%s)", [json.dumps(list(values))])
        return Q(**{f"{name}__in": listed})
    return Q(**{f"{name}__in": values})


def _new_objects(
    form: Form,
    store: Store,
    rows: list[Row],
    customer_ids: list[int | None] | None,
    relations: dict[str, str],
) -> list[Any]:
    """The unsaved model rows of new `rows`, their values gathered a column at a time."""
    model = form.model
    # Waiting leads are routed, and so saved again, right after their insert.
    build = bulk.Builder(model, signals=model is Lead)
    # A new row's values by attname, foreign keys as their primary key (model(**values) would
    # run each related descriptor for every row); the instances go to the related cache.
    fixed, fixed_related = _by_attname(model, {"store": store, **form.constants})
    names: list[str] = []
    columns: list[list[Any]] = []
    related_names: list[str] = []
    related_columns: list[list[Any]] = []
    for attr in form.stored:
        column = [row.values[attr] for row in rows]
        attname = relations.get(attr)
        if attname is None:
            names.append(attr)
            columns.append(column)
            continue
        names.append(attname)
        # A few distinct instances (the store's staff, its sources): each one's key read once.
        keys = {id(value): value.pk if value is not None else None for value in column}
        columns.append([keys[id(value)] for value in column])
        related_names.append(attr)
        related_columns.append(column)
    if form.key_field == "import_key":
        names.append("import_key")
        columns.append([row.key for row in rows])
    if customer_ids is not None:
        names.append("customer_id")
        columns.append(customer_ids)
    related_rows: Iterable[Sequence[Any]] = (
        zip(*related_columns, strict=True) if related_columns else [()] * len(rows)
    )
    objs = build.many(
        fixed, names, zip(*columns, strict=True), fixed_related, related_names, related_rows
    )
    if form.derive:
        for obj in objs:
            form.derive(obj)
    return objs


def _by_attname(model: Any, values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """`values` by model attribute as (values by attname, related instances by field name)."""
    relations = {name: f.attname for name in values if (f := model_field(model, name)).is_relation}
    plain: dict[str, Any] = {}
    related: dict[str, Any] = {}
    for name, value in values.items():
        attname = relations.get(name)
        if attname is None:
            plain[name] = value
        else:
            plain[attname] = value.pk if value is not None else None
            related[name] = value
    return plain, related


# The change reason of the history rows an import writes.
REASON = "import"


def _write(form: Form, plan: Plan, user: Staff | None, ticker: _Ticker) -> None:
    out = bulk.prepare(plan.new, form.model, user=user, reason=REASON)
    _send(form, plan, out, user, ticker)


def _send(form: Form, plan: Plan, out: bulk.Outgoing, user: Staff | None, ticker: _Ticker) -> None:
    """Writes a plan whose new rows `bulk.prepare` made ready (`out`)."""
    bulk.send(out, written=ticker.tick)
    if plan.new and form.model is Lead:
        _route_waiting_leads(plan.new, user)
    history = hasattr(form.model._meta, "simple_history_manager_attribute")
    for part in _chunks(plan.changed, PROGRESS_EVERY):
        if history:
            bulk_update_with_history(
                list(part),
                form.model,
                sorted(plan.fields),
                batch_size=BATCH,
                default_user=user,
                default_change_reason=REASON,
            )
        else:  # no history kept
            form.model.objects.bulk_update(  # type: ignore[attr-defined]
                list(part), sorted(plan.fields), batch_size=BATCH
            )
        ticker.tick(len(part))


def _route_waiting_leads(leads: list[Any], user: Staff | None) -> None:
    """Imported leads nobody owns and nobody has contacted yet go to the lead desk's agents
    by the store's rule, one after the other (round robin), as if they had just arrived."""
    for lead in leads:
        if lead.pk and lead.assigned_to_id is None and lead.first_contact_at is None:
            route_new_lead(lead, user=user)


def _differences(relations: dict[str, str], obj: Any, values: dict[str, Any]) -> list[str]:
    """The fields whose value differs; `relations` maps foreign keys to their id attribute."""
    diff = []
    for name, value in values.items():
        attname = relations.get(name)
        if attname is not None:
            if getattr(obj, attname) != (value.pk if value is not None else None):
                diff.append(name)
        elif not _same(getattr(obj, name), value):
            diff.append(name)
    return diff


def _same(stored: Any, value: Any) -> bool:
    if stored == value:  # most values of a row found again: one comparison
        return True
    # A sheet holds a moment to the second: the fraction of a second it cannot hold (a lead
    # received through the API) is no change.
    if isinstance(stored, datetime) and isinstance(value, datetime):
        return abs(stored - value) < timedelta(seconds=1)
    return False
