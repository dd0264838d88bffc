"""Celery adapters of the analytics pipeline (profiles -> segments -> forecasts). Queue: pipeline.

Each takes its TaskRun id (the run names the organization), re-fetches and calls one service. The services send
them by the names in analytics.services.pipeline; the names live under analytics.tasks.pipeline.* so the queue route
and the Jobs page labels apply.
"""

from typing import Any

from celery import shared_task

from analytics.services import forecasts, pipeline, profiles, segments
from campaigns.models import Organization, TaskRun
from campaigns.tasks.tracking import tracked_task
from xmkt_site.tasks import XmktTask


def _fail_later_steps(run: TaskRun) -> None:
    pipeline.pipeline_fail_later_steps(run=run)


@shared_task(base=XmktTask, bind=True, name=pipeline.PROFILES_TASK_NAME, pipeline_step=True)
def build_profiles(self, *, task_run_id: int, **options: Any) -> dict[str, Any]:
    return tracked_task(
        self,
        task_run_id=task_run_id,
        body=lambda tracker: profiles.profiles_build(organization=tracker.run.organization, progress=tracker.progress),
        on_failure=_fail_later_steps,
    )


@shared_task(base=XmktTask, bind=True, name=pipeline.SEGMENTS_TASK_NAME, pipeline_step=True)
def segment_consumers(self, *, task_run_id: int, random_state: int = 0, **options: Any) -> dict[str, Any]:
    return tracked_task(
        self,
        task_run_id=task_run_id,
        body=lambda tracker: segments.segments_build(
            organization=tracker.run.organization,
            task_run=tracker.run,
            random_state=random_state,
            progress=tracker.progress,
        ),
        on_failure=_fail_later_steps,
    )


@shared_task(base=XmktTask, bind=True, name=pipeline.FORECASTS_TASK_NAME, pipeline_step=True)
def forecast_demand(
    self,
    *,
    task_run_id: int,
    horizon: int = 28,
    top_categories: int = 3,
    candidates: list[str] | None = None,
    **options: Any,
) -> dict[str, Any]:
    return tracked_task(
        self,
        task_run_id=task_run_id,
        body=lambda tracker: forecasts.forecasts_build(
            organization=tracker.run.organization,
            task_run=tracker.run,
            horizon=horizon,
            top_categories=top_categories,
            candidates=candidates,
            progress=tracker.progress,
        ),
        on_failure=_fail_later_steps,
    )


@shared_task(base=XmktTask, bind=True, name="analytics.tasks.pipeline.run_analytics_pipeline", pipeline_step=True)
def run_analytics_pipeline(self, *, organization_id: int | None = None) -> dict[str, Any]:
    """Nightly (beat, no argument): one pipeline per active organization with events; or one organization's."""
    if organization_id is None:
        runs = pipeline.pipeline_enqueue_all_organizations()
    else:
        organization = Organization.objects.filter(pk=organization_id, is_active=True).first()
        runs = pipeline.pipeline_enqueue(organization=organization) if organization is not None else []
    return {"queued": [run.pk for run in runs]}
