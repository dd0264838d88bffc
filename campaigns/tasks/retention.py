"""Celery adapters for campaigns. Each task takes ids, re-fetches, and calls one service."""

from typing import Any

from celery import shared_task

from campaigns.services.retention import retention_apply
from campaigns.services.task_runs import TaskRunTracker
from campaigns.tasks.tracking import tracked_task
from xmkt_site.tasks import XmktTask


def _apply(tracker: TaskRunTracker) -> dict[str, Any]:
    tracker.progress(5, "applying retention")
    return retention_apply()


@shared_task(base=XmktTask, bind=True, name="campaigns.tasks.retention.retention_apply")
def retention_apply_task(self, *, task_run_id: int | None = None) -> dict[str, Any]:
    """Nightly (beat) or on demand: delete partner-derived data past its agreement's retention. Queue: default.

    Beat sends no TaskRun, so one is created; a redelivered message carries the same id only when enqueued through
    `task_run_enqueue`. Deleting what is already gone deletes nothing, so a second run is harmless.
    """
    return tracked_task(self, task_run_id=task_run_id, body=_apply)
