"""`showroom kpi`: the registry's KPIs for stores and a month, as JSON or a table."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from showroom.core.commands import DataCommand, add_store_argument, stores_named, text_width
from showroom.core.months import month_range
from showroom.core.numbers import percent
from showroom.customers.models import Source
from showroom.kpi.registry import KPI, REGISTRY
from showroom.kpi.selectors import GROUPINGS, NONE_KEY, compute_kpis
from showroom.organization.models import Store


class Command(DataCommand):
    @property  # a property, so that the help is translated when it is shown
    def help(self) -> str:  # type: ignore[override]
        return _(
            "Print the KPIs of the stores for a month. JSON is one object keyed by KPI code "
            "(with --by: an object keyed by group, each such an object); several stores "
            "without --by are counted together. Only the KPIs computed so far appear: a KPI "
            "that is missing is not computed yet, while null means its denominator is 0."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        add_store_argument(parser)
        parser.add_argument("--month", required=True, help=_("The month, as YYYY-MM."))
        parser.add_argument(
            "--by",
            choices=GROUPINGS,
            help=_(
                "Group the KPIs by store, consultant, source, model, month or day. Each row "
                "counts in its own group: register rows by their consultant, source and "
                "model; prospects and owners by their card's; orders and deliveries by the "
                "order's; lost and out-of-control records by the record's consultant and the "
                "card's source and model; leads by the agent assigned, the channel and the "
                "model. By month or day, each row by its own date (orders by the order date, "
                "deliveries by the delivery date), and only the KPIs summed over dated rows."
            ),
        )
        parser.add_argument(
            "--format",
            choices=("json", "table"),
            help=_(
                "json or table (KPI names with their units, rates as percentages). Default: "
                "a table on a terminal, JSON when the output goes to a file or a program."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stores = stores_named(options["store"], stores=Store.objects.all())
        try:
            start, end = month_range(options["month"])
        except ValueError:
            raise CommandError(
                _("Not a month: %(month)s (expected YYYY-MM).") % {"month": options["month"]}
            ) from None
        result = compute_kpis(stores=stores, start=start, end=end, by=options["by"])
        codes = ", ".join(s.code for s in stores)
        if not has_data(result, grouped=options["by"] is not None):
            self.stderr.write(
                _("%(stores)s has no data in %(month)s: every count is 0.")
                % {"stores": codes, "month": f"{start:%Y-%m}"},
                self.style.WARNING,
            )
        output = options["format"] or ("table" if self.stdout.isatty() else "json")
        if output == "json":
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            heading = _("Stores: %(stores)s  Month: %(month)s")
            self.stdout.write(heading % {"stores": codes, "month": f"{start:%Y-%m}"})
            names = source_names(stores)
            if options["by"] == "source":
                result = {names.get(key, key): values for key, values in result.items()}
            self.stdout.write(render_table(result, grouped=options["by"] is not None, names=names))


def has_data(result: dict[str, Any], *, grouped: bool) -> bool:
    """Does any count of the result (of any group) differ from 0?"""
    groups = list(result.values()) if grouped else [result]
    return any(
        value
        for values in groups
        for code, value in values.items()
        if code in REGISTRY and REGISTRY[code].kind == "count"
    )


def source_names(stores: QuerySet[Store]) -> dict[str, str]:
    """Source code → name in the language chosen, the stores' own sources included."""
    rows = Source.objects.filter(Q(store__isnull=True) | Q(store__in=stores))
    # A store's own name for a standard code wins.
    return {row.code: str(row) for row in sorted(rows, key=lambda r: r.store_id is not None)}


def render_table(
    result: dict[str, Any], *, grouped: bool, names: dict[str, str] | None = None
) -> str:
    """KPIs down, values (or one column per group) across; registry names with their units,
    rates as %; the source mix's keys by `names` (source code → name).

    A mapping KPI (source_mix) gets a line per key, "name/key" (a single "name —" line when
    no column has any key); in a column that has other keys but not this one it is 0%, in a
    column without any (no deliveries) it is —.
    """
    columns: dict[str, dict[str, Any]] = result if grouped else {_("Value"): result}
    codes = [c for c in REGISTRY if any(c in values for values in columns.values())]
    header = [_("KPI"), *(_label(key) for key in columns)]
    lines: list[list[str]] = []
    for code in codes:
        kpi = REGISTRY[code]
        values = [v.get(code) for v in columns.values()]
        if kpi.kind != "mapping":
            lines.append([_name(kpi), *(kpi.format(v) for v in values)])
            continue
        keys = sorted({k for v in values for k in v or {}}, key=lambda k: (k == NONE_KEY, k))
        if not keys:
            lines.append([kpi.name, *("—" for _v in values)])
        for key in keys:
            shares = [(v or {}).get(key, 0.0) if v else None for v in values]
            label = _label((names or {}).get(key, key))
            lines.append([f"{kpi.name}/{label}", *(percent(s) for s in shares)])
    table = [header, *lines]
    widths = [max(text_width(row[i]) for row in table) for i in range(len(header))]
    out = []
    for row in table:
        cells = [row[0] + " " * (widths[0] - text_width(row[0]))]
        cells += [
            " " * (w - text_width(cell)) + cell for cell, w in zip(row[1:], widths[1:], strict=True)
        ]
        out.append("  ".join(cells).rstrip())
    return "\n".join(out)


def _name(kpi: KPI) -> str:
    return _("%(name)s (minutes)") % {"name": kpi.name} if kpi.kind == "minutes" else kpi.name


def _label(key: str) -> str:
    return _("(none)") if key == NONE_KEY else key
