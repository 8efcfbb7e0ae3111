"""The monthly management report: KPIs, funnel, diagnostics, targets and value for one store and
month as one formatted workbook, ready to print.

Sheets: cover, the KPI table (this month, last month, the same month last year, MoM, YoY,
good direction), the funnel, the consultant league, sources and models, the hour × weekday
traffic heatmap, the diagnostics, the targets (progress, forecast, funnel refill) and the
value of a delivery, an owner and a loyal customer.

Every number comes from `compute_kpis` and the registry, or from the modules that own a
screen: `kpi.dashboard` (funnel, heatmap), `kpi.diagnostics`, `targets.selectors`,
`kpi.value`. The layout every sheet shares is in layout.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from showroom.core.months import last_of_month
from showroom.core.sheets import heat_scale
from showroom.core.text import put
from showroom.customers.models import Source
from showroom.kpi.dashboard import selectors as dashboard
from showroom.kpi.registry import REGISTRY, implemented_codes
from showroom.kpi.selectors import NONE_KEY, compute_kpis
from showroom.kpi.statistics.workbooks import INT, PERCENT
from showroom.organization.models import Store
from showroom.reports.month_report.layout import (
    BAD_FONT,
    CHANGE_DECIMAL,
    CHANGE_PERCENT,
    CHANGE_POINTS,
    GOOD_FONT,
    SheetWriter,
    breakdown_label,
    kpi_format,
)
from showroom.reports.month_report.parts import write_diagnostics, write_targets, write_value

# The consultant league, sources and models: the columns, in order.
LEAGUE_CODES = (
    "first_visit_batches",
    "retention_rate",
    "test_drive_rate",
    "quote_rate",
    "new_prospects",
    "orders",
    "deliveries",
    "close_rate",
    "order_rate",
    "insurance_penetration",
    "finance_penetration",
)
SOURCE_CODES = (
    "leads",
    "walkin_batches",
    "first_visit_batches",
    "retention_rate",
    "new_prospects",
    "orders",
    "deliveries",
    "close_rate",
)
MODEL_CODES = (
    "walkin_batches",
    "test_drive_rate",
    "quote_rate",
    "new_prospects",
    "orders",
    "deliveries",
)


def build_report_workbook(
    *, store: Store, month_start: date, language: str = "zh-hans", group: Sequence[Store] = ()
) -> Workbook:
    """The monthly report of `store` for the month starting `month_start`.

    `group`: the stores whose pooled KPIs are the diagnostics' group benchmark (none: the
    store's own history only).
    """
    month_end = last_of_month(month_start)
    with translation.override(language):
        report = _Report(store, month_start, month_end, group)
        return report.build()


class _Report(SheetWriter):
    def build(self) -> Workbook:
        for key, write in (
            ("cover", self.cover),
            ("kpis", self.kpis),
            ("funnel", self.funnel),
            ("league", self.league),
            ("sources", self.sources),
            ("heatmap", self.heatmap),
            ("diagnostics", self.diagnostics),
            ("targets", self.targets),
            ("value", self.value),
        ):
            ws = self.workbook.create_sheet(self.titles[key])
            write(ws)
        return self.workbook

    # --- the sheets -----------------------------------------------------------------------

    def cover(self, ws: Worksheet) -> None:
        ws.cell(row=1, column=1, value=_("Monthly management report")).font = Font(
            bold=True, size=20
        )
        ws.merge_cells("A1:D1")
        ws.row_dimensions[1].height = 36
        facts = [
            (_("Store"), f"{self.store.name} ({self.store.code})"),
            (_("Brand"), self.store.brand),
            (_("Month"), self.period),
            (_("Period"), f"{self.start:%Y-%m-%d} – {self.end:%Y-%m-%d}"),
            (_("Generated at"), f"{self.store.now():%Y-%m-%d %H:%M}"),
        ]
        row = 3
        for label, text in facts:
            ws.cell(row=row, column=1, value=label).font = Font(bold=True)
            put(ws, row, 2, text)
            row += 1
        row = self.section(ws, row + 1, _("Key figures"))
        header_row = row
        codes = [
            "walkin_batches",
            "first_visit_batches",
            "retention_rate",
            "orders",
            "deliveries",
            "close_rate",
            "owners",
        ]
        codes = [c for c in codes if c in self.current]
        names, fmts = self.kpi_columns(codes)
        row = self.table(
            ws,
            row,
            [_("KPI"), _("This month"), _("Last month"), _("Same month last year")],
            [
                [n, self.current[c], self.month_before[c], self.year_before[c]]
                for n, c in zip(names, codes, strict=True)
            ],
            [None],
            line_formats=[[None, f, f, f] for f in fmts],
        )
        row = self.section(ws, row + 1, _("Contents"))
        for title in list(self.titles.values())[1:]:
            link = ws.cell(row=row, column=1, value=title)
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{title}'!A1")
            link.font = Font(color="0B5CAD", underline="single")
            row += 1
        self.finish(ws, header_row, [22, 30, 16, 18], freeze_col=1)
        ws.freeze_panes = None

    def kpis(self, ws: Worksheet) -> None:
        headers = [
            _("KPI"),
            _("This month"),
            _("Last month"),
            _("Same month last year"),
            _("MoM"),
            _("YoY"),
            _("Good direction"),
            _("Code"),
            _("Definition"),
        ]
        top = self.heading(ws, self.titles["kpis"], len(headers))
        lines: list[list[Any]] = []
        line_formats: list[list[str | None]] = []
        tones: list[tuple[str, str]] = []
        for code in implemented_codes():
            kpi = REGISTRY[code]
            if kpi.kind == "mapping":
                continue  # source_mix: a share per source, on the sources sheet
            value, before, year = (
                self.current[code],
                self.month_before[code],
                self.year_before[code],
            )
            fmt = kpi_format(code)
            change_fmt = {"rate": CHANGE_POINTS, "count": CHANGE_PERCENT}.get(
                kpi.kind, CHANGE_DECIMAL
            )
            lines.append(
                [
                    kpi.name,
                    value,
                    before,
                    year,
                    _change(kpi.kind, value, before),
                    _change(kpi.kind, value, year),
                    _direction(kpi.good),
                    code,
                    kpi.formula,
                ]
            )
            line_formats.append([None, fmt, fmt, fmt, change_fmt, change_fmt, None, None, None])
            tones.append((_tone(kpi.good, value, before), _tone(kpi.good, value, year)))
        self.table(ws, top, headers, lines, [None], line_formats=line_formats)
        for offset, (mom, yoy) in enumerate(tones):
            for col, tone in ((5, mom), (6, yoy)):
                if tone:
                    ws.cell(row=top + 1 + offset, column=col).font = (
                        GOOD_FONT if tone == "better" else BAD_FONT
                    )
        for offset in range(len(lines)):
            ws.cell(row=top + 1 + offset, column=9).alignment = Alignment(wrap_text=True)
        row = top + len(lines) + 2
        self.note(
            ws,
            row,
            _(
                "MoM and YoY: counts as a percentage change, rates in percentage points (pp), "
                "averages as a difference. Green is better, red worse, by the KPI's good direction."
            ),
        )
        self.finish(ws, top, [24, 12, 12, 14, 11, 11, 12, 22, 60])

    def funnel(self, ws: Worksheet) -> None:
        headers = [
            _("Stage"),
            _("Count"),
            _("Conversion from the stage before"),
            _("From the first stage"),
        ]
        top = self.heading(ws, self.titles["funnel"], len(headers))
        stages = dashboard.funnel(stores=[self.store], start=self.start, end=self.counted_to)
        lines = [[str(s.label), s.count, s.conversion, s.share] for s in stages]
        end = self.table(ws, top, headers, lines, [None, INT, PERCENT, PERCENT])
        row = self.note(
            ws,
            end + 1,
            _(
                "The month's new prospects and how far each got by the end of the period: "
                "each stage counts the people who reached it or a later one."
            ),
        )
        tiles = dashboard.traffic(self.current)
        row = self.section(ws, row + 1, _("Traffic of the month"))
        self.table(
            ws,
            row,
            [_("Stage"), _("Count")],
            [[str(t.label), t.count] for t in tiles],
            [None, INT],
        )
        # The stages as bars beside the table (printed with it, on the same page).
        chart = BarChart()
        chart.type = "bar"  # horizontal: the funnel reads top to bottom
        chart.y_axis.scaling.orientation = "minMax"
        chart.x_axis.scaling.orientation = "maxMin"
        chart.title = self.titles["funnel"]
        chart.legend = None
        chart.add_data(
            Reference(ws, min_col=2, min_row=top, max_row=end - 1), titles_from_data=True
        )
        chart.set_categories(Reference(ws, min_col=1, min_row=top + 1, max_row=end - 1))
        chart.height, chart.width = 7.5, 14
        ws.add_chart(chart, f"F{top}")
        self.finish(ws, top, [24, 12, 22, 18])

    def league(self, ws: Worksheet) -> None:
        names, _fmts = self.kpi_columns(LEAGUE_CODES)
        top = self.heading(ws, self.titles["league"], len(LEAGUE_CODES) + 2)
        result = compute_kpis(
            stores=[self.store], start=self.start, end=self.end, by="consultant", codes=LEAGUE_CODES
        )
        keys = sorted(
            result,
            key=lambda k: (
                k == NONE_KEY,
                -(result[k]["deliveries"] or 0),
                -(result[k]["orders"] or 0),
                k,
            ),
        )
        lines = []
        rank = 0
        for key in keys:
            if key != NONE_KEY:
                rank += 1
            lines.append(
                [
                    rank if key != NONE_KEY else None,
                    breakdown_label(key),
                    *(result[key][c] for c in LEAGUE_CODES),
                ]
            )
        total = [
            "",
            pgettext("monthly statistics", "Total"),
            *(self.current[c] for c in LEAGUE_CODES),
        ]
        self.table(
            ws,
            top,
            [_("Rank"), _("Consultant"), *names],
            lines,
            [INT, None, *(kpi_format(c) for c in LEAGUE_CODES)],
            total=total,
        )
        self.finish(ws, top, [6, 16, *([11] * len(LEAGUE_CODES))], freeze_col=3)

    def sources(self, ws: Worksheet) -> None:
        width = max(len(SOURCE_CODES), len(MODEL_CODES)) + 2
        top = self.heading(ws, self.titles["sources"], width)
        names = {
            s.code: str(s)
            for s in Source.objects.filter(Q(store__isnull=True) | Q(store=self.store)).order_by(
                "store_id"
            )
        }
        row = self.section(ws, top, _("By source"))
        header_row = row
        end = self.grouped(
            ws,
            row,
            _("Source"),
            "source",
            SOURCE_CODES,
            lambda k: breakdown_label(k) if k == NONE_KEY else names.get(k, k),
            share=self.current.get("source_mix") or {},
        )
        row = self.section(ws, end + 1, _("By model"))
        self.grouped(ws, row, _("Model"), "model", MODEL_CODES, breakdown_label)
        self.finish(ws, header_row, [16, *([11] * (width - 1))])

    def heatmap(self, ws: Worksheet) -> None:
        heat = dashboard.heatmap(store=self.store, start=self.start, end=self.end)
        headers = [_("Weekday"), *heat.slots, pgettext("monthly statistics", "Total")]
        top = self.heading(
            ws,
            self.titles["heatmap"],
            len(headers),
            _("Walk-in rows per weekday and hour of arrival · store %(code)s")
            % {"code": self.store.code},
        )
        lines = [
            [day, *cells, sum(cells)] for day, cells in zip(heat.weekdays, heat.cells, strict=True)
        ]
        totals = [sum(col) for col in zip(*heat.cells, strict=True)] if heat.cells else []
        total = [pgettext("monthly statistics", "Total"), *totals, sum(totals)]
        self.table(ws, top, headers, lines, [None, *([INT] * (len(headers) - 1))], total=total)
        last = get_column_letter(1 + len(heat.slots))
        heat_scale(ws, f"B{top + 1}:{last}{top + 7}")
        self.finish(ws, top, [10, *([7] * len(heat.slots)), 9])

    def diagnostics(self, ws: Worksheet) -> None:
        write_diagnostics(self, ws)

    def targets(self, ws: Worksheet) -> None:
        top = self.heading(ws, self.titles["targets"], 6)
        header_row = write_targets(self, ws, top)
        self.finish(ws, header_row or top, [24, 14, 14, 14, 14, 14])

    def value(self, ws: Worksheet) -> None:
        write_value(self, ws)


# --- cells ------------------------------------------------------------------------------------


def _change(kind: str, value: Any, before: Any) -> float | None:
    """MoM/YoY: counts as a fraction of change, rates in points, averages as a difference."""
    if not isinstance(value, int | float) or not isinstance(before, int | float):
        return None
    if kind == "rate":
        return (value - before) * 100
    if kind == "count":
        return (value - before) / before if before else None
    return value - before


def _tone(good: str | None, value: Any, before: Any) -> str:
    if good is None or not isinstance(value, int | float) or not isinstance(before, int | float):
        return ""
    if value == before:
        return ""
    return "better" if (value > before) == (good == "up") else "worse"


def _direction(good: str | None) -> str:
    if good == "up":
        return "↑ " + _("higher is better")
    if good == "down":
        return "↓ " + _("lower is better")
    return ""
