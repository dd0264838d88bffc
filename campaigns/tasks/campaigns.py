"""Beat: start scheduled campaigns whose start has come, complete those whose end has passed. Queue: default."""

from typing import Any

from celery import shared_task

from campaigns.services.campaigns import campaigns_end_due, campaigns_start_due
from campaigns.services.task_runs import TaskRunTracker
from campaigns.tasks.tracking import tracked_task
from xmkt_site.tasks import XmktTask


def _start_end_due(tracker: TaskRunTracker) -> dict[str, Any]:
    tracker.progress(10, "starting due campaigns")
    started = campaigns_start_due()
    tracker.progress(60, "completing ended campaigns")
    ended = campaigns_end_due()
    return {"started": started, "ended": ended}


@shared_task(base=XmktTask, bind=True, name="campaigns.tasks.campaigns.campaigns_start_end_due")
def campaigns_start_end_due(self, *, task_run_id: int | None = None) -> dict[str, Any]:
    """Every few minutes. Idempotent: a campaign already started or ended is not touched again."""
    return tracked_task(self, task_run_id=task_run_id, body=_start_end_due)
