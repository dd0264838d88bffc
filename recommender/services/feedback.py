"""Feedback on a served list (shown, clicked, converted), for attribution. Idempotent by (list, item, kind)."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Campaign, CatalogItem
from recommender.models import RecommendationFeedback, RecommendationLog
from xmkt_site.access import Actor
from xmkt_site.errors import ApplicationError, NotFoundError


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
        raise NotFoundError(_("No served recommendation list with this id."), code="recommendation_not_found")
    item = CatalogItem.objects.filter(organization_id=served.target_id, external_ref=item_ref).first()
    if item is None or item.pk not in set(served.item_ids):
        raise ApplicationError(
            _("This item was not in the served list."),
            code="item_not_served",
            fields={"item": [_("This item was not in the served list.")]},
        )
    campaign = None
    if campaign_id is not None:
        campaign = Campaign.objects.filter(pk=campaign_id).filter(organization=actor.organization).first() or (
            Campaign.objects.filter(pk=campaign_id, partners=actor.organization).first()
        )
        if campaign is None:
            raise ApplicationError(
                _("Unknown campaign."), code="campaign_not_found", fields={"campaign": [_("Unknown campaign.")]}
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
    except IntegrityError:  # a concurrent duplicate won the race: the unique constraint keeps it idempotent
        return RecommendationFeedback.objects.get(served=served, item=item, kind=kind), False
    return feedback, True
