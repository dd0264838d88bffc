"""The project's JSON parser: bodies too deep, too large or carrying text no database can store are refused before
any view sees them, with a 4xx that names the field."""

import json

import pytest
from rest_framework.test import APIClient

from campaigns.models import ConsentRecord, Consumer, DataSubjectRequest, Role
from tests.builders.experiments import running
from tests.factories import AgreementFactory, ConsumerFactory, MembershipFactory

pytestmark = pytest.mark.django_db

LONE_SURROGATE = "a\ud800b"


def post_raw(client: APIClient, url: str, body: bytes | str):
    return client.post(url, data=body, content_type="application/json")


def as_json(data) -> str:
    # ensure_ascii writes a lone surrogate as the escape \ud800, which is how an attacker sends one.
    return json.dumps(data, ensure_ascii=True)


@pytest.fixture
def consents_client(partner_key_client):
    return partner_key_client(["consents:write", "consumers:write", "events:write"])


class TestNesting:
    def test_a_body_nested_fifty_thousand_levels_is_refused_with_a_400(self, consents_client):
        body = "[" * 50_000 + "]" * 50_000

        response = post_raw(consents_client, "/api/v1/consents/", body)

        assert response.status_code == 400
        assert response.json()["error"]["code"] == "json_too_deep"

    def test_nesting_deeper_than_the_limit_inside_an_object_is_refused(self, consents_client, settings):
        settings.API_JSON_MAX_DEPTH = 8
        body = as_json({"consumers": [{"external_ref": "c", "city": [[[[[[[[["x"]]]]]]]]]}]})

        response = post_raw(consents_client, "/api/v1/consumers/batch/", body)

        assert response.status_code == 400
        assert response.json()["error"]["code"] == "json_too_deep"
        assert not Consumer.objects.exists()

    def test_brackets_inside_strings_do_not_count_as_nesting(self, consents_client, partner, settings):
        settings.API_JSON_MAX_DEPTH = 8
        body = as_json({"consumers": [{"external_ref": '[[[[[[[[[[[[{{{{{{{{{{\\"[[[[', "city": "]]]}}}"}]})

        response = post_raw(consents_client, "/api/v1/consumers/batch/", body)

        assert response.status_code == 200, response.json()
        assert Consumer.objects.get(organization=partner).external_ref == '[[[[[[[[[[[[{{{{{{{{{{\\"[[[['


class TestSize:
    def test_a_body_larger_than_the_upload_limit_is_refused_with_a_413(self, consents_client, settings):
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
        body = as_json({"consumers": [{"external_ref": f"c-{i}"} for i in range(100)]})
        assert len(body) > 1000

        response = post_raw(consents_client, "/api/v1/consumers/batch/", body)

        assert response.status_code == 413
        assert response.json()["error"]["code"] == "request_too_large"
        assert not Consumer.objects.exists()


class TestUnstorableText:
    def test_a_lone_surrogate_in_a_consumer_row_is_a_400_naming_the_field(self, consents_client):
        body = as_json({"consumers": [{"external_ref": "ok"}, {"external_ref": "c-2", "city": LONE_SURROGATE}]})

        response = post_raw(consents_client, "/api/v1/consumers/batch/", body)

        assert response.status_code == 400
        assert list(response.json()["error"]["fields"]) == ["consumers[1].city"]
        assert not Consumer.objects.exists()

    def test_a_lone_surrogate_in_an_event_row_is_a_400_naming_the_field(self, consents_client):
        body = as_json({"events": [{"external_id": LONE_SURROGATE, "type": "view", "occurred_at": "2026-01-01"}]})

        response = post_raw(consents_client, "/api/v1/events/batch/", body)

        assert response.status_code == 400
        assert list(response.json()["error"]["fields"]) == ["events[0].external_id"]

    def test_a_lone_surrogate_in_a_choice_field_is_a_400_not_an_echo_that_cannot_be_encoded(
        self, consents_client, partner
    ):
        ConsumerFactory(organization=partner, external_ref="p-1")
        body = as_json({"consumer": "p-1", "purpose": LONE_SURROGATE, "granted": True, "policy_version": "2026-01"})

        response = post_raw(consents_client, "/api/v1/consents/", body)

        assert response.status_code == 400
        assert list(response.json()["error"]["fields"]) == ["purpose"]
        assert not ConsentRecord.objects.exists()

    def test_a_lone_surrogate_in_an_object_key_is_refused(self, consents_client):
        body = as_json({"consumers": [{"external_ref": "c", LONE_SURROGATE: "x"}]})

        response = post_raw(consents_client, "/api/v1/consumers/batch/", body)

        assert response.status_code == 400
        assert response.json()["error"]["fields"]

    def test_a_dsr_kind_with_a_lone_surrogate_is_a_400(self, privacy_client, platform):
        ConsumerFactory(organization=platform, external_ref="u-1")
        body = as_json({"consumer": "u-1", "kind": LONE_SURROGATE})

        response = privacy_client.post("/api/v1/privacy/requests/create/", data=body, content_type="application/json")

        assert response.status_code == 400
        assert list(response.json()["error"]["fields"]) == ["kind"]
        assert not DataSubjectRequest.objects.exists()

    def test_a_nul_character_anywhere_is_a_400_naming_the_field(self, consents_client):
        body = as_json({"consumers": [{"external_ref": "c", "city": "Shang\x00hai"}]})

        response = post_raw(consents_client, "/api/v1/consumers/batch/", body)

        assert response.status_code == 400
        assert list(response.json()["error"]["fields"]) == ["consumers[0].city"]

    def test_a_surrogate_pair_is_an_ordinary_character_and_accepted(self, consents_client, partner):
        body = as_json({"consumers": [{"external_ref": "c-emoji", "city": "Hangzhou \U0001f600"}]})
        assert "\\ud83d\\ude00" in body

        response = post_raw(consents_client, "/api/v1/consumers/batch/", body)

        assert response.status_code == 200, response.json()
        assert Consumer.objects.get(organization=partner).city == "Hangzhou \U0001f600"


class TestEveryEndpointIsCovered:
    """The parser sits in front of every view, so endpoints with no text handling of their own are covered too."""

    @pytest.fixture
    def campaign(self):
        return running()

    @pytest.fixture
    def manager(self, campaign) -> APIClient:
        client = APIClient()
        client.force_authenticate(
            MembershipFactory(organization=campaign.organization, role=Role.CAMPAIGN_MANAGER).user
        )
        return client

    @pytest.mark.parametrize(
        ("path", "body", "field"),
        [
            ("/api/v1/campaigns/create/", {"name": "x", "allocation_policy": LONE_SURROGATE}, "allocation_policy"),
            ("/api/v1/campaigns/create/", {"name": "x", "attribution_model": LONE_SURROGATE}, "attribution_model"),
            ("/api/v1/campaigns/{pk}/variants/", {"key": "b", "name": "B", "channel": LONE_SURROGATE}, "channel"),
            (
                "/api/v1/campaigns/{pk}/exposures/",
                {"exposures": [{"consumer": "c", "external_id": "e", "kind": LONE_SURROGATE}]},
                "exposures[0].kind",
            ),
            ("/api/v1/campaigns/{pk}/audience/", {"rules": {"cities": [LONE_SURROGATE]}}, "rules.cities[0]"),
        ],
    )
    def test_a_lone_surrogate_is_a_400_naming_the_field(self, manager, campaign, path, body, field):
        url = path.format(pk=campaign.pk)
        method = manager.put if url.endswith("/audience/") else manager.post

        response = method(url, data=as_json(body), content_type="application/json")

        assert response.status_code == 400, response.content
        assert list(response.json()["error"]["fields"]) == [field]

    def test_an_overlap_breakdown_with_a_lone_surrogate_is_a_400(self, partner_key_client, platform, partner):
        agreement = AgreementFactory(platform=platform, partner=partner)
        client = partner_key_client(["overlap:run"])
        body = as_json({"hashed_identifiers": ["0" * 64], "breakdown": LONE_SURROGATE})

        response = client.post(
            f"/api/v1/agreements/{agreement.pk}/overlap/", data=body, content_type="application/json"
        )

        assert response.status_code == 400, response.content
        assert list(response.json()["error"]["fields"]) == ["breakdown"]
