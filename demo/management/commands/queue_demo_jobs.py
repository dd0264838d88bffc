"""Queue the first analytics pipeline and recommender training for organizations that have events but no results yet.

`make run` calls this after `seed_demo`, so the worker it starts fills segments, forecasts and recommendations within
minutes. Organizations that already have results (or a queued run) are left alone, so restarting costs nothing."""

from django.core.management.base import BaseCommand
from django.db.models import Q

from analytics.models import Event, SegmentRun
from analytics.services.pipeline import pipeline_enqueue
from campaigns.models import DataSharingAgreement, Organization, TaskRun
from recommender.models import ModelVersion
from recommender.services.training import TRAINING_TASK_NAME, training_enqueue

PENDING = (TaskRun.Status.QUEUED, TaskRun.Status.RUNNING)


class Command(BaseCommand):
    help = "Queue the analytics pipeline and recommender training where no results exist yet."

    def handle(self, *args, **options) -> None:
        organizations = Organization.objects.filter(is_active=True, pk__in=Event.objects.values("organization"))
        for organization in organizations.order_by("kind", "slug"):
            self._queue_analytics(organization)
            for target in self._targets(organization):
                self._queue_training(organization, target)

    def _queue_analytics(self, organization: Organization) -> None:
        pending = TaskRun.objects.filter(
            organization=organization, task_name__startswith="analytics.tasks.", status__in=PENDING
        ).exclude(task_name__startswith="analytics.tasks.rollup")
        if SegmentRun.objects.filter(organization=organization).exists() or pending.exists():
            return
        pipeline_enqueue(organization=organization)
        self.stdout.write(f"queued the analytics pipeline for {organization.slug}")

    def _targets(self, organization: Organization) -> list[Organization]:
        """Its own catalogue, and for a platform the catalogues of partners under an active agreement."""
        targets = [organization]
        if organization.kind == Organization.Kind.PLATFORM:
            partner_ids = DataSharingAgreement.objects.filter(
                platform=organization, status=DataSharingAgreement.Status.ACTIVE
            ).values("partner")
            targets += list(Organization.objects.filter(pk__in=partner_ids, is_active=True).order_by("slug"))
        return targets

    def _queue_training(self, organization: Organization, target: Organization) -> None:
        trained = ModelVersion.objects.filter(organization=organization, target=target).exists()
        pending = TaskRun.objects.filter(
            Q(params__target_id=target.pk),
            organization=organization,
            task_name=TRAINING_TASK_NAME,
            status__in=PENDING,
        )
        if trained or pending.exists():
            return
        training_enqueue(organization=organization, target=target)
        self.stdout.write(f"queued recommender training for {organization.slug} → {target.slug}")
