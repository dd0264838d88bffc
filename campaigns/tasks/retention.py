"""Celery adapters for campaigns. Each task takes ids, re-fetches, and calls one service."""

from typing import Any

from celery import shared_task

from campaigns.models import TaskRun
from campaigns.services.retention import retention_apply
from campaigns.services.task_runs import task_run_create, task_run_tracking
from xmkt_site.tasks import XmktTask


@shared_task(base=XmktTask, bind=True, name="campaigns.tasks.retention.retention_apply")
def retention_apply_task(self, *, task_run_id: int | None = None) -> dict[str, Any]:
    """Nightly (beat) or on demand: delete partner-derived data past its agreement's retention. Queue: default.

    Beat sends no TaskRun, so one is created here; a redelivered message carries the same id only when enqueued
    through `task_run_enqueue`. Deleting what is already gone deletes nothing, so a second run is harmless.
    """
    if task_run_id is None:
        task_run_id = task_run_create(task_name=self.name).pk
    elif not TaskRun.objects.filter(pk=task_run_id).exists():
        return {"skipped": True, "task_run_id": task_run_id}
    with task_run_tracking(task_run_id=task_run_id, celery_task_id=self.request.id or "") as tracker:
        if tracker is None:
            return {"skipped": True, "task_run_id": task_run_id}
        tracker.progress(5, "applying retention")
        tracker.result = retention_apply()
        return tracker.result
