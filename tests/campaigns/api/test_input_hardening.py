"""Inputs of a wrong shape answer 400 naming the field: audience rules against their schema, and the clean-room
upload against its size cap (checked before a single token is looked at)."""

import pytest
from rest_framework.test import APIClient

from analytics.models import OverlapQuery
from campaigns.models import ApiScope, Role
from tests.builders.campaigns import ready_campaign
from tests.factories import AgreementFactory, MembershipFactory, issue_api_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign():
    return ready_campaign()


@pytest.fixture
def manager(campaign) -> APIClient:
    client = APIClient()
    client.force_authenticate(MembershipFactory(organization=campaign.organization, role=Role.CAMPAIGN_MANAGER).user)
    return client


def put_audience(client, campaign, body):
    return client.put(f"/api/v1/campaigns/{campaign.pk}/audience/", body, format="json")


class TestAudienceRules:
    @pytest.mark.parametrize(
        ("rules", "field"),
        [
            ({"cities": [[[1]]]}, "rules.cities"),
            ({"cities": [{"name": "Hangzhou"}]}, "rules.cities"),
            ({"categories": [["sofa"]]}, "rules.categories"),
            ({"genders": [["female"]]}, "rules.genders"),
            ({"city_tiers": [[1]]}, "rules.city_tiers"),
            ({"event_types": [{"view": 1}]}, "rules.event_types"),
            ({"item_kinds": [None, ["course"]]}, "rules.item_kinds"),
            ({"min_events": [3], "event_types": ["view"]}, "rules.min_events"),
            ({"active_within_days": {"days": 3}}, "rules.active_within_days"),
            ({"cities": ["x" * 200]}, "rules.cities"),
            ({"cities": [f"city-{n}" for n in range(2000)]}, "rules.cities"),
        ],
    )
    def test_a_rule_of_the_wrong_shape_is_a_400_naming_it(self, manager, campaign, rules, field):
        response = put_audience(manager, campaign, {"rules": rules})

        assert response.status_code == 400, response.content
        assert any(name.startswith(field) for name in response.json()["error"]["fields"]), response.json()
        campaign.refresh_from_db()
        assert campaign.audience == {} or "rules" not in campaign.audience or not campaign.audience["rules"]

    def test_an_unknown_rule_is_still_refused(self, manager, campaign):
        response = put_audience(manager, campaign, {"rules": {"shoe_size": [42]}})

        assert response.status_code == 400
        assert "rules" in response.json()["error"]["fields"]

    def test_well_formed_rules_are_stored_normalised(self, manager, campaign):
        rules = {"cities": ["Shanghai", "Hangzhou", "Shanghai"], "city_tiers": [2, 1], "genders": ["female"]}

        response = put_audience(manager, campaign, {"segment_ids": [], "rules": rules})

        assert response.status_code == 200, response.content
        campaign.refresh_from_db()
        assert campaign.audience["rules"] == {
            "cities": ["Hangzhou", "Shanghai"],
            "city_tiers": [1, 2],
            "genders": ["female"],
        }


class TestOverlapUploadCap:
    @pytest.fixture
    def agreement(self, platform, partner):
        return AgreementFactory(platform=platform, partner=partner, min_aggregate_size=5)

    @pytest.fixture
    def partner_key(self, partner) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {issue_api_key(partner, [ApiScope.OVERLAP_RUN])}")
        return client

    def test_an_upload_over_the_cap_is_a_400_naming_the_field_and_stores_nothing(
        self, partner_key, agreement, settings
    ):
        settings.OVERLAP_MAX_TOKENS = 10
        tokens = [f"{n:064x}" for n in range(11)]

        response = partner_key.post(
            f"/api/v1/agreements/{agreement.pk}/overlap/", {"hashed_identifiers": tokens}, format="json"
        )

        assert response.status_code == 400, response.content
        assert list(response.json()["error"]["fields"]) == ["hashed_identifiers"]
        assert not OverlapQuery.objects.exists()

    def test_the_default_cap_is_one_hundred_thousand_tokens(self, partner_key, agreement):
        tokens = ["0" * 64] * 100_001

        response = partner_key.post(
            f"/api/v1/agreements/{agreement.pk}/overlap/", {"hashed_identifiers": tokens}, format="json"
        )

        assert response.status_code == 400, response.content
        assert list(response.json()["error"]["fields"]) == ["hashed_identifiers"]
