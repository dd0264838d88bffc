import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from analytics.models import Event
from campaigns.models import ApiScope, DataPurpose, Role
from recommender.models import RecommendationFeedback, RecommendationLog
from recommender.services.pipeline import pipeline_run
from tests.builders.recommender import URL, grant, key_client, trained
from tests.factories import AgreementFactory, MembershipFactory, OrganizationFactory


def test_a_consented_consumer_gets_a_personalised_list_with_human_reasons(world):
    # given a trained champion
    platform, _items, people = trained(world)
    # when the platform's key asks for consumer c0's top 3
    response = key_client(platform).get(URL, {"consumer": "c0", "catalog": "zhishi", "k": 3})
    # then the list is personalised, from the champion, explained, and logged under its recommendation id
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["personalized"] is True
    assert body["model_version"] is not None
    assert 0 < len(body["items"]) <= 3
    assert any(item["reason"].startswith("Because you bought Group 0") for item in body["items"])
    assert all(item["external_ref"].startswith("G0-") for item in body["items"][:2])  # c0 is in taste group 0
    assert RecommendationLog.objects.filter(recommendation_id=body["recommendation_id"], personalized=True).exists()


def test_withdrawing_personalization_consent_makes_the_very_next_call_non_personalised(world):
    platform, _items, people = trained(world)
    client = key_client(platform)
    assert client.get(URL, {"consumer": "c1", "catalog": "zhishi"}).json()["personalized"] is True
    # when c1 withdraws personalization consent
    grant(people[1], DataPurpose.PERSONALIZATION, granted=False)
    # then the next call is non-personalised and gives popular items with a non-personal reason
    body = client.get(URL, {"consumer": "c1", "catalog": "zhishi"}).json()
    assert body["personalized"] is False
    assert body["items"] and {item["reason"] for item in body["items"]} == {"Popular now"}


def test_a_purchase_after_training_changes_the_next_answer(world):
    # given a trained champion and consumer c0's current list
    platform, items, people = trained(world)
    client = key_client(platform)
    before = [
        i["external_ref"] for i in client.get(URL, {"consumer": "c0", "catalog": "zhishi", "k": 5}).json()["items"]
    ]
    # when c0 buys the item at the top of the list
    top = next(item for item in items if item.external_ref == before[0])
    Event.objects.create(
        organization=platform,
        consumer=people[0],
        item=top,
        type="purchase",
        occurred_at=timezone.now(),
        external_id="fresh-1",
    )
    # then the next answer no longer offers it
    after = [
        i["external_ref"] for i in client.get(URL, {"consumer": "c0", "catalog": "zhishi", "k": 5}).json()["items"]
    ]
    assert before[0] not in after
    assert after


def test_a_consumer_without_consent_is_served_non_personalised_popular_items(world):
    platform, _items, people = world
    grant(people[2], DataPurpose.PERSONALIZATION, granted=False)
    pipeline_run(organization=platform, target=platform)
    body = key_client(platform).get(URL, {"consumer": "c2", "catalog": "zhishi"}).json()
    assert body["personalized"] is False and body["items"]


def test_an_unknown_consumer_is_a_404_and_a_key_without_the_scope_is_refused(world):
    platform, _items, _people = trained(world)
    assert key_client(platform).get(URL, {"consumer": "nobody", "catalog": "zhishi"}).status_code == 404
    refused = key_client(platform, scopes=(ApiScope.CAMPAIGNS_READ,)).get(URL, {"consumer": "c0", "catalog": "zhishi"})
    assert refused.status_code == 403


def test_a_partner_key_without_an_agreement_cannot_read_the_platforms_consumers(world):
    platform, _items, _people = trained(world)
    stranger = OrganizationFactory(slug="stranger")
    response = key_client(stranger).get(URL, {"consumer": "c0", "catalog": "zhishi", "consumer_org": "zhishi"})
    assert response.status_code == 403


def test_a_partner_key_under_an_agreement_reads_only_consumers_who_consented_to_share_with_it(world):
    platform, _items, people = trained(world)
    partner = OrganizationFactory(slug="homely")
    AgreementFactory(platform=platform, partner=partner)
    client = key_client(partner)
    params = {"consumer": "c0", "catalog": "zhishi", "consumer_org": "zhishi"}
    assert client.get(URL, params).status_code == 403
    grant(people[0], DataPurpose.PARTNER_SHARING, recipient=partner)
    assert client.get(URL, params).status_code == 200


def test_an_internal_web_user_may_read_recommendations(world):
    platform, _items, _people = trained(world)
    client = APIClient()
    client.force_authenticate(MembershipFactory(organization=platform, role=Role.ANALYST).user)
    assert client.get(URL, {"consumer": "c0", "catalog": "zhishi"}).status_code == 200


def test_feedback_on_a_served_item_is_recorded_once(world):
    platform, _items, _people = trained(world)
    client = key_client(platform)
    body = client.get(URL, {"consumer": "c0", "catalog": "zhishi"}).json()
    url = f"{URL}{body['recommendation_id']}/feedback/"
    item = body["items"][0]["external_ref"]
    first = client.post(url, {"item": item, "kind": "clicked"}, format="json")
    again = client.post(url, {"item": item, "kind": "clicked"}, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert RecommendationFeedback.objects.filter(kind="clicked").count() == 1
    assert client.post(url, {"item": "G9-9", "kind": "shown"}, format="json").status_code == 400


def test_similar_items_come_from_the_same_taste_group(world):
    platform, items, _people = trained(world)
    response = key_client(platform).get(f"/api/v1/items/{items[0].pk}/similar/", {"k": 3})
    assert response.status_code == 200, response.content
    refs = [i["external_ref"] for i in response.json()["items"]]
    assert refs and all(ref.startswith("G0-") for ref in refs)


def test_a_bad_query_is_refused_naming_the_field(world):
    platform, _items, _people = world
    response = key_client(platform).get(URL, {"consumer": "c0", "catalog": "zhishi", "k": 500})
    assert response.status_code == 400
    assert "k" in response.json()["error"]["fields"]
    response = key_client(platform).get(URL, {"catalog": "zhishi"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["consumer"] == ["This field is required."]


def test_on_postgresql_the_consumer_statement_is_planned_once_per_session_and_sees_new_consent(world):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("server-side prepared statements are PostgreSQL's")
    platform, _items, people = trained(world)
    client = key_client(platform)
    first = client.get(URL, {"consumer": "c0", "catalog": "zhishi", "k": 3}).json()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'xmkt_serving_%%'")
        prepared = cursor.fetchone()[0]
    again = client.get(URL, {"consumer": "c0", "catalog": "zhishi", "k": 3}).json()
    grant(people[0], DataPurpose.PERSONALIZATION, granted=False)  # withdrawn: the prepared plan must not cache it
    withdrawn = client.get(URL, {"consumer": "c0", "catalog": "zhishi", "k": 3}).json()
    assert prepared >= 1
    assert [i["external_ref"] for i in again["items"]] == [i["external_ref"] for i in first["items"]]
    assert first["personalized"] is True and withdrawn["personalized"] is False
