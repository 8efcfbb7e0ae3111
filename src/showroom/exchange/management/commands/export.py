"""showroom export --store CODE --month YYYY-MM[..YYYY-MM] OUT (docs/contracts.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from showroom.exchange.exports import ExportError, export, parse_months
from showroom.exchange.forms import FORMS
from showroom.organization.models import Store

FORM_LABELS = {form.name: form.zh for form in FORMS}
FORM_ORDER = {form.name: i for i, form in enumerate(FORMS)}
STORE_HELP = "a store code, codes separated by commas, or all"


class Command(BaseCommand):
    help = (
        "Export the exchange forms: OUT ending in .xlsx gets one workbook (Chinese sheets "
        "plus the monthly reports); any other OUT is a folder that gets one CSV per form."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", metavar="OUT")
        parser.add_argument("--store", required=True, help=STORE_HELP)
        parser.add_argument("--month", required=True, help="YYYY-MM or YYYY-MM..YYYY-MM")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            start, end = parse_months(options["month"])
        except ExportError as exc:
            raise CommandError(str(exc)) from exc
        stores = stores_named(options["store"])
        result = export(Path(options["out"]), stores=stores, start=start, end=end)
        for (form_name, code), rows in sorted(result.rows.items(), key=_order):
            self.stdout.write(
                _("%(form)s (%(store)s): %(rows)d row(s)")
                % {"form": FORM_LABELS.get(form_name, form_name), "store": code, "rows": rows}
            )
        for path in result.files:
            self.stdout.write(self.style.SUCCESS(_("Written: %(path)s") % {"path": path}))


def stores_named(spec: str) -> list[Store]:
    if spec.strip().lower() == "all":
        return list(Store.objects.order_by("code"))
    codes = [c.strip() for c in spec.split(",") if c.strip()]
    stores = {s.code: s for s in Store.objects.filter(code__in=codes)}
    unknown = [c for c in codes if c not in stores]
    if unknown or not codes:
        raise CommandError(_("Unknown store: %(codes)s") % {"codes": ", ".join(unknown) or spec})
    return [stores[c] for c in dict.fromkeys(codes)]


def _order(item: tuple[tuple[str, str], object]) -> tuple[int, str]:
    (form_name, code), _value = item
    return FORM_ORDER.get(form_name, len(FORM_ORDER)), code
