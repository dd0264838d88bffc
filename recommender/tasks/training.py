"""Celery adapters for the recommender. Queue: pipeline (see CELERY_TASK_ROUTES)."""

from typing import Any

from celery import shared_task

from campaigns.models import Organization, TaskRun
from campaigns.tasks.tracking import tracked_task
from recommender.services.pipeline import pipeline_run
from recommender.services.scheduling import trainings_enqueue_nightly
from recommender.services.training import TRAINING_TASK_NAME
from xmkt_site.tasks import XmktTask


@shared_task(base=XmktTask, bind=True, name=TRAINING_TASK_NAME, retryable=True)
def train_recommender(
    self, *, task_run_id: int, target_id: int | None = None, with_tensorflow: bool = False
) -> dict[str, Any]:
    """Train, evaluate, register, promote and precompute for the run's organization and target catalogue."""
    run = TaskRun.objects.filter(pk=task_run_id).select_related("organization").first()
    if run is None or run.organization is None:  # deleted with its organization: nothing left to do
        return {"skipped": True, "task_run_id": task_run_id}
    target = Organization.objects.filter(pk=target_id).first() if target_id else run.organization
    if target is None:
        return {"skipped": True, "task_run_id": task_run_id}
    return tracked_task(
        self,
        task_run_id=task_run_id,
        body=lambda tracker: pipeline_run(
            organization=run.organization, target=target, tracker=tracker, with_tensorflow=with_tensorflow
        ),
    )


@shared_task(base=XmktTask, bind=True, name="recommender.tasks.training.train_recommenders_nightly")
def train_recommenders_nightly(self) -> dict[str, Any]:
    """Nightly (beat): queue one training per platform organization and catalogue it may train on, unless one is
    already queued or running for that pair."""
    runs = trainings_enqueue_nightly()
    return {"queued": [run.pk for run in runs]}
