"""Run the analytics pipeline (profiles -> segments -> forecasts) of one organization and print a summary."""

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics.models import Forecast, Segment
from analytics.services.pipeline import pipeline_enqueue, pipeline_run_sync
from campaigns.models import Organization, TaskRun


class Command(BaseCommand):
    help = "Run the analytics pipeline of an organization through the worker, or here with --sync."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="Organization slug.")
        parser.add_argument("--sync", action="store_true", help="Run in this process instead of sending to a worker.")
        parser.add_argument("--horizon", type=int, default=28, help="Forecast horizon in days (default 28).")
        parser.add_argument("--top-categories", type=int, default=3, help="Categories forecast besides the total.")
        parser.add_argument(
            "--candidates",
            default="",
            help="Comma-separated forecasting candidates to try (default: all, e.g. seasonal_naive,dow_mean_8w).",
        )
        parser.add_argument("--seed", type=int, default=0, help="random_state of the segmentation.")

    def handle(self, *args, **options) -> None:
        organization = Organization.objects.filter(slug=options["org"]).first()
        if organization is None:
            raise CommandError(f"No organization with slug {options['org']!r}.")
        params = {
            "horizon": options["horizon"],
            "top_categories": options["top_categories"],
            "random_state": options["seed"],
        }
        if options["candidates"]:
            params["candidates"] = [name.strip() for name in options["candidates"].split(",") if name.strip()]
        if not options["sync"]:
            runs = pipeline_enqueue(organization=organization, params=params)
            ids = ", ".join(f"#{run.pk}" for run in runs)
            self.stdout.write(f"Queued the analytics pipeline of {organization.slug} as jobs {ids}; see /jobs/.")
            return
        started = time.perf_counter()
        runs = pipeline_run_sync(organization=organization, params=params)
        seconds = time.perf_counter() - started
        for run in runs:
            step = run.task_name.rsplit(".", 1)[-1]
            self.stdout.write(f"{step}: {run.status} — {run.message or run.error}")
        self._summary(organization)
        self.stdout.write(f"Finished in {seconds:.1f} s.")
        if any(run.status != TaskRun.Status.SUCCEEDED for run in runs):
            raise CommandError("A step of the pipeline failed; see its error above and on /jobs/.")

    def _summary(self, organization: Organization) -> None:
        segments = list(Segment.objects.filter(organization=organization, is_current=True).order_by("key"))
        self.stdout.write(f"Segments ({len(segments)}):")
        for segment in segments:
            self.stdout.write(
                f"  #{segment.key} {segment.name_en} / {segment.name_zh}: {segment.size} consumers, "
                f"{segment.targetable_size} targetable"
            )
        forecasts = list(Forecast.objects.filter(organization=organization, is_current=True))
        self.stdout.write(f"Forecasts ({len(forecasts)}):")
        for forecast in forecasts:
            mae = f"{forecast.mae:,.2f}" if forecast.mae is not None else "n/a"
            self.stdout.write(
                f"  {forecast.series} {forecast.metric}: {forecast.chosen_model} (backtest MAE {mae}, "
                f"{forecast.history_days} days of history)"
            )
