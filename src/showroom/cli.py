"""The `showroom` console command: Django's manage.py under the product's name.

`showroom --help` lists the product's own commands first, each with the first sentence of its
help; Django's other commands stay runnable but out of sight (`showroom help --commands` lists
them all). Help texts and argument errors speak the chosen language: argparse's and Django's
own option texts are looked up in the project's catalog, and the help is wrapped by the width
a terminal gives Chinese characters.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from difflib import get_close_matches
from typing import Any

from showroom.core.commands import text_width


def gettext_noop(message: str) -> str:
    """Marks a text for the catalog; Django's own would need the settings at import."""
    return message


# The product's commands in the order the help lists them; any other command of a showroom
# app follows in alphabetical order.
PRODUCT_ORDER = (
    "demo",
    "generate",
    "import",
    "export",
    "kpi",
    "crosscheck",
    "report",
    "unlock",
    "setup",
    "backup",
    "restore",
    "assets",
)

# Django's commands a store's administrator needs, with what they do.
DJANGO_COMMANDS = {
    "migrate": gettext_noop("Create or update the database tables."),
    "createsuperuser": gettext_noop("Create a superuser login."),
    "changepassword": gettext_noop("Set a login's password."),
    "runserver": gettext_noop("Serve the application for trying it out (not for production)."),
    "check": gettext_noop("Check the set-up (with --deploy: for production)."),
    "compilemessages": gettext_noop("Compile the translations."),
}

# argparse's and Django's own texts, word for word as they write them (Python 3.11+, Django
# 5.2), so that the catalog translates them.
FOREIGN_TEXTS = (
    gettext_noop("usage: "),
    gettext_noop("options"),
    gettext_noop("positional arguments"),
    gettext_noop("show this help message and exit"),
    gettext_noop("argument %(argument_name)s: %(message)s"),
    gettext_noop("unrecognized arguments: %s"),
    gettext_noop("the following arguments are required: %s"),
    gettext_noop("one of the arguments %s is required"),
    gettext_noop("not allowed with argument %s"),
    gettext_noop("ignored explicit argument %r"),
    gettext_noop("expected one argument"),
    gettext_noop("expected at most one argument"),
    gettext_noop("expected at least one argument"),
    gettext_noop("ambiguous option: %(option)s could match %(matches)s"),
    gettext_noop("unexpected option string: %s"),
    gettext_noop("invalid %(type)s value: %(value)r"),
    gettext_noop("invalid choice: %(value)r (choose from %(choices)s)"),
    gettext_noop("%(prog)s: error: %(message)s\n"),
    gettext_noop("can't open '%(filename)s': %(error)s"),
    gettext_noop("Show program's version number and exit."),
    gettext_noop(
        "Verbosity level; 0=minimal output, 1=normal output, 2=verbose output, 3=very verbose "
        "output"
    ),
    gettext_noop(
        'The Python path to a settings module, e.g. "myproject.settings.main". If this isn\'t '
        "provided, the DJANGO_SETTINGS_MODULE environment variable will be used."
    ),
    gettext_noop('A directory to add to the Python path, e.g. "/home/djangoprojects/myproject".'),
    gettext_noop("Display a full stack trace on CommandError exceptions."),
    gettext_noop("Don't colorize the command output."),
    gettext_noop("Force colorization of the command output."),
    gettext_noop("Skip system checks."),
    gettext_noop("Tells Django to NOT prompt the user for input of any kind."),
    gettext_noop('Nominates a database to synchronize. Defaults to the "default" database.'),
)

ENDS = re.compile(r"(?<=[。；])|(?<=\.)\s|(?<=;)\s")


def translated(message: str) -> str:
    """`message` from the catalog once Django is set up (argparse may speak before)."""
    from django.apps import apps

    if not apps.ready:
        return message
    from django.utils.translation import gettext

    return gettext(message)


def translated_plural(singular: str, plural: str, n: int) -> str:
    from django.apps import apps

    if not apps.ready:
        return singular if n == 1 else plural
    from django.utils.translation import ngettext

    return ngettext(singular, plural, n)


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` terminal columns: words stay whole, Chinese breaks between any
    two characters but never before closing punctuation nor after an opening bracket."""
    text = " ".join(text.split())
    tokens = re.findall(r"[\x00-\u2e7f]+?(?=\s|[^\x00-\u2e7f]|$)\s*|[^\x00-\u2e7f]\s*", text)
    lines: list[list[str]] = [[]]
    for token in tokens:
        line = lines[-1]
        if line and text_width("".join(line) + token.rstrip()) > width:
            carried = [line.pop()] if token[0] in CLOSING and len(line) > 1 else []
            if len(line) > 1 and line[-1][0] in OPENING:  # an opening bracket goes down too
                carried.insert(0, line.pop())
            lines.append(carried)
        lines[-1].append(token)
    return ["".join(line).rstrip() for line in lines if "".join(line).strip()]


CLOSING = "，。；：）、”」』！？"
OPENING = "（“「『"


def install() -> None:
    """Speak the chosen language in argparse and in Django's command-line plumbing."""
    from django.core.management import base

    argparse._ = translated  # type: ignore[attr-defined]
    argparse.ngettext = translated_plural  # type: ignore[attr-defined]

    class HelpFormatter(base.DjangoHelpFormatter):
        def _split_lines(self, text: str, width: int) -> list[str]:
            return wrap(text, width)

        def _fill_text(self, text: str, width: int, indent: str) -> str:
            return "\n".join(indent + line for line in wrap(text, width - len(indent)))

    original = base.BaseCommand.create_parser
    if getattr(original, "translated", False):
        return

    def create_parser(self: Any, prog_name: str, subcommand: str, **kwargs: Any) -> Any:
        parser = original(self, prog_name, subcommand, **kwargs)
        parser.formatter_class = HelpFormatter
        for action in parser._actions:
            if action.help and action.help != argparse.SUPPRESS:
                action.help = translated(action.help)
        return parser

    create_parser.translated = True  # type: ignore[attr-defined]
    base.BaseCommand.create_parser = create_parser  # type: ignore[method-assign]
    base.BaseCommand.run_from_argv = run_from_argv  # type: ignore[method-assign]


def run_from_argv(self: Any, argv: list[str]) -> None:
    """Django's, with a command's error written in the chosen language."""
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management.base import CommandError, SystemCheckError, handle_default_options
    from django.db import DatabaseError, connections

    self._called_from_command_line = True
    parser = self.create_parser(argv[0], argv[1])
    options = parser.parse_args(argv[2:])
    cmd_options = vars(options)
    args = cmd_options.pop("args", ())
    handle_default_options(options)
    try:
        self.execute(*args, **cmd_options)
    except DatabaseError as error:
        message = None if options.traceback or argv[1] == "migrate" else database_problem(error)
        if message is None:
            raise
        self.stderr.write(translated("Error: %(message)s") % {"message": message})
        sys.exit(1)
    except CommandError as error:
        if options.traceback:
            raise
        _ = translated
        if isinstance(error, SystemCheckError):
            self.stderr.write(str(error), lambda x: x)
        else:
            self.stderr.write(_("Error: %(message)s") % {"message": error})
        sys.exit(error.returncode)
    finally:
        try:
            connections.close_all()
        except ImproperlyConfigured:
            pass


def database_problem(error: Exception) -> str | None:
    """What to tell about a database error that is not the command's fault: a database that
    cannot be reached, or one not migrated yet; None for any other (a bug: its traceback)."""
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    _ = translated
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        return _("Cannot use the database: %(error)s") % {"error": error}
    if pending:
        return _("The database is not set up or not up to date: run 'showroom migrate' first.")
    return None


def summary(help_text: str, *, width: int = 60) -> str:
    """The first sentence of a command's help, made to fit `width` columns: without its
    parentheses, then up to its colon, then up to a comma."""
    first = ENDS.split(" ".join(str(help_text).split()), maxsplit=1)[0].strip()
    first = first.rstrip("。.；;")
    if text_width(first) > width:
        first = re.sub(r"\s*(（[^）]*）|\([^)]*\))", "", first)
    if text_width(first) > width:
        first = re.split("[：:]", first, maxsplit=1)[0]
    while text_width(first) > width and (cut := max(first.rfind("，"), first.rfind(","))) > 0:
        first = first[:cut]
    return first


def product_commands() -> list[tuple[str, str]]:
    """(name, one-line description) of the showroom apps' commands, in the help's order."""
    from django.core.management import get_commands, load_command_class

    names = [n for n, app in get_commands().items() if str(app).startswith("showroom")]
    rank = {name: i for i, name in enumerate(PRODUCT_ORDER)}
    names.sort(key=lambda n: (rank.get(n, len(rank)), n))
    return [(name, summary(load_command_class(get_commands()[name], name).help)) for name in names]


def main_help_text(prog: str) -> str:
    from django.core.management import get_commands

    _ = translated
    commands = product_commands()
    django_commands = [(n, _(t)) for n, t in DJANGO_COMMANDS.items() if n in get_commands()]
    width = max(text_width(n) for n, _t in commands + django_commands) + 2
    lines = [
        _("Usage: %(prog)s COMMAND [options]") % {"prog": prog},
        _("Type '%(prog)s help COMMAND' for the help of a command.") % {"prog": prog},
        "",
        _("Showroom's commands:"),
    ]
    lines += [f"  {name.ljust(width)}{text}" for name, text in commands]
    lines += ["", _("Django's commands for the administrator:")]
    lines += [f"  {name.ljust(width)}{text}" for name, text in django_commands]
    lines += [
        "",
        _(
            "Django's other commands (flush, sqlflush, startproject, …) still run: "
            "'%(prog)s help --commands' lists every command."
        )
        % {"prog": prog},
    ]
    return "\n".join(lines)


def utility(argv: list[str]) -> Any:
    from django.core.management import ManagementUtility

    class Utility(ManagementUtility):
        def main_help_text(self, commands_only: bool = False) -> str:
            if commands_only:
                return super().main_help_text(commands_only=True)
            return main_help_text(self.prog_name)

        def fetch_command(self, subcommand: str) -> Any:
            from django.conf import settings
            from django.core.management import get_commands

            commands = get_commands()
            if subcommand not in commands:
                settings.INSTALLED_APPS  # noqa: B018  # a broken configuration says so itself
                _ = translated
                sys.stderr.write(_("Unknown command: %(name)s") % {"name": subcommand})
                if matches := get_close_matches(subcommand, commands):
                    sys.stderr.write(_(" (did you mean %(name)s?)") % {"name": matches[0]})
                sys.stderr.write("\n")
                sys.stderr.write(
                    _("Type '%(prog)s help' for the commands.") % {"prog": self.prog_name} + "\n"
                )
                sys.exit(1)
            return super().fetch_command(subcommand)

    return Utility(argv)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "showroom.settings")
    install()
    utility(["showroom", *sys.argv[1:]]).execute()


if __name__ == "__main__":
    main()
