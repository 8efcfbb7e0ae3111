"""`showroom crosscheck`: the data cross-check as of a date (docs/contracts.md)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from showroom.core.commands import DataCommand, add_store_argument, stores_named, text_width
from showroom.crm.choices import CheckCode
from showroom.crm.crosscheck.checks import Finding, find_exceptions
from showroom.crm.crosscheck.services import refresh
from showroom.organization.models import Store


class Command(DataCommand):
    @property  # a property, so that the help is translated when it is shown
    def help(self) -> str:  # type: ignore[override]
        return _(
            "Run the data cross-check of the stores as of a date: walk-in and call rows, "
            "hand cards and customer cards of the 30 days up to it. JSON is a list of "
            "exceptions, each with code, date, consultant, phone, message, key and store."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        add_store_argument(parser)
        parser.add_argument(
            "--date", help=_("The check date, as YYYY-MM-DD (default: the store's today).")
        )
        parser.add_argument(
            "--format",
            choices=("json", "table"),
            default="json",
            help=_("json (default) or table."),
        )
        parser.add_argument(
            "--record",
            action="store_true",
            help=_(
                "Also track the exceptions (as the daily run does): open the new ones, fix "
                "those no longer found."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stores = list(stores_named(options["store"], stores=Store.objects.all()).order_by("code"))
        day: date | None = None
        if options["date"]:
            try:
                day = date.fromisoformat(options["date"].strip())
            except ValueError:
                raise CommandError(
                    _("Not a date: %(date)s (expected YYYY-MM-DD).") % {"date": options["date"]}
                ) from None
        results: list[tuple[str, date, list[Finding]]] = []
        for store in stores:
            on = day or store.today()
            if options["record"]:
                done = refresh(store=store, on=on)
                self.stderr.write(
                    _(
                        "%(store)s %(date)s: %(opened)d new, %(reopened)d reopened, "
                        "%(fixed)d fixed, %(open)d open"
                    )
                    % {
                        "store": store.code,
                        "date": on,
                        "opened": done.opened,
                        "reopened": done.reopened,
                        "fixed": done.fixed,
                        "open": done.open,
                    }
                )
            results.append((store.code, on, find_exceptions(store=store, on=on)))
        if options["format"] == "json":
            items = [{**x.as_json(), "store": code} for code, _on, found in results for x in found]
            self.stdout.write(json.dumps(items, ensure_ascii=False, indent=2))
            return
        for code, on, found in results:
            heading = _("Store: %(store)s  Date: %(date)s  Exceptions: %(count)d")
            self.stdout.write(heading % {"store": code, "date": on, "count": len(found)})
            if found:
                self.stdout.write(render_table(found))


def render_table(found: list[Finding]) -> str:
    labels = dict(CheckCode.choices)
    header = [
        _("Check"),
        _("Date"),
        _("Consultant"),
        _("Phone"),
        pgettext("cross-check row", "Message"),
    ]
    rows = [
        [str(labels.get(x.code, x.code)), x.date.isoformat(), x.consultant, x.phone, x.message]
        for x in found
    ]
    table = [header, *rows]
    widths = [max(text_width(row[i]) for row in table) for i in range(len(header) - 1)]
    lines = []
    for row in table:
        cells = [cell + " " * (w - text_width(cell)) for cell, w in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return "\n".join(lines)
