"""Property-based API tests from the OpenAPI schema (schemathesis 4 over WSGI): no 5xx, responses match the schema.

Bounded: a few derandomized examples per operation, for a platform admin's session and a platform key holding
every scope, and the reads once more for a partner key holding every scope (partners get their own views of some
resources), so that CI stays fast and repeatable.
"""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from campaigns.models import ApiScope, Role
from tests.factories import (
    AgreementFactory,
    CampaignFactory,
    ConsumerFactory,
    MembershipFactory,
    OrganizationFactory,
    PlatformFactory,
    issue_api_key,
)

CSRF = "schemathesis0csrf0token000000000"  # 32 alphanumerics: a valid unmasked token for cookie and header
EXAMPLES = 4
PARTNER_KEY = "partner key with every scope"


schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


@pytest.fixture
def callers(db):
    platform = PlatformFactory(slug="st-platform")
    partner = OrganizationFactory(slug="st-partner")
    AgreementFactory(platform=platform, partner=partner)
    ConsumerFactory(organization=platform, external_ref="st-consumer")
    CampaignFactory(organization=platform, partners=[partner])  # so that list answers hold each caller's view
    client = Client()
    client.force_login(MembershipFactory(organization=platform, role=Role.ADMIN).user)
    session = client.cookies["sessionid"].value
    # Django's test client keeps the test transaction's connection open across requests; calling the WSGI app
    # directly would close it at request_finished (PostgreSQL then fails with "connection already closed").
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield {
        "admin session": {"Cookie": f"sessionid={session}; csrftoken={CSRF}", "X-CSRFToken": CSRF},
        "key with every scope": {"Authorization": f"Api-Key {issue_api_key(platform, list(ApiScope.values))}"},
        PARTNER_KEY: {"Authorization": f"Api-Key {issue_api_key(partner, list(ApiScope.values))}"},
    }
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_within_its_schema_and_never_with_a_server_error(case, callers):
    # given a platform admin's session, a key with every scope and (for reads) a partner's key, when each calls it
    for caller, headers in callers.items():
        if caller == PARTNER_KEY and case.method.upper() != "GET":
            continue
        case.call_and_validate(headers=headers, checks=[not_a_server_error, response_schema_conformance])
