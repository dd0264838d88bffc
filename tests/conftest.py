import time
from pathlib import Path

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
