"""`showroom setup`: the dealer group, its first store and its group admin, asked in
Chinese one by one, or given as options (--no-input) for scripts and tests."""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from showroom.organization.administration import services
from showroom.organization.administration.forms import FirstRunForm
from showroom.organization.models import Staff, Store

# Option → the form field it fills, in the order they are asked.
FIELDS = [
    ("group", "group"),
    ("store_code", "store_code"),
    ("store_name", "store_name"),
    ("brand", "brand"),
    ("time_zone", "time_zone"),
    ("username", "username"),
    ("full_name", "full_name"),
]


class Command(BaseCommand):
    @property  # a property, so that the help is translated when it is shown
    def help(self) -> str:  # type: ignore[override]
        return _(
            "Set up a real dealership: create the database tables, the dealer group, its first "
            "store and the group admin who adds everything else on the screens."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--group", help=_("Name of the dealer group."))
        parser.add_argument("--store-code", help=_("Code of the first store, e.g. BJ01."))
        parser.add_argument("--store-name", help=_("Name of the first store."))
        parser.add_argument("--brand", help=_("Brand the store sells."))
        parser.add_argument("--time-zone", help=_("Time zone of the store (Asia/Shanghai)."))
        parser.add_argument("--username", help=_("Login name of the group admin."))
        parser.add_argument("--full-name", help=_("Name of the group admin."))
        parser.add_argument(
            "--password",
            help=_("Password of the group admin (else SHOWROOM_ADMIN_PASSWORD, else asked)."),
        )
        parser.add_argument(
            "--no-input",
            action="store_true",
            dest="no_input",
            help=_("Ask nothing: every value comes from the options."),
        )
        parser.add_argument(
            "--skip-migrate", action="store_true", help=_("Do not create or update the tables.")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["skip_migrate"]:
            call_command("migrate", verbosity=0, interactive=False)
        interactive = not options["no_input"]
        data: dict[str, str] = {
            field: options.get(option) or "" for option, field in FIELDS if options.get(option)
        }
        if not interactive:
            data.setdefault("time_zone", "Asia/Shanghai")
        data["password"] = options.get("password") or os.environ.get("SHOWROOM_ADMIN_PASSWORD", "")
        if interactive:
            data = self._ask(data)
        form = FirstRunForm(data)
        if not form.is_valid():
            raise CommandError(_describe(form))
        self._check_free(form.cleaned_data)
        done = services.set_up(**form.cleaned_data)
        self.stdout.write(
            _(
                "Set up: dealer group %(group)s, store %(store)s (%(code)s), group admin "
                "%(user)s. Start the server (showroom runserver) and sign in to add the staff."
            )
            % {
                "group": done.group.name,
                "store": done.store.name,
                "code": done.store.code,
                "user": done.admin.username,
            }
        )

    def _check_free(self, data: dict[str, Any]) -> None:
        if Store.objects.filter(code=data["store_code"]).exists():
            raise CommandError(_("A store %(code)s exists already.") % {"code": data["store_code"]})
        if Staff.objects.filter(username=data["username"]).exists():
            raise CommandError(_("A login %(user)s exists already.") % {"user": data["username"]})

    def _ask(self, data: dict[str, str]) -> dict[str, str]:
        """Ask for each value not given, again until the form accepts it."""
        prompts = {
            "group": _("Dealer group name"),
            "store_code": _("First store's code (letters, digits, hyphens, e.g. BJ01)"),
            "store_name": _("First store's name"),
            "brand": _("Brand (may be left empty)"),
            "time_zone": _("Time zone"),
            "username": _("Group admin's login name"),
            "full_name": _("Group admin's name (may be left empty)"),
        }
        defaults = {"time_zone": "Asia/Shanghai"}
        for _option, name in FIELDS:
            while name not in data:
                default = defaults.get(name, "")
                label = f"{prompts[name]} [{default}]" if default else prompts[name]
                shown = _("%(question)s: ") % {"question": label}
                value = input(shown).strip() or default
                form = FirstRunForm({**data, name: value})
                form.is_valid()
                if name in form.errors:
                    self.stderr.write("；".join(str(e) for e in form.errors[name]))
                    continue
                data[name] = value
        while not data.get("password"):
            first = getpass.getpass(_("Password of the group admin: "))
            again = getpass.getpass(_("The same password again: "))
            if first != again:
                self.stderr.write(_("The two passwords differ."))
                continue
            form = FirstRunForm({**data, "password": first})
            form.is_valid()
            if "password" in form.errors:
                self.stderr.write("；".join(str(e) for e in form.errors["password"]))
                continue
            data["password"] = first
        return data


def _describe(form: FirstRunForm) -> str:
    lines = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        text = "；".join(str(e) for e in errors)
        lines.append(f"{label}：{text}" if label else text)
    return "\n".join(lines)
