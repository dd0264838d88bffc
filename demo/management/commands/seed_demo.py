"""`manage.py seed_demo`: the demo organizations, people, catalogues, consents and 180 days of behaviour."""

from collections.abc import Iterable
from datetime import date
from pathlib import Path
from time import perf_counter
from typing import TypeVar

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from demo.writer import DEFAULT_LOGINS_FILE, demo_seed
from xmkt_site.errors import ApplicationError

Row = TypeVar("Row")


class Command(BaseCommand):
    help = "Load the demo data (idempotent and deterministic in --seed, --consumers and --days). See docs/demo-data.md."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--consumers", type=int, default=3000, help="platform consumers (partners get fewer)")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--days", type=int, default=180)
        parser.add_argument(
            "--end-date",
            type=date.fromisoformat,
            default=None,
            help="last day of the window (default: as recorded by an earlier run, else yesterday in TIME_ZONE)",
        )
        parser.add_argument("--logins-file", type=Path, default=DEFAULT_LOGINS_FILE)

    def handle(self, *args, **options) -> None:
        verbose = options["verbosity"] >= 1

        def progress(rows: Iterable[Row], description: str, total: int) -> Iterable[Row]:
            return tqdm(rows, desc=description, total=total, unit="batch", disable=not verbose, leave=False)

        started = perf_counter()
        try:
            report = demo_seed(
                consumers=options["consumers"],
                seed=options["seed"],
                days=options["days"],
                end_date=options["end_date"],
                logins_file=options["logins_file"],
                progress=progress,
            )
        except ApplicationError as error:
            raise CommandError(str(error)) from error
        seconds = perf_counter() - started
        spec = report.spec
        window = f"{spec.start_date} – {spec.end_date}"
        if report.changed_anything:
            counts = ", ".join(f"{name.replace('_', ' ')}: {count:,}" for name, count in report.created.items())
            self.stdout.write(
                self.style.SUCCESS(f"Demo data {spec.run_key} ({window}) in {seconds:.1f} s. Created {counts}.")
            )
        else:
            self.stdout.write(f"Demo data {spec.run_key} ({window}) is already complete: nothing changed.")
        if report.passwords_reset:
            self.stdout.write(f"Reset {report.passwords_reset} demo password(s) missing from {report.logins_file}.")
        if report.skipped_erased:
            self.stdout.write(f"Left out {report.skipped_erased} consumer(s) erased by data-subject requests.")
        self.stdout.write(f"Demo logins (also in {report.logins_file}):")
        for login in report.logins:
            self.stdout.write(f"  {login.role:<17} {login.username:<16} {login.password}")
