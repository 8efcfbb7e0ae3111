"""`showroom rebuild_kpi_state`: derive the kept state again from the events: the prospect
spans, and the kept state of higher apps registered on `spans.kept_refresh` (the owner spans)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from showroom.core.commands import add_store_argument, stores_named
from showroom.organization.models import Store
from showroom.sales import spans


class Command(BaseCommand):
    @property  # a property, so that the help is translated when it is shown
    def help(self) -> str:  # type: ignore[override]
        return _(
            "Derive again, from the cards, orders, confirmed losses, re-activations, service "
            "visits and owner care, the state the KPIs read (each card's spans of days as an "
            "open prospect, and as an owner, a retained owner and a churned owner). The writes "
            "keep it current; run it after changing rows outside the program. With --check, "
            "only compare and exit with status 1 if anything differs."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        add_store_argument(parser)
        parser.add_argument(
            "--check",
            action="store_true",
            help=_("Compare the kept state with a rebuild, write nothing."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stores = list(stores_named(options["store"], stores=Store.objects.order_by("code")))
        began = time.monotonic()
        if options["check"]:
            missing, extra = spans.differences(stores=stores)
            if missing or extra:
                raise CommandError(
                    _(
                        "The kept state differs from a rebuild: %(missing)d spans missing, "
                        "%(extra)d not derived."
                    )
                    % {"missing": len(missing), "extra": len(extra)}
                )
            self.stdout.write(_("The kept state is current."))
            return
        written = 0
        for store in stores:
            with transaction.atomic():
                spans.hold_writes()
                written += spans.refresh(stores=[store])
        spans.settle()
        self.stdout.write(
            _("%(spans)d spans of %(stores)d stores rebuilt in %(seconds).1f s.")
            % {"spans": written, "stores": len(stores), "seconds": time.monotonic() - began}
        )
