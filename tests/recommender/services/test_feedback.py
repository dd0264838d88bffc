"""Recommendation feedback that names a running campaign is a touch in that campaign's attribution."""

from analytics.services.attribution import campaign_attribution
from analytics.services.experiments import conversions_record
from campaigns.models import DataPurpose, Exposure
from tests.builders.campaigns import ready_campaign
from tests.builders.experiments import running
from tests.builders.recommender import URL, grant, key_client, trained


def served_and_clicked(client, campaign_id):
    body = client.get(URL, {"consumer": "c0", "catalog": "zhishi"}).json()
    feedback_url = f"{URL}{body['recommendation_id']}/feedback/"
    payload = {"item": body["items"][0]["external_ref"], "kind": "clicked"}
    if campaign_id is not None:
        payload["campaign"] = campaign_id
    assert client.post(feedback_url, payload, format="json").status_code == 201
    assert client.post(feedback_url, payload, format="json").status_code == 200  # a replay changes nothing
    return body["recommendation_id"]


def test_clicked_feedback_with_a_running_campaign_is_credited_with_the_conversion_that_names_it(world):
    platform, _items, people = trained(world)
    campaign = running(platform=platform)
    grant(people[0], DataPurpose.MARKETING_CONTACT)  # a campaign touch needs marketing consent in force
    recommendation_id = served_and_clicked(key_client(platform), campaign.pk)

    touch = Exposure.objects.get(campaign=campaign)
    assert (touch.kind, touch.recommendation_id, touch.consumer_id) == (
        "recommendation",
        recommendation_id,
        people[0].pk,
    )
    conversions_record(
        campaign=campaign,
        items=[{"consumer": "c0", "external_id": "order-1", "value": "88", "recommendation_id": recommendation_id}],
    )
    report = campaign_attribution(campaign=campaign)
    assert report.attributed_conversions == 1
    assert report.by_touch_kind == {"recommendation": 1.0}


def test_feedback_without_a_campaign_or_before_launch_touches_no_campaign(world):
    platform, _items, _people = trained(world)
    draft = ready_campaign(platform)
    served_and_clicked(key_client(platform), None)
    served_and_clicked(key_client(platform), draft.pk)
    assert not Exposure.objects.exists()
