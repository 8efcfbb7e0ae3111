"""showroom import --store CODE [--create-store] [--create-staff] [--dry-run] FILE…"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from showroom.exchange.forms import FORMS
from showroom.exchange.services import PROGRESS_EVERY, import_files
from showroom.organization.choices import Role

FORM_LABELS = {form.name: form.zh for form in FORMS}
FORM_ORDER = {form.name: i for i, form in enumerate(FORMS)}
STORE_HELP = "a store code, codes separated by commas, or all"


class Command(BaseCommand):
    help = (
        "Import workbooks (.xlsx) or CSV files of the exchange forms (registers, customer "
        "cards, activities, orders, losses, leads). All or nothing: every bad cell is reported "
        "and nothing is written unless every row is good."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--store", required=True, help=STORE_HELP)
        parser.add_argument(
            "--create-store", action="store_true", help="create the stores named if missing"
        )
        parser.add_argument(
            "--create-staff",
            action="store_true",
            help="create unknown consultants (active, without a usable password)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report; write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = import_files(
            [Path(f) for f in options["files"]],
            stores=options["store"],
            create_store=options["create_store"],
            create_staff=options["create_staff"],
            dry_run=options["dry_run"],
            progress=self._progress,
        )
        for notice in report.notices:
            self.stderr.write(self.style.WARNING(_("Warning: %(notice)s") % {"notice": notice}))
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                _("%(count)d error(s); nothing was imported.") % {"count": len(report.problems)}
            )
        if report.dry_run:
            self.stdout.write(_("Dry run: nothing was written. The import would give:"))
        for code in report.created_stores:
            self.stdout.write(_("New store: %(code)s") % {"code": code})
        for code, name, roles in report.created_staff:
            if roles == Role.CONSULTANT:
                message = _(
                    "New consultant in %(store)s: %(name)s (cannot log in until given a password)"
                )
            else:
                message = _(
                    "New staff member in %(store)s: %(name)s, %(roles)s "
                    "(cannot log in until given a password)"
                )
            labels = _(", ").join(str(Role(r).label) for r in roles.split(","))
            self.stdout.write(message % {"store": code, "name": name, "roles": labels})
        for (form_name, code), counts in sorted(report.counts.items(), key=_order):
            self.stdout.write(
                _("%(form)s (%(store)s): %(new)d new, %(updated)d updated, %(unchanged)d unchanged")
                % {
                    "form": FORM_LABELS.get(form_name, form_name),
                    "store": code,
                    "new": counts.new,
                    "updated": counts.updated,
                    "unchanged": counts.unchanged,
                }
            )
        self.stdout.write(self.style.SUCCESS(_("%(rows)d row(s) checked.") % {"rows": report.rows}))

    def _progress(self, stage: str, done: int, total: int) -> None:
        if total < PROGRESS_EVERY:
            return
        message = (
            _("checked %(done)d of %(total)d rows")
            if stage == "check"
            else _("written %(done)d of %(total)d rows")
        )
        self.stderr.write(message % {"done": done, "total": total})


def _order(item: tuple[tuple[str, str], object]) -> tuple[int, str]:
    (form_name, code), _value = item
    return FORM_ORDER.get(form_name, len(FORM_ORDER)), code
