"""Console tables for the generate and demo commands (Chinese is twice as wide as Latin)."""

from __future__ import annotations

import unicodedata

from django.core.management.base import OutputWrapper
from django.utils.translation import gettext as _


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(rows: list[list[str]]) -> list[str]:
    """Left-aligned columns, the first row a header underlined with dashes."""
    widths = [max(width(row[i]) for row in rows) for i in range(len(rows[0]))]

    def line(row: list[str]) -> str:
        cells = zip(row, widths, strict=True)
        return "  ".join(cell + " " * (w - width(cell)) for cell, w in cells)

    lines = [line(row).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


def print_counts(out: OutputWrapper, counts: dict[str, int], seconds: float) -> None:
    labels = {
        "stores": _("Stores"),
        "staff": _("Staff"),
        "customers": _("Customer cards"),
        "walk_ins": _("Walk-ins"),
        "calls": _("Calls"),
        "leads": _("Leads"),
        "lead_contacts": _("Lead calls and messages"),
        "appointments": _("Appointments booked"),
        "grade_changes": _("Grade changes"),
        "activities": _("Activities (contacts)"),
        "test_drives": _("Test drives"),
        "quotes": _("Quotes"),
        "orders": _("Orders"),
        "losses": _("Lost / out-of-control requests"),
        "vehicles": _("Owners' vehicles"),
        "service_visits": _("Service visits"),
        "reactivations": _("Re-activations"),
        "reviews": _("Daily report reviews"),
        "media_spend": _("Media spend (channel-months)"),
        "surveys": _("Surveys"),
        "survey_questions": _("Survey questions"),
        "intent_checks": _("Intent checks"),
        "interviews": _("Delivery interviews"),
        "survey_responses": _("Survey responses"),
        "survey_answers": _("Survey answers"),
    }
    rows = [[_("Table"), _("Rows added")]]
    rows += [[labels.get(key, key), f"{value:,}"] for key, value in counts.items()]
    for text in table(rows):
        out.write(text)
    out.write(_("Done in %(seconds).1f s.") % {"seconds": seconds})
