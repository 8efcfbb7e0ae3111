"""How far an import center job is: DATA_DIR/imports/<folder>/progress.json, beside its files.

A job (the dry run of an upload, its import, or the undo of an import) runs in a thread of the
web process that took the request (exchange/README.md says why). Its progress is not kept in
the database: on SQLite the import holds the write transaction for its whole run, and what it
writes is seen by no one before the end. Every worker process reads the file instead, which
the job replaces at each step of its progress (a new file each time, so a reader never sees
half of one).

While the job runs, a heartbeat touches the file every HEARTBEAT seconds. A job whose file has
not been touched for STALE seconds was ended with its process (a restart, a killed worker):
since an import is all or nothing, it wrote nothing, and the center says so.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

FILE = "progress.json"
HEARTBEAT = 5.0
STALE = 60.0

# The stages of each job, in order (exchange.services.Progress).
STAGES = {"check": ("check", "compare"), "import": ("check", "write"), "undo": ("undo",)}


@dataclass
class State:
    job: str  # "check" (the dry run), "import" or "undo"
    stage: str = ""  # "" until the files are read
    done: int = 0
    total: int = 0
    form: str = ""  # the form of the rows counted last
    # Rows counted so far by stage and form: {"check": {"walk_ins": 12000}, "write": {…}}
    forms: dict[str, dict[str, int]] = field(default_factory=dict)
    error: str = ""  # why the job stopped, in the user's language

    @property
    def percent(self) -> int:
        return 100 * min(self.done, self.total) // self.total if self.total else 0

    @property
    def step(self) -> int:
        """1-based: which of the job's stages it is in."""
        stages = STAGES.get(self.job, ())
        return stages.index(self.stage) + 1 if self.stage in stages else 0


def path(folder: Path) -> Path:
    return folder / FILE


def read(folder: Path) -> State | None:
    try:
        data = json.loads(path(folder).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    return State(**{k: v for k, v in data.items() if k in State.__dataclass_fields__})


def stale(folder: Path) -> bool:
    """True when no job has touched the folder's progress for STALE seconds (or never did)."""
    try:
        return time.time() - path(folder).stat().st_mtime > STALE
    except OSError:
        return True


def write(folder: Path, state: State) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    part = folder / f".{FILE}.{os.getpid()}.{threading.get_ident()}"
    part.write_text(json.dumps(asdict(state), ensure_ascii=False), encoding="utf-8")
    os.replace(part, path(folder))


class Tracker:
    """The progress of one job, written as `import_files` reports it (its `progress`), with
    the heartbeat running from `start()` to `stop()`."""

    def __init__(self, folder: Path, job: str) -> None:
        self.folder = folder
        self.state = State(job=job)
        self._counted: dict[str, int] = {}
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._beat: threading.Thread | None = None

    def __call__(self, stage: str, done: int, total: int, form: str) -> None:
        with self._lock:
            state = self.state
            by_form = state.forms.setdefault(stage, {})
            by_form[form] = by_form.get(form, 0) + done - self._counted.get(stage, 0)
            self._counted[stage] = done
            state.stage, state.done, state.total, state.form = stage, done, total, form
            write(self.folder, state)

    def fail(self, message: str) -> None:
        with self._lock:
            self.state.error = message
            write(self.folder, self.state)

    def start(self) -> None:
        write(self.folder, self.state)
        self._beat = threading.Thread(target=self._heartbeat, name="import-heartbeat", daemon=True)
        self._beat.start()

    def stop(self) -> None:
        self._stopped.set()
        if self._beat is not None:
            self._beat.join()

    def _heartbeat(self) -> None:
        while not self._stopped.wait(HEARTBEAT):
            try:
                os.utime(path(self.folder))
            except OSError:  # the folder is gone: the job has ended
                return


def as_dict(state: State) -> dict[str, Any]:
    return {**asdict(state), "percent": state.percent, "step": state.step}
