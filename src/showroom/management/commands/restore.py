"""showroom restore FILE: a backup of `showroom backup` in place of the (empty) database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _

from showroom.management.backups import BackupError, restore


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]  # translated when asked, not at import
        return _(
            "Restore a backup made by showroom backup into an empty database (of the same "
            "kind: SQLite or PostgreSQL)."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help=_("the backup file"))
        parser.add_argument(
            "--replace",
            action="store_true",
            help=_("overwrite a database that already holds data (everything in it is lost)"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            restore(Path(options["file"]), replace=options["replace"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(_("Restored from %(path)s.") % {"path": options["file"]})
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            self.stdout.write(
                _("The backup is of an older version: run showroom migrate to bring it up to date.")
            )
