"""The TaskRun side of every tracked Celery task, written once: the tasks say only what their body does."""

from collections.abc import Callable
from typing import Any

from celery import Task

from campaigns.models import TaskRun
from campaigns.services.task_runs import TaskRunTracker, task_run_create, task_run_tracking


def tracked_task(
    task: Task,
    *,
    task_run_id: int | None,
    body: Callable[[TaskRunTracker], dict[str, Any]],
    params: dict[str, Any] | None = None,
    on_failure: Callable[[TaskRun], object] | None = None,
) -> dict[str, Any]:
    """Run `body` as the TaskRun `task_run_id` of the bound `task` and return its result (also saved on the run).

    Beat sends no run id, so a run is recorded here (with `params`); a message sent through `task_run_enqueue`
    carries its run, and a redelivery carries the same one. Skipped, doing nothing, when that run was deleted (with
    its organization) or has already succeeded (a redelivery after a worker crash). `on_failure` hears of a run whose
    body raised, before the error goes on to Celery (which may retry it)."""
    if task_run_id is None:
        task_run_id = task_run_create(task_name=task.name, params=params).pk
    run = TaskRun.objects.filter(pk=task_run_id).first()
    if run is None:
        return {"skipped": True, "task_run_id": task_run_id}
    try:
        with task_run_tracking(task_run_id=task_run_id, celery_task_id=task.request.id or "") as tracker:
            if tracker is None:
                return {"skipped": True, "task_run_id": task_run_id}
            tracker.result = body(tracker)
            return tracker.result
    except Exception:
        if on_failure is not None:
            on_failure(run)
        raise
