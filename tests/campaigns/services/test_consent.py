"""Consent records: append-only with a published policy version, the rules of partner sharing, and batches."""

import pytest

from campaigns.models import ConsentRecord, DataPurpose, DataSharingAgreement
from campaigns.selectors.consent import (
    consent_history,
    consented_consumer_ids,
)
from campaigns.services.consent import ConsentInput, consent_policy_publish, consent_record, consent_record_batch
from tests.builders.consent import POLICY_VERSION, record_consent
from tests.factories import AgreementFactory, ConsumerFactory, UserFactory
from xmkt_site.errors import ApplicationError


@pytest.mark.django_db
class TestAppendOnly:
    def test_a_saved_consent_record_cannot_be_updated(self, platform):
        # given
        consent = record_consent(ConsumerFactory(organization=platform))
        # when / then
        consent.granted = False
        with pytest.raises(ValueError, match="append-only"):
            consent.save()
        assert ConsentRecord.objects.get(pk=consent.pk).granted is True

    def test_a_withdrawal_is_a_new_record_and_the_grant_stays_in_the_history(self, platform):
        consumer = ConsumerFactory(organization=platform)
        record_consent(consumer, granted=True, minutes_ago=10)
        record_consent(consumer, granted=False)
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
                purpose=DataPurpose.PERSONALIZATION, version=POLICY_VERSION, text_zh="x", text_en="x", by=None
            )


@pytest.mark.django_db
class TestPartnerSharingRules:
    def test_partner_sharing_consent_without_a_recipient_is_refused(self, platform):
        with pytest.raises(ApplicationError) as error:
            record_consent(
                ConsumerFactory(organization=platform),
                purpose=DataPurpose.PARTNER_SHARING,
                data_categories=["purchases"],
            )
        assert "recipient" in error.value.fields

    def test_partner_sharing_consent_must_name_the_data_types(self, platform, partner):
        AgreementFactory(platform=platform, partner=partner)
        with pytest.raises(ApplicationError) as error:
            record_consent(
                ConsumerFactory(organization=platform), purpose=DataPurpose.PARTNER_SHARING, recipient=partner
            )
        assert "data_categories" in error.value.fields

    def test_partner_sharing_consent_needs_an_active_agreement_with_the_recipient(self, platform, partner):
        AgreementFactory(platform=platform, partner=partner, status=DataSharingAgreement.Status.SUSPENDED)
        with pytest.raises(ApplicationError) as error:
            record_consent(
                ConsumerFactory(organization=platform),
                purpose=DataPurpose.PARTNER_SHARING,
                recipient=partner,
                data_categories=["purchases"],
            )
        assert "recipient" in error.value.fields

    def test_withdrawal_of_partner_sharing_is_accepted_even_after_the_agreement_ended(self, platform, partner):
        AgreementFactory(platform=platform, partner=partner, status=DataSharingAgreement.Status.TERMINATED)
        consumer = ConsumerFactory(organization=platform)
        consent = record_consent(consumer, purpose=DataPurpose.PARTNER_SHARING, recipient=partner, granted=False)
        assert consent.granted is False

    def test_other_purposes_refuse_a_recipient(self, platform, partner):
        with pytest.raises(ApplicationError) as error:
            record_consent(ConsumerFactory(organization=platform), recipient=partner)
        assert "recipient" in error.value.fields

    def test_partner_sharing_is_per_recipient(self, platform, partner, other_partner):
        AgreementFactory(platform=platform, partner=partner)
        consumer = ConsumerFactory(organization=platform)
        record_consent(consumer, purpose=DataPurpose.PARTNER_SHARING, recipient=partner, data_categories=["purchases"])
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
                consumer=consumers[0], purpose=DataPurpose.PERSONALIZATION, granted=True, policy_version=POLICY_VERSION
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
            ConsentInput(
                consumer=stranger, purpose=DataPurpose.PERSONALIZATION, granted=True, policy_version=POLICY_VERSION
            )
        ]
        with pytest.raises(ApplicationError):
            consent_record_batch(organization=platform, consents=rows)
        assert ConsentRecord.objects.count() == 0
