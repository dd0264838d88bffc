"""Queueing a recommender training: the task is sent by name (registered by recommender.tasks.training)."""

from campaigns.models import Organization, TaskRun, User
from campaigns.services.task_runs import task_run_enqueue

TRAINING_TASK_NAME = "recommender.tasks.training.train_recommender"


def training_enqueue(
    *, organization: Organization, target: Organization, by: User | None = None, with_tensorflow: bool = False
) -> TaskRun:
    """Queue one training of `organization`'s models for `target`'s catalogue, sent once the transaction commits."""
    return task_run_enqueue(
        task_name=TRAINING_TASK_NAME,
        organization=organization,
        params={"target_id": target.pk, "with_tensorflow": with_tensorflow},
        by=by,
    )
