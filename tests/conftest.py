import pytest
from rest_framework.test import APIClient

from campaigns.models import Role
from tests.factories import MembershipFactory, OrganizationFactory, PlatformFactory, issue_api_key


@pytest.fixture
def platform(db):
    return PlatformFactory(slug="zhishi", name="知识星球学院")


@pytest.fixture
def partner(db):
    return OrganizationFactory(slug="homely", name="Homely 家居")


@pytest.fixture
def other_partner(db):
    return OrganizationFactory(slug="skyline", name="Skyline 地产", industry="real_estate")


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def manager(platform):
    return MembershipFactory(organization=platform, role=Role.CAMPAIGN_MANAGER).user


@pytest.fixture
def manager_client(manager):
    client = APIClient()
    client.force_authenticate(manager)
    return client


@pytest.fixture
def partner_key_client(partner):
    """A partner's machine with every write scope."""

    def make(scopes: list[str], organization=None):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {issue_api_key(organization or partner, scopes)}")
        return client

    return make
