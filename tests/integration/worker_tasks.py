"""A test-only task loaded into the worker subprocess with `--include tests.integration.worker_tasks`.

It records a "started" and a "completed" AuditEvent around a sleep, so a test can kill the worker in the middle and
then count, in the database, how often the work began and how often it finished.
"""

import time

from celery import shared_task

from campaigns.services.audit import audit_record
from campaigns.services.task_runs import task_run_tracking
from xmkt_site.tasks import XmktTask

STARTED = "test.slow_task.started"
COMPLETED = "test.slow_task.completed"


@shared_task(base=XmktTask, bind=True, name="tests.integration.worker_tasks.slow_side_effect")
def slow_side_effect(self, *, task_run_id: int, first_attempt_seconds: float = 30.0) -> dict:
    with task_run_tracking(task_run_id=task_run_id, celery_task_id=self.request.id or "") as tracker:
        if tracker is None:
            return {"skipped": True}
        run = tracker.run
        metadata = {"task_run_id": run.pk, "attempt": run.attempts}
        audit_record(action=STARTED, organization=run.organization, metadata=metadata)
        tracker.progress(10, "sleeping")
        # Only the first attempt is slow: it is the one the test kills.
        time.sleep(first_attempt_seconds if run.attempts == 1 else 0.2)
        audit_record(action=COMPLETED, organization=run.organization, metadata=metadata)
        tracker.result = {"attempt": run.attempts}
        return tracker.result
