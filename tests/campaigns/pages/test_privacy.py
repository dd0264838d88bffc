from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from campaigns.models import AuditEvent, Consumer, DataPurpose, DataSubjectRequest, ImpactAssessment, Role
from campaigns.services.audit import audit_record
from campaigns.services.consent import consent_record
from campaigns.services.privacy import dsr_create, dsr_erase
from tests.builders.html import text, texts
from tests.factories import (
    AgreementFactory,
    CampaignFactory,
    ConsumerFactory,
    MembershipFactory,
    PlatformFactory,
    UserFactory,
)

PAGES = ["privacy-home", "privacy-consents", "privacy-requests", "privacy-audit-log", "privacy-assessments"]


def signed_in(organization, role, language="en") -> Client:
    membership = MembershipFactory(organization=organization, role=role)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(membership.user)
    client.user = membership.user
    return client


@pytest.fixture
def privacy_admin(platform):
    return signed_in(platform, Role.PRIVACY_ADMIN)


@pytest.mark.django_db
class TestRoles:
    @pytest.mark.parametrize("name", PAGES)
    @pytest.mark.parametrize("role", [Role.PRIVACY_ADMIN, Role.ADMIN])
    def test_privacy_admins_and_admins_open_the_privacy_pages(self, platform, name, role):
        assert signed_in(platform, role).get(reverse(name)).status_code == 200

    @pytest.mark.parametrize("name", PAGES)
    @pytest.mark.parametrize("role", [Role.CAMPAIGN_MANAGER, Role.ANALYST, Role.PARTNER_USER])
    def test_other_roles_are_refused(self, platform, name, role):
        assert signed_in(platform, role).get(reverse(name)).status_code == 403

    def test_anonymous_visitors_are_sent_to_sign_in(self):
        response = Client().get(reverse("privacy-home"))
        assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.django_db
class TestHome:
    def test_the_overview_shows_consent_rates_and_overdue_requests(self, platform, privacy_admin):
        # given: 4 consumers, one consenting to personalisation, one overdue request
        consumers = [ConsumerFactory(organization=platform) for _ in range(4)]
        consent_record(
            consumer=consumers[0],
            purpose=DataPurpose.PERSONALIZATION,
            granted=True,
            policy_version="2026-01",
            source="t",
        )
        dsr_create(
            organization=platform,
            external_ref=consumers[1].external_ref,
            kind="access",
            received_at=timezone.now() - timedelta(days=20),
        )
        # when
        response = privacy_admin.get(reverse("privacy-home"))
        # then
        html = response.content.decode()
        assert texts(html, "tr[data-purpose=personalization] td.num")[-1] == "25.0%"
        assert text(html, "[data-kpi=overdue-requests]") == "1 overdue"

    def test_the_overview_is_translated_to_chinese(self, platform):
        response = signed_in(platform, Role.PRIVACY_ADMIN, language="zh-hans").get(reverse("privacy-home"))
        assert response.status_code == 200
        assert response.headers["Content-Language"] == "zh-hans"


@pytest.mark.django_db
class TestConsentLookup:
    def test_the_lookup_shows_the_consent_in_force_and_the_history(self, platform, privacy_admin):
        consumer = ConsumerFactory(organization=platform, external_ref="u-7")
        for granted in (True, False):
            consent_record(
                consumer=consumer,
                purpose=DataPurpose.PERSONALIZATION,
                granted=granted,
                policy_version="2026-01",
                source="app",
            )
        html = privacy_admin.get(reverse("privacy-consents"), {"ref": "u-7"}).content.decode()
        assert 'data-state-purpose="personalization" data-granted="false"' in html
        assert html.count("Withdrawn") == 2 and "Granted" in html
        assert AuditEvent.objects.filter(action="consent.history.read").exists()

    def test_another_organizations_consumer_is_not_shown(self, partner, privacy_admin):
        ConsumerFactory(organization=partner, external_ref="p-7")
        html = privacy_admin.get(reverse("privacy-consents"), {"ref": "p-7"}).content.decode()
        assert 'data-lookup="unknown"' in html

    def test_an_erased_consumer_is_reported_as_erased(self, platform, privacy_admin):
        ConsumerFactory(organization=platform, external_ref="u-8")
        dsr_erase(request=dsr_create(organization=platform, external_ref="u-8", kind="erasure"))
        html = privacy_admin.get(reverse("privacy-consents"), {"ref": "u-8"}).content.decode()
        assert 'data-lookup="erased"' in html


@pytest.mark.django_db
class TestRequestQueue:
    def test_an_overdue_request_is_highlighted(self, platform, privacy_admin):
        late = dsr_create(
            organization=platform,
            external_ref=ConsumerFactory(organization=platform).external_ref,
            kind="access",
            received_at=timezone.now() - timedelta(days=16),
        )
        on_time = dsr_create(
            organization=platform, external_ref=ConsumerFactory(organization=platform).external_ref, kind="erasure"
        )
        html = privacy_admin.get(reverse("privacy-requests")).content.decode()
        assert f'data-request="{late.pk}" class="table-danger" data-overdue="true"' in html
        assert f'data-request="{on_time.pk}">' in html

    def test_a_request_registered_on_the_page_and_carried_out_erases_the_consumer(self, platform, privacy_admin):
        ConsumerFactory(organization=platform, external_ref="u-9")
        response = privacy_admin.post(reverse("privacy-requests"), {"consumer": "u-9", "kind": "erasure"})
        request = DataSubjectRequest.objects.get()
        assert response.status_code == 302
        privacy_admin.post(reverse("privacy-request-detail", args=[request.pk]), {"action": "execute"})
        request.refresh_from_db()
        assert request.status == "completed"
        assert not Consumer.objects.filter(external_ref="u-9").exists()

    def test_an_unknown_consumer_is_reported_on_the_form(self, privacy_admin):
        response = privacy_admin.post(reverse("privacy-requests"), {"consumer": "nobody", "kind": "access"})
        assert response.status_code == 400
        assert not DataSubjectRequest.objects.exists()

    def test_the_export_downloads_as_json_and_is_audited(self, platform, privacy_admin):
        ConsumerFactory(organization=platform, external_ref="u-1")
        privacy_admin.post(reverse("privacy-requests"), {"consumer": "u-1", "kind": "access"})
        request = DataSubjectRequest.objects.get()
        privacy_admin.post(reverse("privacy-request-detail", args=[request.pk]), {"action": "execute"})
        response = privacy_admin.get(reverse("privacy-request-export", args=[request.pk]))
        assert response.json()["consumer"]["fields"]["external_ref"] == "u-1"
        assert AuditEvent.objects.filter(action="dsr.export.download", target_id=str(request.pk)).exists()

    def test_another_organizations_request_is_not_found(self, platform, partner, privacy_admin):
        theirs = dsr_create(
            organization=partner, external_ref=ConsumerFactory(organization=partner).external_ref, kind="access"
        )
        assert privacy_admin.get(reverse("privacy-request-detail", args=[theirs.pk])).status_code == 404


@pytest.mark.django_db
class TestAuditLog:
    def test_filters_by_action_user_organization_and_dates(self, platform, partner, privacy_admin):
        someone = UserFactory(username="li.lei")
        audit_record(action="dsr.create", user=someone, organization=platform)
        audit_record(action="consent.record", organization=partner)
        old = audit_record(action="dsr.erase", organization=platform)
        AuditEvent.objects.filter(pk=old.pk).update(occurred_at=timezone.now() - timedelta(days=40))
        url = reverse("privacy-audit-log")
        assert 'data-action="dsr.create"' in privacy_admin.get(url, {"actor": "li.lei"}).content.decode()
        assert 'data-action="consent.record"' not in privacy_admin.get(url, {"actor": "li.lei"}).content.decode()
        by_org = privacy_admin.get(url, {"organization": partner.pk}).content.decode()
        assert 'data-action="consent.record"' in by_org and 'data-action="dsr.create"' not in by_org
        recent = privacy_admin.get(
            url, {"action": "dsr.", "date_from": (timezone.localdate() - timedelta(days=7)).isoformat()}
        ).content.decode()
        assert 'data-action="dsr.create"' in recent and 'data-action="dsr.erase"' not in recent

    def test_a_partners_privacy_admin_sees_only_its_own_organizations_trail(self, platform, partner):
        audit_record(action="platform.secret", organization=platform)
        audit_record(action="partner.thing", organization=partner)
        html = signed_in(partner, Role.PRIVACY_ADMIN).get(reverse("privacy-audit-log")).content.decode()
        assert 'data-action="partner.thing"' in html and "platform.secret" not in html

    def test_targets_and_details_read_as_names_and_key_value_pairs(self, platform):
        # Given an event about a consumer with a count, a flag and a list in its metadata
        consumer = ConsumerFactory(organization=platform)
        audit_record(
            action="consent.history.read",
            organization=platform,
            target=consumer,
            metadata={"records": 3, "filtered": True, "purposes": ["marketing_contact", "personalization"]},
        )
        # When privacy admins read the log in English and in Chinese
        english = signed_in(platform, Role.PRIVACY_ADMIN).get(reverse("privacy-audit-log")).content.decode()
        chinese = signed_in(platform, Role.PRIVACY_ADMIN, "zh-hans").get(reverse("privacy-audit-log")).content.decode()
        # Then the target is the model's name and id, and the details are key: value pairs, never a Python dict
        row = english.split('data-action="consent.history.read"')[1].split("</tr>")[0]
        assert f">consumer #{consumer.pk}</td>" in row and "campaigns.consumer#" not in row.split("title=")[0]
        assert '<span class="text-body-secondary">records:</span> 3</span>' in row
        assert '<span class="text-body-secondary">filtered:</span> yes</span>' in row
        assert "marketing_contact, personalization" in row and "{&#x27;" not in row
        assert f">消费者 #{consumer.pk}</td>" in chinese

    def test_reading_the_audit_log_is_itself_audited(self, privacy_admin):
        privacy_admin.get(reverse("privacy-audit-log"))
        assert AuditEvent.objects.filter(action="audit_log.read", actor=privacy_admin.user).exists()


@pytest.mark.django_db
class TestAssessmentPages:
    def test_generate_review_sign_and_export_an_assessment(self, platform, partner, privacy_admin):
        agreement = AgreementFactory(platform=platform, partner=partner, min_aggregate_size=25)
        response = privacy_admin.post(reverse("privacy-assessments"), {"agreement": agreement.pk})
        assessment = ImpactAssessment.objects.get()
        assert response["Location"] == reverse("privacy-assessment-detail", args=[assessment.pk])
        detail = privacy_admin.get(response["Location"]).content.decode()
        assert 'data-field="k">25<' in detail
        privacy_admin.post(response["Location"], {})
        assessment.refresh_from_db()
        assert assessment.status == "signed"
        assert assessment.retain_until >= timezone.localdate().replace(year=timezone.localdate().year + 3)
        exported = privacy_admin.get(reverse("privacy-assessment-export", args=[assessment.pk])).json()
        assert exported["content"]["k"] == 25 and exported["status"] == "signed"
        printable = privacy_admin.get(reverse("privacy-assessment-print", args=[assessment.pk]))
        assert printable.status_code == 200 and agreement.title in printable.content.decode()

    def test_a_campaign_with_partners_can_be_assessed_from_the_page(self, platform, partner, privacy_admin):
        AgreementFactory(platform=platform, partner=partner)
        campaign = CampaignFactory(organization=platform, name="新房装修季")
        campaign.partners.add(partner)
        privacy_admin.post(reverse("privacy-assessments"), {"campaign": campaign.pk})
        assessment = ImpactAssessment.objects.get()
        assert assessment.campaign == campaign and assessment.agreement is None
        assert len(assessment.content["agreements"]) == 1

    def test_an_agreement_of_other_parties_cannot_be_assessed(self, platform, partner, other_partner):
        theirs = AgreementFactory(platform=PlatformFactory(slug="other-platform"), partner=other_partner)
        client = signed_in(partner, Role.PRIVACY_ADMIN)
        client.post(reverse("privacy-assessments"), {"agreement": theirs.pk})
        assert not ImpactAssessment.objects.exists()
