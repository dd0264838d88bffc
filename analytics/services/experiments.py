"""Campaigns in flight: review with the audience measured, sticky assignment, exposures, conversions, tracking-link
clicks, and bandit re-weighting with every weight change recorded."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

import numpy as np
from django.db import IntegrityError, connections, transaction
from django.db.models import F
from django.db.models.constants import OnConflict
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from analytics.error_codes import ExperimentErrorCode
from analytics.ml.assignment import ArmLayout, assign_arm, bucket, moved_share
from analytics.ml.bandits import make_policy
from analytics.selectors.experiments import (
    arm_aggregates,
    audience_consumers,
    audience_estimate,
    running_assignment_count,
)
from campaigns.models import (
    AllocationChange,
    AllocationPolicy,
    Assignment,
    Campaign,
    Consumer,
    Conversion,
    DataPurpose,
    Exposure,
    Organization,
    TrackingLink,
    User,
    Variant,
)
from campaigns.selectors.consent import consented_consumers, consumer_has_consent
from campaigns.services.audit import audit_record
from campaigns.services.campaigns import campaign_submit_for_review
from xmkt_site.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError

MAX_BATCH = 1000


def campaign_review_run(*, campaign: Campaign, by: User | None, now: datetime | None = None) -> Campaign:
    """Measure the audience, then submit: the review stores each check with its reason."""
    return campaign_submit_for_review(campaign=campaign, by=by, audience=audience_estimate(campaign=campaign), now=now)


# --- Assignment ----------------------------------------------------------------------------------------------------


def _variants(campaign: Campaign) -> list[Variant]:
    return list(campaign.variants.order_by("position", "id"))


def campaign_layout(*, campaign: Campaign, variants: list[Variant] | None = None) -> ArmLayout:
    """The stored layout, or the contiguous one from the launch weights if no re-weighting happened yet."""
    variants = variants if variants is not None else _variants(campaign)
    if campaign.arm_layout:
        return ArmLayout.from_json_list(campaign.arm_layout, len(variants))
    weights = [v.weight for v in variants]
    if sum(weights) <= 0:
        weights = [1.0] * len(variants)
    return ArmLayout.from_weights(weights)


@dataclass(frozen=True)
class AssignmentResult:
    variant: Variant | None
    created: bool
    personalized: bool
    reason: str  # "assigned", "existing", "not_in_audience", "frequency_cap", "no_marketing_consent"


def assignment_get_or_create(
    *, campaign: Campaign, consumer: Consumer, now: datetime | None = None, requested_by: Organization | None = None
) -> AssignmentResult:
    """The consumer's arm: the stored one if any (sticky), else a new one from the hash of campaign salt and consumer.

    Consumers without personalization consent (non-personalised mode) get the same population-level allocation as
    everyone: the layout is built from pooled counts, never from a person's own history; the flag is recorded.
    A consumer whose marketing_contact consent is not in force at this moment takes no part, even with a stored arm:
    the arm is kept (their earlier exposures stay attributed) and comes back if they consent again.
    `requested_by` is the partner whose key asks, recorded on a new assignment.
    """
    existing = Assignment.objects.filter(campaign=campaign, consumer=consumer).select_related("variant").first()
    if existing is not None:
        if not consumer_has_consent(consumer=consumer, purpose=DataPurpose.MARKETING_CONTACT):
            return AssignmentResult(None, False, existing.personalized, "no_marketing_consent")
        return AssignmentResult(existing.variant, False, existing.personalized, "existing")
    if campaign.status != Campaign.Status.RUNNING:
        raise ConflictError("Only a running campaign assigns consumers.", code=ExperimentErrorCode.CAMPAIGN_NOT_RUNNING)
    if consumer.organization_id != campaign.organization_id:
        raise NotFoundError("Unknown consumer.")
    if not audience_consumers(campaign=campaign).filter(pk=consumer.pk).exists():
        return AssignmentResult(None, False, False, "not_in_audience")
    if campaign.frequency_cap and (
        running_assignment_count(consumer=consumer, exclude=campaign) >= campaign.frequency_cap
    ):
        return AssignmentResult(None, False, False, "frequency_cap")
    variants = _variants(campaign)
    arm = assign_arm(consumer.external_ref, campaign.salt, campaign_layout(campaign=campaign, variants=variants))
    personalized = consumer_has_consent(consumer=consumer, purpose=DataPurpose.PERSONALIZATION)
    try:
        with transaction.atomic():
            assignment = Assignment.objects.create(
                campaign=campaign,
                consumer=consumer,
                variant=variants[arm],
                personalized=personalized,
                assigned_at=now or timezone.now(),
                requested_by=requested_by,
            )
    except IntegrityError:  # a concurrent request assigned the same consumer first: its row wins
        assignment = Assignment.objects.select_related("variant").get(campaign=campaign, consumer=consumer)
        return AssignmentResult(assignment.variant, False, assignment.personalized, "existing")
    return AssignmentResult(assignment.variant, True, personalized, "assigned")


def consumer_by_ref(*, organization: Organization, external_ref: str) -> Consumer:
    consumer = Consumer.objects.filter(organization=organization, external_ref=external_ref).first()
    if consumer is None:
        raise NotFoundError("Unknown consumer.", fields={"consumer": ["No consumer with this reference."]})
    return consumer


def consumer_for_partner(*, organization: Organization, external_ref: str, partner: Organization) -> Consumer:
    """A consumer of `organization` whose partner_sharing consent naming `partner` is in force now.

    A ref nobody has and a consumer who has not consented get the same refusal, so a partner cannot probe who exists.
    """
    consumer = Consumer.objects.filter(organization=organization, external_ref=external_ref).first()
    if consumer is None or not consumer_has_consent(
        consumer=consumer, purpose=DataPurpose.PARTNER_SHARING, recipient=partner
    ):
        raise PermissionDeniedError(
            "No consumer with this reference has consented to sharing with you.", code=ExperimentErrorCode.NO_CONSENT
        )
    return consumer


# --- Exposures and conversions -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchResult:
    accepted: int
    duplicates: int
    rejected: list[dict[str, Any]]


def _parse_when(value: Any) -> datetime:
    if isinstance(value, datetime):
        when = value
    else:
        when = parse_datetime(str(value or ""))
        if when is None:
            raise ValueError("occurred_at must be an ISO-8601 date-time")
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    return when


def _check_writable(campaign: Campaign) -> None:
    if campaign.status not in (Campaign.Status.RUNNING, Campaign.Status.PAUSED, Campaign.Status.COMPLETED):
        raise ConflictError("The campaign has not started.", code=ExperimentErrorCode.CAMPAIGN_NOT_STARTED)


def _consumer_ids_with(*, campaign: Campaign, ids: list[int], purpose: str, recipient: Organization | None = None):
    """Which of these consumers have the purpose's consent in force now."""
    consented = consented_consumers(organization=campaign.organization, purpose=purpose, recipient=recipient)
    return set(consented.filter(pk__in=ids).values_list("pk", flat=True))


def _rows_for(
    *,
    campaign: Campaign,
    items: list[dict[str, Any]],
    partner: Organization | None,
    build,
    contact: bool = False,
) -> tuple[list, list[dict[str, Any]]]:
    """Rows to insert and the rows refused, each with its index and reason.

    A partner reports only for consumers whose partner_sharing consent naming it is in force; every other ref, known
    or not, gets the one reason `not_actionable`, so a batch never tells a partner whether a consumer exists.
    `contact` rows (exposures) also need the consumer's marketing_contact consent in force now.
    """
    if len(items) > MAX_BATCH:
        raise ApplicationError(f"At most {MAX_BATCH} items per request.")
    refs = {str(i.get("consumer", "")) for i in items}
    consumers = {
        c.external_ref: c for c in Consumer.objects.filter(organization=campaign.organization, external_ref__in=refs)
    }
    ids = [c.pk for c in consumers.values()]
    actionable = (
        None
        if partner is None
        else _consumer_ids_with(campaign=campaign, ids=ids, purpose=DataPurpose.PARTNER_SHARING, recipient=partner)
    )
    contactable = (
        _consumer_ids_with(campaign=campaign, ids=ids, purpose=DataPurpose.MARKETING_CONTACT) if contact else None
    )
    assigned = dict(
        Assignment.objects.filter(campaign=campaign, consumer__in=consumers.values()).values_list(
            "consumer_id", "variant_id"
        )
    )
    rows, rejected = [], []
    for index, item in enumerate(items):
        consumer = consumers.get(str(item.get("consumer", "")))
        external_id = str(item.get("external_id", "")).strip()
        if actionable is not None and (consumer is None or consumer.pk not in actionable):
            rejected.append({"index": index, "reason": "not_actionable"})
            continue
        if consumer is None or not external_id:
            rejected.append({"index": index, "reason": "unknown_consumer" if consumer is None else "no_external_id"})
            continue
        if contactable is not None and consumer.pk not in contactable:
            rejected.append({"index": index, "reason": "no_marketing_consent"})
            continue
        try:
            rows.append(build(item, consumer, assigned.get(consumer.pk), external_id))
        except (ValueError, InvalidOperation) as error:
            rejected.append({"index": index, "reason": str(error)})
    return rows, rejected


def _insert(model, rows: list, campaign: Campaign) -> tuple[int, int]:
    """Insert-or-ignore on (campaign, external_id): a replayed batch changes nothing. Returns (stored, duplicates).

    The counts come from the rows the INSERT itself wrote (`ON CONFLICT DO NOTHING RETURNING`, on PostgreSQL and
    SQLite alike): a look-up before the insert cannot see a parallel batch's rows that are not yet committed, so two
    identical batches would both report every row as accepted. `bulk_create(ignore_conflicts=True)` does not say
    which rows it wrote, hence the queryset's insert primitive.
    """
    fresh = list({r.external_id: r for r in rows}.values())  # within-batch repeats: first wins
    fields = [f for f in model._meta.concrete_fields if not f.primary_key and not f.generated]
    returning = [model._meta.get_field("external_id")]
    size = max(connections[model.objects.db].ops.bulk_batch_size(fields, fresh), 1)
    stored = 0
    with transaction.atomic():
        for start in range(0, len(fresh), size):
            written = model.objects._insert(
                fresh[start : start + size], fields=fields, returning_fields=returning, on_conflict=OnConflict.IGNORE
            )
            stored += sum(row is not None for row in written)  # a one-row insert that conflicted returns [None]
    return stored, len(rows) - stored


def exposures_record(
    *, campaign: Campaign, items: list[dict[str, Any]], partner: Organization | None = None
) -> BatchResult:
    _check_writable(campaign)

    def build(item, consumer, variant_id, external_id):
        kind = item.get("kind") or Exposure.Kind.IMPRESSION
        if kind not in Exposure.Kind.values:
            raise ValueError(f"unknown kind {kind!r}")
        return Exposure(
            campaign=campaign,
            consumer=consumer,
            variant_id=variant_id,
            kind=kind,
            partner=partner,
            reported_by=partner,
            recommendation_id=str(item.get("recommendation_id", ""))[:64],
            external_id=external_id[:128],
            occurred_at=_parse_when(item.get("occurred_at") or timezone.now()),
        )

    rows, rejected = _rows_for(campaign=campaign, items=items, partner=partner, build=build, contact=True)
    accepted, duplicates = _insert(Exposure, rows, campaign)
    return BatchResult(accepted, duplicates, rejected)


def conversions_record(
    *, campaign: Campaign, items: list[dict[str, Any]], partner: Organization | None = None
) -> BatchResult:
    """Conversions posted by the platform or a partner; `partner` marks who sold (revenue credited to that party)."""
    _check_writable(campaign)

    def build(item, consumer, variant_id, external_id):
        value = Decimal(str(item.get("value", "0")))
        if value < 0 or not value.is_finite():
            raise ValueError("value must be a non-negative number")
        return Conversion(
            campaign=campaign,
            consumer=consumer,
            variant_id=variant_id,
            partner=partner,
            reported_by=partner,
            recommendation_id=str(item.get("recommendation_id", ""))[:64],
            value=value.quantize(Decimal("0.01")),
            external_id=external_id[:128],
            occurred_at=_parse_when(item.get("occurred_at") or timezone.now()),
        )

    rows, rejected = _rows_for(campaign=campaign, items=items, partner=partner, build=build)
    accepted, duplicates = _insert(Conversion, rows, campaign)
    return BatchResult(accepted, duplicates, rejected)


# --- Tracking links ------------------------------------------------------------------------------------------------


def destination_allowed(*, campaign: Campaign, destination: str) -> bool:
    """Only http(s) URLs on a host the campaign allows (exact host, or a subdomain of an allowed one)."""
    try:
        parts = urlsplit(destination)
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host or parts.username or parts.password:
        return False
    return any(host == allowed or host.endswith("." + allowed) for allowed in campaign.allowed_redirect_hosts)


def tracking_link_create(
    *,
    campaign: Campaign,
    destination: str,
    by: User | None,
    variant: Variant | None = None,
    partner: Organization | None = None,
) -> TrackingLink:
    import secrets

    if not destination_allowed(campaign=campaign, destination=destination):
        raise ApplicationError(
            "The destination's host is not among the campaign's allowed redirect hosts.",
            fields={"destination": ["Host not allowed."]},
        )
    if variant is not None and variant.campaign_id != campaign.pk:
        raise ApplicationError("The variant belongs to another campaign.")
    if partner is not None and not campaign.partners.filter(pk=partner.pk).exists():
        raise ApplicationError("The partner is not a party of the campaign.")
    link = TrackingLink(
        campaign=campaign, destination=destination, variant=variant, partner=partner, code=secrets.token_urlsafe(8)
    )
    link.full_clean()
    link.save()
    audit_record(action="tracking_link.create", user=by, organization=campaign.organization, target=link)
    return link


def tracking_link_follow(*, code: str, consumer_ref: str = "", now: datetime | None = None) -> str | None:
    """The destination to redirect to (None when the link is unknown or no longer allowed), counting the click and,
    when the consumer is known and assigned, recording it as a touch for attribution."""
    link = TrackingLink.objects.select_related("campaign").filter(code=code).first()
    if link is None or not destination_allowed(campaign=link.campaign, destination=link.destination):
        return None
    TrackingLink.objects.filter(pk=link.pk).update(clicks=F("clicks") + 1)
    campaign = link.campaign
    if consumer_ref and campaign.status in (Campaign.Status.RUNNING, Campaign.Status.PAUSED):
        consumer = Consumer.objects.filter(organization=campaign.organization, external_ref=consumer_ref).first()
        # The redirect still works for anyone; only a consumer open to marketing contact now leaves a touch.
        if consumer is not None and consumer_has_consent(consumer=consumer, purpose=DataPurpose.MARKETING_CONTACT):
            when = now or timezone.now()
            variant_id = (
                Assignment.objects.filter(campaign=campaign, consumer=consumer)
                .values_list("variant_id", flat=True)
                .first()
            )
            Exposure.objects.bulk_create(
                [
                    Exposure(
                        campaign=campaign,
                        consumer=consumer,
                        variant_id=variant_id or link.variant_id,
                        kind=Exposure.Kind.CLICK,
                        partner=link.partner,
                        tracking_link=link,
                        external_id=f"click:{link.code}:{consumer.pk}:{int(when.timestamp() * 1000)}",
                        occurred_at=when,
                    )
                ],
                ignore_conflicts=True,
            )
    return link.destination


# --- Bandit re-weighting -------------------------------------------------------------------------------------------


def campaign_reweight(*, campaign: Campaign, random_state: int | None = None) -> AllocationChange | None:
    """Recompute arm weights from pooled counts (trials = assigned users, successes = converting users), floor each
    arm at the campaign's floor (≥ 1%), move the fewest consumers' future positions, and record the change.

    Fixed-split campaigns keep their weights; nothing is recorded for them. Idempotent in effect: running twice on the
    same counts records two changes of (almost) the same weights, never corrupts the layout.
    """
    if campaign.allocation_policy == AllocationPolicy.FIXED_SPLIT or campaign.status != Campaign.Status.RUNNING:
        return None
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        arms = arm_aggregates(campaign=campaign)
        variants = [a.variant for a in arms]
        successes = np.array([a.converters for a in arms], dtype=float)
        trials = np.array([a.users for a in arms], dtype=float)
        floor = max(0.01, float(campaign.allocation_floor))
        if floor * len(arms) > 1:
            floor = 1.0 / len(arms)
        seed = (
            random_state
            if random_state is not None
            else int(bucket(str(timezone.now().timestamp()), campaign.salt) * 2**31)
        )
        policy = make_policy(campaign.allocation_policy, floor=floor, random_state=seed)
        new_weights = policy.weights(successes, trials)
        old_layout = campaign_layout(campaign=campaign, variants=variants)
        new_layout = old_layout.rebalance(new_weights)
        for variant, weight in zip(variants, new_weights, strict=True):
            variant.weight = float(weight)
        Variant.objects.bulk_update(variants, ["weight"])
        campaign.arm_layout = new_layout.to_json_list()
        campaign.save(update_fields=["arm_layout", "updated_at"])
        change = AllocationChange.objects.create(
            campaign=campaign,
            policy=campaign.allocation_policy,
            weights={v.key: round(float(w), 6) for v, w in zip(variants, new_weights, strict=True)},
            counts={a.variant.key: {"trials": a.users, "successes": a.converters} for a in arms},
            layout=campaign.arm_layout,
            moved_share=float(moved_share(old_layout, new_layout)),
            reason="reweight",
        )
    return change


def campaigns_reweight_running(*, campaign_ids: Iterable[int] | None = None) -> list[int]:
    """Beat: re-weight every running bandit campaign. Returns the ids re-weighted."""
    campaigns = Campaign.objects.filter(status=Campaign.Status.RUNNING).exclude(
        allocation_policy=AllocationPolicy.FIXED_SPLIT
    )
    if campaign_ids is not None:
        campaigns = campaigns.filter(pk__in=list(campaign_ids))
    done = []
    for campaign in campaigns.order_by("pk"):
        if campaign_reweight(campaign=campaign) is not None:
            done.append(campaign.pk)
    return done
