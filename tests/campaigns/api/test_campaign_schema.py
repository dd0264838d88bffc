"""What the campaign list and detail answer agrees with what the OpenAPI schema says they answer, for the
platform's callers (every campaign field) and for a partner key (the short partner view), checked by schemathesis'
response-conformance check against the live schema."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from schemathesis.specs.openapi.checks import response_schema_conformance

from campaigns.models import ApiScope
from tests.builders.experiments import running
from tests.factories import issue_api_key

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())

PARTNER_VIEW = {"id", "name", "status", "starts_at", "ends_at", "variants"}


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    # Calling the WSGI app directly would close the test transaction's connection at request_finished.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def campaign():
    return running()


def key_headers(organization) -> dict:
    return {"Authorization": f"Api-Key {issue_api_key(organization, [ApiScope.CAMPAIGNS_READ])}"}


def call(operation: str, campaign, headers: dict):
    if operation == "list":
        case = schema["/api/v1/campaigns/"]["GET"].Case()
    else:
        case = schema["/api/v1/campaigns/{id}/"]["GET"].Case(path_parameters={"id": campaign.pk})
    return case, case.call(headers=headers)


@pytest.mark.parametrize("operation", ["list", "detail"])
def test_a_partner_keys_campaign_answer_matches_the_schema(campaign, operation):
    # given a key of a partner taking part in the campaign, when it reads the campaign
    case, response = call(operation, campaign, key_headers(campaign.partners.get()))

    # then it sees the partner view, and that view is what the schema documents
    assert response.status_code == 200
    body = response.json()
    assert set(body[0] if operation == "list" else body) == PARTNER_VIEW
    case.validate_response(response, checks=[response_schema_conformance])


@pytest.mark.parametrize("operation", ["list", "detail"])
def test_the_platforms_campaign_answer_matches_the_schema(campaign, operation):
    case, response = call(operation, campaign, key_headers(campaign.organization))

    assert response.status_code == 200
    body = response.json()
    assert {"allocation_floor", "budget", "audience"} <= set(body[0] if operation == "list" else body)
    case.validate_response(response, checks=[response_schema_conformance])
