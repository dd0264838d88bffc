"""The nightly recommender training: beat queues one training per platform organization and catalogue it may train
on, and a second tick while those are queued or running queues nothing."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.utils import timezone

from campaigns.models import DataPurpose, DataSharingAgreement, TaskRun
from recommender.services.scheduling import TRAINING_TASK_NAME
from recommender.tasks.training import train_recommenders_nightly
from tests.factories import AgreementFactory, TaskRunFactory

PROJECT_ROOT = Path(__file__).resolve().parents[3]


def queued_pairs() -> list[tuple[str, int]]:
    return sorted(
        (run.organization.slug, run.params["target_id"])
        for run in TaskRun.objects.filter(task_name=TRAINING_TASK_NAME, status=TaskRun.Status.QUEUED)
    )


@pytest.fixture
def agreed(platform, partner, other_partner):
    """The platform shares data with Homely for personalization (active agreement), only drafted one with Skyline."""
    AgreementFactory(
        platform=platform, partner=partner, purposes=[DataPurpose.PARTNER_SHARING, DataPurpose.PERSONALIZATION]
    )
    AgreementFactory(platform=platform, partner=other_partner, status=DataSharingAgreement.Status.DRAFT)
    return platform, partner, other_partner


def test_the_nightly_tick_queues_the_own_catalogue_and_agreed_partners_but_not_a_partner_without_agreement(agreed):
    platform, partner, _other_partner = agreed

    # when beat's nightly tick runs
    result = train_recommenders_nightly.apply().get()

    # then the platform trains on its own catalogue and Homely's; Skyline (draft agreement) and the partner
    # organizations themselves get nothing
    assert queued_pairs() == sorted([("zhishi", platform.pk), ("zhishi", partner.pk)])
    assert sorted(result["queued"]) == sorted(
        TaskRun.objects.filter(task_name=TRAINING_TASK_NAME).values_list("pk", flat=True)
    )


def test_a_second_tick_while_the_trainings_are_queued_adds_nothing(agreed):
    # given the first tick queued its trainings
    train_recommenders_nightly.apply().get()
    first = queued_pairs()

    # when the tick is delivered again
    result = train_recommenders_nightly.apply().get()

    # then nothing more is queued
    assert result["queued"] == []
    assert queued_pairs() == first


def test_a_running_training_holds_back_its_pair_and_a_finished_one_does_not(agreed):
    platform, partner, _other_partner = agreed
    # given the own-catalogue training runs and the partner-catalogue training finished yesterday
    TaskRunFactory(
        task_name=TRAINING_TASK_NAME,
        organization=platform,
        params={"target_id": platform.pk},
        status=TaskRun.Status.RUNNING,
    )
    TaskRunFactory(
        task_name=TRAINING_TASK_NAME,
        organization=platform,
        params={"target_id": partner.pk},
        status=TaskRun.Status.SUCCEEDED,
    )

    # when the tick runs
    train_recommenders_nightly.apply().get()

    # then only the partner catalogue's training is queued
    assert queued_pairs() == [("zhishi", partner.pk)]


def test_a_training_queued_long_ago_and_never_started_does_not_hold_back_the_next_night(agreed):
    platform, partner, _other_partner = agreed
    # given a training whose message was lost: queued a day ago and never picked up
    lost = TaskRunFactory(task_name=TRAINING_TASK_NAME, organization=platform, params={"target_id": platform.pk})
    TaskRun.objects.filter(pk=lost.pk).update(updated_at=timezone.now() - timedelta(days=1))

    # when the tick runs
    result = train_recommenders_nightly.apply().get()

    # then the own catalogue is queued afresh beside the partner's
    assert len(result["queued"]) == 2 and lost.pk not in result["queued"]
    assert queued_pairs() == sorted([("zhishi", platform.pk), ("zhishi", platform.pk), ("zhishi", partner.pk)])


def test_each_queued_training_records_its_taskrun_like_the_train_now_button(agreed, django_capture_on_commit_callbacks):
    platform, partner, _other_partner = agreed

    # when the tick runs (the Celery messages are sent once its transaction commits)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = train_recommenders_nightly.apply().get()

    # then every run names its target and is sent as one train_recommender message
    runs = TaskRun.objects.filter(pk__in=result["queued"])
    assert {run.params["target_id"] for run in runs} == {platform.pk, partner.pk}
    assert all(run.params["with_tensorflow"] is False and run.requested_by is None for run in runs)
    assert len(callbacks) == len(result["queued"])


def test_the_nightly_training_is_scheduled_after_the_analytics_pipeline():
    schedule = settings.CELERY_BEAT_SCHEDULE
    training = schedule["nightly-recommender-training"]
    analytics = schedule["nightly-analytics-pipeline"]["schedule"]

    assert training["task"] == train_recommenders_nightly.name
    assert isinstance(training["schedule"], crontab)
    assert min(training["schedule"].hour) > max(analytics.hour)


def test_the_analytics_app_does_not_import_the_recommender():
    # campaigns <- analytics <- recommender: the nightly training is scheduled from the recommender's side
    importing = [
        str(path.relative_to(PROJECT_ROOT))
        for path in sorted((PROJECT_ROOT / "analytics").rglob("*.py"))
        if re.search(r"^\s*(from|import)\s+recommender\b", path.read_text(encoding="utf-8"), re.MULTILINE)
    ]
    assert importing == []
