"""The assignment query's consumer reference is checked before any lookup: a reference no consumer could have (NUL,
longer than a stored one, missing) is a 400 naming `consumer`, for the platform's callers and partner keys alike.
PostgreSQL refuses a NUL inside a string literal, so such a ref used to reach the database and answer 500 there."""

import pytest
from rest_framework.test import APIClient

from campaigns.models import ApiScope, Role
from tests.builders.experiments import running
from tests.factories import MembershipFactory, issue_api_key

pytestmark = pytest.mark.django_db

STORED_REF_MAX = 128  # Consumer.external_ref is a varchar(128)


@pytest.fixture
def campaign():
    return running()


@pytest.fixture(params=["platform manager", "partner key"])
def caller(request, campaign) -> APIClient:
    client = APIClient()
    if request.param == "platform manager":
        manager = MembershipFactory(organization=campaign.organization, role=Role.CAMPAIGN_MANAGER).user
        client.force_authenticate(manager)
    else:
        key = issue_api_key(campaign.partners.get(), [ApiScope.CAMPAIGNS_WRITE])
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


@pytest.mark.parametrize(
    "query",
    [
        {"consumer": "a\x00b"},
        {"consumer": "\x00"},
        {"consumer": "x" * (STORED_REF_MAX + 1)},
        {"consumer": ""},
        {},
    ],
    ids=["nul inside", "only nul", "longer than a stored ref", "empty", "missing"],
)
def test_an_impossible_consumer_ref_is_a_400_naming_the_consumer_field(caller, campaign, query):
    # when the caller asks for the arm of a ref no consumer can have
    response = caller.get(f"/api/v1/campaigns/{campaign.pk}/assignment/", query)

    # then the answer is a client error on the `consumer` parameter, not a lookup (404/403) or a crash (500)
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["consumer"]


def test_a_ref_of_the_stored_maximum_length_is_still_looked_up(caller, campaign):
    response = caller.get(f"/api/v1/campaigns/{campaign.pk}/assignment/", {"consumer": "x" * STORED_REF_MAX})

    # nobody has it: the lookup's own refusal (404 for the platform, 403 for a partner), not an input error
    assert response.status_code in {403, 404}
