"""Celery adapters for the clean room."""

from typing import Any

from celery import shared_task

from analytics.services import overlap
from campaigns.services.task_runs import TaskRunTracker
from campaigns.tasks.tracking import tracked_task
from xmkt_site.tasks import XmktTask


def _expire(tracker: TaskRunTracker) -> dict[str, Any]:
    tracker.progress(5, "clearing expired overlap query sets")
    return {"cleared": overlap.overlap_query_sets_expire()}


@shared_task(base=XmktTask, bind=True, name="analytics.tasks.overlap.overlap_query_sets_expire")
def overlap_query_sets_expire(self, *, task_run_id: int | None = None) -> dict[str, Any]:
    """Nightly (beat): clear the stored sets of overlap queries older than OVERLAP_QUERY_RETENTION_DAYS, recorded as
    a job like the other nightly clean-ups. Clearing what is gone clears nothing, so a second run is harmless."""
    return tracked_task(self, task_run_id=task_run_id, body=_expire)
