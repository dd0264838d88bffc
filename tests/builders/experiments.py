"""Running campaigns, contactable consumers and arm traffic for the experiment tests."""

from decimal import Decimal

from django.utils import timezone

from campaigns.models import Assignment, Conversion, DataPurpose
from campaigns.services.campaigns import (
    AudienceEstimate,
    campaign_audience_set,
    campaign_launch,
    campaign_submit_for_review,
)
from tests.builders.campaigns import ready_campaign
from tests.factories import ConsentRecordFactory, ConsumerFactory, PlatformFactory


def running(policy="fixed_split", platform=None, audience=None):
    campaign = ready_campaign(platform or PlatformFactory(), policy=policy)
    if audience:
        campaign_audience_set(campaign=campaign, by=None, **audience)
    campaign = campaign_submit_for_review(campaign=campaign, by=None, audience=AudienceEstimate(10, 10))
    return campaign_launch(campaign=campaign, by=None)


def contactable(platform, n, *, personalization=True, **fields):
    consumers = ConsumerFactory.create_batch(n, organization=platform, **fields)
    for consumer in consumers:
        ConsentRecordFactory(consumer=consumer, purpose=DataPurpose.MARKETING_CONTACT)
        if personalization:
            ConsentRecordFactory(consumer=consumer, purpose=DataPurpose.PERSONALIZATION)
    return consumers


def traffic(campaign, users: dict[str, int], converters: dict[str, int]) -> None:
    """Assign `users[key]` consumers to each arm directly; the first `converters[key]` of them buy for 50."""
    variants = {v.key: v for v in campaign.variants.all()}
    now = timezone.now()
    for key, n in users.items():
        consumers = ConsumerFactory.create_batch(n, organization=campaign.organization)
        Assignment.objects.bulk_create(
            Assignment(campaign=campaign, consumer=c, variant=variants[key], assigned_at=now) for c in consumers
        )
        Conversion.objects.bulk_create(
            Conversion(
                campaign=campaign,
                consumer=c,
                variant=variants[key],
                value=Decimal("50"),
                external_id=f"{key}{i}",
                occurred_at=now,
            )
            for i, c in enumerate(consumers[: converters[key]])
        )
