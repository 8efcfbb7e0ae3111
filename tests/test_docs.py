"""docs/contracts.md holds tables generated from the code: the KPI registry, the exchange forms'
columns and the standard sources. These tests fail when a table and the code disagree.

Regenerate the tables after changing the registry or a form:

    PYTHONPATH=src python tests/test_docs.py --write
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

import django

CONTRACTS = Path(__file__).resolve().parents[1] / "docs" / "contracts.md"


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _row(*cells: str) -> str:
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def kpi_table() -> str:
    from showroom.kpi.registry import REGISTRY

    lines = [
        _row("code", "名称", "name", "公式 (formula)"),
        _row("---", "---", "---", "---"),
    ]
    for kpi in REGISTRY.values():
        lines.append(_row(f"`{kpi.code}`", kpi.name_zh, kpi.name_en, kpi.formula_zh))
    return "\n".join(lines)


def _holds(kind: object) -> str:
    """What a cell of this kind may hold, in a few words."""
    from showroom.exchange import parsing as p

    if isinstance(kind, p.Grade):
        return "grade O, H, A, B or C (also A级)"
    if isinstance(kind, p.Choice):
        return "one of " + ", ".join(f"{zh} `{code}`" for code, zh in kind.labels.items())
    if isinstance(kind, p.YesNo):
        return "yes/no: 是/否, Y/N, yes/no, 1/0, ✓/×; empty is no (CSV writes 1/0)"
    if isinstance(kind, p.DateTime):
        return "date and time YYYY-MM-DD HH:MM, store's local time unless an offset is given"
    if isinstance(kind, p.Month):
        return "month YYYY-MM (also 2026/10, 2026年10月, an Excel date in the month)"
    if isinstance(kind, p.Date):
        return "date YYYY-MM-DD (also 2026/10/1, 2026年10月1日, an Excel date)"
    if isinstance(kind, p.Time):
        return "time HH:MM (also an Excel time)"
    if isinstance(kind, p.Money):
        return "amount ≥ 0, two decimals (5000, 5,000.00, ¥5000, 5000元)"
    if isinstance(kind, p.Whole):
        return f"whole number {kind.minimum}–{kind.maximum:,}"
    if isinstance(kind, p.Count):
        return f"whole number 1–{kind.maximum}, empty = 1"
    if isinstance(kind, p.SourceRef):
        return "a source of the store: Chinese name, English name or code (CSV writes the code)"
    if isinstance(kind, p.StaffRef):
        return (
            "staff member of the store by name or staff code; unknown: an error, "
            f"or a new {kind.role} with --create-staff"
        )
    if isinstance(kind, p.Phone):
        extra = ", must hold digits" if kind.digits_required else ""
        return f"phone as written, matched by its digits (≤ {kind.max_length} characters{extra})"
    if type(kind).__name__ == "TargetRef":
        return (
            "the row's reference as the export writes it (TG1234-3fa9c1 a store's target, "
            "TC1234-3fa9c1 a consultant's); a target is found by its month and consultant"
        )
    if isinstance(kind, p.Ref):
        return (
            f"the row's reference as the export writes it ({kind.code}1234-3fa9c1); "
            "the import finds the row by it first"
        )
    if type(kind).__name__ == "Vin":
        return "VIN: letters and digits, ≤ 17, kept in capitals"
    if isinstance(kind, p.Text):
        return f"text ≤ {kind.max_length} characters" if kind.max_length else "text"
    raise AssertionError(f"describe {type(kind).__name__} in tests/test_docs.py")


def form_tables() -> str:
    from showroom.exchange.columns import STORE_COLUMN
    from showroom.exchange.forms import FORMS

    parts = []
    for form in FORMS:
        lines = [
            f"#### {form.zh} — `{form.name}.csv` ({form.model._meta.label})",
            "",
            _row("中文表头", "CSV", "required", "also read as", "a cell holds"),
            _row("---", "---", "---", "---", "---"),
        ]
        for column in (STORE_COLUMN, *form.columns):
            lines.append(
                _row(
                    column.zh,
                    f"`{column.name}`",
                    "yes" if column.required else "",
                    "、".join(column.aliases),
                    "the store's code (CSV: every row; workbook: with several stores)"
                    if column is STORE_COLUMN
                    else _holds(column.kind),
                )
            )
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def source_table() -> str:
    from showroom.customers.choices import STANDARD_SOURCES

    lines = [_row("code", "中文", "English"), _row("---", "---", "---")]
    lines += [_row(f"`{code}`", zh, en) for code, zh, en in STANDARD_SOURCES]
    return "\n".join(lines)


TABLES: dict[str, Callable[[], str]] = {
    "kpis": kpi_table,
    "forms": form_tables,
    "sources": source_table,
}


def _block(name: str) -> re.Pattern[str]:
    return re.compile(
        rf"(<!-- generated: {name} -->\n)(.*?)(\n<!-- end: {name} -->)", flags=re.DOTALL
    )


def documented(name: str, text: str) -> str:
    match = _block(name).search(text)
    assert match, f"docs/contracts.md has no generated block {name!r}"
    return match.group(2)


def test_kpi_table_is_the_registry() -> None:
    assert documented("kpis", CONTRACTS.read_text(encoding="utf-8")) == kpi_table()


def test_kpi_table_lists_every_code_once() -> None:
    from showroom.kpi.registry import REGISTRY

    table = documented("kpis", CONTRACTS.read_text(encoding="utf-8"))
    codes = re.findall(r"^\| `([a-z_A-Z0-9]+)` \|", table, flags=re.MULTILINE)
    assert codes == list(REGISTRY)


def test_form_tables_are_the_exchange_columns() -> None:
    assert documented("forms", CONTRACTS.read_text(encoding="utf-8")) == form_tables()


def test_source_table_is_the_standard_sources() -> None:
    assert documented("sources", CONTRACTS.read_text(encoding="utf-8")) == source_table()


def write() -> None:
    text = CONTRACTS.read_text(encoding="utf-8")
    for name, table in TABLES.items():
        text, count = _block(name).subn(lambda m, t=table: m.group(1) + t() + m.group(3), text)
        assert count == 1, name
    CONTRACTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "showroom.settings")
    django.setup()
    if "--write" in sys.argv:
        write()
    else:
        for table in TABLES.values():
            print(table(), end="\n\n")
