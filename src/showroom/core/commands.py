"""What the management commands share: the --store argument (one code, several separated by
commas, or all) and the width of a terminal table's cells."""

from __future__ import annotations

import unicodedata
from typing import TypeVar

from django.core.management.base import CommandError, CommandParser
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

M = TypeVar("M", bound=Model)


def add_store_argument(parser: CommandParser) -> None:
    parser.add_argument(
        "--store", required=True, help=_("A store code, several separated by commas, or all.")
    )


def stores_named(spec: str, *, stores: QuerySet[M]) -> QuerySet[M]:
    """`all`, or codes separated by commas, as the rows of `stores` (a queryset of a model
    with a `code`); CommandError naming any unknown code."""
    spec = spec.strip()
    if spec.lower() == "all":
        if not stores.exists():
            raise CommandError(_("There are no stores yet."))
        return stores
    codes = list(dict.fromkeys(c.strip() for c in spec.split(",") if c.strip()))
    if not codes:
        raise CommandError(_("Name a store code, several separated by commas, or all."))
    named = stores.filter(code__in=codes)
    if unknown := sorted(set(codes) - set(named.values_list("code", flat=True))):
        raise CommandError(_("Unknown store: %(codes)s") % {"codes": ", ".join(unknown)})
    return named


def text_width(text: str) -> int:
    """Columns a terminal gives `text`: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
