import pytest

from campaigns.models import AuditEvent, PersonalTagDeletion
from campaigns.selectors.privacy import deleted_personal_tag_pairs, deleted_personal_tags
from campaigns.services.privacy import personal_tag_delete
from tests.factories import ConsumerFactory
from xmkt_site.errors import ApplicationError


@pytest.mark.django_db
class TestPersonalTagDeletion:
    def test_a_deleted_tag_is_listed_for_the_consumer_and_for_the_organizations_next_run(self, platform, partner):
        # given
        consumer = ConsumerFactory(organization=platform)
        elsewhere = ConsumerFactory(organization=partner)
        # when
        personal_tag_delete(consumer=consumer, kind="topic", key=" parenting ")
        personal_tag_delete(consumer=consumer, kind="segment", key="home-upgraders")
        personal_tag_delete(consumer=elsewhere, kind="topic", key="finance")
        # then
        assert deleted_personal_tags(consumer=consumer) == {("topic", "parenting"), ("segment", "home-upgraders")}
        assert set(deleted_personal_tag_pairs(organization=platform, kind="topic")) == {(consumer.pk, "parenting")}

    def test_deleting_the_same_tag_twice_keeps_one_record_and_one_audit_event(self, platform):
        consumer = ConsumerFactory(organization=platform)
        first = personal_tag_delete(consumer=consumer, kind="topic", key="parenting")
        second = personal_tag_delete(consumer=consumer, kind="topic", key="parenting")
        assert first.pk == second.pk
        assert PersonalTagDeletion.objects.count() == 1
        assert AuditEvent.objects.filter(action="personal_tag.delete").count() == 1

    @pytest.mark.parametrize(("kind", "key"), [("colour", "red"), ("topic", "   ")])
    def test_an_unknown_kind_or_an_empty_tag_is_refused(self, platform, kind, key):
        with pytest.raises(ApplicationError):
            personal_tag_delete(consumer=ConsumerFactory(organization=platform), kind=kind, key=key)
        assert not PersonalTagDeletion.objects.exists()
