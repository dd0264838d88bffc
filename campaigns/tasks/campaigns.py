"""Beat: start scheduled campaigns whose start has come, complete those whose end has passed. Queue: default."""

from typing import Any

from celery import shared_task

from campaigns.models import TaskRun
from campaigns.services.campaigns import campaigns_end_due, campaigns_start_due
from campaigns.services.task_runs import task_run_create, task_run_tracking
from xmkt_site.tasks import XmktTask


@shared_task(base=XmktTask, bind=True, name="campaigns.tasks.campaigns.campaigns_start_end_due")
def campaigns_start_end_due(self, *, task_run_id: int | None = None) -> dict[str, Any]:
    """Every few minutes. Idempotent: a campaign already started or ended is not touched again."""
    if task_run_id is None:
        task_run_id = task_run_create(task_name=self.name).pk
    elif not TaskRun.objects.filter(pk=task_run_id).exists():
        return {"skipped": True, "task_run_id": task_run_id}
    with task_run_tracking(task_run_id=task_run_id, celery_task_id=self.request.id or "") as tracker:
        if tracker is None:
            return {"skipped": True, "task_run_id": task_run_id}
        tracker.progress(10, "starting due campaigns")
        started = campaigns_start_due()
        tracker.progress(60, "completing ended campaigns")
        ended = campaigns_end_due()
        tracker.result = {"started": started, "ended": ended}
        return tracker.result
