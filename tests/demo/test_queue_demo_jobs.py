from io import StringIO

import pytest
from django.core.management import call_command

from campaigns.models import TaskRun
from recommender.services.training import TRAINING_TASK_NAME
from tests.factories import AgreementFactory, EventFactory


def _queue(django_capture_on_commit_callbacks) -> str:
    out = StringIO()
    # The callbacks (sending to the broker) are captured, not run: only what gets queued is under test.
    with django_capture_on_commit_callbacks(execute=False):
        call_command("queue_demo_jobs", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_queues_analytics_and_training_for_each_catalogue_once(platform, partner, django_capture_on_commit_callbacks):
    # given a platform with events and an active agreement with a partner
    EventFactory(organization=platform)
    AgreementFactory(platform=platform, partner=partner)

    # when the demo jobs are queued twice
    first = _queue(django_capture_on_commit_callbacks)
    second = _queue(django_capture_on_commit_callbacks)

    # then the pipeline and one training per target catalogue were queued the first time only
    assert "analytics pipeline for zhishi" in first
    assert "zhishi → zhishi" in first and "zhishi → homely" in first
    assert second == ""
    trainings = TaskRun.objects.filter(task_name=TRAINING_TASK_NAME, organization=platform)
    assert sorted(run.params["target_id"] for run in trainings) == sorted([platform.pk, partner.pk])


@pytest.mark.django_db
def test_organizations_without_events_get_no_jobs(platform, django_capture_on_commit_callbacks):
    assert _queue(django_capture_on_commit_callbacks) == ""
    assert not TaskRun.objects.exists()
