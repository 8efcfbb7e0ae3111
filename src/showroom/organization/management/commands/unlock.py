"""`showroom unlock USER`: let an account locked by failed logins log in again."""

from __future__ import annotations

from typing import Any

from axes.utils import reset
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from showroom.organization.models import Staff


class Command(BaseCommand):
    @property  # a property, so that the help is translated when it is shown
    def help(self) -> str:  # type: ignore[override]
        return _(
            "Forget the failed logins of an account, so that it can log in again at once "
            "(store managers do the same on the Locked logins screen)."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help=_("The login's username."))

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        if not Staff.objects.filter(username=username).exists():
            raise CommandError(_("No login “%(user)s”.") % {"user": username})
        reset(username=username)
        self.stdout.write(_("%(user)s can log in again.") % {"user": username})
