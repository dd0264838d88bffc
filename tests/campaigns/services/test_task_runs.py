"""Sending tasks by name: the registry, not a list in the service, says which task is what."""

import pytest
from celery.exceptions import NotRegistered

from campaigns.models import TaskRun
from campaigns.services.task_runs import pipeline_task_names, retryable_task_names, task_run_enqueue
from tests.factories import PlatformFactory

# Written out by hand: the jobs the Jobs page offers to retry alone, and those it restarts with the pipeline.
STANDALONE_JOBS = {"analytics.tasks.rollup.rollup_events", "recommender.tasks.training.train_recommender"}
PIPELINE_JOBS = {
    "analytics.tasks.pipeline.run_analytics_pipeline",
    "analytics.tasks.pipeline.build_profiles",
    "analytics.tasks.pipeline.segment_consumers",
    "analytics.tasks.pipeline.forecast_demand",
}


def test_the_retryable_and_pipeline_jobs_are_those_their_tasks_declare():
    assert retryable_task_names() == STANDALONE_JOBS
    assert pipeline_task_names() == PIPELINE_JOBS


@pytest.mark.django_db
def test_enqueueing_a_task_name_nobody_registered_fails_before_a_run_is_recorded():
    with pytest.raises(NotRegistered):
        task_run_enqueue(task_name="analytics.tasks.no_such_task", organization=PlatformFactory())
    assert not TaskRun.objects.exists()
