from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from showroom.core.assets import ensure_assets
from showroom.crm.crosscheck.services import refresh
from showroom.demo.notices import ensure_demo_notices
from showroom.demo.output import print_counts, table
from showroom.demo.services import ensure_demo_call_lists, ensure_demo_logins, ensure_demo_store


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]  # translated when asked, not at import
        return _(
            "Migrate, load a demo dealership with one login per role, and serve it on "
            "http://127.0.0.1:8000."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000, help=_("port (default 8000)"))
        parser.add_argument(
            "--no-serve", action="store_true", help=_("set up the demo, do not serve it")
        )

    def handle(self, *args: object, **options: object) -> None:
        verbosity = options["verbosity"]
        assert isinstance(verbosity, int)
        self.stdout.write(_("Migrating the database …"))
        call_command("migrate", interactive=False, verbosity=max(0, verbosity - 1))
        try:
            ensure_assets(verbose=verbosity > 0)
        except (OSError, RuntimeError) as error:
            # The screens still work; only the charts stay empty until `showroom assets` succeeds.
            self.stderr.write(
                _("Could not fetch the chart library (%(error)s); charts will be empty.")
                % {"error": error}
            )

        self.stdout.write(_("Preparing the demo store …"))
        store, summary = ensure_demo_store()
        if summary is None:
            self.stdout.write(_("The demo store %(store)s is already there.") % {"store": store})
        else:
            print_counts(self.stdout, summary.counts, summary.seconds)

        logins = ensure_demo_logins(store)
        # Today's data cross-check, as the daily job would have run it, and the
        # CRM's call lists of the day.
        refresh(store=store, on=store.today())
        ensure_demo_call_lists(store)
        ensure_demo_notices(store, [login.username for login in logins])
        rows = [[_("Role"), "Role", _("User name"), _("Password")]]
        for login in logins:
            with translation.override("en"):
                english = str(login.role.label)
            rows.append([str(login.role.label), english, login.username, login.password])
        self.stdout.write("")
        self.stdout.write(_("Demo logins of %(store)s:") % {"store": store})
        for line in table(rows):
            self.stdout.write(line)
        self.stdout.write("")

        if options["no_serve"]:
            return
        port = options["port"]
        self.stdout.write(
            _("Serving on http://127.0.0.1:%(port)s/ — press Ctrl+C to stop.") % {"port": port}
        )
        call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)
