"""Segments from stored profiles: consent, deleted tags, erasure, stable numbers."""

from decimal import Decimal

import pytest
from django.utils import timezone

from analytics.models import ConsumerProfile, Event, Segment, SegmentMembership
from analytics.services.profiles import profiles_build
from analytics.services.segments import segment_memberships_remove_deleted_tag, segments_build
from campaigns.models import Consumer, DataPurpose, PersonalTagDeletion
from tests.builders.shop import seed_shop
from tests.factories import ConsentRecordFactory, ConsumerFactory, PlatformFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    organization = PlatformFactory(slug="shop")
    people = seed_shop(organization)
    profiles_build(organization=organization)
    return organization, people


def test_profiles_hold_rfm_figures_per_consumer(shop):
    # given a shop whose every consumer bought
    organization, people = shop
    # then each has a profile with positive orders and spend, and the features as JSON
    profile = ConsumerProfile.objects.get(consumer=people[0])
    assert profile.frequency >= 8 and profile.monetary > 0
    assert profile.features["monetary"] == pytest.approx(profile.monetary)
    assert ConsumerProfile.objects.filter(organization=organization).count() == len(people)


def test_members_are_only_consenting_consumers_and_sizes_count_everyone(shop):
    # when the shop is segmented
    organization, people = shop
    result = segments_build(organization=organization)

    # then sizes add up to every profiled consumer, but only consenting ones are members
    segments = Segment.objects.filter(organization=organization, is_current=True)
    assert sum(segment.size for segment in segments) == len(people)
    members = set(SegmentMembership.objects.values_list("consumer_id", flat=True))
    assert members == {person.pk for position, person in enumerate(people) if position % 2 == 0}
    assert result["memberships"] == len(members)


def test_the_high_spenders_form_their_own_segment(shop):
    # when segmented
    organization, people = shop
    segments_build(organization=organization)

    # then the big spenders (every fourth consumer) share one segment with a far higher median spend
    segments = list(Segment.objects.filter(organization=organization, is_current=True))
    richest = max(segments, key=lambda segment: segment.kpis["median_monetary"])
    poorest = min(segments, key=lambda segment: segment.kpis["median_monetary"])
    assert richest.kpis["median_monetary"] >= 5 * poorest.kpis["median_monetary"]
    assert richest.size == len(people) // 4


def test_a_deleted_segment_tag_keeps_the_consumer_out_of_that_segment_in_later_runs(shop):
    # given a consenting member who deleted the tag of their segment
    organization, people = shop
    segments_build(organization=organization)
    membership = SegmentMembership.objects.filter(consumer=people[0]).select_related("segment").get()
    PersonalTagDeletion.objects.create(
        consumer=people[0], kind="segment", key=str(membership.segment.key), deleted_at=timezone.now()
    )
    removed = segment_memberships_remove_deleted_tag(
        organization=organization, consumer_id=people[0].pk, key=str(membership.segment.key)
    )
    assert removed == 1

    # when the segmentation runs again
    segments_build(organization=organization)

    # then they are in no current segment with that key, while their profile still counts in the size
    assert not SegmentMembership.objects.filter(consumer=people[0], segment__key=membership.segment.key).exists()
    assert SegmentMembership.objects.filter(consumer=people[4]).exists()  # another consenting big spender stays


def test_a_withdrawal_takes_effect_at_the_next_run(shop):
    # given a member who then withdraws personalization consent
    organization, people = shop
    segments_build(organization=organization)
    assert SegmentMembership.objects.filter(consumer=people[2]).exists()
    ConsentRecordFactory(consumer=people[2], purpose=DataPurpose.PERSONALIZATION, granted=False)

    # when the segmentation runs again
    segments_build(organization=organization)

    # then they are no longer a member
    assert not SegmentMembership.objects.filter(consumer=people[2]).exists()


def test_erasure_removes_profile_and_memberships(shop):
    # given a segmented consumer
    organization, people = shop
    segments_build(organization=organization)
    person = people[0]

    # when the consumer is erased (hard delete with cascade)
    Consumer.objects.filter(pk=person.pk).delete()

    # then nothing of theirs is left in analytics
    assert not ConsumerProfile.objects.filter(consumer_id=person.pk).exists()
    assert not SegmentMembership.objects.filter(consumer_id=person.pk).exists()


def test_segment_numbers_survive_a_rerun_with_new_data(shop):
    # given a first segmentation
    organization, people = shop
    segments_build(organization=organization)
    before = {segment.key: segment.name_en for segment in Segment.objects.filter(organization=organization)}

    # when a few more purchases arrive and everything is rebuilt with another seed
    seed_extra = ConsumerFactory(organization=organization)
    Event.objects.create(
        organization=organization,
        consumer=seed_extra,
        type="purchase",
        value=Decimal("49"),
        occurred_at=timezone.now(),
        external_id="late-1",
    )
    profiles_build(organization=organization)
    segments_build(organization=organization, random_state=7)

    # then the earlier segments keep their numbers and names (a new kind of buyer may add a segment after them)
    after = {
        segment.key: segment.name_en for segment in Segment.objects.filter(organization=organization, is_current=True)
    }
    assert {key: after.get(key) for key in before} == before
    assert all(key > max(before) for key in set(after) - set(before))


def test_an_old_segment_id_resolves_to_the_current_segment_with_its_number(shop):
    # given a segment id of a first run, then a second run
    from analytics.selectors.segments import segment_current_for

    organization, _people = shop
    segments_build(organization=organization)
    old = Segment.objects.get(organization=organization, is_current=True, key=0)
    segments_build(organization=organization)

    # then the old id names the current segment with the same number
    current = segment_current_for(organization=organization, pk=old.pk)
    assert current is not None and current.pk != old.pk and current.key == 0 and current.is_current
