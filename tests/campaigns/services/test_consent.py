from datetime import timedelta

import pytest
from django.utils import timezone

from analytics.models import Event
from campaigns.models import ConsentRecord, DataPurpose, DataSharingAgreement
from campaigns.selectors.consent import (
    consent_history,
    consent_state,
    consented_consumer_ids,
    consumer_has_consent,
)
from campaigns.services.consent import ConsentInput, consent_policy_publish, consent_record, consent_record_batch
from tests.factories import AgreementFactory, ConsentRecordFactory, ConsumerFactory, EventFactory, UserFactory
from xmkt_site.errors import ApplicationError

VERSION = "2026-01"  # published by migration 0003 for every purpose


def record(consumer, purpose=DataPurpose.PERSONALIZATION, granted=True, minutes_ago=0, **kwargs):
    return consent_record(
        consumer=consumer,
        purpose=purpose,
        granted=granted,
        policy_version=VERSION,
        source="test",
        recorded_at=timezone.now() - timedelta(minutes=minutes_ago),
        **kwargs,
    )


@pytest.mark.django_db
class TestAppendOnly:
    def test_a_saved_consent_record_cannot_be_updated(self, platform):
        # given
        consent = record(ConsumerFactory(organization=platform))
        # when / then
        consent.granted = False
        with pytest.raises(ValueError, match="append-only"):
            consent.save()
        assert ConsentRecord.objects.get(pk=consent.pk).granted is True

    def test_a_withdrawal_is_a_new_record_and_the_grant_stays_in_the_history(self, platform):
        consumer = ConsumerFactory(organization=platform)
        record(consumer, granted=True, minutes_ago=10)
        record(consumer, granted=False)
        history = list(consent_history(consumer=consumer))
        assert [r.granted for r in history] == [False, True]

    def test_consent_needs_a_published_policy_version(self, platform):
        consumer = ConsumerFactory(organization=platform)
        with pytest.raises(ApplicationError) as error:
            consent_record(
                consumer=consumer,
                purpose=DataPurpose.PERSONALIZATION,
                granted=True,
                policy_version="1999-01",
                source="test",
            )
        assert "policy_version" in error.value.fields

    def test_a_newly_published_policy_version_can_be_consented_to(self, platform):
        consent_policy_publish(
            purpose=DataPurpose.PERSONALIZATION, version="2027-01", text_zh="新版", text_en="New", by=None
        )
        consent = consent_record(
            consumer=ConsumerFactory(organization=platform),
            purpose=DataPurpose.PERSONALIZATION,
            granted=True,
            policy_version="2027-01",
            source="test",
        )
        assert consent.policy_version == "2027-01"

    def test_publishing_the_same_policy_version_twice_is_refused(self):
        with pytest.raises(ApplicationError):
            consent_policy_publish(
                purpose=DataPurpose.PERSONALIZATION, version=VERSION, text_zh="x", text_en="x", by=None
            )


@pytest.mark.django_db
class TestLatestRecordWins:
    def test_consumers_whose_latest_record_withdraws_are_not_consented(self, platform):
        # given: one grants, one grants then withdraws, one withdraws then grants again, one never answered
        granted, withdrew, changed_mind, silent = (ConsumerFactory(organization=platform) for _ in range(4))
        record(granted)
        record(withdrew, minutes_ago=5)
        record(withdrew, granted=False)
        record(changed_mind, granted=False, minutes_ago=5)
        record(changed_mind)
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
        record(yes)
        record(no, minutes_ago=3)
        record(no, granted=False)
        EventFactory(organization=platform, consumer=yes)
        EventFactory(organization=platform, consumer=no)
        # when
        events = Event.objects.filter(
            consumer_id__in=consented_consumer_ids(organization=platform, purpose=DataPurpose.PERSONALIZATION)
        )
        # then
        assert [e.consumer_id for e in events] == [yes.pk]

    def test_another_organizations_consumers_are_never_in_the_answer(self, platform, partner):
        record(ConsumerFactory(organization=partner))
        assert not consented_consumer_ids(organization=platform, purpose=DataPurpose.PERSONALIZATION).exists()

    def test_consent_state_shows_the_record_in_force_per_purpose_and_recipient(self, platform, partner, other_partner):
        AgreementFactory(platform=platform, partner=partner)
        AgreementFactory(platform=platform, partner=other_partner)
        consumer = ConsumerFactory(organization=platform)
        sharing = {"purpose": DataPurpose.PARTNER_SHARING, "data_categories": ["purchases"]}
        record(consumer, recipient=partner, minutes_ago=10, **sharing)
        record(consumer, recipient=partner, granted=False, **sharing)
        record(consumer, recipient=other_partner, **sharing)
        record(consumer, purpose=DataPurpose.MARKETING_CONTACT)
        state = {
            (s.purpose, s.recipient.slug if s.recipient else None): s.granted for s in consent_state(consumer=consumer)
        }
        assert state == {
            ("partner_sharing", partner.slug): False,
            ("partner_sharing", other_partner.slug): True,
            ("marketing_contact", None): True,
        }


@pytest.mark.django_db
class TestPartnerSharingRules:
    def test_partner_sharing_consent_without_a_recipient_is_refused(self, platform):
        with pytest.raises(ApplicationError) as error:
            record(
                ConsumerFactory(organization=platform),
                purpose=DataPurpose.PARTNER_SHARING,
                data_categories=["purchases"],
            )
        assert "recipient" in error.value.fields

    def test_partner_sharing_consent_must_name_the_data_types(self, platform, partner):
        AgreementFactory(platform=platform, partner=partner)
        with pytest.raises(ApplicationError) as error:
            record(ConsumerFactory(organization=platform), purpose=DataPurpose.PARTNER_SHARING, recipient=partner)
        assert "data_categories" in error.value.fields

    def test_partner_sharing_consent_needs_an_active_agreement_with_the_recipient(self, platform, partner):
        AgreementFactory(platform=platform, partner=partner, status=DataSharingAgreement.Status.SUSPENDED)
        with pytest.raises(ApplicationError) as error:
            record(
                ConsumerFactory(organization=platform),
                purpose=DataPurpose.PARTNER_SHARING,
                recipient=partner,
                data_categories=["purchases"],
            )
        assert "recipient" in error.value.fields

    def test_withdrawal_of_partner_sharing_is_accepted_even_after_the_agreement_ended(self, platform, partner):
        AgreementFactory(platform=platform, partner=partner, status=DataSharingAgreement.Status.TERMINATED)
        consumer = ConsumerFactory(organization=platform)
        consent = record(consumer, purpose=DataPurpose.PARTNER_SHARING, recipient=partner, granted=False)
        assert consent.granted is False

    def test_other_purposes_refuse_a_recipient(self, platform, partner):
        with pytest.raises(ApplicationError) as error:
            record(ConsumerFactory(organization=platform), recipient=partner)
        assert "recipient" in error.value.fields

    def test_partner_sharing_is_per_recipient(self, platform, partner, other_partner):
        AgreementFactory(platform=platform, partner=partner)
        consumer = ConsumerFactory(organization=platform)
        record(consumer, purpose=DataPurpose.PARTNER_SHARING, recipient=partner, data_categories=["purchases"])
        assert consented_consumer_ids(
            organization=platform, purpose=DataPurpose.PARTNER_SHARING, recipient=partner
        ).exists()
        assert not consented_consumer_ids(
            organization=platform, purpose=DataPurpose.PARTNER_SHARING, recipient=other_partner
        ).exists()

    def test_asking_for_partner_sharing_without_a_recipient_is_a_programming_error(self, platform):
        with pytest.raises(ValueError):
            consented_consumer_ids(organization=platform, purpose=DataPurpose.PARTNER_SHARING)


@pytest.mark.django_db
class TestBatch:
    def test_a_batch_with_one_bad_row_saves_nothing_and_names_the_row(self, platform):
        consumers = [ConsumerFactory(organization=platform) for _ in range(2)]
        rows = [
            ConsentInput(
                consumer=consumers[0], purpose=DataPurpose.PERSONALIZATION, granted=True, policy_version=VERSION
            ),
            ConsentInput(consumer=consumers[1], purpose=DataPurpose.PERSONALIZATION, granted=True, policy_version="x"),
        ]
        with pytest.raises(ApplicationError) as error:
            consent_record_batch(organization=platform, consents=rows, by=UserFactory())
        assert list(error.value.fields) == ["[1].policy_version"]
        assert ConsentRecord.objects.count() == 0

    def test_a_batch_refuses_consumers_of_another_organization(self, platform, partner):
        stranger = ConsumerFactory(organization=partner)
        rows = [
            ConsentInput(consumer=stranger, purpose=DataPurpose.PERSONALIZATION, granted=True, policy_version=VERSION)
        ]
        with pytest.raises(ApplicationError):
            consent_record_batch(organization=platform, consents=rows)
        assert ConsentRecord.objects.count() == 0
