"""Celery adapters for the recommender. Queue: pipeline (see CELERY_TASK_ROUTES)."""

from typing import Any

from celery import shared_task

from campaigns.models import Organization, TaskRun
from campaigns.services.task_runs import task_run_tracking
from xmkt_site.tasks import XmktTask


@shared_task(base=XmktTask, bind=True, name="recommender.tasks.training.train_recommender")
def train_recommender(
    self, *, task_run_id: int, target_id: int | None = None, with_tensorflow: bool = False
) -> dict[str, Any]:
    """Train, evaluate, register, promote and precompute for the run's organization and target catalogue."""
    from recommender.services.training import pipeline_run

    run = TaskRun.objects.filter(pk=task_run_id).select_related("organization").first()
    if run is None or run.organization is None:  # deleted with its organization: nothing left to do
        return {"skipped": True, "task_run_id": task_run_id}
    target = Organization.objects.filter(pk=target_id).first() if target_id else run.organization
    if target is None:
        return {"skipped": True, "task_run_id": task_run_id}
    with task_run_tracking(task_run_id=task_run_id, celery_task_id=self.request.id or "") as tracker:
        if tracker is None:  # a redelivery of a run that already succeeded
            return {"skipped": True, "task_run_id": task_run_id}
        tracker.result = pipeline_run(
            organization=run.organization, target=target, tracker=tracker, with_tensorflow=with_tensorflow
        )
        return tracker.result


@shared_task(base=XmktTask, bind=True, name="recommender.tasks.training.train_recommenders_nightly")
def train_recommenders_nightly(self) -> dict[str, Any]:
    """Nightly (beat): queue one training per platform organization and catalogue it may train on, unless one is
    already queued or running for that pair."""
    from recommender.services.scheduling import trainings_enqueue_nightly

    runs = trainings_enqueue_nightly()
    return {"queued": [run.pk for run in runs]}
