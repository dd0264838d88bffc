"""People with each role, signed in through Django's test client, and the data the pages show."""

import pytest
from django.test import Client

from campaigns.models import Role
from tests.factories import MembershipFactory, OrganizationFactory, PlatformFactory

PASSWORD = "correct-horse-battery"


@pytest.fixture
def sign_in(db):
    """sign_in(role, organization) -> a Client signed in as a new member with that role."""

    def make(role: str, organization) -> Client:
        membership = MembershipFactory(organization=organization, role=role)
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(membership.user)
        client.user = membership.user
        return client

    return make


@pytest.fixture
def platform_org(db):
    return PlatformFactory(slug="zhishi", name="知识星球学院")


@pytest.fixture
def homely(db):
    return OrganizationFactory(slug="homely", name="Homely 家居")


@pytest.fixture
def skyline(db):
    return OrganizationFactory(slug="skyline", name="Skyline 地产", industry="real_estate")


@pytest.fixture
def admin_client(sign_in, platform_org):
    return sign_in(Role.ADMIN, platform_org)


@pytest.fixture
def manager_client(sign_in, platform_org):
    return sign_in(Role.CAMPAIGN_MANAGER, platform_org)


@pytest.fixture
def analyst_client(sign_in, platform_org):
    return sign_in(Role.ANALYST, platform_org)


@pytest.fixture
def privacy_client(sign_in, platform_org):
    return sign_in(Role.PRIVACY_ADMIN, platform_org)


@pytest.fixture
def homely_user_client(sign_in, homely):
    return sign_in(Role.PARTNER_USER, homely)
