"""Reads for the privacy pages and API: data-subject requests, audit log, impact assessments, tombstones."""

from datetime import date, datetime, time

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from campaigns.models import (
    AuditEvent,
    Campaign,
    Consumer,
    DataSharingAgreement,
    DataSubjectRequest,
    ErasureTombstone,
    ImpactAssessment,
    Organization,
    PersonalTagDeletion,
)
from xmkt_site.access import Actor
from xmkt_site.errors import NotFoundError

OPEN_STATUSES = (DataSubjectRequest.Status.RECEIVED, DataSubjectRequest.Status.IN_PROGRESS)


def consumer_find(*, organization: Organization, external_ref: str) -> Consumer | None:
    if not external_ref:
        return None
    return Consumer.objects.filter(organization=organization, external_ref=external_ref).first()


def dsr_list(*, organization: Organization, status: str | None = None, kind: str | None = None) -> QuerySet:
    """Requests of the organization; open ones first, by due date."""
    requests = DataSubjectRequest.objects.filter(organization=organization).select_related("consumer", "handled_by")
    if status == "open":
        requests = requests.filter(status__in=OPEN_STATUSES)
    elif status:
        requests = requests.filter(status=status)
    if kind:
        requests = requests.filter(kind=kind)
    return requests.order_by("completed_at", "due_at", "id")


def dsr_get(*, organization: Organization, pk: int) -> DataSubjectRequest:
    request = dsr_list(organization=organization).filter(pk=pk).first()
    if request is None:
        raise NotFoundError("No such request.")
    return request


def dsr_is_overdue(request: DataSubjectRequest, *, now: datetime | None = None) -> bool:
    return request.is_open and request.due_at < (now or timezone.now())


def dsr_counts(*, organization: Organization, now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    return DataSubjectRequest.objects.filter(organization=organization).aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, due_at__lt=now)),
        completed=Count("pk", filter=Q(status=DataSubjectRequest.Status.COMPLETED)),
        rejected=Count("pk", filter=Q(status=DataSubjectRequest.Status.REJECTED)),
    )


def tombstone_count(*, organization: Organization) -> int:
    return ErasureTombstone.objects.filter(organization=organization).count()


# --- audit log ---------------------------------------------------------------------------------------------------


def audit_visible_organizations(*, actor: Actor) -> QuerySet:
    """The platform operates XMKT, so its administrators see every organization's trail; a partner sees its own."""
    if actor.is_platform:
        return Organization.objects.order_by("name")
    return Organization.objects.filter(pk=actor.organization.pk)


def audit_event_list(
    *,
    actor: Actor,
    action: str = "",
    actor_username: str = "",
    organization_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet:
    """Audit events the actor may see, filtered. Dates are inclusive days in the site's time zone."""
    events = AuditEvent.objects.select_related("actor", "api_key", "organization")
    if not actor.is_platform:
        events = events.filter(organization=actor.organization)
    if action:
        events = events.filter(action__startswith=action)
    if actor_username:
        events = events.filter(actor__username=actor_username)
    if organization_id:
        events = events.filter(organization_id=organization_id)
    if date_from:
        events = events.filter(occurred_at__gte=timezone.make_aware(datetime.combine(date_from, time.min)))
    if date_to:
        events = events.filter(occurred_at__lte=timezone.make_aware(datetime.combine(date_to, time.max)))
    return events.order_by("-occurred_at", "-id")


def audit_action_names(*, actor: Actor) -> list[str]:
    """The action names in the actor's visible trail (for the filter's suggestions)."""
    events = AuditEvent.objects.all()
    if not actor.is_platform:
        events = events.filter(organization=actor.organization)
    return list(events.order_by("action").values_list("action", flat=True).distinct())


# --- impact assessments ------------------------------------------------------------------------------------------


def impact_assessment_list(*, organization: Organization) -> QuerySet:
    return ImpactAssessment.objects.filter(organization=organization).select_related(
        "agreement", "campaign", "signed_by", "created_by"
    )


def impact_assessment_get(*, organization: Organization, pk: int) -> ImpactAssessment:
    assessment = impact_assessment_list(organization=organization).filter(pk=pk).first()
    if assessment is None:
        raise NotFoundError("No such impact assessment.")
    return assessment


def assessable_agreements(*, organization: Organization) -> QuerySet:
    return (
        DataSharingAgreement.objects.filter(Q(platform=organization) | Q(partner=organization))
        .select_related("platform", "partner")
        .order_by("title")
    )


def assessable_campaigns(*, organization: Organization) -> QuerySet:
    """The organization's campaigns that involve partners (and so partner data)."""
    return Campaign.objects.filter(organization=organization, partners__isnull=False).distinct().order_by("name")


# --- deleted personal tags (read by the pipelines that assign tags) -----------------------------------------------


def deleted_personal_tags(*, consumer: Consumer) -> set[tuple[str, str]]:
    """(kind, key) of every tag the consumer deleted."""
    return set(PersonalTagDeletion.objects.filter(consumer=consumer).values_list("kind", "key"))


def deleted_personal_tag_pairs(*, organization: Organization, kind: str) -> QuerySet:
    """(consumer_id, key) rows of one tag kind across an organization, for a pipeline run to exclude in bulk."""
    return PersonalTagDeletion.objects.filter(consumer__organization=organization, kind=kind).values_list(
        "consumer_id", "key"
    )
