"""The analytics pipeline of one organization: profiles -> segments -> forecasts, each step a TaskRun.

`pipeline_enqueue` records three queued TaskRuns and sends one Celery chain of the steps, by task name, after the
transaction commits (queue "pipeline" by the analytics.tasks.pipeline.* route). `pipeline_run_sync` runs the same
three tasks in this process (the `run_analytics --sync` path), through the same TaskRun tracking. A step whose input
is missing (no events, too few consumers, no purchases) succeeds with a message saying so, and the following steps
still run; a step that crashes marks the steps after it failed, so no run stays "queued" for ever.
"""

from typing import Any

from celery import chain
from celery.canvas import Signature
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Organization, TaskRun, User
from campaigns.services.task_runs import task_run_create
from xmkt_site.celery import app

# The tasks are registered under these names (analytics.tasks.pipeline) and sent by them, in this order.
PROFILES_TASK_NAME = "analytics.tasks.pipeline.build_profiles"
SEGMENTS_TASK_NAME = "analytics.tasks.pipeline.segment_consumers"
FORECASTS_TASK_NAME = "analytics.tasks.pipeline.forecast_demand"
PIPELINE_STEPS = (PROFILES_TASK_NAME, SEGMENTS_TASK_NAME, FORECASTS_TASK_NAME)


def _step_signature(run: TaskRun, params: dict[str, Any] | None) -> Signature:
    # Immutable: a step takes its own run and options, not the previous step's result.
    return app.signature(run.task_name, kwargs={"task_run_id": run.pk, **(params or {})}, immutable=True)


def pipeline_runs_create(
    *, organization: Organization, by: User | None = None, params: dict[str, Any] | None = None
) -> list[TaskRun]:
    runs = [
        task_run_create(task_name=name, organization=organization, params=dict(params or {}), by=by)
        for name in PIPELINE_STEPS
    ]
    ids = [run.pk for run in runs]
    for run in runs:  # every step knows its chain, to fail the later steps if it crashes
        run.params = {**run.params, "pipeline": ids}
        run.save(update_fields=["params", "updated_at"])
    return runs


def pipeline_enqueue(
    *, organization: Organization, by: User | None = None, params: dict[str, Any] | None = None
) -> list[TaskRun]:
    """Queue the three steps as one Celery chain, sent once the surrounding transaction commits."""
    with transaction.atomic():
        runs = pipeline_runs_create(organization=organization, by=by, params=params)
        signatures = [_step_signature(run, params) for run in runs]
        transaction.on_commit(lambda: chain(*signatures).apply_async())
    return runs


def pipeline_run_sync(
    *, organization: Organization, by: User | None = None, params: dict[str, Any] | None = None
) -> list[TaskRun]:
    """Run the three steps here and now (no broker), each recorded as a TaskRun like a worker would."""
    runs = pipeline_runs_create(organization=organization, by=by, params=params)
    for run in runs:
        try:
            outcome = _step_signature(run, params).apply()
        except Exception:  # raised here when eager tasks propagate; the TaskRuns already record the failure
            break
        if outcome.failed():
            break
    for run in runs:
        run.refresh_from_db()
    return runs


def pipeline_fail_later_steps(*, run: TaskRun) -> int:
    """After a step crashed: the later steps of its chain will never start, so say so on them."""
    ids = run.params.get("pipeline") or []
    later = [pk for pk in ids if pk > run.pk]
    return TaskRun.objects.filter(pk__in=later, status=TaskRun.Status.QUEUED).update(
        status=TaskRun.Status.FAILED,
        finished_at=timezone.now(),
        message=_("Not run: step #%(id)s of the pipeline failed") % {"id": run.pk},
        updated_at=timezone.now(),
    )


def pipeline_enqueue_all_organizations(*, by: User | None = None) -> list[TaskRun]:
    """Nightly: one pipeline per active organization that has events and no pipeline queued or running."""
    busy = TaskRun.objects.filter(
        task_name__in=PIPELINE_STEPS, status__in=[TaskRun.Status.QUEUED, TaskRun.Status.RUNNING]
    ).values("organization_id")
    organizations = (
        Organization.objects.filter(is_active=True, events__isnull=False).exclude(pk__in=busy).distinct().order_by("pk")
    )
    runs: list[TaskRun] = []
    for organization in organizations:
        runs.extend(pipeline_enqueue(organization=organization, by=by))
    return runs
