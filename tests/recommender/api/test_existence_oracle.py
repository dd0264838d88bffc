"""Another organization's caller cannot tell from the recommendations API whether a consumer exists: a ref nobody has
and a consumer who has not consented to share with it (or with the catalogue's organization) get the same answer."""

from rest_framework.test import APIClient

from campaigns.models import DataPurpose, Role
from tests.builders.recommender import URL, grant, key_client, trained
from tests.factories import AgreementFactory, MembershipFactory, OrganizationFactory


def answer(client, consumer: str, catalog: str = "zhishi") -> tuple[int, dict]:
    response = client.get(URL, {"consumer": consumer, "catalog": catalog, "consumer_org": "zhishi"})
    return response.status_code, response.json()


def test_a_partner_gets_the_same_answer_for_an_unknown_ref_and_a_consumer_who_did_not_consent(world):
    # given the platform's trained catalogue, a partner under an agreement, and consumer c0 who shares nothing with it
    platform, _items, _people = trained(world)
    partner = OrganizationFactory(slug="homely")
    AgreementFactory(platform=platform, partner=partner)
    client = key_client(partner)
    # when its key asks for c0 and for a ref no consumer has
    existing = answer(client, "c0")
    unknown = answer(client, "no-such-consumer")
    # then both answers are the same refusal
    assert existing == unknown
    assert existing[0] == 403 and existing[1]["error"]["code"] == "consent_required"


def test_a_partner_reading_for_its_own_catalogue_cannot_tell_an_unknown_ref_from_a_missing_target_consent(world):
    # given c1 consented to share with the partner, c0 did not
    platform, _items, people = trained(world)
    partner = OrganizationFactory(slug="homely")
    AgreementFactory(platform=platform, partner=partner)
    grant(people[1], DataPurpose.PARTNER_SHARING, recipient=partner)
    client = key_client(partner)
    # when the partner asks for its own catalogue for c0 and for an unknown ref
    existing = answer(client, "c0", catalog="homely")
    unknown = answer(client, "no-such-consumer", catalog="homely")
    # then the two answers cannot be told apart
    assert existing == unknown and existing[0] == 403


def test_the_platforms_own_callers_still_learn_that_a_ref_is_unknown(world):
    platform, _items, _people = trained(world)
    client = APIClient()
    client.force_authenticate(MembershipFactory(organization=platform, role=Role.ANALYST).user)
    response = client.get(URL, {"consumer": "no-such-consumer", "catalog": "zhishi"})
    assert response.status_code == 404 and response.json()["error"]["code"] == "consumer_not_found"
