"""Reads for campaigns in flight: audiences resolved, arm aggregates, results, partner-safe aggregates."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from analytics.ml.experiments import ArmData, ExperimentReport, analyze_experiment
from analytics.models import Event, SegmentMembership
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
    Variant,
)
from campaigns.selectors.campaigns import campaigns_visible_to  # noqa: F401  (re-exported for pages)
from campaigns.selectors.consent import consented_consumer_ids
from campaigns.services.campaigns import AudienceEstimate, active_agreement

# --- Audience -----------------------------------------------------------------------------------------------------


def audience_matching(*, campaign: Campaign) -> QuerySet:
    """Consumers of the campaign's organization matching its definition, consent not yet applied."""
    definition = campaign.audience or {}
    rules: dict[str, Any] = definition.get("rules", {})
    consumers = Consumer.objects.filter(organization=campaign.organization)
    if definition.get("segment_ids"):
        consumers = consumers.filter(
            Exists(
                SegmentMembership.objects.filter(
                    consumer=OuterRef("pk"),
                    segment_id__in=definition["segment_ids"],
                    segment__organization=campaign.organization,
                )
            )
        )
    if rules.get("age_bands"):
        consumers = consumers.filter(age_band__in=rules["age_bands"])
    if rules.get("genders"):
        consumers = consumers.filter(gender__in=rules["genders"])
    if rules.get("city_tiers"):
        consumers = consumers.filter(city_tier__in=rules["city_tiers"])
    if rules.get("cities"):
        consumers = consumers.filter(city__in=rules["cities"])
    since = None
    if rules.get("active_within_days"):
        since = timezone.now() - timedelta(days=rules["active_within_days"])
    events = Event.objects.filter(consumer=OuterRef("pk"), organization=campaign.organization)
    if since is not None:
        events = events.filter(occurred_at__gte=since)
    if rules.get("event_types"):
        typed = events.filter(type__in=rules["event_types"])
        minimum = rules.get("min_events", 1)
        if minimum <= 1:
            consumers = consumers.filter(Exists(typed))
        else:
            counts = (
                Event.objects.filter(organization=campaign.organization, type__in=rules["event_types"])
                .filter(**({"occurred_at__gte": since} if since else {}))
                .values("consumer_id")
                .annotate(n=Count("id"))
                .filter(n__gte=minimum)
                .values("consumer_id")
            )
            consumers = consumers.filter(pk__in=counts)
    elif since is not None:
        consumers = consumers.filter(Exists(events))
    if rules.get("categories") or rules.get("item_kinds"):
        catalogue = events
        if rules.get("categories"):
            catalogue = catalogue.filter(item__category__in=rules["categories"])
        if rules.get("item_kinds"):
            catalogue = catalogue.filter(item__kind__in=rules["item_kinds"])
        consumers = consumers.filter(Exists(catalogue))
    return consumers


def audience_consumers(*, campaign: Campaign) -> QuerySet:
    """The audience: matching consumers with marketing_contact consent in force. Nobody else ever enters it."""
    contactable = consented_consumer_ids(organization=campaign.organization, purpose=DataPurpose.MARKETING_CONTACT)
    return audience_matching(campaign=campaign).filter(pk__in=contactable)


def audience_estimate(*, campaign: Campaign) -> AudienceEstimate:
    return AudienceEstimate(
        matching=audience_matching(campaign=campaign).count(),
        contactable=audience_consumers(campaign=campaign).count(),
    )


# --- Arm aggregates ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArmAggregate:
    variant: Variant
    users: int
    exposed: int
    converters: int
    conversions: int
    revenue: float
    revenue_sum_squares: float

    def as_arm_data(self) -> ArmData:
        return ArmData(
            name=self.variant.key,
            users=self.users,
            conversions=self.converters,
            revenue_sum=self.revenue,
            revenue_sum_squares=self.revenue_sum_squares,
        )


def arm_aggregates(*, campaign: Campaign, excluding: Organization | None = None) -> list[ArmAggregate]:
    """Per variant: assigned users, exposed users, converting users, conversions, revenue and Σ(revenue per user)².

    A conversion counts for the arm the consumer was assigned to (intention to treat). `excluding` leaves out what
    that partner put in itself: the assignments its key asked for (with everything about those consumers) and the
    exposures and conversions it reported."""
    variants = list(campaign.variants.order_by("position", "id"))
    assignments = Assignment.objects.filter(campaign=campaign)
    exposures = Exposure.objects.filter(campaign=campaign, variant__isnull=False)
    conversions = Conversion.objects.filter(campaign=campaign)
    if excluding is not None:
        assignments = assignments.exclude(requested_by=excluding)
        exposures = exposures.exclude(reported_by=excluding).filter(consumer_id__in=assignments.values("consumer_id"))
        conversions = conversions.exclude(reported_by=excluding)
    users = dict(assignments.values("variant_id").annotate(n=Count("id")).values_list("variant_id", "n"))
    exposed = dict(
        exposures.values("variant_id").annotate(n=Count("consumer_id", distinct=True)).values_list("variant_id", "n")
    )
    assigned_variant = assignments.filter(consumer=OuterRef("consumer_id")).values("variant_id")[:1]
    per_user = (
        conversions.annotate(arm=assigned_variant)
        .filter(arm__isnull=False)
        .values("arm", "consumer_id")
        .annotate(n=Count("id"), revenue=Sum("value"))
    )
    totals: dict[int, dict[str, float]] = {}
    for row in per_user:
        t = totals.setdefault(row["arm"], {"converters": 0, "conversions": 0, "revenue": 0.0, "sq": 0.0})
        revenue = float(row["revenue"] or 0)
        t["converters"] += 1
        t["conversions"] += row["n"]
        t["revenue"] += revenue
        t["sq"] += revenue * revenue
    out = []
    for variant in variants:
        t = totals.get(variant.pk, {"converters": 0, "conversions": 0, "revenue": 0.0, "sq": 0.0})
        out.append(
            ArmAggregate(
                variant=variant,
                users=users.get(variant.pk, 0),
                exposed=exposed.get(variant.pk, 0),
                converters=int(t["converters"]),
                conversions=int(t["conversions"]),
                revenue=round(t["revenue"], 2),
                revenue_sum_squares=t["sq"],
            )
        )
    return out


@dataclass
class CampaignResults:
    arms: list[ArmAggregate]
    report: ExperimentReport | None
    control_key: str | None
    srm_applies: bool
    notes: list[str] = field(default_factory=list)


def campaign_results(*, campaign: Campaign) -> CampaignResults:
    arms = arm_aggregates(campaign=campaign)
    control_index = next((i for i, a in enumerate(arms) if a.variant.is_control), None)
    if len(arms) < 2 or control_index is None:
        return CampaignResults(arms, None, None, False, ["The campaign needs a control and a treatment."])
    # A sample-ratio check compares with intended weights: meaningful for a fixed split only (bandits move weights).
    srm_applies = campaign.allocation_policy == AllocationPolicy.FIXED_SPLIT and sum(a.users for a in arms) > 0
    weights = [a.variant.weight for a in arms]
    report = analyze_experiment(
        [a.as_arm_data() for a in arms],
        control_index=control_index,
        intended_weights=weights if srm_applies and sum(weights) > 0 else None,
    )
    return CampaignResults(arms, report, arms[control_index].variant.key, srm_applies)


def conversions_by_day(*, campaign: Campaign) -> dict[str, list[tuple[date, int]]]:
    """Variant key -> [(day, conversions)], by the arm the consumer was assigned to."""
    assigned_variant = Assignment.objects.filter(campaign=campaign, consumer=OuterRef("consumer_id")).values(
        "variant__key"
    )[:1]
    rows = (
        Conversion.objects.filter(campaign=campaign)
        .annotate(arm=assigned_variant, day=TruncDate("occurred_at"))
        .filter(arm__isnull=False)
        .values("arm", "day")
        .annotate(n=Count("id"))
        .order_by("day")
    )
    series: dict[str, list[tuple[date, int]]] = {}
    for row in rows:
        series.setdefault(row["arm"], []).append((row["day"], row["n"]))
    return series


def weight_history(*, campaign: Campaign) -> list[AllocationChange]:
    return list(AllocationChange.objects.filter(campaign=campaign).order_by("changed_at", "id"))


# --- Partner-safe aggregates ---------------------------------------------------------------------------------------


def partner_min_cell(*, campaign: Campaign, partner: Organization) -> int | None:
    """The k of the partner's active agreement with the campaign's platform; None when there is none."""
    agreement = active_agreement(platform=campaign.organization, partner=partner, on=timezone.localdate())
    return agreement.min_aggregate_size if agreement else None


def partner_campaign_results(*, campaign: Campaign, partner: Organization) -> dict[str, Any]:
    """What a partner may see of its campaign: per-arm counts with cells below its agreement's k suppressed
    (shown as null and counted), and the conversions and revenue credited to the partner itself."""
    k = partner_min_cell(campaign=campaign, partner=partner)
    if k is None:
        return {
            "campaign": campaign.pk,
            "k": None,
            "arms": [],
            "suppressed_cells": 0,
            "own": None,
            "note": "No active data-sharing agreement: no aggregates may be shared.",
        }
    suppressed = 0

    # Every figure and every suppression decision leaves out what the partner wrote itself (assignments its key asked
    # for, exposures and conversions it reported): its own writes can then never lift a cell over k nor tell it,
    # by a change in a figure, anything about a named consumer.
    def safe(value: int | float, population: int) -> int | float | None:
        nonlocal suppressed
        if population < k:
            suppressed += 1
            return None
        return value

    arms = []
    for arm in arm_aggregates(campaign=campaign, excluding=partner):
        # A cell is the set of people behind a number: users for counts of users, converters for conversion figures.
        arms.append(
            {
                "variant": arm.variant.key,
                "name": arm.variant.name,
                "is_control": arm.variant.is_control,
                "users": safe(arm.users, arm.users),
                "converters": safe(arm.converters, arm.converters),
                "conversion_rate": safe(round(arm.converters / arm.users, 6) if arm.users else 0.0, arm.converters),
                "revenue": safe(arm.revenue, arm.converters),
            }
        )
    own_rows = Conversion.objects.filter(campaign=campaign, partner=partner).aggregate(
        n=Count("id"), people=Count("consumer_id", distinct=True), revenue=Sum("value")
    )
    own = {
        "conversions": safe(own_rows["n"], own_rows["people"]),
        "revenue": safe(float(own_rows["revenue"] or 0), own_rows["people"]),
    }
    return {"campaign": campaign.pk, "k": k, "arms": arms, "suppressed_cells": suppressed, "own": own, "note": ""}


def partner_exposure_counts(*, campaign: Campaign) -> dict[int | None, int]:
    return dict(
        Exposure.objects.filter(campaign=campaign)
        .values("partner_id")
        .annotate(n=Count("id"))
        .values_list("partner_id", "n")
    )


def campaign_counts(*, campaign: Campaign) -> dict[str, int]:
    return {
        "assignments": Assignment.objects.filter(campaign=campaign).count(),
        "exposures": Exposure.objects.filter(campaign=campaign).count(),
        "conversions": Conversion.objects.filter(campaign=campaign).count(),
    }


def running_assignment_count(*, consumer: Consumer, exclude: Campaign) -> int:
    """How many other running campaigns already reach this consumer (for frequency caps)."""
    return (
        Assignment.objects.filter(consumer=consumer, campaign__status=Campaign.Status.RUNNING)
        .exclude(campaign=exclude)
        .count()
    )
