"""Blank workbooks of the exchange forms: the Chinese headers and one row of example values,
which the import reads as it reads any other row (so a template filled in imports as is)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.db.models import Q
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from showroom.core.text import append_row, protect_workbook
from showroom.customers.models import Source
from showroom.exchange.columns import Column, Form
from showroom.exchange.exports import HEADER_ALIGNMENT, HEADER_FILL, HEADER_FONT
from showroom.exchange.parsing import (
    Choice,
    Count,
    Date,
    DateTime,
    Money,
    Phone,
    Ref,
    SourceRef,
    StaffRef,
    Time,
    YesNo,
)
from showroom.organization.models import Staff, Store

EXAMPLE_FONT = Font(italic=True, color="808080")

# Text columns by name; a column not named here is left empty in the example row.
TEXT_EXAMPLES = {
    "name": "王先生",
    "model": "途胜",
    "region": "朝阳区",
    "industry": "IT",
    "purchase_timeframe": "1个月内",
    "budget": "15-20万",
    "competitor_models": "凯美瑞",
    "competitor_brand": "丰田",
    "competitor_model": "凯美瑞",
    "plate": "京A12345",
    "vin": "LVSHCAMB1CE054249",
    "notes": "约周末试驾",
    "description": "价格差距大",
    "hand_card": "001",
    "email": "wang@example.com",
    "contract_no": "HT2026001",
    "colour": "白色",
}
# Columns that would describe another state of the row (a cancelled order, a decided loss).
LEFT_EMPTY = frozenset({"ref", "cancelled_on", "confirmed_by", "decided_on", "status"})


def _example(column: Column, store: Store, names: dict[str, str]) -> Any:
    kind, today = column.kind, store.today()
    if column.name in LEFT_EMPTY or isinstance(kind, Ref):
        return None
    if isinstance(kind, Phone):
        return "13800000000"
    if isinstance(kind, DateTime):
        return datetime.combine(today, time(10, 0))
    if isinstance(kind, Date):
        return today
    if isinstance(kind, Time):
        return time(10, 45) if column.name == "left_at" else time(10, 0)
    if isinstance(kind, Money):
        return 5000
    if isinstance(kind, Count):
        return 1
    if isinstance(kind, YesNo):
        return "是"
    if isinstance(kind, Choice):
        return next(iter(kind.labels.values()), None)
    if isinstance(kind, SourceRef):
        return names["source"]
    if isinstance(kind, StaffRef):
        return names["staff"]
    return TEXT_EXAMPLES.get(column.name)


def _names(store: Store) -> dict[str, str]:
    sources = Source.objects.filter(Q(store=store) | Q(store__isnull=True), active=True)
    source = sources.order_by("id").first()
    consultant = Staff.objects.consultants(store).order_by("id").first()
    return {
        "source": source.name_zh if source else "",
        "staff": (consultant.full_name or consultant.username) if consultant else "",
    }


def blank_workbook(forms: list[Form], *, store: Store) -> Workbook:
    names = _names(store)
    workbook = Workbook()
    workbook.remove(workbook.active)
    for form in forms:
        sheet = workbook.create_sheet(form.zh)
        sheet.append([c.zh for c in form.columns])
        append_row(sheet, [_example(c, store, names) for c in form.columns])
        for index, column in enumerate(form.columns, start=1):
            header = sheet.cell(row=1, column=index)
            header.font, header.fill, header.alignment = HEADER_FONT, HEADER_FILL, HEADER_ALIGNMENT
            example = sheet.cell(row=2, column=index)
            example.font = EXAMPLE_FONT
            if column.kind.number_format:
                example.number_format = column.kind.number_format
            width = max(column.width, 2 * len(column.zh) + 2)
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
    return protect_workbook(workbook)
