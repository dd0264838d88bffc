"""tracked_task: the TaskRun side every tracked Celery task shares (record, skip, track, fail)."""

from types import SimpleNamespace

import pytest

from campaigns.models import TaskRun
from campaigns.tasks.tracking import tracked_task

pytestmark = pytest.mark.django_db


def bound_task(name: str = "tests.tracked", celery_id: str = "celery-1") -> SimpleNamespace:
    """What tracked_task reads of a bound Celery task: its name and the id of the message being run."""
    return SimpleNamespace(name=name, request=SimpleNamespace(id=celery_id))


def test_a_beat_tick_without_a_run_records_one_with_its_params_and_saves_the_body_result():
    def body(tracker):
        tracker.progress(40, "halfway")
        return {"done": 3, "message": "three done"}

    result = tracked_task(bound_task(), task_run_id=None, body=body, params={"campaign_ids": [7]})

    run = TaskRun.objects.get(task_name="tests.tracked")
    assert result == {"done": 3, "message": "three done"}
    assert run.status == TaskRun.Status.SUCCEEDED and run.progress == 100 and run.attempts == 1
    assert run.params == {"campaign_ids": [7]} and run.result == result and run.message == "three done"
    assert run.celery_task_id == "celery-1"


def test_a_run_deleted_before_it_starts_is_skipped_without_running_the_body():
    run = TaskRun.objects.create(task_name="tests.tracked")
    run_id = run.pk
    run.delete()

    result = tracked_task(bound_task(), task_run_id=run_id, body=lambda tracker: pytest.fail("body ran"))

    assert result == {"skipped": True, "task_run_id": run_id}


def test_a_redelivered_message_of_a_succeeded_run_is_skipped_and_leaves_the_run_as_it_was():
    run = TaskRun.objects.create(task_name="tests.tracked", status=TaskRun.Status.SUCCEEDED, attempts=1)

    result = tracked_task(bound_task(), task_run_id=run.pk, body=lambda tracker: pytest.fail("body ran"))

    run.refresh_from_db()
    assert result == {"skipped": True, "task_run_id": run.pk}
    assert run.status == TaskRun.Status.SUCCEEDED and run.attempts == 1


def test_a_failing_body_marks_the_run_failed_tells_on_failure_and_raises_to_celery():
    run = TaskRun.objects.create(task_name="tests.tracked")
    heard: list[int] = []

    def body(tracker):
        raise ValueError("no purchases")

    with pytest.raises(ValueError, match="no purchases"):
        tracked_task(bound_task(), task_run_id=run.pk, body=body, on_failure=lambda failed: heard.append(failed.pk))

    run.refresh_from_db()
    assert heard == [run.pk]
    assert run.status == TaskRun.Status.FAILED and run.error == "ValueError: no purchases"
