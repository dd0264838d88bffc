"""Fixtures every part of the suite shares: the three organizations, API clients, and page clients per role."""

import time
from pathlib import Path

import pytest
from django.test import Client
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


# The page tests name the organizations after the demo's cast; they are the same rows as above.
@pytest.fixture
def platform_org(platform):
    return platform


@pytest.fixture
def homely(partner):
    return partner


@pytest.fixture
def skyline(other_partner):
    return other_partner


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def manager(platform):
    return MembershipFactory(organization=platform, role=Role.CAMPAIGN_MANAGER).user


@pytest.fixture
def manager_api_client(manager):
    client = APIClient()
    client.force_authenticate(manager)
    return client


@pytest.fixture
def sign_in(db):
    """sign_in(role, organization) -> a Django test Client signed in as a new member with that role."""

    def make(role: str, organization) -> Client:
        membership = MembershipFactory(organization=organization, role=role)
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(membership.user)
        client.user = membership.user
        return client

    return make


@pytest.fixture
def admin_client(sign_in, platform_org):
    """The platform's admin signed in to the pages (replaces pytest-django's superuser client of the same name)."""
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
def partner_key_client(partner):
    """A partner's machine with every write scope."""

    def make(scopes: list[str], organization=None):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {issue_api_key(organization or partner, scopes)}")
        return client

    return make


def _uses_transactional_db(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return bool({"transactional_db", "live_server"} & set(request.fixturenames))


@pytest.fixture(autouse=True)
def _rows_seeded_by_data_migrations(request):
    """Transactional tests flush the database between tests, which also removes rows that data migrations seeded
    (the published consent policies). Put them back so every test starts from a migrated database."""
    if _uses_transactional_db(request):
        from importlib import import_module

        from django.apps import apps as django_apps

        request.getfixturevalue("transactional_db")
        import_module("campaigns.migrations.0003_initial_consent_policies").publish(django_apps, None)
    yield


def pytest_sessionstart(session) -> None:
    session.config._xmkt_started = time.time()


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """Print the permission matrix the route-walking test built, whether it passed or not. Under pytest-xdist the test
    ran in another process: its artefact file, if written during this run, carries the table."""
    import sys

    matrix = getattr(sys.modules.get("tests.xmkt_site.test_permission_matrix"), "LAST_MATRIX", "")
    artifact = Path(config.rootpath) / "test-artifacts" / "permission-matrix.txt"
    started = getattr(config, "_xmkt_started", None)
    if not matrix and started is not None and artifact.exists() and artifact.stat().st_mtime >= started:
        matrix = artifact.read_text(encoding="utf-8").rstrip("\n")
    if matrix:
        terminalreporter.write_sep("=", "permission matrix (tests/xmkt_site/test_permission_matrix.py)")
        terminalreporter.write_line(matrix)


@pytest.fixture
def english(settings):
    """For tests that assert messages in English; the site's default language is Chinese."""
    settings.LANGUAGE_CODE = "en"
