"""A partner's key reports exposures and conversions only for consumers it may act on, with one answer for a consumer
that does not exist and one that did not consent; every row it reports carries its name; and nothing it reports (or
assigns) can move a suppressed cell of the results it reads into view."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from campaigns.models import ApiScope, Assignment, Conversion, DataPurpose, Exposure, Role
from tests.builders.experiments import contactable, running, traffic
from tests.factories import AgreementFactory, ConsentRecordFactory, MembershipFactory, issue_api_key

pytestmark = pytest.mark.django_db

K = 50


@pytest.fixture
def campaign():
    campaign = running()
    AgreementFactory(
        platform=campaign.organization, partner=campaign.partners.get(), min_aggregate_size=K, title="k=50"
    )
    return campaign


@pytest.fixture
def partner(campaign):
    return campaign.partners.get()


@pytest.fixture
def partner_key(partner) -> APIClient:
    client = APIClient()
    scopes = [ApiScope.CAMPAIGNS_READ, ApiScope.CAMPAIGNS_WRITE]
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {issue_api_key(partner, scopes)}")
    return client


@pytest.fixture
def manager(campaign) -> APIClient:
    client = APIClient()
    client.force_authenticate(MembershipFactory(organization=campaign.organization, role=Role.CAMPAIGN_MANAGER).user)
    return client


def share(consumers, partner, *, granted=True, when=None) -> None:
    for consumer in consumers:
        ConsentRecordFactory(
            consumer=consumer,
            purpose=DataPurpose.PARTNER_SHARING,
            recipient=partner,
            granted=granted,
            recorded_at=when or timezone.now(),
        )


def post(client, campaign, kind: str, items: list[dict]) -> dict:
    response = client.post(f"/api/v1/campaigns/{campaign.pk}/{kind}/", {kind: items}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def arms_seen(client, campaign) -> dict[str, dict]:
    response = client.get(f"/api/v1/campaigns/{campaign.pk}/results/")
    assert response.status_code == 200, response.content
    return {arm["variant"]: arm for arm in response.json()["arms"]}


def members(campaign, key: str, *, converted: bool):
    """Consumers assigned to the arm `key`, with or without a conversion, in a stable order."""
    assigned = Assignment.objects.filter(campaign=campaign, variant__key=key).order_by("consumer_id")
    bought = set(Conversion.objects.filter(campaign=campaign).values_list("consumer_id", flat=True))
    return [a.consumer for a in assigned.select_related("consumer") if (a.consumer_id in bought) == converted]


@pytest.mark.parametrize("kind", ["conversions", "exposures"])
def test_a_partner_reports_only_for_consumers_sharing_with_it_and_learns_nothing_about_the_others(
    campaign, partner, partner_key, kind
):
    # given platform consumers: one never shared with the partner, one shared then withdrew, one shares
    platform = campaign.organization
    never, withdrawn, sharing = contactable(platform, 3)
    share([withdrawn], partner, when=timezone.now() - timedelta(hours=2))
    share([withdrawn], partner, granted=False, when=timezone.now() - timedelta(hours=1))
    share([sharing], partner)
    # when the partner's key reports a row for a ref nobody has, and one for each of them
    refs = ["no-such-consumer", never.external_ref, withdrawn.external_ref, sharing.external_ref]
    body = post(partner_key, campaign, kind, [{"consumer": ref, "external_id": f"r-{i}"} for i, ref in enumerate(refs)])
    # then only the sharing consumer's row is stored, and the unknown ref gets the very answer the others get
    assert body["accepted"] == 1
    assert body["rejected"] == [
        {"index": 0, "reason": "not_actionable"},
        {"index": 1, "reason": "not_actionable"},
        {"index": 2, "reason": "not_actionable"},
    ]
    model = Conversion if kind == "conversions" else Exposure
    assert list(model.objects.filter(campaign=campaign).values_list("consumer_id", flat=True)) == [sharing.pk]


def test_rows_a_partner_reports_are_tagged_with_the_partner_and_the_platforms_own_are_not(
    campaign, partner, partner_key, manager
):
    (consumer,) = contactable(campaign.organization, 1)
    share([consumer], partner)
    post(partner_key, campaign, "conversions", [{"consumer": consumer.external_ref, "external_id": "p-1"}])
    post(manager, campaign, "conversions", [{"consumer": consumer.external_ref, "external_id": "m-1"}])
    post(partner_key, campaign, "exposures", [{"consumer": consumer.external_ref, "external_id": "p-1"}])
    post(manager, campaign, "exposures", [{"consumer": consumer.external_ref, "external_id": "m-1"}])
    for model in (Conversion, Exposure):
        tags = dict(model.objects.filter(campaign=campaign).values_list("external_id", "reported_by_id"))
        assert tags == {"p-1": partner.pk, "m-1": None}


def test_seventy_partner_conversions_cannot_bring_a_suppressed_converters_cell_into_view(
    campaign, partner, partner_key, manager
):
    # given 120 users per arm and 41 treatment converters: below k = 50, so the partner sees converters as null
    traffic(campaign, {"control": 120, "treatment": 120}, {"control": 60, "treatment": 41})
    assert arms_seen(partner_key, campaign)["treatment"]["converters"] is None
    # when the partner reports a zero-value conversion for 70 treatment non-buyers who share with it
    targets = members(campaign, "treatment", converted=False)[:70]
    share(targets, partner)
    items = [{"consumer": c.external_ref, "external_id": f"pad-{i}", "value": "0"} for i, c in enumerate(targets)]
    assert post(partner_key, campaign, "conversions", items)["accepted"] == 70
    # then the platform counts 111 converters, but the partner's cell stays suppressed, with everything derived from it
    assert arms_seen(manager, campaign)["treatment"]["converters"] == 111
    treatment = arms_seen(partner_key, campaign)["treatment"]
    assert (treatment["converters"], treatment["conversion_rate"], treatment["revenue"]) == (None, None, None)
    assert treatment["users"] == 120


def test_a_conversion_for_a_named_consumer_does_not_tell_the_partner_whether_they_had_already_bought(
    campaign, partner, partner_key
):
    # given visible cells (60 converters per arm), and a treatment buyer and non-buyer who share with the partner
    traffic(campaign, {"control": 120, "treatment": 120}, {"control": 60, "treatment": 60})
    buyer = members(campaign, "treatment", converted=True)[0]
    non_buyer = members(campaign, "treatment", converted=False)[0]
    share([buyer, non_buyer], partner)
    before = arms_seen(partner_key, campaign)
    assert before["treatment"]["converters"] == 60
    # when the partner reports one conversion for each of them, reading the results after each
    post(partner_key, campaign, "conversions", [{"consumer": buyer.external_ref, "external_id": "probe-1"}])
    after_buyer = arms_seen(partner_key, campaign)
    post(partner_key, campaign, "conversions", [{"consumer": non_buyer.external_ref, "external_id": "probe-2"}])
    after_non_buyer = arms_seen(partner_key, campaign)
    # then both probes leave the arms exactly as they were: nothing tells the two people apart
    assert after_buyer == before == after_non_buyer


def test_consumers_a_partner_has_assigned_cannot_bring_a_suppressed_users_cell_into_view(
    campaign, partner, partner_key, manager
):
    # given 45 control users: below k = 50
    traffic(campaign, {"control": 45, "treatment": 120}, {"control": 0, "treatment": 0})
    assert arms_seen(partner_key, campaign)["control"]["users"] is None
    # when the partner's key asks for the arm of 40 fresh consumers who share with it
    fresh = contactable(campaign.organization, 40)
    share(fresh, partner)
    for consumer in fresh:
        response = partner_key.get(f"/api/v1/campaigns/{campaign.pk}/assignment/", {"consumer": consumer.external_ref})
        assert response.status_code == 200, response.content
    # then the platform sees the new control users, the partner still sees a suppressed control cell
    assert arms_seen(manager, campaign)["control"]["users"] > 45 + 5
    assert arms_seen(partner_key, campaign)["control"]["users"] is None


def test_the_assignment_api_answers_a_partner_alike_for_an_unknown_and_a_not_consented_consumer(campaign, partner_key):
    (never,) = contactable(campaign.organization, 1)
    url = f"/api/v1/campaigns/{campaign.pk}/assignment/"
    unknown = partner_key.get(url, {"consumer": "no-such-consumer"})
    not_consented = partner_key.get(url, {"consumer": never.external_ref})
    assert unknown.status_code == not_consented.status_code == 403
    assert unknown.json()["error"] == not_consented.json()["error"]
