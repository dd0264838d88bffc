"""Beat: re-weight running bandit campaigns (floor per arm, every change recorded). Queue: default."""

from typing import Any

from celery import shared_task

from analytics.services.experiments import campaigns_reweight_running
from campaigns.models import TaskRun
from campaigns.services.task_runs import task_run_create, task_run_tracking
from xmkt_site.tasks import XmktTask


@shared_task(base=XmktTask, bind=True, name="analytics.tasks.experiments.campaigns_reweight")
def campaigns_reweight(
    self, *, task_run_id: int | None = None, campaign_ids: list[int] | None = None
) -> dict[str, Any]:
    """Hourly. A redelivered message of a succeeded run is a no-op; a fresh run re-weights from the latest counts."""
    if task_run_id is None:
        task_run_id = task_run_create(task_name=self.name, params={"campaign_ids": campaign_ids}).pk
    elif not TaskRun.objects.filter(pk=task_run_id).exists():
        return {"skipped": True, "task_run_id": task_run_id}
    with task_run_tracking(task_run_id=task_run_id, celery_task_id=self.request.id or "") as tracker:
        if tracker is None:
            return {"skipped": True, "task_run_id": task_run_id}
        tracker.progress(10, "re-weighting running bandit campaigns")
        tracker.result = {"reweighted": campaigns_reweight_running(campaign_ids=campaign_ids)}
        return tracker.result
