"""Which recommender trainings may run, and the nightly tick that queues them.

An organization may train on its own catalogue and on the catalogue of every active organization it has an active
data-sharing agreement with that names personalization (`training_targets_for`: the rule behind the "Train now"
button's choice of targets).
`trainings_enqueue_nightly` queues one training per platform organization and allowed target, skipping the pairs
whose training is already queued or running, so a redelivered beat tick queues nothing twice.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from campaigns.models import DataPurpose, DataSharingAgreement, Organization, TaskRun, User
from recommender.services.training import TRAINING_TASK_NAME, training_enqueue

# A queued or running training that has not moved for this long is taken for lost (its message died with a broker or
# a worker) and no longer holds back the next night's training of its pair. Far longer than a redelivered beat tick
# arrives late (the visibility timeout, an hour by default), shorter than the day between two ticks.
ABANDONED_AFTER = timedelta(hours=12)


def training_targets_for(*, organization: Organization) -> list[Organization]:
    """The catalogues this organization may train on: its own first, then by name those of the partners whose
    agreement in force names personalization."""
    agreements = (
        DataSharingAgreement.objects.filter(Q(platform=organization) | Q(partner=organization))
        .in_force(timezone.localdate())
        .values_list("platform_id", "partner_id", "purposes")
    )
    # An agreement without personalization allows no training across the two catalogues.
    agreed = {
        other
        for platform_id, partner_id, purposes in agreements
        if DataPurpose.PERSONALIZATION in (purposes or [])
        for other in (platform_id, partner_id)
        if other != organization.pk
    }
    partners = Organization.objects.filter(is_active=True, pk__in=agreed).order_by("name")
    return [organization, *partners]


def trainings_in_progress(*, organization: Organization) -> set[int]:
    """Ids of the target catalogues with a training of this organization queued or running (and not abandoned)."""
    target_ids = TaskRun.objects.filter(
        task_name=TRAINING_TASK_NAME,
        organization=organization,
        status__in=[TaskRun.Status.QUEUED, TaskRun.Status.RUNNING],
        updated_at__gte=timezone.now() - ABANDONED_AFTER,
    ).values_list("params__target_id", flat=True)
    # A run without a target trains on the organization's own catalogue (see the training task).
    return {target_id or organization.pk for target_id in target_ids}


def trainings_enqueue_missing(*, organization: Organization, by: User | None = None) -> list[TaskRun]:
    """Queue a training for each allowed target of this organization that has none queued or running."""
    with transaction.atomic():
        # Two deliveries of one beat tick running at once would both find nothing queued and both queue: the row lock
        # on the organization makes the second wait, and then see the first one's runs.
        if Organization.objects.select_for_update().filter(pk=organization.pk).first() is None:
            return []  # deleted meanwhile
        busy = trainings_in_progress(organization=organization)
        return [
            training_enqueue(organization=organization, target=target, by=by)
            for target in training_targets_for(organization=organization)
            if target.pk not in busy
        ]


def trainings_enqueue_nightly(*, by: User | None = None) -> list[TaskRun]:
    """Nightly: for every active platform organization, the trainings `trainings_enqueue_missing` would queue."""
    runs: list[TaskRun] = []
    for organization in Organization.objects.filter(is_active=True, kind=Organization.Kind.PLATFORM).order_by("pk"):
        runs.extend(trainings_enqueue_missing(organization=organization, by=by))
    return runs
