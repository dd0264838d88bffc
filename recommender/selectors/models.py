"""Reads for the recommendation pages: model versions, metric history, comparison, coverage, consumer preview."""

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from analytics.models import Event
from campaigns.models import Consumer, DataPurpose, Organization
from campaigns.selectors.consent import ConsentState, consent_state
from recommender.models import ModelVersion, Recommendation

SORTS = {"trained_at", "-trained_at", "label", "-label", "status", "-status", "fit_seconds", "-fit_seconds"}


def model_versions_for(
    *, organization: Organization, target_slug: str = "", status: str = "", sort: str = ""
) -> QuerySet:
    versions = ModelVersion.objects.filter(organization=organization).select_related("target")
    if target_slug:
        versions = versions.filter(target__slug=target_slug)
    if status:
        versions = versions.filter(status=status)
    return versions.order_by(sort if sort in SORTS else "-trained_at", "-id")


def champions_for(*, organization: Organization) -> list[ModelVersion]:
    return list(
        ModelVersion.objects.filter(organization=organization, is_champion=True)
        .select_related("target")
        .order_by("target__name")
    )


def targets_for(*, organization: Organization) -> list[Organization]:
    ids = ModelVersion.objects.filter(organization=organization).values("target_id").distinct()
    return list(Organization.objects.filter(pk__in=ids).order_by("name"))


def latest_comparison(*, champion: ModelVersion) -> list[ModelVersion]:
    """The candidates evaluated in the champion's training run (same trained_at), best validation NDCG first."""
    rows = list(
        ModelVersion.objects.filter(
            organization_id=champion.organization_id, target_id=champion.target_id, trained_at=champion.trained_at
        )
    )
    return sorted(rows, key=lambda v: -(v.metric("validation", "ndcg@10") or 0.0))


def metric_history(*, organization: Organization, target: Organization) -> list[ModelVersion]:
    return list(ModelVersion.objects.filter(organization=organization, target=target).order_by("trained_at", "id"))


@dataclass(frozen=True)
class Coverage:
    consumers: int
    with_lists: int
    distinct_items: int
    target_items: int

    @property
    def consumer_share(self) -> float:
        return self.with_lists / self.consumers if self.consumers else 0.0

    @property
    def item_share(self) -> float:
        return self.distinct_items / self.target_items if self.target_items else 0.0


def coverage_for(*, champion: ModelVersion) -> Coverage:
    rows = Recommendation.objects.filter(model_version=champion)
    stats = rows.aggregate(users=Count("consumer_id", distinct=True), items=Count("item_id", distinct=True))
    return Coverage(
        consumers=Consumer.objects.filter(organization_id=champion.organization_id).count(),
        with_lists=stats["users"] or 0,
        distinct_items=stats["items"] or 0,
        target_items=int((champion.data_size or {}).get("target_items", 0)),
    )


def consumer_history(*, consumer: Consumer, limit: int = 20) -> list[Event]:
    return list(
        Event.objects.filter(consumer=consumer, item__isnull=False)
        .select_related("item")
        .order_by("-occurred_at", "-id")[:limit]
    )


@dataclass(frozen=True)
class PreviewConsent:
    """The consent records in force that decide what a consumer may be served from a catalogue (None: no record)."""

    personalization: ConsentState | None
    sharing_with: Organization | None  # the catalogue's organization when it is not the consumer's own
    sharing: ConsentState | None


def preview_consent(*, consumer: Consumer, catalog: Organization | None) -> PreviewConsent:
    states = consent_state(consumer=consumer)
    personalization = next((s for s in states if s.purpose == DataPurpose.PERSONALIZATION), None)
    sharing_with = catalog if catalog is not None and catalog.pk != consumer.organization_id else None
    sharing = None
    if sharing_with is not None:
        sharing = next(
            (
                s
                for s in states
                if s.purpose == DataPurpose.PARTNER_SHARING and s.recipient and s.recipient.pk == sharing_with.pk
            ),
            None,
        )
    return PreviewConsent(personalization, sharing_with, sharing)
