"""Beat: re-weight running bandit campaigns (floor per arm, every change recorded). Queue: default."""

from typing import Any

from celery import shared_task

from analytics.services.experiments import campaigns_reweight_running
from campaigns.services.task_runs import TaskRunTracker
from campaigns.tasks.tracking import tracked_task
from xmkt_site.tasks import XmktTask


@shared_task(base=XmktTask, bind=True, name="analytics.tasks.experiments.campaigns_reweight")
def campaigns_reweight(
    self, *, task_run_id: int | None = None, campaign_ids: list[int] | None = None
) -> dict[str, Any]:
    """Hourly. A redelivered message of a succeeded run is a no-op; a fresh run re-weights from the latest counts."""

    def reweight(tracker: TaskRunTracker) -> dict[str, Any]:
        tracker.progress(10, "re-weighting running bandit campaigns")
        return {"reweighted": campaigns_reweight_running(campaign_ids=campaign_ids)}

    return tracked_task(self, task_run_id=task_run_id, body=reweight, params={"campaign_ids": campaign_ids})
