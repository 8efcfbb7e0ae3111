"""showroom export --store CODE --month YYYY-MM[..YYYY-MM] OUT (docs/contracts.md)."""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from showroom.core.commands import (
    DataCommand,
    ProgressBar,
    add_store_argument,
    cannot_write,
    unknown_stores,
)
from showroom.exchange.exports import ExportError, export, parse_months
from showroom.exchange.forms import FORMS
from showroom.organization.models import Store

FORM_LABELS = {form.name: form.zh for form in FORMS}
FORM_ORDER = {form.name: i for i, form in enumerate(FORMS)}


class Command(DataCommand):
    @property  # a property, so that the help is translated when it is shown
    def help(self) -> str:  # type: ignore[override]
        return _(
            "Export the exchange forms. OUT ending in .xlsx gets one workbook (Chinese sheets "
            "plus the monthly reports); any other OUT is a folder that gets one CSV per form."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "out",
            metavar="OUT",
            help=_("A workbook (name.xlsx) or a folder for the CSV files (made if missing)."),
        )
        add_store_argument(parser)
        parser.add_argument(
            "--month", required=True, help=_("A month or a range: YYYY-MM or YYYY-MM..YYYY-MM.")
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=min(2, os.cpu_count() or 1),
            help=_(
                "CSV files written by this many processes side by side on PostgreSQL "
                "(default: the processors, at most 2; SQLite and workbooks use one)"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            start, end = parse_months(options["month"])
        except ExportError as exc:
            raise CommandError(str(exc)) from exc
        if options["jobs"] < 1:
            raise CommandError(_("%(option)s must be at least 1") % {"option": "--jobs"})
        stores = stores_named(options["store"])
        out = Path(options["out"])
        bar = ProgressBar(self.stderr, _("Exporting"))
        try:
            result = export(
                out, stores=stores, start=start, end=end, progress=bar, jobs=options["jobs"]
            )
        except OSError as error:
            raise cannot_write(out, error) from None
        finally:
            bar.close()
        if len(stores) == 1:
            for (form_name, code), rows in sorted(result.rows.items(), key=_order):
                self.stdout.write(
                    _("%(form)s (%(store)s): %(rows)d row(s)")
                    % {"form": FORM_LABELS.get(form_name, form_name), "store": code, "rows": rows}
                )
        else:  # one line per form, not one per form and store
            totals: dict[str, int] = defaultdict(int)
            for (form_name, _code), rows in result.rows.items():
                totals[form_name] += rows
            for form_name, rows in sorted(totals.items(), key=lambda i: FORM_ORDER[i[0]]):
                self.stdout.write(
                    _("%(form)s (%(stores)d stores): %(rows)d row(s)")
                    % {"form": FORM_LABELS[form_name], "stores": len(stores), "rows": rows}
                )
        for path in result.files:
            self.stdout.write(self.style.SUCCESS(_("Written: %(path)s") % {"path": path}))


def stores_named(spec: str) -> list[Store]:
    """The stores of --store in the order named (`all`: by code)."""
    if spec.strip().lower() == "all":
        every = list(Store.objects.order_by("code"))
        if not every:
            raise CommandError(_("There are no stores yet."))
        return every
    codes = [c.strip() for c in spec.split(",") if c.strip()]
    if not codes:
        raise CommandError(_("Name a store code, several separated by commas, or all."))
    stores = {s.code: s for s in Store.objects.filter(code__in=codes)}
    if unknown := [c for c in codes if c not in stores]:
        raise CommandError(unknown_stores(unknown, stores=Store.objects.all()))
    return [stores[c] for c in dict.fromkeys(codes)]


def _order(item: tuple[tuple[str, str], object]) -> tuple[int, str]:
    (form_name, code), _value = item
    return FORM_ORDER.get(form_name, len(FORM_ORDER)), code
