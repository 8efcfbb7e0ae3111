"""`showroom report --store CODE --month YYYY-MM OUT.xlsx`: the monthly management report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from showroom.core.commands import DataCommand, cannot_write, unknown_stores
from showroom.core.months import month_range
from showroom.core.text import protect_workbook
from showroom.organization.models import Store
from showroom.reports.month_report.workbook import build_report_workbook


class Command(DataCommand):
    @property  # a property, so that the help is translated when it is shown
    def help(self) -> str:  # type: ignore[override]
        return _(
            "Write the monthly management report of a store (KPIs with MoM and YoY, funnel, "
            "consultants, sources and models, traffic heatmap, diagnostics, targets, value) "
            "as one workbook ready to print."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--store", required=True, help=_("The store code."))
        parser.add_argument("--month", required=True, help=_("The month, as YYYY-MM."))
        parser.add_argument("out", metavar="OUT.xlsx", help=_("The workbook to write."))

    def handle(self, *args: Any, **options: Any) -> None:
        store = Store.objects.filter(code=options["store"].strip()).first()
        if store is None:
            raise CommandError(unknown_stores([options["store"]], stores=Store.objects.all()))
        try:
            start, _end = month_range(options["month"])
        except ValueError:
            raise CommandError(
                _("Not a month: %(month)s (expected YYYY-MM).") % {"month": options["month"]}
            ) from None
        out = Path(options["out"])
        if out.suffix.lower() != ".xlsx":
            raise CommandError(_("The report is an Excel workbook: name it *.xlsx."))
        # The diagnostics' group benchmark: the other stores of its dealer group.
        group = list(Store.objects.filter(group=store.group_id)) if store.group_id else []
        workbook = build_report_workbook(
            store=store,
            month_start=start,
            language=get_language() or "zh-hans",
            group=group if len(group) > 1 else (),
        )
        try:
            protect_workbook(workbook).save(out)
        except OSError as error:
            raise cannot_write(out, error) from None
        self.stdout.write(_("Wrote %(path)s") % {"path": out})
