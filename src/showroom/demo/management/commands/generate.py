from __future__ import annotations

import argparse
import os
from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _

from showroom.demo.generator import GenerateResult, StoreSummary, generate
from showroom.demo.output import print_counts


def month(value: str) -> date:
    try:
        year, number = value.split("-")
        return date(int(year), int(number), 1)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("%(value)s is not a month (YYYY-MM)") % {"value": value}
        ) from None


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]  # translated when asked, not at import
        return _(
            "Add synthetic but realistic stores to the database: staff, traffic, prospects "
            "with their follow-ups, deals, losses, owners and leads; the same seed gives the "
            "same data."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--stores", type=int, required=True, help=_("stores to add"))
        parser.add_argument("--months", type=int, required=True, help=_("months of data per store"))
        parser.add_argument("--seed", type=int, default=1, help=_("random seed (default 1)"))
        parser.add_argument(
            "--start",
            type=month,
            help=_("first month, YYYY-MM (default: the months end now)"),
        )
        parser.add_argument(
            "--consultants",
            type=int,
            default=12,
            help=_("sales consultants per store (default 12)"),
        )
        parser.add_argument(
            "--check-references",
            action="store_true",
            help=_(
                "on PostgreSQL, let the database check every reference as rows are written "
                "(slower; by default a superuser connection skips those checks)"
            ),
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=min(4, os.cpu_count() or 1),
            help=_(
                "stores built side by side on PostgreSQL (default: the processors, at most 4; "
                "SQLite builds one at a time)"
            ),
        )

    def handle(self, *args: object, **options: object) -> None:
        stores, months, consultants = options["stores"], options["months"], options["consultants"]
        jobs = options["jobs"]
        assert isinstance(stores, int) and isinstance(months, int) and isinstance(consultants, int)
        assert isinstance(jobs, int)
        checks = [
            ("--stores", stores),
            ("--months", months),
            ("--consultants", consultants),
            ("--jobs", jobs),
        ]
        for name, value in checks:
            if value < 1:
                raise CommandError(_("%(option)s must be at least 1") % {"option": name})
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError(_("The database is not up to date: run `showroom migrate` first."))
        start = options["start"]
        assert start is None or isinstance(start, date)
        seed = options["seed"]
        assert isinstance(seed, int)
        self.stdout.write(
            _("Generating %(stores)d store(s) × %(months)d month(s), seed %(seed)d …")
            % {"stores": stores, "months": months, "seed": seed}
        )
        done = 0

        def progress(summary: StoreSummary) -> None:
            nonlocal done
            done += 1
            self.stdout.write(
                _(
                    "[%(done)d/%(total)d] %(code)s %(name)s: %(walk_ins)d walk-ins, "
                    "%(calls)d calls, %(customers)d customer cards, %(orders)d orders "
                    "(%(seconds).1f s)"
                )
                % {
                    "done": done,
                    "total": stores,
                    "code": summary.store.code,
                    "name": summary.store.name,
                    "walk_ins": summary.walk_ins,
                    "calls": summary.calls,
                    "customers": summary.customers,
                    "orders": summary.rows["orders"],
                    "seconds": summary.seconds,
                }
            )

        result: GenerateResult = generate(
            stores=stores,
            months=months,
            seed=seed,
            start=start,
            consultants=consultants,
            progress=progress,
            jobs=jobs,
            check_references=bool(options["check_references"]),
        )
        print_counts(self.stdout, result.counts, result.seconds)
