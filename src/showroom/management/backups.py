"""Backing up and restoring the whole database (`showroom backup OUT`, `showroom restore FILE`).

SQLite: SQLite's online backup API copies the live database page by page while the front
desk keeps writing; a restore copies a backup back the same way. PostgreSQL: pg_dump's
custom format and pg_restore, which must be installed (the postgresql-client package) and
of the server's major version or newer. A backup is a single file; which kind it is is read
from its first bytes, so a restore into the other kind of database is a message.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
# A database holds the product's data once it has a store or a staff member.
DATA_TABLES = ("organization_store", "organization_staff")


class BackupError(Exception):
    """A message for the person at the command line."""


def vendor() -> str:
    return connection.vendor


def backup_path(out: Path, *, overwrite: bool = False) -> Path:
    """OUT itself, or in a folder OUT a file named after the moment (for a daily cron job)."""
    if out.is_dir():
        suffix = "sqlite3" if vendor() == "sqlite" else "dump"
        return out / f"showroom-{datetime.now():%Y%m%d-%H%M%S}.{suffix}"
    if not out.parent.is_dir():
        raise BackupError(_("The folder %(folder)s does not exist.") % {"folder": out.parent})
    if out.exists() and not overwrite:
        raise BackupError(
            _("%(path)s already exists; give another name or add --overwrite.") % {"path": out}
        )
    return out


def backup(out: Path) -> None:
    """Write a backup of the whole database to `out` (through a temporary file beside it, so
    that a backup cut short leaves no half file under the name)."""
    partial = out.with_name(out.name + ".partial")
    try:
        if vendor() == "sqlite":
            _sqlite_backup(partial)
        elif vendor() == "postgresql":
            _pg_backup(partial)
        else:
            raise BackupError(
                _("Backups support SQLite and PostgreSQL, not %(vendor)s.") % {"vendor": vendor()}
            )
        partial.replace(out)
    except OSError as exc:
        raise BackupError(
            _("Cannot write %(path)s: %(reason)s") % {"path": out, "reason": exc.strerror}
        ) from exc
    finally:
        partial.unlink(missing_ok=True)


def restore(file: Path, *, replace: bool = False) -> None:
    """Put the backup `file` in place of the database; refused when the database already
    holds data, unless `replace`."""
    if not file.is_file():
        raise BackupError(_("%(path)s is not a file.") % {"path": file})
    with file.open("rb") as handle:
        head = handle.read(16)
    kind = (
        "sqlite"
        if head.startswith(SQLITE_MAGIC)
        else "postgresql"
        if head.startswith(PG_MAGIC)
        else ""
    )
    if not kind:
        raise BackupError(_("%(path)s is not a backup made by showroom backup.") % {"path": file})
    if kind != vendor():
        raise BackupError(
            _(
                "%(path)s is a backup of a %(kind)s database; this database is %(vendor)s. "
                "Restore it into a database of the same kind."
            )
            % {"path": file, "kind": _name(kind), "vendor": _name(vendor())}
        )
    if not replace and has_data():
        raise BackupError(
            _(
                "The database already holds data: restore into an empty database, or add "
                "--replace to overwrite everything in it."
            )
        )
    if kind == "sqlite":
        _sqlite_restore(file)
    else:
        _pg_restore(file)


def has_data() -> bool:
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in DATA_TABLES:
            if table in tables:
                cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
                if cursor.fetchone():
                    return True
    return False


def _name(kind: str) -> str:
    return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(kind, kind)


def _sqlite_backup(out: Path) -> None:
    connection.ensure_connection()
    source: sqlite3.Connection = connection.connection
    target = sqlite3.connect(out)
    try:
        with target:
            source.backup(target)
    finally:
        target.close()


def _sqlite_restore(file: Path) -> None:
    try:
        source = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
        try:
            found = source.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='django_migrations'"
            ).fetchone()
            if not found:
                raise BackupError(
                    _("%(path)s is not a backup made by showroom backup.") % {"path": file}
                )
            connection.ensure_connection()
            source.backup(connection.connection)
        finally:
            source.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(
            _("%(path)s cannot be read: %(reason)s") % {"path": file, "reason": exc}
        ) from exc
    connection.close()  # the next query opens the restored database afresh


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            _(
                "%(tool)s was not found. Install the PostgreSQL client tools (on Debian or "
                "Ubuntu: apt install postgresql-client) of the server's version or newer."
            )
            % {"tool": name}
        )
    return path


def _pg_args() -> tuple[list[str], dict[str, str]]:
    db: dict[str, Any] = connection.settings_dict
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args += ["--dbname", str(db["NAME"])]
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(
            _("%(tool)s failed: %(error)s")
            % {"tool": Path(command[0]).name, "error": done.stderr.strip()[-2000:]}
        )


def _pg_backup(out: Path) -> None:
    args, env = _pg_args()
    tool = _pg_tool("pg_dump")
    _run([tool, "--format=custom", "--no-owner", "--no-privileges", "--file", str(out), *args], env)


def _pg_restore(file: Path) -> None:
    args, env = _pg_args()
    tool = _pg_tool("pg_restore")
    connection.close()
    _run(
        [
            tool,
            "--no-owner",
            "--no-privileges",
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--exit-on-error",
            *args,
            str(file),
        ],
        env,
    )
