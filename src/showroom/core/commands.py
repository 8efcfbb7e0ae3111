"""What the management commands share: the base of the commands that read and write the
dealership's data, the --store argument (one code, several separated by commas, or all) and the
width of a terminal table's cells."""

from __future__ import annotations

import unicodedata
from typing import TypeVar

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

M = TypeVar("M", bound=Model)


class DataCommand(BaseCommand):
    """A command on the dealership's data (import, export, KPIs, reports), run by hand or
    every night. It does not run Django's system checks first: they check the set-up, which
    `showroom check` and the server's start check, and they would be a third of the command's
    start (every view and URL imported) for each file imported or month counted."""

    requires_system_checks: list[str] = []


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
        raise CommandError(unknown_stores(unknown, stores=stores))
    return named


def unknown_stores(codes: list[str], *, stores: QuerySet[M]) -> str:
    """The message for codes that name no store, with the codes that do."""
    return _("Unknown store: %(codes)s. %(valid)s") % {
        "codes": ", ".join(codes),
        "valid": valid_codes(stores),
    }


def valid_codes(stores: QuerySet[M], *, at_most: int = 20) -> str:
    """The codes a --store may name, for an error message."""
    codes = list(stores.order_by("code").values_list("code", flat=True)[: at_most + 1])
    if not codes:
        return _("There are no stores yet.")
    if len(codes) > at_most:
        total = stores.count()
        shown = ", ".join(codes[:at_most])
        return _("Stores: %(codes)s … (%(count)d in all)") % {"codes": shown, "count": total}
    return _("Stores: %(codes)s") % {"codes": ", ".join(codes)}


def text_width(text: str) -> int:
    """Columns a terminal gives `text`: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class ProgressBar:
    """One line on a terminal, redrawn in place: `label [#####·····] 3/10`. Writes nothing
    when `out` is not a terminal (a log or a pipe gets no control characters)."""

    WIDTH = 30

    def __init__(self, out: OutputWrapper, label: str) -> None:
        self.out, self.label, self.drawn = out, label, False
        self.on = out.isatty()

    def __call__(self, done: int, total: int) -> None:
        if not self.on or total <= 0:
            return
        filled = self.WIDTH * min(done, total) // total
        bar = "#" * filled + "·" * (self.WIDTH - filled)
        # Plain: a command's stderr on a terminal is styled as an error otherwise.
        self.out.write(f"\r{self.label} [{bar}] {done}/{total}", plain, ending="")
        self.out.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.out.write("", plain)
            self.drawn = False


def cannot_write(path: object, error: OSError) -> CommandError:
    """A clear message for an output path that cannot be written."""
    if isinstance(error, FileNotFoundError):
        reason = _("its folder does not exist")
    elif isinstance(error, FileExistsError | NotADirectoryError):
        reason = _("a file of that name is in the way (a folder is needed)")
    elif isinstance(error, IsADirectoryError):
        reason = _("it is a folder (a file name is needed)")
    elif isinstance(error, PermissionError):
        reason = _("no permission to write there")
    else:
        reason = error.strerror or str(error)
    return CommandError(_("Cannot write %(path)s: %(reason)s.") % {"path": path, "reason": reason})


def plain(text: str) -> str:
    return text
