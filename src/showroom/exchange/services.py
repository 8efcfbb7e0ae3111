"""The import workflow (`showroom import`, docs/contracts.md): all or nothing, idempotent.

1. read every file and recognize its sheets;
2. parse every row of every sheet, collecting each bad cell as a `Problem`;
3. check what ties the rows together (links.py: cards named by phone, the owner rule);
4. only when there is no problem (and it is not a dry run), write everything in one
   transaction: customer cards first, then the rows that refer to them.
A row is found again by its reference (编号, written by the export: see parsing.Ref), else by
its `import_key` (store, natural fields, occurrence within the file), so that importing an
export or the same file again finds its rows instead of adding them twice; a card without a
reference is found by its normalized phone.
"""

from __future__ import annotations

import functools
import gc
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, ParamSpec, Protocol

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from showroom.core.tables import ReadError, Table, as_text, is_empty, read_tables
from showroom.customers.models import Customer
from showroom.customers.phones import normalize_phone
from showroom.exchange import advice, bulk, links
from showroom.exchange.columns import Form, model_field
from showroom.exchange.forms import FORMS
from showroom.exchange.links import Written
from showroom.exchange.lookups import StoreLookups, resolve_stores, save_new_staff
from showroom.exchange.parsing import Invalid, check_cell
from showroom.exchange.readers import Sheet, recognize
from showroom.exchange.report import Counts, ImportReport, Problem, Row
from showroom.exchange.rules import impossible
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
BATCH = 500
# Keys per query when finding rows again (SQLite takes 32,766 parameters, PostgreSQL more).
LOOKUP_BATCH = 5000
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
    for number, sheet in sheets:
        ticker.start(sheet.form.name)
        rows.extend(_parse_sheet(sheet, number, by_code, lookups, report, ticker))
    ticker.finish()
    _key_rows(rows, report)
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
        ticker.finish()
    return report


def _funnel_cards(plan: Plan) -> set[int]:
    """The cards whose kept state a plan's written rows may change: prospect spans (orders,
    losses, re-activations; sales.spans) and owner spans (orders, service visits, owner care;
    owners.spans)."""
    found: set[int] = set()
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


def _owner_care(activity: Activity, before: dict[str, Any] | None) -> bool:
    return ActivityKind.OWNER_CARE in (activity.kind, (before or {}).get("kind"))


def _key_rows(rows: list[Row], report: ImportReport) -> None:
    """Each row's key: a card's normalized phone; else its import_key. Identical rows within a
    file are distinct parties (walk-ins, orders…); across files, the same one. Forms that are
    `unique` (one card per phone, one lead per phone and moment) reject a second row in a file
    and a different row with the same key in another file."""
    occurrences: dict[tuple[Any, ...], int] = defaultdict(int)
    first: dict[tuple[Any, ...], Row] = {}
    keys: dict[str, list[tuple[str, Callable[[Any], str], dict[Any, str]]]] = {}
    for row in rows:
        form = row.form
        # form.natural_key, each distinct value's part worked out once.
        parts_of = keys.get(form.name)
        if parts_of is None:
            parts_of = keys[form.name] = [
                (c.attr, c.kind.key, {}) for c in form.columns if c.identity
            ]
        parts = []
        for attr, key_of, known in parts_of:
            value = row.values[attr]
            try:
                part = known[value]
            except KeyError:
                part = known[value] = key_of(value)
            except TypeError:  # not hashable
                part = key_of(value)
            parts.append(part)
        natural = tuple(parts)
        if form.unique:
            seen = first.setdefault((form.name, row.store.code, natural), row)
            if seen is not row and (seen.file == row.file or _differ(seen, row)):
                identity = next(c.name for c in form.columns if c.identity)
                row.problem(
                    report,
                    identity,
                    _("The same as row %(row)d of %(file)s: only one row is allowed")
                    % {"row": seen.number, "file": _file_name(seen)},
                )
        counter = (row.file, form.name, row.store.code, natural)
        occurrences[counter] += 1
        if form.key_field == "import_key":
            row.key = form.import_key(row.store.code, natural, occurrences[counter])
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
    table, form = sheet.table, sheet.form
    defaults = form.defaults()
    only_store = next(iter(stores.values())) if len(stores) == 1 else None
    if sheet.store_index is None and only_store is None:
        report.problem(table, None, "", "", advice.no_store_column())
        return
    used = [i for i, _c, _h in sheet.columns]
    if sheet.store_index is not None:
        used.append(sheet.store_index)
    # Read once for all rows: what each column does, and each store's names and moment.
    columns = [
        (i, header, column.attr, column.kind.parse, column.required)
        for i, column, header in sheet.columns
    ]
    limit = settings.IMPORT_MAX_CELL_CHARS
    now_of: dict[str, datetime] = {}
    # Each store's parsed cells, by column: value or Invalid by cell.
    memo: dict[str, list[dict[Any, Any]]] = defaultdict(lambda: [{} for _c in columns])
    rows = table.rows
    store_header = ""
    if sheet.store_index is not None:
        store_header = as_text(rows[sheet.header_index][sheet.store_index])
    for index in range(sheet.header_index + 1, len(rows)):
        ticker.tick()
        cells = rows[index]
        width = len(cells)
        if all(i >= width or is_empty(cells[i]) for i in used):
            continue
        excel_row = index + 1
        store = only_store
        if sheet.store_index is not None:
            code = _cell(cells, sheet.store_index)
            if not is_empty(code):
                store = stores.get(as_text(code).lower())
                if store is None:
                    report.problem(
                        table,
                        excel_row,
                        store_header,
                        code,
                        advice.other_store(", ".join(s.code for s in stores.values())),
                    )
                    continue
            elif store is None:
                report.problem(table, excel_row, store_header, "", _("Required value missing"))
                continue
        assert store is not None
        key = store.code.lower()
        lookup = lookups[key]
        row = Row(form, store, dict(defaults), "", sheet=sheet, number=excel_row, file=number)
        values, given, raws = row.values, row.given, row.raw
        good = True
        seen = memo[key]
        for (i, header, attr, parse, required), parsed in zip(columns, seen, strict=True):
            raw = cells[i] if i < width else None
            if raw is None or (type(raw) is str and not raw.strip()):
                if required:
                    report.problem(table, excel_row, header, "", _("Required value missing"))
                    good = False
                continue
            raws[attr] = raw
            # A cell is checked and parsed once per distinct value (and type: 1.0 is not
            # "1"), the same for every row that holds it.
            cell = raw if type(raw) is str else (type(raw), raw)
            value = parsed.get(cell, _MISSING)
            if value is _MISSING:
                try:
                    check_cell(raw, limit)
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
            if key not in now_of:
                now_of[key] = store.now()
            for name, reason in impossible(form.name, row.values, store, now_of[key]):
                row.problem(report, name, reason)
                good = False
        if good:
            yield row


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


def _plan(rows: list[Row], *, lock: bool) -> Plan:
    """New model rows, changed existing rows (and their changed fields), and the counts."""
    form, store = rows[0].form, rows[0].store
    model = form.model
    existing: dict[str, Any] = {}
    by_ref: dict[str, Any] = {}
    phones_seen: dict[Any, str] = {}

    def normalized(phone: Any) -> str:
        found = phones_seen.get(phone)
        if found is None:
            found = phones_seen[phone] = normalize_phone(phone)
        return found

    customers: dict[str, int] = {}
    if store.pk:
        keys = sorted({r.key for r in rows})
        rows_of_store = model.objects.filter(store=store).order_by()  # type: ignore[attr-defined]
        if lock:
            rows_of_store = rows_of_store.select_for_update()
        qs = rows_of_store
        if form.key_field == "import_key":
            # Repeats the condition of the partial unique index, so that the database uses it.
            qs = qs.filter(~Q(import_key=""))
        for chunk in _chunks(keys, LOOKUP_BATCH):
            found = qs.filter(**{f"{form.key_field}__in": chunk})
            existing.update((getattr(obj, form.key_field), obj) for obj in found)
        # A row's reference (编号) finds it first, whatever its content has become since.
        ref = form.ref
        pks = sorted({pk for r in rows if (pk := ref.pk(r.values.get("ref") or "")) is not None})
        for chunk in _chunks(pks):
            by_ref.update((ref.of(found), found) for found in rows_of_store.filter(pk__in=chunk))
        phone_column = form.customer_column or ("phone" if form.links_customer else "")
        if phone_column:
            attr = form.column(phone_column).attr
            phones = sorted({p for r in rows if (p := normalized(r.values.get(attr)))})
            for chunk in _chunks(phones, LOOKUP_BATCH):
                found = Customer.objects.filter(store=store, phone_norm__in=chunk)
                customers.update(found.values_list("phone_norm", "pk"))
    relations = {
        attr: f.attname for attr in form.stored if (f := model_field(model, attr)).is_relation
    }
    # Waiting leads are routed, and so saved again, right after their insert.
    build = bulk.Builder(model, signals=model is Lead)
    # A new row's values by attname, foreign keys as their primary key (model(**values) would
    # run each related descriptor for every row); the instances go to the related cache.
    fixed, fixed_related = _by_attname(model, {"store": store, **form.constants})
    stored = [(attr, relations.get(attr)) for attr in form.stored]
    plan = Plan()
    changed: dict[str, Any] = {}
    planned: set[str] = set()
    for row in rows:
        obj: Any = by_ref.get(row.values.get("ref") or "")
        if obj is None:
            obj = existing.get(row.key)
        seen = f"pk:{obj.pk}" if obj is not None else row.key
        if seen in planned:  # the same row in an earlier file of this import
            plan.counts.unchanged += 1
            continue
        planned.add(seen)
        if obj is None:
            values = dict(fixed)
            related = dict(fixed_related)
            for attr, attname in stored:
                value = row.values[attr]
                if attname is None:
                    values[attr] = value
                else:
                    values[attname] = value.pk if value is not None else None
                    related[attr] = value
            obj = build(values, related)
            if form.key_field == "import_key":
                obj.import_key = row.key
            if form.customer_column:
                attr = form.column(form.customer_column).attr
                obj.customer_id = customers.get(normalized(row.values[attr]))
            elif form.links_customer:
                obj.customer_id = customers.get(normalized(row.values.get("phone")))
            if form.derive:
                form.derive(obj)
            plan.new.append(obj)
            plan.counts.new += 1
            plan.written.append(Written(row, obj, None))
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
    return plan


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


def _write(form: Form, plan: Plan, user: Staff | None, ticker: _Ticker) -> None:
    # In slices of PROGRESS_EVERY rows, so that the progress moves while a long form is written.
    reason = "import"
    for part in _chunks(plan.new, PROGRESS_EVERY):
        bulk.create(list(part), form.model, user=user, reason=reason)
        ticker.tick(len(part))
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
                default_change_reason=reason,
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
    # A sheet holds a moment to the second: the fraction of a second it cannot hold (a lead
    # received through the API) is no change.
    if isinstance(stored, datetime) and isinstance(value, datetime):
        return abs(stored - value) < timedelta(seconds=1)
    return bool(stored == value)
