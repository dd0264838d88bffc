"""Celery adapters of the analytics pipeline (profiles -> segments -> forecasts). Queue: pipeline.

Each takes its TaskRun id (the run names the organization), re-fetches and calls one service. The names live under
analytics.tasks.* so the queue routes and the Jobs page labels apply.
"""

from collections.abc import Callable
from typing import Any

from celery import shared_task

from analytics.services import forecasts, pipeline, profiles, segments
from campaigns.models import TaskRun
from campaigns.services.task_runs import TaskRunTracker, task_run_tracking
from xmkt_site.tasks import XmktTask


def _run_step(task: Any, task_run_id: int, body: Callable[[TaskRunTracker], dict[str, Any]]) -> dict[str, Any]:
    run = TaskRun.objects.filter(pk=task_run_id).first()
    if run is None:  # deleted with its organization: nothing left to do
        return {"skipped": True, "task_run_id": task_run_id}
    try:
        with task_run_tracking(task_run_id=task_run_id, celery_task_id=task.request.id or "") as tracker:
            if tracker is None:  # a redelivery of a run that already succeeded
                return {"skipped": True, "task_run_id": task_run_id}
            tracker.result = body(tracker)
            return tracker.result
    except Exception:
        pipeline.pipeline_fail_later_steps(run=run)
        raise


@shared_task(base=XmktTask, bind=True, name="analytics.tasks.pipeline.build_profiles")
def build_profiles(self, *, task_run_id: int, **options: Any) -> dict[str, Any]:
    return _run_step(
        self,
        task_run_id,
        lambda tracker: profiles.profiles_build(organization=tracker.run.organization, progress=tracker.progress),
    )


@shared_task(base=XmktTask, bind=True, name="analytics.tasks.pipeline.segment_consumers")
def segment_consumers(self, *, task_run_id: int, random_state: int = 0, **options: Any) -> dict[str, Any]:
    return _run_step(
        self,
        task_run_id,
        lambda tracker: segments.segments_build(
            organization=tracker.run.organization,
            task_run=tracker.run,
            random_state=random_state,
            progress=tracker.progress,
        ),
    )


@shared_task(base=XmktTask, bind=True, name="analytics.tasks.pipeline.forecast_demand")
def forecast_demand(
    self,
    *,
    task_run_id: int,
    horizon: int = 28,
    top_categories: int = 3,
    candidates: list[str] | None = None,
    **options: Any,
) -> dict[str, Any]:
    return _run_step(
        self,
        task_run_id,
        lambda tracker: forecasts.forecasts_build(
            organization=tracker.run.organization,
            task_run=tracker.run,
            horizon=horizon,
            top_categories=top_categories,
            candidates=candidates,
            progress=tracker.progress,
        ),
    )


@shared_task(base=XmktTask, bind=True, name="analytics.tasks.pipeline.run_analytics_pipeline")
def run_analytics_pipeline(self, *, organization_id: int | None = None) -> dict[str, Any]:
    """Nightly (beat, no argument): one pipeline per active organization with events; or one organization's."""
    from campaigns.models import Organization

    if organization_id is None:
        runs = pipeline.pipeline_enqueue_all_organizations()
    else:
        organization = Organization.objects.filter(pk=organization_id, is_active=True).first()
        runs = pipeline.pipeline_enqueue(organization=organization) if organization is not None else []
    return {"queued": [run.pk for run in runs]}
