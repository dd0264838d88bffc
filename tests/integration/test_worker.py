"""A real Celery worker subprocess on the real broker runs our tasks, survives SIGKILL and runs each job once."""

import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from analytics.models import DailyEventRollup
from analytics.services.rollup import rollup_enqueue
from campaigns.models import AuditEvent, TaskRun
from campaigns.services.task_runs import task_run_enqueue
from tests.factories import ConsumerFactory, EventFactory, PlatformFactory
from tests.integration.worker_tasks import COMPLETED, STARTED, slow_side_effect

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_for(condition: Callable[[], bool], *, timeout: float, what: str, logs: Callable[[], str] = str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}\n{logs()[-4000:]}")


def run_status(run: TaskRun) -> str:
    return TaskRun.objects.values_list("status", flat=True).get(pk=run.pk)


def count(action: str, run: TaskRun) -> int:
    return AuditEvent.objects.filter(action=action, metadata__task_run_id=run.pk).count()


def slow_task_in_progress(worker) -> TaskRun:
    """Queue the slow task and return once its first attempt is running (and will sleep for 30 s)."""
    run = task_run_enqueue(
        task_name=slow_side_effect.name, organization=PlatformFactory(), params={"first_attempt_seconds": 30}
    )
    wait_for(lambda: count(STARTED, run) == 1, timeout=20, what="the first attempt to start", logs=worker.log)
    return run


def assert_started_twice_and_completed_once(run: TaskRun) -> None:
    run.refresh_from_db()
    assert run.status == TaskRun.Status.SUCCEEDED
    assert run.attempts == 2
    assert count(STARTED, run) == 2
    assert count(COMPLETED, run) == 1


@pytest.mark.timeout(60)
def test_worker_runs_the_rollup_and_its_task_run_completes_with_the_right_rows(start_worker):
    # given an organization with purchases on two Shanghai days and a running worker
    shop = PlatformFactory(slug="shop")
    alice, bob = ConsumerFactory(organization=shop), ConsumerFactory(organization=shop)
    EventFactory(organization=shop, consumer=alice, occurred_at=datetime(2026, 11, 10, 15, 0, tzinfo=UTC), value="5")
    EventFactory(organization=shop, consumer=bob, occurred_at=datetime(2026, 11, 10, 17, 0, tzinfo=UTC), value="7")
    EventFactory(organization=shop, consumer=None, occurred_at=datetime(2026, 11, 10, 18, 0, tzinfo=UTC), value="1")
    worker = start_worker()

    # when the rollup is enqueued as the Jobs page and the importers do
    run = rollup_enqueue(organization=shop)

    # then the worker completes the run and the rollup holds one row per local day
    wait_for(lambda: run_status(run) in {"succeeded", "failed"}, timeout=30, what="the rollup run", logs=worker.log)
    run.refresh_from_db()
    assert run.status == TaskRun.Status.SUCCEEDED, run.error
    assert (run.progress, run.attempts) == (100, 1)
    assert run.celery_task_id
    assert run.result["rows"] == 2
    assert list(
        DailyEventRollup.objects.filter(organization=shop).values_list("date", "type", "events", "value", "consumers")
    ) == [
        (date(2026, 11, 10), "purchase", 1, Decimal("5.00"), 1),
        (date(2026, 11, 11), "purchase", 2, Decimal("8.00"), 1),
    ]


@pytest.mark.timeout(60)
def test_task_whose_pool_process_is_killed_is_redelivered_and_completes_exactly_once(start_worker):
    # given a worker busy with the first attempt of a slow task
    worker = start_worker()
    run = slow_task_in_progress(worker)

    # when the pool process running it is SIGKILLed (acks_late + reject_on_worker_lost requeue the message)
    worker.kill_pool_child()

    # then the message is redelivered, the work starts again and finishes once
    wait_for(lambda: run_status(run) == "succeeded", timeout=30, what="the redelivered run", logs=worker.log)
    assert_started_twice_and_completed_once(run)

    # and a replay of the message after success is a no-op
    replay = slow_side_effect.apply_async(kwargs={"task_run_id": run.pk})
    # (no result backend: the worker's log line is where its return value shows)
    done = f"[{replay.id}] succeeded"
    wait_for(lambda: done in worker.log(), timeout=15, what="the replay", logs=worker.log)
    assert "{'skipped': True}" in next(line for line in worker.log().splitlines() if done in line)
    assert count(COMPLETED, run) == 1
    assert TaskRun.objects.get(pk=run.pk).attempts == 2


@pytest.mark.timeout(60)
def test_task_of_a_killed_worker_is_redelivered_to_a_new_worker_after_the_visibility_timeout(start_worker):
    # given a worker busy with the first attempt of a slow task
    first = start_worker()
    run = slow_task_in_progress(first)

    # when the whole worker dies without acknowledging, and a new one starts after the visibility timeout
    first.kill()
    time.sleep(1.5)  # the message's delivery is now older than the new worker's visibility timeout
    second = start_worker(visibility_timeout=1)

    # then the unacknowledged message is restored to the queue and the work finishes exactly once
    wait_for(lambda: run_status(run) == "succeeded", timeout=30, what="the restored run", logs=second.log)
    assert_started_twice_and_completed_once(run)
