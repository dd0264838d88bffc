"""Who has consented: the latest record per consumer, purpose and recipient wins."""

from datetime import timedelta

import pytest
from django.utils import timezone

from analytics.models import Event
from campaigns.models import DataPurpose
from campaigns.selectors.consent import consent_state, consented_consumer_ids, consumer_has_consent
from tests.builders.consent import record_consent
from tests.factories import AgreementFactory, ConsentRecordFactory, ConsumerFactory, EventFactory


@pytest.mark.django_db
class TestLatestRecordWins:
    def test_consumers_whose_latest_record_withdraws_are_not_consented(self, platform):
        # given: one grants, one grants then withdraws, one withdraws then grants again, one never answered
        granted, withdrew, changed_mind, silent = (ConsumerFactory(organization=platform) for _ in range(4))
        record_consent(granted)
        record_consent(withdrew, minutes_ago=5)
        record_consent(withdrew, granted=False)
        record_consent(changed_mind, granted=False, minutes_ago=5)
        record_consent(changed_mind)
        # when
        ids = set(
            consented_consumer_ids(organization=platform, purpose=DataPurpose.PERSONALIZATION).values_list(
                "pk", flat=True
            )
        )
        # then
        assert ids == {granted.pk, changed_mind.pk}
        assert silent.pk not in ids

    def test_records_with_the_same_timestamp_are_ordered_by_insertion(self, platform):
        consumer = ConsumerFactory(organization=platform)
        at = timezone.now() - timedelta(minutes=1)
        ConsentRecordFactory(consumer=consumer, granted=True, recorded_at=at)
        ConsentRecordFactory(consumer=consumer, granted=False, recorded_at=at)
        assert not consumer_has_consent(consumer=consumer, purpose=DataPurpose.PERSONALIZATION)

    def test_consent_ids_work_as_a_subquery_filter_for_training_data(self, platform):
        # given: events of a consenting and of a withdrawn consumer
        yes, no = ConsumerFactory(organization=platform), ConsumerFactory(organization=platform)
        record_consent(yes)
        record_consent(no, minutes_ago=3)
        record_consent(no, granted=False)
        EventFactory(organization=platform, consumer=yes)
        EventFactory(organization=platform, consumer=no)
        # when
        events = Event.objects.filter(
            consumer_id__in=consented_consumer_ids(organization=platform, purpose=DataPurpose.PERSONALIZATION)
        )
        # then
        assert [e.consumer_id for e in events] == [yes.pk]

    def test_another_organizations_consumers_are_never_in_the_answer(self, platform, partner):
        record_consent(ConsumerFactory(organization=partner))
        assert not consented_consumer_ids(organization=platform, purpose=DataPurpose.PERSONALIZATION).exists()

    def test_consent_state_shows_the_record_in_force_per_purpose_and_recipient(self, platform, partner, other_partner):
        AgreementFactory(platform=platform, partner=partner)
        AgreementFactory(platform=platform, partner=other_partner)
        consumer = ConsumerFactory(organization=platform)
        sharing = {"purpose": DataPurpose.PARTNER_SHARING, "data_categories": ["purchases"]}
        record_consent(consumer, recipient=partner, minutes_ago=10, **sharing)
        record_consent(consumer, recipient=partner, granted=False, **sharing)
        record_consent(consumer, recipient=other_partner, **sharing)
        record_consent(consumer, purpose=DataPurpose.MARKETING_CONTACT)
        state = {
            (s.purpose, s.recipient.slug if s.recipient else None): s.granted for s in consent_state(consumer=consumer)
        }
        assert state == {
            ("partner_sharing", partner.slug): False,
            ("partner_sharing", other_partner.slug): True,
            ("marketing_contact", None): True,
        }
