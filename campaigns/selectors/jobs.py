"""Reads for the Jobs page and the dashboard's latest jobs."""

from django.db.models import Q, QuerySet

from campaigns.models import TaskRun
from xmkt_site.access import Actor

ACTIVE_STATUSES = (TaskRun.Status.QUEUED, TaskRun.Status.RUNNING)
JOBS_PAGE_SIZE = 25  # the Jobs page's rows per page


def task_runs_visible_to(actor: Actor) -> QuerySet[TaskRun]:
    """The actor's organization's runs; platform staff also see system-wide runs (no organization, e.g. nightly)."""
    visible = Q(organization=actor.organization)
    if actor.is_platform:
        visible |= Q(organization__isnull=True)
    return TaskRun.objects.filter(visible).select_related("organization", "requested_by").order_by("-created_at", "-pk")


def task_run_list(*, actor: Actor, status: str = "") -> QuerySet[TaskRun]:
    runs = task_runs_visible_to(actor)
    if status in TaskRun.Status.values:
        runs = runs.filter(status=status)
    return runs


def task_runs_any_active(runs) -> bool:
    return any(run.status in ACTIVE_STATUSES for run in runs)
