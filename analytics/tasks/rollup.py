"""Celery adapters for analytics. Each task takes ids, re-fetches, and calls one service (see analytics/services)."""

from datetime import date
from typing import Any

from celery import shared_task

from analytics.services import rollup
from campaigns.tasks.tracking import tracked_task
from xmkt_site.tasks import XmktTask


@shared_task(base=XmktTask, bind=True, name=rollup.ROLLUP_TASK_NAME, retryable=True)
def rollup_events(self, *, task_run_id: int, since: str | None = None) -> dict[str, Any]:
    """Rebuild one organization's daily rollup (the TaskRun names the organization). Queue: ingest."""
    return tracked_task(
        self,
        task_run_id=task_run_id,
        body=lambda tracker: rollup.rollup_for_run(tracker=tracker, since=date.fromisoformat(since) if since else None),
    )


@shared_task(base=XmktTask, bind=True, name="analytics.tasks.rollup.rollup_events_all_organizations")
def rollup_events_all_organizations(self) -> dict[str, Any]:
    """Nightly (beat): queue one rollup per active organization."""
    runs = rollup.rollup_enqueue_all_organizations()
    return {"queued": [run.pk for run in runs]}
