"""Withdrawing marketing_contact consent ends a consumer's part in running campaigns at the very next use: no arm,
no exposure, no click touch; the consent in force at that moment decides, so granting it again lets them back in."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from analytics.services.experiments import (
    assignment_get_or_create,
    conversions_record,
    exposures_record,
    tracking_link_create,
    tracking_link_follow,
)
from campaigns.models import Assignment, DataPurpose, Exposure, Role
from tests.builders.experiments import contactable, running
from tests.factories import ConsentRecordFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def marketing(consumer, *, granted: bool, minutes_from_now: int = 0) -> None:
    ConsentRecordFactory(
        consumer=consumer,
        purpose=DataPurpose.MARKETING_CONTACT,
        granted=granted,
        recorded_at=timezone.now() + timedelta(minutes=minutes_from_now),
    )


@pytest.fixture
def assigned():
    """A running campaign and a consumer assigned to one of its arms while their marketing consent was in force."""
    campaign = running()
    (consumer,) = contactable(campaign.organization, 1)
    assert assignment_get_or_create(campaign=campaign, consumer=consumer).reason == "assigned"
    return campaign, consumer


def test_after_a_marketing_withdrawal_the_assignment_answers_not_assigned(assigned):
    campaign, consumer = assigned
    marketing(consumer, granted=False)
    result = assignment_get_or_create(campaign=campaign, consumer=consumer)
    assert (result.variant, result.reason) == (None, "no_marketing_consent")


def test_the_assignment_api_answers_not_assigned_after_a_marketing_withdrawal(assigned):
    campaign, consumer = assigned
    marketing(consumer, granted=False)
    client = APIClient()
    client.force_authenticate(MembershipFactory(organization=campaign.organization, role=Role.CAMPAIGN_MANAGER).user)
    body = client.get(f"/api/v1/campaigns/{campaign.pk}/assignment/", {"consumer": consumer.external_ref}).json()
    assert (body["assigned"], body["variant"], body["reason"]) == (False, None, "no_marketing_consent")


def test_no_exposure_is_recorded_after_a_marketing_withdrawal(assigned):
    campaign, consumer = assigned
    marketing(consumer, granted=False)
    result = exposures_record(campaign=campaign, items=[{"consumer": consumer.external_ref, "external_id": "e-1"}])
    assert (result.accepted, result.rejected) == (0, [{"index": 0, "reason": "no_marketing_consent"}])
    assert not Exposure.objects.filter(campaign=campaign).exists()


def test_a_tracking_link_still_redirects_but_records_no_touch_after_a_marketing_withdrawal(assigned):
    campaign, consumer = assigned
    marketing(consumer, granted=False)
    link = tracking_link_create(campaign=campaign, destination="https://shop.example/sofa", by=None)
    assert tracking_link_follow(code=link.code, consumer_ref=consumer.external_ref) == "https://shop.example/sofa"
    assert not Exposure.objects.filter(campaign=campaign).exists()


def test_a_purchase_after_the_withdrawal_still_counts_for_the_arm_they_were_in(assigned):
    # a conversion is an outcome, not a contact: dropping it would bias the comparison of arms
    campaign, consumer = assigned
    marketing(consumer, granted=False)
    result = conversions_record(campaign=campaign, items=[{"consumer": consumer.external_ref, "external_id": "o-1"}])
    assert result.accepted == 1


def test_granting_marketing_consent_again_brings_back_the_same_arm(assigned):
    campaign, consumer = assigned
    arm = Assignment.objects.get(campaign=campaign, consumer=consumer).variant
    marketing(consumer, granted=False, minutes_from_now=-30)
    marketing(consumer, granted=True)
    result = assignment_get_or_create(campaign=campaign, consumer=consumer)
    assert (result.variant, result.reason) == (arm, "existing")
