from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from campaigns.models import DataPurpose, ImpactAssessment
from campaigns.services.consent import consent_record
from campaigns.services.impact_assessments import (
    impact_assessment_delete,
    impact_assessment_generate,
    impact_assessment_sign,
)
from tests.factories import AgreementFactory, CampaignFactory, ConsumerFactory, UserFactory
from xmkt_site.errors import ApplicationError

SIGNED_AT = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)


@pytest.fixture
def agreement(platform, partner):
    return AgreementFactory(
        platform=platform, partner=partner, min_aggregate_size=20, dp_epsilon_budget=None, retention_days=None
    )


@pytest.mark.django_db
class TestGenerate:
    def test_the_assessment_is_generated_from_the_agreements_settings(self, platform, partner, agreement):
        # given: one consumer consenting to sharing with the partner
        consumer = ConsumerFactory(organization=platform)
        consent_record(
            consumer=consumer,
            purpose=DataPurpose.PARTNER_SHARING,
            recipient=partner,
            data_categories=["purchases"],
            granted=True,
            policy_version="2026-01",
            source="app",
        )
        # when
        assessment = impact_assessment_generate(organization=platform, agreement=agreement, by=UserFactory())
        # then
        content = assessment.content
        assert assessment.status == ImpactAssessment.Status.DRAFT
        assert content["purposes"] == sorted(agreement.purposes)
        assert content["data_types"] == ["purchases", "segments"]
        assert content["recipients"] == [partner.name]
        assert content["k"] == 20
        assert content["agreements"][0]["consumers_consenting_to_sharing"] == 1
        assert {r["code"] for r in content["risks"]} >= {"small_cells", "difference_attack", "indefinite_retention"}

    def test_a_campaign_assessment_covers_the_agreements_with_its_partners(self, platform, partner, agreement):
        campaign = CampaignFactory(organization=platform)
        campaign.partners.add(partner)
        assessment = impact_assessment_generate(organization=platform, campaign=campaign)
        assert [a["id"] for a in assessment.content["agreements"]] == [agreement.pk]
        assert assessment.content["campaign"]["id"] == campaign.pk

    def test_an_organization_outside_the_agreement_cannot_assess_it(self, other_partner, agreement):
        with pytest.raises(ApplicationError):
            impact_assessment_generate(organization=other_partner, agreement=agreement)


@pytest.mark.django_db
class TestRetentionOfSignedAssessments:
    def test_signing_keeps_the_assessment_three_years(self, platform, agreement):
        assessment = impact_assessment_generate(organization=platform, agreement=agreement)
        signed = impact_assessment_sign(assessment=assessment, by=UserFactory(), now=SIGNED_AT)
        assert signed.status == ImpactAssessment.Status.SIGNED
        assert signed.retain_until == date(2029, 11, 28)

    def test_a_retention_shorter_than_three_years_is_refused(self, platform, agreement):
        assessment = impact_assessment_generate(organization=platform, agreement=agreement)
        with pytest.raises(ApplicationError):
            impact_assessment_sign(
                assessment=assessment, by=UserFactory(), retain_until=date(2029, 11, 27), now=SIGNED_AT
            )
        assessment.refresh_from_db()
        assert assessment.status == ImpactAssessment.Status.DRAFT

    def test_the_model_refuses_a_short_retention_however_it_is_saved(self, platform, agreement):
        assessment = impact_assessment_generate(organization=platform, agreement=agreement)
        assessment.status = ImpactAssessment.Status.SIGNED
        assessment.signed_at = SIGNED_AT
        assessment.retain_until = date(2028, 1, 1)
        with pytest.raises(ValidationError):
            assessment.full_clean()

    def test_the_database_refuses_a_signed_assessment_without_retention(self, platform, agreement):
        assessment = impact_assessment_generate(organization=platform, agreement=agreement)
        with pytest.raises(IntegrityError), transaction.atomic():
            ImpactAssessment.objects.filter(pk=assessment.pk).update(status="signed", signed_at=SIGNED_AT)

    def test_a_signed_assessment_cannot_be_deleted_before_its_retention_ends(self, platform, agreement):
        assessment = impact_assessment_sign(
            assessment=impact_assessment_generate(organization=platform, agreement=agreement),
            by=UserFactory(),
            now=SIGNED_AT,
        )
        with pytest.raises(ApplicationError):
            impact_assessment_delete(assessment=assessment, by=UserFactory(), now=SIGNED_AT + timedelta(days=3 * 365))
        assert ImpactAssessment.objects.filter(pk=assessment.pk).exists()
        impact_assessment_delete(assessment=assessment, by=UserFactory(), now=datetime(2029, 11, 29, tzinfo=UTC))
        assert not ImpactAssessment.objects.filter(pk=assessment.pk).exists()

    def test_a_signed_assessment_cannot_be_signed_again(self, platform, agreement):
        assessment = impact_assessment_generate(organization=platform, agreement=agreement)
        impact_assessment_sign(assessment=assessment, by=UserFactory(), now=SIGNED_AT)
        with pytest.raises(ApplicationError):
            impact_assessment_sign(assessment=assessment, by=UserFactory())
