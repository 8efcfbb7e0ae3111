"""showroom backup OUT: the whole database into one file (see showroom.management.backups)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from showroom.management.backups import BackupError, backup, backup_path


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]  # translated when asked, not at import
        return _(
            "Back up the whole database into one file, while the application keeps running "
            "(SQLite: its online backup; PostgreSQL: pg_dump)."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "out",
            metavar="OUT",
            help=_("the backup file, or a folder to write showroom-<date>-<time> into"),
        )
        parser.add_argument("--overwrite", action="store_true", help=_("replace OUT if it exists"))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            out = backup_path(Path(options["out"]), overwrite=options["overwrite"])
            backup(out)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        size = out.stat().st_size / 1024 / 1024
        self.stdout.write(
            _("Backup written to %(path)s (%(size).1f MB).") % {"path": out, "size": size}
        )
