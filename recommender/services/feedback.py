"""Feedback on a served list (shown, clicked, converted), for attribution. Idempotent by (list, item, kind).

Feedback that names a campaign which has started is also a touch in that campaign's attribution: "shown" and
"clicked" become one exposure of kind "recommendation" carrying the recommendation id (idempotent by the feedback's
identity), so a conversion posted later with that id is credited to it. "converted" is not a conversion by itself
(it carries no value): post the conversion to the campaign with the recommendation id.
"""

import contextlib
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.services.experiments import exposures_record
from campaigns.models import Campaign, CatalogItem, Consumer, Exposure
from recommender.error_codes import FeedbackErrorCode
from recommender.models import RecommendationFeedback, RecommendationLog
from xmkt_site.access import Actor
from xmkt_site.errors import ApplicationError, ConflictError, NotFoundError

TOUCH_KINDS = (RecommendationFeedback.Kind.SHOWN, RecommendationFeedback.Kind.CLICKED)


def recommendation_feedback_record(
    *,
    actor: Actor,
    recommendation_id: str,
    item_ref: str,
    kind: str,
    campaign_id: int | None = None,
    occurred_at: datetime | None = None,
) -> tuple[RecommendationFeedback, bool]:
    """Record one piece of feedback; a repeat of the same (list, item, kind) returns the first record, created=False.

    Only the organization that was served the list may give feedback on it, and only about items that were in it."""
    served = RecommendationLog.objects.filter(
        recommendation_id=recommendation_id, organization=actor.organization
    ).first()
    if served is None:
        raise NotFoundError(
            _("No served recommendation list with this id."), code=FeedbackErrorCode.RECOMMENDATION_NOT_FOUND
        )
    item = CatalogItem.objects.filter(organization_id=served.target_id, external_ref=item_ref).first()
    if item is None or item.pk not in set(served.item_ids):
        raise ApplicationError(
            _("This item was not in the served list."),
            code=FeedbackErrorCode.ITEM_NOT_SERVED,
            fields={"item": [_("This item was not in the served list.")]},
        )
    campaign = None
    if campaign_id is not None:
        campaign = Campaign.objects.filter(pk=campaign_id).filter(organization=actor.organization).first() or (
            Campaign.objects.filter(pk=campaign_id, partners=actor.organization).first()
        )
        if campaign is None:
            raise ApplicationError(
                _("Unknown campaign."),
                code=FeedbackErrorCode.CAMPAIGN_NOT_FOUND,
                fields={"campaign": [_("Unknown campaign.")]},
            )
    existing = RecommendationFeedback.objects.filter(served=served, item=item, kind=kind).first()
    if existing is not None:
        return existing, False
    feedback = RecommendationFeedback(
        served=served, item=item, kind=kind, campaign=campaign, occurred_at=occurred_at or timezone.now()
    )
    feedback.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            feedback.save()
            if campaign is not None and kind in TOUCH_KINDS:
                _campaign_touch_record(feedback=feedback, served=served, actor=actor)
    except IntegrityError:  # a concurrent duplicate won the race: the unique constraint keeps it idempotent
        return RecommendationFeedback.objects.get(served=served, item=item, kind=kind), False
    return feedback, True


def _campaign_touch_record(*, feedback: RecommendationFeedback, served: RecommendationLog, actor: Actor) -> None:
    campaign = feedback.campaign
    consumer_ref = (
        Consumer.objects.filter(pk=served.consumer_id, organization=campaign.organization_id)
        .values_list("external_ref", flat=True)
        .first()
    )
    if consumer_ref is None:
        return  # a consumer of another organization than the campaign's is no member of its audience
    # exposures_record refuses a campaign that has not started (ConflictError): nothing is attributed before launch,
    # and the feedback itself is kept.
    with contextlib.suppress(ConflictError):
        exposures_record(
            campaign=campaign,
            partner=actor.organization if actor.organization.pk != campaign.organization_id else None,
            items=[
                {
                    "consumer": consumer_ref,
                    "kind": Exposure.Kind.RECOMMENDATION,
                    "recommendation_id": str(served.recommendation_id),
                    "external_id": f"recommendation:{served.recommendation_id}:{feedback.item_id}:{feedback.kind}",
                    "occurred_at": feedback.occurred_at,
                }
            ],
        )
