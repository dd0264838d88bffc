"""Import dated external market indicators (home-sales index, search interest, ...) of one organization from a CSV
with the columns date,name,value. Idempotent: a (name, date) already present is updated."""

import csv
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from analytics.models import MarketIndicator
from campaigns.models import Organization


class Command(BaseCommand):
    help = "Import dated market indicators (CSV: date,name,value) as forecast regressors of an organization."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--org", required=True, help="Organization slug.")

    def handle(self, *args, **options) -> None:
        organization = Organization.objects.filter(slug=options["org"]).first()
        if organization is None:
            raise CommandError(f"No organization with slug {options['org']!r}.")
        rows: dict[tuple[str, date], float] = {}
        with open(options["path"], encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = {"date", "name", "value"} - set(reader.fieldnames or [])
            if missing:
                raise CommandError(f"The CSV needs the columns date,name,value; missing {sorted(missing)}.")
            for line, row in enumerate(reader, start=2):
                try:
                    key = (row["name"].strip()[:100], date.fromisoformat(row["date"].strip()))
                    rows[key] = float(row["value"])
                except ValueError as error:
                    raise CommandError(f"Line {line}: {error}") from error
                if not key[0]:
                    raise CommandError(f"Line {line}: the name is empty.")
        with transaction.atomic():
            MarketIndicator.objects.bulk_create(
                [MarketIndicator(organization=organization, name=n, date=d, value=v) for (n, d), v in rows.items()],
                update_conflicts=True,
                unique_fields=["organization", "name", "date"],
                update_fields=["value"],
                batch_size=2000,
            )
        names = sorted({name for name, _day in rows})
        self.stdout.write(f"Imported {len(rows)} values of {len(names)} indicator(s): {', '.join(names)}.")
