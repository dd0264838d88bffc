"""Personal tags through the API on a consumer's behalf: list, delete, and deleted tags stay out of later runs."""

import pytest

from analytics.models import ConsumerProfile, SegmentMembership
from campaigns.models import ApiScope, AuditEvent, PersonalTagDeletion, Role
from campaigns.selectors.privacy import deleted_personal_tag_pairs
from tests.factories import ConsumerFactory, MembershipFactory, SegmentFactory, SegmentMembershipFactory


@pytest.fixture
def learner(platform):
    """A platform consumer in segment 3 with one strong and one weak interest topic."""
    consumer = ConsumerFactory(organization=platform, external_ref="learner-1")
    segment = SegmentFactory(organization=platform, run__k=3, key=3, name_zh="夜读者", name_en="Night readers")
    SegmentMembershipFactory(segment=segment, consumer=consumer)
    ConsumerProfile.objects.create(
        organization=platform,
        consumer=consumer,
        features={"topic_2": 0.6, "topic_5": 0.05, "recency": 3.0},
        computed_at="2026-11-01T00:00:00Z",
    )
    return consumer


@pytest.fixture
def platform_key_client(platform, partner_key_client):
    return partner_key_client([ApiScope.CONSENTS_WRITE], organization=platform)


class TestListing:
    def test_the_consumer_sees_their_segment_and_strong_topics(self, learner, platform_key_client):
        response = platform_key_client.get("/api/v1/consumers/learner-1/tags/")
        assert response.status_code == 200
        tags = {(t["kind"], t["key"]) for t in response.json()["tags"]}
        assert tags == {("segment", "3"), ("topic", "topic_2")}
        assert AuditEvent.objects.filter(action="personal_tag.list").count() == 1

    def test_a_consumer_without_profile_or_segment_has_no_tags(self, platform, platform_key_client):
        ConsumerFactory(organization=platform, external_ref="new-1")
        assert platform_key_client.get("/api/v1/consumers/new-1/tags/").json()["tags"] == []


class TestDeleting:
    def test_a_deleted_segment_tag_is_gone_now_and_recorded_for_later_runs(
        self, learner, platform, platform_key_client
    ):
        # when the consumer deletes their segment tag
        response = platform_key_client.delete("/api/v1/consumers/learner-1/tags/segment/3/")
        # then it is removed from the current assignment and listed for the pipelines to skip
        assert response.status_code == 204
        assert not SegmentMembership.objects.filter(consumer=learner).exists()
        assert list(deleted_personal_tag_pairs(organization=platform, kind="segment")) == [(learner.pk, "3")]
        tags = platform_key_client.get("/api/v1/consumers/learner-1/tags/").json()["tags"]
        assert [(t["kind"], t["key"]) for t in tags] == [("topic", "topic_2")]

    def test_a_deleted_topic_disappears_from_the_listing(self, learner, platform_key_client):
        assert platform_key_client.delete("/api/v1/consumers/learner-1/tags/topic/topic_2/").status_code == 204
        tags = platform_key_client.get("/api/v1/consumers/learner-1/tags/").json()["tags"]
        assert [(t["kind"], t["key"]) for t in tags] == [("segment", "3")]
        assert PersonalTagDeletion.objects.filter(consumer=learner, kind="topic", key="topic_2").exists()

    def test_an_unknown_kind_is_a_400(self, learner, platform_key_client):
        assert platform_key_client.delete("/api/v1/consumers/learner-1/tags/colour/blue/").status_code == 400


class TestAccess:
    def test_another_organization_cannot_see_or_delete_the_tags(self, learner, partner_key_client):
        client = partner_key_client([ApiScope.CONSENTS_WRITE])
        assert client.get("/api/v1/consumers/learner-1/tags/").status_code == 404
        assert client.delete("/api/v1/consumers/learner-1/tags/segment/3/").status_code == 404
        assert SegmentMembership.objects.filter(consumer=learner).exists()

    def test_a_key_without_consents_write_is_refused(self, learner, platform, partner_key_client):
        client = partner_key_client([ApiScope.CAMPAIGNS_READ], organization=platform)
        assert client.get("/api/v1/consumers/learner-1/tags/").status_code == 403

    def test_a_privacy_admin_may_list_but_an_analyst_may_not(self, learner, platform, api_client):
        privacy_admin = MembershipFactory(organization=platform, role=Role.PRIVACY_ADMIN).user
        analyst = MembershipFactory(organization=platform, role=Role.ANALYST).user
        api_client.force_authenticate(privacy_admin)
        assert api_client.get("/api/v1/consumers/learner-1/tags/").status_code == 200
        api_client.force_authenticate(analyst)
        assert api_client.get("/api/v1/consumers/learner-1/tags/").status_code == 403
