"""The base class every XMKT Celery task uses: late acknowledgement and retries with backoff for transient errors.

Late acknowledgement means a message is removed from the broker only after the task returns, so a worker that dies
mid-task (SIGKILL, OOM, lost machine) gives the message back and another worker runs it again. Tasks must therefore
be idempotent; the TaskRun tracking makes a redelivery after success a no-op.
"""

from celery import Task
from django.db import InterfaceError, OperationalError

# Errors that a second attempt can fix: the database restarted, a connection dropped, SQLite was busy too long.
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError)


class XmktTask(Task):
    acks_late = True
    reject_on_worker_lost = True
    autoretry_for = TRANSIENT_ERRORS
    retry_backoff = 2  # seconds before the first retry, doubled on each further one
    retry_backoff_max = 300
    retry_jitter = True
    max_retries = 5
    # Set per task through the decorator's options (`@shared_task(base=XmktTask, retryable=True)`: Celery makes
    # unknown options class attributes) and read from the registry by name, so the Jobs page needs no list of names.
    retryable = False  # stands alone: sent again with the same parameters it does the whole work
    pipeline_step = False  # part of the analytics pipeline: started again with the pipeline, not on its own

    def on_retry(self, exc, task_id, args, kwargs, einfo) -> None:
        """The tracked run was marked failed when the error left the task body; Celery will run it again, so it is
        queued again (which also keeps the Jobs page's Retry button away while the automatic retry is pending)."""
        task_run_id = (kwargs or {}).get("task_run_id")
        if task_run_id is not None:
            from campaigns.models import TaskRun

            TaskRun.objects.filter(pk=task_run_id, status=TaskRun.Status.FAILED).update(status=TaskRun.Status.QUEUED)
        super().on_retry(exc, task_id, args, kwargs, einfo)
