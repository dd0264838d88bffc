"""The life of a TaskRun: queued -> running -> succeeded | failed, with progress the Jobs page polls."""

import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.error_codes import JobErrorCode
from campaigns.models import Organization, TaskRun, User
from campaigns.services.audit import audit_record
from xmkt_site.celery import app
from xmkt_site.errors import ApplicationError, ConflictError


def task_run_create(
    *,
    task_name: str,
    organization: Organization | None = None,
    params: dict[str, Any] | None = None,
    by: User | None = None,
) -> TaskRun:
    run = TaskRun(task_name=task_name, organization=organization, params=params or {}, requested_by=by)
    run.full_clean()
    run.save()
    return run


def task_run_enqueue(
    *,
    task_name: str,
    organization: Organization | None = None,
    params: dict[str, Any] | None = None,
    by: User | None = None,
) -> TaskRun:
    """Record a queued run and send the Celery task `task_name` once the surrounding transaction commits.

    The task is looked up by name in the Celery app's registry (each app's ready() imports its tasks), so no service
    imports a task module; an unknown name fails here, before anything is recorded. The registered task's own
    apply_async (not app.send_task) is what honours eager mode in tests."""
    task = app.tasks[task_name]
    run = task_run_create(task_name=task.name, organization=organization, params=params, by=by)
    kwargs = {"task_run_id": run.pk, **(params or {})}
    # robust: a broker outage after commit must not turn a committed request into a 500; the run stays queued and
    # the nightly sweep sends it again.
    transaction.on_commit(lambda: task.apply_async(kwargs=kwargs), robust=True)
    return run


def task_run_progress(*, task_run_id: int, progress: int, message: str = "") -> None:
    # update() rather than save(): progress writes must not overwrite a concurrent status change.
    TaskRun.objects.filter(pk=task_run_id, status=TaskRun.Status.RUNNING).update(
        progress=max(0, min(100, int(progress))), message=message[:300], updated_at=timezone.now()
    )


class TaskRunTracker:
    def __init__(self, run: TaskRun) -> None:
        self.run = run
        self.result: dict[str, Any] = {}  # saved on the run when the body succeeds

    def progress(self, progress: int, message: str = "") -> None:
        task_run_progress(task_run_id=self.run.pk, progress=progress, message=message)

    def progress_callback(self, start: int, end: int, message: str) -> Callable[[float], None]:
        """A callback taking a 0..1 fraction, mapped onto [start, end] percent."""
        return lambda fraction: self.progress(int(start + (end - start) * fraction), message)


@contextmanager
def task_run_tracking(*, task_run_id: int, celery_task_id: str = "") -> Iterator[TaskRunTracker | None]:
    """Run the body as this TaskRun. Yields None (and does nothing) if the run already succeeded, which makes a
    redelivered message after a worker crash a no-op instead of a second execution."""
    with transaction.atomic():
        # Lock so that two deliveries of the same message cannot both start the run.
        run = TaskRun.objects.select_for_update().get(pk=task_run_id)
        if run.status == TaskRun.Status.SUCCEEDED:
            already_done = True
        else:
            already_done = False
            run.status = TaskRun.Status.RUNNING
            run.started_at = timezone.now()
            run.finished_at = None
            run.error = ""
            run.celery_task_id = celery_task_id or run.celery_task_id
            run.attempts = F("attempts") + 1
            run.save()
            run.refresh_from_db()
    if already_done:
        yield None
        return
    tracker = TaskRunTracker(run)
    try:
        yield tracker
    except Exception as exc:
        TaskRun.objects.filter(pk=run.pk).update(
            status=TaskRun.Status.FAILED,
            finished_at=timezone.now(),
            error="".join(traceback.format_exception_only(type(exc), exc)).strip()[:4000],
            message=str(exc)[:300],
            updated_at=timezone.now(),
        )
        raise
    else:
        TaskRun.objects.filter(pk=run.pk).update(
            status=TaskRun.Status.SUCCEEDED,
            progress=100,
            finished_at=timezone.now(),
            result=tracker.result,
            message=str(tracker.result.get("message", ""))[:300] or run.message,
            updated_at=timezone.now(),
        )


def _task_names_with(flag: str) -> frozenset[str]:
    return frozenset(name for name, task in app.tasks.items() if getattr(task, flag, False))


def retryable_task_names() -> frozenset[str]:
    """Jobs that stand alone (their task says `retryable`): sent again with the same parameters they do the whole
    work. The analytics pipeline's steps are not among them: they run as one chain, so "Run analytics" starts them
    again instead."""
    return _task_names_with("retryable")


def pipeline_task_names() -> frozenset[str]:
    """The analytics pipeline's tasks (their task says `pipeline_step`), which the Jobs page restarts as a whole."""
    return _task_names_with("pipeline_step")


def task_run_retry(*, run: TaskRun, by: User | None = None) -> TaskRun:
    """Queue a failed standalone job again as the same run (its attempts count on, its error is cleared) and send
    its Celery task once the transaction commits. Refused for other jobs and for runs that are not failed, so a
    double click queues it once."""
    if not getattr(app.tasks.get(run.task_name), "retryable", False):
        raise ApplicationError(
            _("This job cannot be retried on its own; start it again from its page."), code=JobErrorCode.NOT_RETRYABLE
        )
    with transaction.atomic():
        locked = TaskRun.objects.select_for_update().get(pk=run.pk)
        twin = TaskRun.objects.filter(
            task_name=locked.task_name,
            organization=locked.organization,
            params=locked.params,
            status__in=[TaskRun.Status.QUEUED, TaskRun.Status.RUNNING],
        ).exclude(pk=locked.pk)
        if twin.exists():  # e.g. the nightly tick already queued the same training
            raise ConflictError(
                _("A newer run of this job is already queued or running."), code=JobErrorCode.DUPLICATE_RUN
            )
        if locked.status != TaskRun.Status.FAILED:
            raise ConflictError(
                _("Only a failed job can be retried; job #%(id)s is %(status)s.")
                % {"id": locked.pk, "status": locked.get_status_display()},
                code=JobErrorCode.NOT_FAILED,
            )
        locked.status = TaskRun.Status.QUEUED
        locked.progress = 0
        locked.message = ""
        locked.error = ""
        locked.started_at = None
        locked.finished_at = None
        locked.save()
        task = app.tasks[locked.task_name]
        kwargs = {"task_run_id": locked.pk, **(locked.params or {})}
        transaction.on_commit(lambda: task.apply_async(kwargs=kwargs), robust=True)
        audit_record(action="task_run.retry", user=by, organization=locked.organization, target=locked)
    return locked
