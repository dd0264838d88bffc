"""python manage.py import_online_retail PATH --org SLUG [--limit N]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DataError, transaction
from tqdm import tqdm

from analytics.services.online_retail import online_retail_import
from campaigns.models import Organization
from campaigns.services.audit import audit_record


class Command(BaseCommand):
    help = (
        "Import the UCI Online Retail file (e.g. ../shared/data/online_retail.csv.gz) into an organization: customers "
        "become consumers, stock codes catalogue items, lines purchase/refund events. Safe to run again."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--org", required=True, help="Organization slug; created as a home-furnishing partner.")
        parser.add_argument("--name", default="Online Retail (UK)", help="Name of the organization if it is created.")
        parser.add_argument("--limit", type=int, default=None, help="Import only the first N data rows.")
        parser.add_argument(
            "--method", choices=["auto", "copy", "bulk"], default="auto", help="auto: COPY on PostgreSQL."
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar (logs, CI).")

    def handle(self, *args, **options) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        if options["limit"] is not None and options["limit"] < 1:
            raise CommandError("--limit must be at least 1.")
        bar = tqdm(
            total=path.stat().st_size if options["limit"] is None else None,  # a prefix ends anywhere in the file
            unit="B",
            unit_scale=True,
            desc="Reading",
            disable=options["no_progress"],
            file=self.stderr._out,
        )
        seen = [0]

        def on_progress(position: int) -> None:
            bar.update(max(0, position - seen[0]))
            seen[0] = max(seen[0], position)

        try:
            with transaction.atomic():  # a failed import leaves no trace, not even a new organization
                organization, created = self._organization(options["org"], options["name"])
                summary = online_retail_import(
                    path=path,
                    organization=organization,
                    limit=options["limit"],
                    on_progress=on_progress,
                    on_stage=bar.set_description,
                    method=options["method"],
                )
                audit_record(
                    action="events.import_online_retail",
                    organization=organization,
                    metadata={k: v for k, v in summary.as_dict().items() if k != "seconds"},
                )
                rollup = self._enqueue_rollup(organization) if summary.events_created else None
        except (ValueError, DataError) as exc:  # a line the format does not allow
            raise CommandError(f"Nothing imported: {str(exc).splitlines()[0]}") from exc
        finally:
            bar.close()

        if created:
            self.stdout.write(f"Created organization {organization.slug} (partner, home furnishing).")
        skipped = sum(summary.rows_skipped.values())
        self.stdout.write(
            f"Read {summary.rows_read:,} rows in {summary.seconds:.1f} s ({summary.method}); "
            f"skipped {skipped:,} ({', '.join(f'{k}: {v:,}' for k, v in summary.rows_skipped.items())})."
        )
        self.stdout.write(
            f"Consumers: {summary.consumers_created:,} created, {summary.consumers_total:,} in total. "
            f"Items: {summary.items_created:,} created, {summary.items_total:,} in total. "
            f"Events: {summary.events_created:,} created, {summary.events_existing:,} already present."
        )
        if summary.consumers_erased:
            self.stdout.write(
                f"Skipped {summary.consumers_erased:,} customers erased at their request and all their lines."
            )
        if not summary.created_anything:
            self.stdout.write(self.style.SUCCESS("Nothing new: every row had already been imported."))
        elif rollup is not None:
            self.stdout.write(self.style.SUCCESS(f"Imported. Daily rollup queued (job #{rollup.pk})."))
        else:
            self.stdout.write(self.style.SUCCESS("Imported."))

    def _organization(self, slug: str, name: str) -> tuple[Organization, bool]:
        organization = Organization.objects.filter(slug=slug).first()
        if organization is not None:
            return organization, False
        organization = Organization(
            slug=slug, name=name, kind=Organization.Kind.PARTNER, industry=Organization.Industry.HOME_FURNISHING
        )
        organization.full_clean()
        organization.save()
        return organization, True

    def _enqueue_rollup(self, organization: Organization):
        try:
            from analytics.services.rollup import rollup_enqueue
        except ImportError:  # the rollup lands in a parallel change
            return None
        return rollup_enqueue(organization=organization)
