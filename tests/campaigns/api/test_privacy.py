import pytest
from rest_framework.test import APIClient

from campaigns.models import AuditEvent, ConsentRecord, Consumer, DataSubjectRequest, ErasureTombstone, Role
from tests.factories import AgreementFactory, ConsumerFactory, EventFactory, MembershipFactory


def client_for(organization, role):
    client = APIClient()
    client.force_authenticate(MembershipFactory(organization=organization, role=role).user)
    return client


@pytest.fixture
def privacy_client(platform):
    return client_for(platform, Role.PRIVACY_ADMIN)


def consent_body(ref, **overrides):
    return {"consumer": ref, "purpose": "personalization", "granted": True, "policy_version": "2026-01", **overrides}


@pytest.mark.django_db
class TestConsentsApi:
    def test_a_partner_key_with_the_consents_scope_records_consent_for_its_own_consumer(
        self, partner, partner_key_client
    ):
        ConsumerFactory(organization=partner, external_ref="p-1")
        response = partner_key_client(["consents:write"]).post("/api/v1/consents/", consent_body("p-1"), format="json")
        assert response.status_code == 201, response.json()
        assert response.json()["created"] == 1
        assert ConsentRecord.objects.get().consumer.external_ref == "p-1"

    def test_a_key_without_the_consents_scope_is_refused(self, partner, partner_key_client):
        ConsumerFactory(organization=partner, external_ref="p-1")
        response = partner_key_client(["events:write"]).post("/api/v1/consents/", consent_body("p-1"), format="json")
        assert response.status_code == 403
        assert not ConsentRecord.objects.exists()

    def test_a_key_cannot_record_consent_for_another_organizations_consumer(
        self, platform, partner, partner_key_client
    ):
        ConsumerFactory(organization=platform, external_ref="shared-ref-1")
        response = partner_key_client(["consents:write"]).post(
            "/api/v1/consents/", consent_body("shared-ref-1"), format="json"
        )
        assert response.status_code == 400
        assert "consumer" in response.json()["error"]["fields"]
        assert not ConsentRecord.objects.exists()

    def test_a_batch_is_saved_whole_and_names_recipient_and_data_types(self, platform, partner, partner_key_client):
        AgreementFactory(platform=platform, partner=partner)
        ConsumerFactory(organization=platform, external_ref="u-1")
        ConsumerFactory(organization=platform, external_ref="u-2")
        key = partner_key_client(["consents:write"], organization=platform)
        body = {
            "consents": [
                consent_body("u-1"),
                consent_body(
                    "u-2", purpose="partner_sharing", recipient=partner.slug, data_categories=["purchases", "segments"]
                ),
            ]
        }
        response = key.post("/api/v1/consents/", body, format="json")
        assert response.status_code == 201, response.json()
        sharing = ConsentRecord.objects.get(purpose="partner_sharing")
        assert (sharing.recipient, sharing.data_categories) == (partner, ["purchases", "segments"])

    def test_a_batch_with_one_bad_row_saves_nothing(self, platform, partner_key_client):
        ConsumerFactory(organization=platform, external_ref="u-1")
        key = partner_key_client(["consents:write"], organization=platform)
        body = {"consents": [consent_body("u-1"), consent_body("u-1", purpose="partner_sharing")]}
        response = key.post("/api/v1/consents/", body, format="json")
        assert response.status_code == 400
        assert "[1].recipient" in response.json()["error"]["fields"]
        assert not ConsentRecord.objects.exists()

    def test_the_history_lists_records_newest_first_with_the_state_in_force(self, platform, privacy_client):
        ConsumerFactory(organization=platform, external_ref="u-1")
        privacy_client.post("/api/v1/consents/", consent_body("u-1"), format="json")
        privacy_client.post("/api/v1/consents/", consent_body("u-1", granted=False), format="json")
        response = privacy_client.get("/api/v1/consumers/u-1/consents/")
        assert response.status_code == 200
        body = response.json()
        assert [r["granted"] for r in body["history"]] == [False, True]
        assert body["in_force"] == [
            {
                "purpose": "personalization",
                "recipient": None,
                "granted": False,
                "policy_version": "2026-01",
                "data_categories": [],
                "recorded_at": body["history"][0]["recorded_at"],
                "received_at": body["history"][0]["received_at"],
            }
        ]
        assert AuditEvent.objects.filter(action="consent.history.read").count() == 1

    def test_the_history_of_another_organizations_consumer_is_not_found(self, partner, partner_key_client, platform):
        ConsumerFactory(organization=platform, external_ref="u-1")
        response = partner_key_client(["consents:write"]).get("/api/v1/consumers/u-1/consents/")
        assert response.status_code == 404

    def test_a_campaign_manager_cannot_record_consent(self, platform, manager_api_client):
        ConsumerFactory(organization=platform, external_ref="u-1")
        assert manager_api_client.post("/api/v1/consents/", consent_body("u-1"), format="json").status_code == 403


@pytest.mark.django_db
class TestDataSubjectRequestApi:
    def test_a_privacy_admin_creates_and_executes_an_access_request(self, platform, privacy_client):
        consumer = ConsumerFactory(organization=platform, external_ref="u-1")
        EventFactory(organization=platform, consumer=consumer)
        created = privacy_client.post(
            "/api/v1/privacy/requests/create/", {"consumer": "u-1", "kind": "access"}, format="json"
        )
        assert created.status_code == 201, created.json()
        pk = created.json()["id"]
        executed = privacy_client.post(f"/api/v1/privacy/requests/{pk}/execute/")
        assert executed.json()["status"] == "completed" and executed.json()["has_export"] is True
        export = privacy_client.get(f"/api/v1/privacy/requests/{pk}/export/").json()
        assert export["counts"]["analytics.event"] == 1

    def test_an_erasure_through_the_api_leaves_a_tombstone(self, platform, privacy_client):
        ConsumerFactory(organization=platform, external_ref="u-1")
        pk = privacy_client.post(
            "/api/v1/privacy/requests/create/", {"consumer": "u-1", "kind": "erasure"}, format="json"
        ).json()["id"]
        assert privacy_client.post(f"/api/v1/privacy/requests/{pk}/execute/").status_code == 200
        assert not Consumer.objects.filter(external_ref="u-1").exists()
        assert ErasureTombstone.objects.filter(organization=platform).count() == 1

    def test_the_queue_lists_only_the_callers_organization(self, platform, partner, privacy_client):
        ConsumerFactory(organization=platform, external_ref="u-1")
        ConsumerFactory(organization=partner, external_ref="p-1")
        privacy_client.post("/api/v1/privacy/requests/create/", {"consumer": "u-1", "kind": "access"}, format="json")
        client_for(partner, Role.PRIVACY_ADMIN).post(
            "/api/v1/privacy/requests/create/", {"consumer": "p-1", "kind": "access"}, format="json"
        )
        body = privacy_client.get("/api/v1/privacy/requests/?status=open").json()
        assert [r["consumer"] for r in body["results"]] == ["u-1"]
        other = DataSubjectRequest.objects.get(organization=partner)
        assert privacy_client.post(f"/api/v1/privacy/requests/{other.pk}/execute/").status_code == 404

    def test_partner_keys_and_campaign_managers_cannot_reach_requests(
        self, platform, partner_key_client, manager_api_client
    ):
        key = partner_key_client(["consents:write", "consumers:write"], organization=platform)
        assert key.get("/api/v1/privacy/requests/").status_code == 403
        assert manager_api_client.get("/api/v1/privacy/requests/").status_code == 403

    def test_a_request_can_be_rejected_with_a_reason(self, platform, privacy_client):
        ConsumerFactory(organization=platform, external_ref="u-1")
        pk = privacy_client.post(
            "/api/v1/privacy/requests/create/", {"consumer": "u-1", "kind": "erasure"}, format="json"
        ).json()["id"]
        response = privacy_client.post(f"/api/v1/privacy/requests/{pk}/reject/", {"reason": "duplicate"}, format="json")
        assert response.json()["status"] == "rejected"
        assert Consumer.objects.filter(external_ref="u-1").exists()
