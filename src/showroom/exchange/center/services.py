"""The import center's workflow: upload and dry run, confirm, undo.

The files of an upload wait under DATA_DIR/imports/<folder>/ between the dry run and the
confirmation, and are removed once imported (or once found bad): the history keeps their
names and counts, not their contents. Both steps call `exchange.services.import_files`, as
`showroom import` does: the same checks, all or nothing. Each runs as a job in a thread of the
web process, so that the request returns at once and the page follows the job's progress
(center/progress.py); exchange/README.md says why a thread and not a streamed response.
"""

from __future__ import annotations

import logging
import shutil
import threading
import uuid
from collections.abc import Callable, Iterable
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, connection, connections, models, transaction
from django.utils import timezone, translation
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from simple_history.exceptions import NotHistoricalModelError
from simple_history.utils import (
    bulk_create_with_history,
    bulk_update_with_history,
    get_history_manager_for_model,
)

from showroom.customers.models import Customer
from showroom.exchange import advice, bulk
from showroom.exchange.center import progress
from showroom.exchange.center.journal import Entry, Journal, label, load, model_of
from showroom.exchange.forms import FORMS
from showroom.exchange.models import ImportBatch, ImportStatus
from showroom.exchange.report import ImportReport
from showroom.exchange.services import Progress, import_files
from showroom.kpi.freshness import touched as kpi_data_touched
from showroom.organization.models import Staff, Store
from showroom.owners.models import OwnerSpan, ServiceVisit
from showroom.sales import spans as kept_state
from showroom.sales.models import Activity, LossReport, Order, Reactivation

logger = logging.getLogger(__name__)

UNDO_REASON = "undo import"
# The job each status is the run of.
RUNNING = {
    ImportStatus.CHECKING: "check",
    ImportStatus.IMPORTING: "import",
    ImportStatus.UNDOING: "undo",
}
# Files checked but not imported are not kept longer than this.
KEEP_CHECKED = timedelta(days=1)


def imports_dir() -> Path:
    return Path(settings.DATA_DIR) / "imports"


def _paths(batch: ImportBatch) -> list[Path]:
    folder = imports_dir() / batch.folder
    return [folder / str(i) / name for i, name in enumerate(batch.file_names)]


def _forget_files(batch: ImportBatch) -> None:
    if batch.folder:
        shutil.rmtree(imports_dir() / batch.folder, ignore_errors=True)
        batch.folder = ""


def _record(batch: ImportBatch, report: ImportReport) -> None:
    batch.rows = report.rows
    counts: dict[str, list[int]] = {}
    for (form_name, _code), c in report.counts.items():
        total = counts.setdefault(form_name, [0, 0, 0])
        total[0] += c.new
        total[1] += c.updated
        total[2] += c.unchanged
    batch.counts = counts
    batch.problems = [
        [Path(p.file).name, p.sheet, p.row, p.column, p.value, p.reason] for p in report.problems
    ]
    batch.notices = list(report.notices)


def forget_stale() -> int:
    """Uploads checked more than KEEP_CHECKED ago and never imported lose their files (they
    hold personal data); importing one asks for the files again."""
    stale = ImportBatch.objects.filter(
        status=ImportStatus.CHECKED, created_at__lt=timezone.now() - KEEP_CHECKED
    )
    count = 0
    for batch in stale:
        _forget_files(batch)
        batch.status = ImportStatus.FAILED
        batch.problems = [
            [
                "",
                "",
                None,
                "",
                "",
                _("Not imported within a day of the check; upload the files again."),
            ]
        ]
        batch.save(update_fields=["folder", "status", "problems"])
        count += 1
    return count


def _file_name(uploaded: str, index: int) -> str:
    # The name as uploaded, which the errors repeat, made safe; a CSV file's name says its form.
    try:
        return get_valid_filename(Path(uploaded).name)
    except SuspiciousFileOperation:
        return f"file{index}"


def check_upload(files: Iterable[UploadedFile], *, store: Store, user: Staff) -> ImportBatch:
    """Keep the files and start their dry run; the batch will hold what an import would do, or
    why not."""
    forget_stale()
    folder = uuid.uuid4().hex
    names: list[str] = []
    for i, upload in enumerate(files):
        name = _file_name(upload.name or "", i)
        target = imports_dir() / folder / str(i) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        names.append(name)
    # The progress first: a page that found the batch without it would think its job gone.
    progress.write(imports_dir() / folder, progress.State(job="check"))
    batch = ImportBatch.objects.create(
        store=store,
        user=user,
        actor=user.username,
        file_names=names,
        folder=folder,
        status=ImportStatus.CHECKING,
    )
    _start(batch, "check", _check, user=user)
    batch.refresh_from_db()
    return batch


def confirm(batch: ImportBatch, *, user: Staff) -> bool:
    """Start the import of a checked batch for good; False when it is not (or no longer)
    waiting for it. Whether it imported is the batch's status once the job is over: failed
    (with its problems) when the data or the database changed since its dry run so that a row
    no longer fits."""
    if batch.status != ImportStatus.CHECKED or not batch.folder:
        return False
    # Fresh progress first: the dry run's, older, would tell a page that the job was gone.
    progress.write(imports_dir() / batch.folder, progress.State(job="import"))
    started = (
        ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.CHECKED)
        .exclude(folder="")
        .update(status=ImportStatus.IMPORTING)
    )
    if not started:
        return False
    batch.refresh_from_db()
    _start(batch, "import", _import, user=user)
    batch.refresh_from_db()
    return True


# A job: the batch, who asked for it (the rows' history names them), its progress.
Job = Callable[[ImportBatch, Staff, progress.Tracker], None]


def _start(batch: ImportBatch, kind: str, job: Job, *, user: Staff) -> None:
    """Run `job` for `batch` in a thread of its own, or at once when another connection could
    not see the batch yet: within a transaction (a test's), or on an in-memory database."""
    tracker = progress.Tracker(imports_dir() / batch.folder, kind)
    tracker.start()
    language = translation.get_language()
    if connection.in_atomic_block or (
        connection.vendor == "sqlite" and connection.is_in_memory_db()  # type: ignore[attr-defined]
    ):
        _run(batch.pk, user.pk, tracker, job, language, thread=False)
        return
    # Not a daemon: a worker that stops gracefully lets the job end first.
    threading.Thread(
        target=_run,
        args=(batch.pk, user.pk, tracker, job, language),
        kwargs={"thread": True},
        name=f"import-{batch.pk}",
    ).start()


def _run(
    pk: int,
    user_pk: int,
    tracker: progress.Tracker,
    job: Job,
    language: str | None,
    *,
    thread: bool,
) -> None:
    try:
        with translation.override(language):
            # The undo journal is read, locked, by the undo itself.
            batch = ImportBatch.objects.select_related("store").defer("changes").get(pk=pk)
            user = Staff.objects.get(pk=user_pk)
            folder = batch.folder  # the job may forget it before it fails
            try:
                job(batch, user, tracker)
            except Exception:
                logger.exception("import center job of batch %s", pk)
                batch.folder = folder
                _stopped(batch, tracker.state.job, tracker)
    finally:
        tracker.stop()
        if thread:
            connections.close_all()  # this thread's own


def _check(batch: ImportBatch, user: Staff, tracker: progress.Tracker) -> None:
    with advice.on_screen():
        report = import_files(
            _paths(batch), stores=batch.store.code, dry_run=True, user=user, progress=tracker
        )
    _record(batch, report)
    batch.status = ImportStatus.CHECKED
    if not report.ok:
        batch.status = ImportStatus.FAILED
    elif not report.counts:
        batch.status = ImportStatus.FAILED
        batch.problems = [["", "", None, "", "", _("No sheet of a known form was found")]]
    folder = imports_dir() / batch.folder
    if batch.status == ImportStatus.FAILED:
        batch.folder = ""
    batch.save()
    if not batch.folder:
        shutil.rmtree(folder, ignore_errors=True)


def _import(batch: ImportBatch, user: Staff, tracker: progress.Tracker) -> None:
    journal = Journal()
    folder = imports_dir() / batch.folder
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != ImportStatus.IMPORTING:
            return
        with advice.on_screen():
            report = import_files(
                _paths(batch),
                stores=batch.store.code,
                user=user,
                journal=journal,
                progress=tracker,
            )
        _record(batch, report)
        if report.ok:
            batch.status = ImportStatus.IMPORTED
            batch.imported_at = timezone.now()
            batch.changes = journal.entries
        else:
            batch.status = ImportStatus.FAILED
        batch.folder = ""
        batch.save()
    # Only once the outcome is in the database: until then the page reads the progress.
    shutil.rmtree(folder, ignore_errors=True)


def _stopped(batch: ImportBatch, kind: str, tracker: progress.Tracker | None = None) -> None:
    """A job that ended without an outcome (an error, or its process gone): nothing was
    written. A dry run fails (upload again); an import waits to be confirmed again, an undo
    to be asked again."""
    folder = imports_dir() / batch.folder
    if kind in ("import", "undo"):
        if kind == "import":
            message = _(
                "The import stopped before its end: nothing was written. Try again; if it "
                "stops again, tell an administrator."
            )
            ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.IMPORTING).update(
                status=ImportStatus.CHECKED
            )
        else:
            message = _(
                "The undo stopped before its end: nothing was changed. Try again; if it "
                "stops again, tell an administrator."
            )
            ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.UNDOING).update(
                status=ImportStatus.IMPORTED
            )
        if tracker is not None:
            tracker.fail(message)
        else:
            state = progress.read(folder) or progress.State(job=kind)
            state.error = message
            progress.write(folder, state)
        return
    reason = _("The check stopped before its end. Upload the files again.")
    ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.CHECKING).update(
        status=ImportStatus.FAILED, folder="", problems=[["", "", None, "", "", reason]]
    )
    shutil.rmtree(folder, ignore_errors=True)


def follow(batch: ImportBatch) -> progress.State | None:
    """The progress of the batch's job while it runs (None once it is over). A job whose
    process is gone is ended as `_stopped` says."""
    if batch.status not in RUNNING:
        return None
    folder = imports_dir() / batch.folder
    if batch.folder and not progress.stale(folder):
        return progress.read(folder) or progress.State(job=_kind(batch))
    try:
        _stopped(batch, _kind(batch))
    except DatabaseError:  # the database is busy: with the job, which is alive after all
        return progress.read(folder) or progress.State(job=_kind(batch))
    batch.refresh_from_db()
    return None


def failure(batch: ImportBatch) -> str:
    """Why the last import of a batch waiting to be confirmed, or the last undo of an import
    in force, stopped or was refused ("" if none was)."""
    if batch.status not in (ImportStatus.CHECKED, ImportStatus.IMPORTED) or not batch.folder:
        return ""
    state = progress.read(imports_dir() / batch.folder)
    return state.error if state is not None else ""


def _kind(batch: ImportBatch) -> str:
    return RUNNING.get(ImportStatus(batch.status), "import")


def start_undo(batch: ImportBatch, *, user: Staff) -> bool:
    """Start taking an import back (a job, as the import was: `undo`); False when the batch
    is not (or no longer) an import in force. Refused, the batch stays imported and its page
    says why (`failure`)."""
    if batch.status != ImportStatus.IMPORTED:
        return False
    if batch.folder:  # the reasons of an undo refused before
        shutil.rmtree(imports_dir() / batch.folder, ignore_errors=True)
    folder = uuid.uuid4().hex
    progress.write(imports_dir() / folder, progress.State(job="undo"))
    started = ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.IMPORTED).update(
        status=ImportStatus.UNDOING, folder=folder
    )
    if not started:
        shutil.rmtree(imports_dir() / folder, ignore_errors=True)
        return False
    batch.refresh_from_db()
    _start(batch, "undo", _undo, user=user)
    batch.refresh_from_db()
    return True


def _undo(batch: ImportBatch, user: Staff, tracker: progress.Tracker) -> None:
    folder = imports_dir() / batch.folder
    reasons = undo(batch, user=user, progress=tracker)
    if reasons:
        ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.UNDOING).update(
            status=ImportStatus.IMPORTED
        )
        tracker.fail(" ".join(reasons))
        return
    shutil.rmtree(folder, ignore_errors=True)


def undo(batch: ImportBatch, *, user: Staff, progress: Progress | None = None) -> list[str]:
    """Take an import back: remove the rows it created and put back the values it changed.
    Refused (the reasons returned, nothing written) once anything has touched its rows since.
    `progress` is told the entries put back so far."""
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status not in (ImportStatus.IMPORTED, ImportStatus.UNDOING):
            return [_("Only an import that is in force can be undone.")]
        entries: list[Entry] = locked.changes
        reasons = _touched_since(entries)
        if reasons:
            return reasons
        done = 0

        def advance(model_name: str, n: int) -> None:
            nonlocal done
            done += n
            if progress is not None:
                progress("undo", done, len(entries), model_name)

        # The cards' kept state (sales.spans) derived once, after every row is back.
        with kept_state.deferred():
            for model_name, kind, run in _runs(reversed(entries)):
                _undo_run(model_of(model_name), kind, run, user, partial(advance, model_name))
            kept_state.note(_cards_of(entries))
        kpi_data_touched([locked.store_id])
        locked.status = ImportStatus.UNDONE
        locked.undone_at = timezone.now()
        locked.undone_by = user.username
        locked.folder = ""
        locked.save(update_fields=["status", "undone_at", "undone_by", "folder"])
        batch.refresh_from_db()
    return []


def _final_states(entries: list[Entry]) -> dict[tuple[str, int], dict[str, Any] | None]:
    """Each row's values as the import left it (None: removed), over all its entries."""
    final: dict[tuple[str, int], dict[str, Any] | None] = {}
    for entry in entries:
        key = (entry["model"], entry["pk"])
        if entry["after"] is None:
            final[key] = None
        else:
            final[key] = {**(final.get(key) or {}), **entry["after"]}
    return final


def _touched_since(entries: list[Entry]) -> list[str]:
    final = _final_states(entries)
    by_model: dict[str, dict[int, dict[str, Any] | None]] = {}
    for (name, pk), values in final.items():
        by_model.setdefault(name, {})[pk] = values
    changed = 0
    for name, rows in by_model.items():
        model = model_of(name)
        pks = sorted(rows)
        current: dict[int, models.Model] = {}
        for start in range(0, len(pks), 500):
            chunk = pks[start : start + 500]
            current.update((o.pk, o) for o in model._default_manager.filter(pk__in=chunk))
        for pk, values in rows.items():
            obj = current.get(pk)
            if values is None:
                changed += obj is not None
            elif obj is None or load(model, values) != {k: getattr(obj, k) for k in values}:
                changed += 1
    reasons = []
    if changed:
        reasons.append(
            _(
                "%(count)d row(s) of this import have been changed or deleted since; "
                "it can no longer be undone."
            )
            % {"count": changed}
        )
    created = _created(entries, final)
    if created and not reasons:
        others = _others_depending(created)
        if others:
            reasons.append(others)
    return reasons


def _created(
    entries: list[Entry], final: dict[tuple[str, int], dict[str, Any] | None]
) -> dict[str, set[int]]:
    created: dict[str, set[int]] = {}
    for entry in entries:
        if entry["before"] is None and final.get((entry["model"], entry["pk"])) is not None:
            created.setdefault(entry["model"], set()).add(entry["pk"])
    return created


def _cards_of(entries: list[Entry]) -> set[int]:
    """The cards whose orders, losses, service visits, activities or own values the entries
    restore (their kept state: sales.spans, owners.spans)."""
    cards: set[int] = set()
    for entry in entries:
        model = model_of(entry["model"])
        if model is Customer:
            cards.add(int(entry["pk"]))
        elif model in (Order, LossReport, Reactivation, ServiceVisit, Activity):
            for values in (entry["before"], entry["after"]):
                if values and values.get("customer_id"):
                    cards.add(int(values["customer_id"]))
    return cards


def _others_depending(created: dict[str, set[int]]) -> str:
    """Why the rows the import created cannot go: rows added since refer to them (rows the
    import itself created, its grade changes and cars, go with them)."""
    others = 0
    for name, pks in created.items():
        ordered = sorted(pks)
        for rel in model_of(name)._meta.related_objects:
            if rel.on_delete is models.DO_NOTHING:  # history rows keep what they recorded
                continue
            related = rel.related_model
            if related in (kept_state.ProspectSpan, OwnerSpan):  # derived, go with the rows
                continue
            mine = created.get(label(related), set())
            for start in range(0, len(ordered), 500):
                chunk = ordered[start : start + 500]
                rows = related._base_manager.filter(**{f"{rel.field.name}__in": chunk})
                others += sum(1 for pk in rows.values_list("pk", flat=True) if pk not in mine)
    if others:
        return _(
            "%(count)d record(s) added since refer to rows of this import; "
            "it can no longer be undone."
        ) % {"count": others}
    return ""


def _runs(entries: Iterable[Entry]) -> Iterable[tuple[str, str, list[Entry]]]:
    """Consecutive entries of the same model and kind (created, removed, changed)."""
    run: list[Entry] = []
    key: tuple[str, str] | None = None
    for entry in entries:
        kind = (
            "created"
            if entry["before"] is None
            else "removed"
            if entry["after"] is None
            else "changed"
        )
        if key != (entry["model"], kind) and run:
            assert key is not None
            yield key[0], key[1], run
            run = []
        key = (entry["model"], kind)
        run.append(entry)
    if run:
        assert key is not None
        yield key[0], key[1], run


def _historical(model: type[models.Model]) -> bool:
    try:
        get_history_manager_for_model(model)
    except NotHistoricalModelError:
        return False
    return True


def _undo_run(
    model: type[models.Model],
    kind: str,
    run: list[Entry],
    user: Staff,
    advance: Callable[[int], None],
) -> None:
    """Put back one run of entries; `advance` is told how many are done, now and then."""
    manager = model._default_manager
    if kind == "created":
        pks = [e["pk"] for e in run]
        for start in range(0, len(pks), 500):
            chunk = pks[start : start + 500]
            bulk.remove(manager.filter(pk__in=chunk), user=user, reason=UNDO_REASON)
            advance(len(chunk))
        return
    _put_back(model, kind, run, user)
    advance(len(run))


def _put_back(model: type[models.Model], kind: str, run: list[Entry], user: Staff) -> None:
    manager = model._default_manager
    if kind == "removed":
        objs = [model(**load(model, e["before"])) for e in run]
        if _historical(model):
            bulk_create_with_history(
                objs, model, default_user=user, default_change_reason=UNDO_REASON
            )
        else:
            manager.bulk_create(objs)
        return
    form = next((f for f in FORMS if f.model is model), None)
    objs = []
    fields: set[str] = set()
    current = manager.in_bulk([e["pk"] for e in run])
    for entry in run:
        obj = current[entry["pk"]]
        values = load(model, entry["before"])
        for name, value in values.items():
            setattr(obj, name, value)
        fields.update(model._meta.get_field(n).name for n in values if n != "id")
        if form is not None and form.derive:
            form.derive(obj)
            fields.update(form.derived_fields)
        if "version" in values:
            # A version is never given twice: a screen still open at the import's version, or
            # at the one before it, must not save over the undo.
            obj.version = int(entry["after"]["version"]) + 1  # type: ignore[attr-defined]
        objs.append(obj)
    if not fields:
        return
    if _historical(model):
        bulk_update_with_history(
            objs, model, sorted(fields), default_user=user, default_change_reason=UNDO_REASON
        )
    else:
        manager.bulk_update(objs, sorted(fields))
