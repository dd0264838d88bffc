"""Assignment, exposures, conversions and bandit re-weighting on a running campaign."""

from datetime import timedelta

import pytest
from django.utils import timezone

from analytics.services.experiments import (
    assignment_get_or_create,
    campaign_reweight,
    conversions_record,
    exposures_record,
)
from analytics.tasks.experiments import campaigns_reweight
from campaigns.models import AllocationChange, Assignment, DataPurpose
from campaigns.services.audiences import EVENT_TYPES
from tests.builders.experiments import contactable, running
from tests.factories import ConsentRecordFactory, ConsumerFactory, EventFactory, PlatformFactory

pytestmark = pytest.mark.django_db


def test_assignment_is_sticky_and_deterministic_from_the_campaign_salt():
    campaign = running()
    consumers = contactable(campaign.organization, 40)
    first = [assignment_get_or_create(campaign=campaign, consumer=c).variant.key for c in consumers]
    again = [assignment_get_or_create(campaign=campaign, consumer=c) for c in consumers]
    assert [a.variant.key for a in again] == first and {a.reason for a in again} == {"existing"}
    assert set(first) == {"control", "treatment"}
    assert Assignment.objects.filter(campaign=campaign).count() == 40


def test_consumers_without_marketing_consent_never_enter_the_audience():
    campaign = running()
    refused = ConsumerFactory(organization=campaign.organization)
    ConsentRecordFactory(consumer=refused, purpose=DataPurpose.MARKETING_CONTACT, granted=False)
    silent = ConsumerFactory(organization=campaign.organization)
    for consumer in (refused, silent):
        result = assignment_get_or_create(campaign=campaign, consumer=consumer)
        assert result.variant is None and result.reason == "not_in_audience"
    assert not Assignment.objects.exists()


def test_rules_on_demographics_and_behaviour_select_the_audience():
    platform = PlatformFactory()
    campaign = running(platform=platform, audience={"rules": {"city_tiers": [1], "event_types": ["purchase"]}})
    buyer_tier1, browser_tier1 = contactable(platform, 2, city_tier=1)
    (buyer_tier2,) = contactable(platform, 1, city_tier=2)
    EventFactory(organization=platform, consumer=buyer_tier1)
    EventFactory(organization=platform, consumer=buyer_tier2)
    EventFactory(organization=platform, consumer=browser_tier1, type="view")
    reasons = [
        assignment_get_or_create(campaign=campaign, consumer=c).reason
        for c in (buyer_tier1, browser_tier1, buyer_tier2)
    ]
    assert reasons == ["assigned", "not_in_audience", "not_in_audience"]


def test_the_frequency_cap_counts_other_running_campaigns():
    platform = PlatformFactory()
    first, second = running(platform=platform), running(platform=platform)
    second.frequency_cap = 1
    second.save()
    (consumer,) = contactable(platform, 1)
    assert assignment_get_or_create(campaign=first, consumer=consumer).variant is not None
    assert assignment_get_or_create(campaign=second, consumer=consumer).reason == "frequency_cap"


def test_non_personalised_consumers_are_assigned_from_the_population_layout_and_flagged():
    campaign = running()
    (with_consent,) = contactable(campaign.organization, 1)
    (without,) = contactable(campaign.organization, 1, personalization=False)
    assert assignment_get_or_create(campaign=campaign, consumer=with_consent).personalized is True
    assert assignment_get_or_create(campaign=campaign, consumer=without).personalized is False


def test_conversions_are_idempotent_by_external_id_and_unknown_consumers_are_rejected():
    campaign = running()
    (consumer,) = contactable(campaign.organization, 1)
    assignment_get_or_create(campaign=campaign, consumer=consumer)
    items = [
        {"consumer": consumer.external_ref, "external_id": "o-1", "value": "10.00"},
        {"consumer": "nobody", "external_id": "o-2", "value": "5"},
    ]
    first = conversions_record(campaign=campaign, items=items)
    second = conversions_record(campaign=campaign, items=items)
    assert (first.accepted, first.duplicates, len(first.rejected)) == (1, 0, 1)
    assert (second.accepted, second.duplicates) == (0, 1)
    exposures = exposures_record(campaign=campaign, items=[{"consumer": consumer.external_ref, "external_id": "e-1"}])
    assert exposures.accepted == 1


def test_thompson_reweighting_floors_every_arm_and_records_each_change():
    campaign = running(policy="thompson")
    consumers = contactable(campaign.organization, 60)
    now = timezone.now()
    conversions = []
    for index, consumer in enumerate(consumers):
        arm = assignment_get_or_create(campaign=campaign, consumer=consumer).variant.key
        if arm == "treatment" or index % 10 == 0:
            conversions.append({"consumer": consumer.external_ref, "external_id": f"o{index}", "occurred_at": now})
    conversions_record(campaign=campaign, items=conversions)
    change = campaign_reweight(campaign=campaign, random_state=0)
    assert change.weights["treatment"] > 0.9
    assert change.weights["control"] >= 0.01
    assert change.counts["treatment"]["trials"] > 0
    campaign.refresh_from_db()
    assert campaign.arm_layout and 0 < change.moved_share < 1
    # earlier assignments are not moved: stickiness survives a re-weighting
    before = dict(Assignment.objects.filter(campaign=campaign).values_list("consumer_id", "variant_id"))
    for consumer in consumers:
        assignment_get_or_create(campaign=campaign, consumer=consumer)
    assert dict(Assignment.objects.filter(campaign=campaign).values_list("consumer_id", "variant_id")) == before
    result = campaigns_reweight.delay(campaign_ids=[campaign.pk]).get()
    assert result == {"reweighted": [campaign.pk]}
    assert AllocationChange.objects.filter(campaign=campaign).count() == 3  # launch + two re-weightings


def test_fixed_split_campaigns_are_never_reweighted():
    campaign = running()
    assert campaign_reweight(campaign=campaign) is None


def test_event_types_known_to_audience_rules_match_the_analytics_event_types():
    from analytics.models import EventType

    assert set(EVENT_TYPES) == set(EventType.values)
    # and their labels on campaign pages are the event types' own
    from campaigns.services.audiences import EVENT_TYPE_LABELS

    assert {key: str(label) for key, label in EVENT_TYPE_LABELS.items()} == {
        value: str(label) for value, label in EventType.choices
    }


def test_old_behaviour_outside_the_activity_window_does_not_qualify():
    platform = PlatformFactory()
    campaign = running(platform=platform, audience={"rules": {"event_types": ["purchase"], "active_within_days": 30}})
    (old_buyer,) = contactable(platform, 1)
    EventFactory(organization=platform, consumer=old_buyer, occurred_at=timezone.now() - timedelta(days=90))
    assert assignment_get_or_create(campaign=campaign, consumer=old_buyer).reason == "not_in_audience"
