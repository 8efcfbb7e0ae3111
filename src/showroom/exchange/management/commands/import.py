"""showroom import --store CODE [--create-store] [--create-staff] [--dry-run] FILE…"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from showroom.core.commands import DataCommand, ProgressBar, add_store_argument
from showroom.exchange.forms import FORMS
from showroom.exchange.report import Problem, located
from showroom.exchange.services import PROGRESS_EVERY, import_files
from showroom.organization.choices import Role

FORM_LABELS = {form.name: form.zh for form in FORMS}
FORM_ORDER = {form.name: i for i, form in enumerate(FORMS)}
# Beyond this many errors of one kind in one column, the rest are counted, not listed.
LISTED = 5


class Command(DataCommand):
    @property  # a property, so that the help is translated when it is shown
    def help(self) -> str:  # type: ignore[override]
        return _(
            "Import workbooks (.xlsx) or CSV files of the exchange forms (registers, customer "
            "cards, activities, orders, losses, leads). All or nothing: every bad cell is "
            "reported and nothing is written unless every row is good."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "files", nargs="+", metavar="FILE", help=_("Workbooks (.xlsx) or CSV files.")
        )
        add_store_argument(parser)
        parser.add_argument(
            "--create-store",
            action="store_true",
            help=_("Create the stores named if they are missing."),
        )
        parser.add_argument(
            "--create-staff",
            action="store_true",
            help=_("Create unknown consultants (active, without a usable password)."),
        )
        parser.add_argument(
            "--dry-run", action="store_true", help=_("Check and report; write nothing.")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.bar: ProgressBar | None = None
        report = import_files(
            [Path(f) for f in options["files"]],
            stores=options["store"],
            create_store=options["create_store"],
            create_staff=options["create_staff"],
            dry_run=options["dry_run"],
            progress=self._progress,
        )
        if self.bar:
            self.bar.close()
        for notice in report.notices:
            self.stderr.write(self.style.WARNING(_("Warning: %(notice)s") % {"notice": notice}))
        if not report.ok:
            for line in summarized(report.problems):
                self.stderr.write(line)
            raise CommandError(
                _("%(count)d error(s); nothing was imported.") % {"count": len(report.problems)}
            )
        if not report.rows and report.notices:
            # A text file, a workbook of something else: not "0 rows", a success.
            raise CommandError(_("No form was recognized in the files; nothing was imported."))
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

    def _progress(self, stage: str, done: int, total: int, form: str) -> None:
        if total < PROGRESS_EVERY:
            return
        if self.stderr.isatty():  # a bar redrawn in place; a log gets a line now and then
            label = {"check": _("Checking"), "compare": _("Comparing")}.get(stage, _("Writing"))
            if self.bar is None or self.bar.label != label:
                if self.bar:
                    self.bar.close()
                self.bar = ProgressBar(self.stderr, label)
            self.bar(done, total)
            return
        if not done:  # a log gets no line for a stage's start
            return
        message = {
            "check": _("checked %(done)d of %(total)d rows"),
            "compare": _("compared %(done)d of %(total)d rows with the stored ones"),
        }.get(stage, _("written %(done)d of %(total)d rows"))
        self.stderr.write(message % {"done": done, "total": total})


def _order(item: tuple[tuple[str, str], object]) -> tuple[int, str]:
    (form_name, code), _value = item
    return FORM_ORDER.get(form_name, len(FORM_ORDER)), code


def summarized(problems: list[Problem]) -> list[str]:
    """The problems as lines: the same error with the same value in many rows of a column
    (a whole sheet of another store, say) is one line with the count and the rows; past
    LISTED lines of one kind in a column, the rest are counted."""
    same: dict[tuple[str, str, str, str, str], list[Problem]] = {}
    for problem in problems:
        key = (problem.file, problem.sheet, problem.column, problem.value, problem.reason)
        same.setdefault(key, []).append(problem)
    kinds: dict[tuple[str, str, str, str], int] = {}
    lines: list[str] = []
    for (file, sheet, column, value, reason), found in same.items():
        kind = (file, sheet, column, reason)
        kinds[kind] = kinds.get(kind, 0) + 1
        if kinds[kind] > LISTED:
            continue
        if len(found) == 1:
            lines.append(str(found[0]))
            continue
        rows = [p.row for p in found if p.row]
        many = _("%(reason)s (%(count)d rows, rows %(first)d–%(last)d)") % {
            "reason": reason,
            "count": len(found),
            "first": min(rows, default=0),
            "last": max(rows, default=0),
        }
        lines.append(located(many, file, sheet, None, column, value))
    for (file, sheet, column, reason), count in kinds.items():
        if count > LISTED:
            more = _("%(count)d more rows with this error: %(reason)s") % {
                "count": count - LISTED,
                "reason": reason,
            }
            lines.append(located(more, file, sheet, None, column))
    return lines
