"""The daily event rollup: per organization, local day (settings.TIME_ZONE) and event type, counted in the database.

The dashboard reads DailyEventRollup instead of scanning Event. The rebuild is idempotent: the days it covers are
deleted and re-inserted in one transaction, so a retried or redelivered run leaves exactly the rows a single run
would have left.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.models import DailyEventRollup, Event
from campaigns.models import Organization, TaskRun, User
from campaigns.services.task_runs import TaskRunTracker, task_run_enqueue

ROLLUP_TASK_NAME = "analytics.tasks.rollup.rollup_events"  # registered by analytics.tasks.rollup
# A queued run newer than this is trusted to pick up every event when it starts, so the nightly fan-out does not
# stack a second one behind it. An older queued run may have lost its message, so it no longer blocks.
QUEUED_RUN_FRESHNESS = timedelta(hours=1)


def _local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _first_local_day(since: date | datetime | None) -> date | None:
    if since is None:
        return None
    if isinstance(since, datetime):
        if timezone.is_naive(since):
            since = timezone.make_aware(since, _local_zone())
        return timezone.localtime(since, _local_zone()).date()
    return since


def rollup_rows_compute(*, organization: Organization, first_day: date | None = None) -> list[DailyEventRollup]:
    """One GROUP BY in the database: (local date, type) -> events, units, value, distinct consumers."""
    zone = _local_zone()
    events = Event.objects.filter(organization=organization)
    if first_day is not None:
        events = events.filter(occurred_at__gte=datetime.combine(first_day, time.min, tzinfo=zone))
    grouped = (
        events.annotate(day=TruncDate("occurred_at", tzinfo=zone))
        .values("day", "type")
        .annotate(
            n_events=Count("id"),
            n_units=Sum("quantity"),
            total_value=Sum("value"),
            n_consumers=Count("consumer", distinct=True),  # COUNT ignores guests (NULL)
        )
        .order_by("day", "type")
    )
    return [
        DailyEventRollup(
            organization=organization,
            date=row["day"],
            type=row["type"],
            events=row["n_events"],
            units=row["n_units"] or 0,
            value=(row["total_value"] or Decimal("0")).quantize(Decimal("0.01")),
            consumers=row["n_consumers"],
        )
        for row in grouped
    ]


def rollup_events(
    *,
    organization: Organization,
    since: date | datetime | None = None,
    tracker: TaskRunTracker | None = None,
) -> dict[str, Any]:
    """Rebuild the organization's daily rollup from `since` (a local date, or the local day of a datetime) onwards,
    or entirely when `since` is None. Returns counts for the TaskRun result."""

    def progress(percent: int, message: str) -> None:
        if tracker is not None:
            tracker.progress(percent, message)

    first_day = _first_local_day(since)
    progress(5, _("Counting events by day"))
    # The aggregation is a read and runs outside the write transaction: on SQLite the write lock is then held only
    # for the short delete-and-insert below, so web requests and other tasks are not kept waiting.
    rows = rollup_rows_compute(organization=organization, first_day=first_day)
    progress(70, _("Writing daily rollups"))
    with transaction.atomic():
        # Two runs of one organization can overlap (a redelivery while the first still runs). Without this lock both
        # delete the old rows and the second insert collides with the first's. FOR NO KEY UPDATE serialises rollups
        # but not ingestion, whose event inserts only take a KEY SHARE lock on the organization.
        Organization.objects.select_for_update(no_key=connection.features.has_select_for_no_key_update).filter(
            pk=organization.pk
        ).exists()
        stale = DailyEventRollup.objects.filter(organization=organization)
        if first_day is not None:
            stale = stale.filter(date__gte=first_day)
        deleted, _by_model = stale.delete()
        DailyEventRollup.objects.bulk_create(rows, batch_size=1000)
    events = sum(row.events for row in rows)
    return {
        "organization": organization.slug,
        "since": first_day.isoformat() if first_day else None,
        "days": len({row.date for row in rows}),
        "rows": len(rows),
        "rows_replaced": deleted,
        "events": events,
        "message": _("Rolled up %(events)s events into %(rows)s daily rows") % {"events": events, "rows": len(rows)},
    }


def rollup_superseding_run(*, run: TaskRun, since: date | None) -> TaskRun | None:
    """A newer queued rollup of the same organization that covers at least what `run` covers, if there is one.

    Visible means committed: the transaction that queued it (and wrote the events it was queued for) has committed,
    and its message is sent on commit, so it will start after us and read everything we would. Bursts of ingestion
    batches therefore cost one rollup, not one per batch."""
    newer = TaskRun.objects.filter(
        task_name=ROLLUP_TASK_NAME,
        organization_id=run.organization_id,
        status=TaskRun.Status.QUEUED,
        created_at__gte=max(run.created_at, timezone.now() - QUEUED_RUN_FRESHNESS),
        pk__gt=run.pk,
    ).order_by("-pk")
    for candidate in newer:
        candidate_since = candidate.params.get("since")
        if candidate_since is None or (since is not None and date.fromisoformat(candidate_since) <= since):
            return candidate
    return None


def rollup_for_run(*, tracker: TaskRunTracker, since: date | None = None) -> dict[str, Any]:
    """The body of the rollup task: skip when a newer queued run will redo the same work, else roll up."""
    superseding = rollup_superseding_run(run=tracker.run, since=since)
    if superseding is not None:
        return {
            "superseded_by": superseding.pk,
            "message": _("Skipped: the queued rollup #%(id)s covers the same events") % {"id": superseding.pk},
        }
    return rollup_events(organization=tracker.run.organization, since=since, tracker=tracker)


def rollup_enqueue(*, organization: Organization, by: User | None = None, since: date | None = None) -> TaskRun:
    """Queue a rollup of one organization on the `ingest` queue; the task is sent after the transaction commits."""
    params = {"since": since.isoformat()} if since is not None else None
    return task_run_enqueue(task_name=ROLLUP_TASK_NAME, organization=organization, params=params, by=by)


def rollup_enqueue_all_organizations(*, by: User | None = None) -> list[TaskRun]:
    """Queue one rollup per active organization, skipping those that already have a fresh queued run."""
    fresh_queued = TaskRun.objects.filter(
        task_name=ROLLUP_TASK_NAME,
        status=TaskRun.Status.QUEUED,
        created_at__gte=timezone.now() - QUEUED_RUN_FRESHNESS,
    ).values("organization_id")
    organizations = Organization.objects.filter(is_active=True).exclude(pk__in=fresh_queued).order_by("pk")
    return [rollup_enqueue(organization=organization, by=by) for organization in organizations]
