"""Celery adapters for analytics. Each task takes ids, re-fetches, and calls one service (see analytics/services)."""

from datetime import date
from typing import Any

from celery import shared_task

from analytics.services import rollup
from campaigns.models import TaskRun
from campaigns.services.task_runs import task_run_tracking
from xmkt_site.tasks import XmktTask


@shared_task(base=XmktTask, bind=True, name="analytics.tasks.rollup.rollup_events")
def rollup_events(self, *, task_run_id: int, since: str | None = None) -> dict[str, Any]:
    """Rebuild one organization's daily rollup (the TaskRun names the organization). Queue: ingest."""
    if not TaskRun.objects.filter(pk=task_run_id).exists():  # deleted with its organization: nothing left to do
        return {"skipped": True, "task_run_id": task_run_id}
    with task_run_tracking(task_run_id=task_run_id, celery_task_id=self.request.id or "") as tracker:
        if tracker is None:  # a redelivery of a run that already succeeded
            return {"skipped": True, "task_run_id": task_run_id}
        tracker.result = rollup.rollup_for_run(tracker=tracker, since=date.fromisoformat(since) if since else None)
        return tracker.result


@shared_task(base=XmktTask, bind=True, name="analytics.tasks.rollup.rollup_events_all_organizations")
def rollup_events_all_organizations(self) -> dict[str, Any]:
    """Nightly (beat): queue one rollup per active organization."""
    runs = rollup.rollup_enqueue_all_organizations()
    return {"queued": [run.pk for run in runs]}
