from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from campaigns.models import PartnerApiKey
from campaigns.services.api_keys import api_key_digest

pytestmark = pytest.mark.django_db


def create_key(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("create_api_key", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_prints_a_working_key_once_and_stores_only_its_digest(partner):
    secret, note = create_key("--org", partner.slug, "--scopes", "events:write,catalog:write", "--name", "ERP")

    key = PartnerApiKey.objects.get(organization=partner)
    assert (key.name, key.scopes) == ("ERP", ["catalog:write", "events:write"])
    assert key.hashed_key == api_key_digest(secret) and secret not in key.hashed_key
    assert "shown only now" in note and secret not in note
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {secret}")
    assert client.get("/api/v1/ping/").json()["organization"] == partner.slug


def test_expiry_in_days_is_recorded(partner):
    create_key("--org", partner.slug, "--scopes", "events:write", "--expires-days", "30")

    key = PartnerApiKey.objects.get(organization=partner)
    assert key.expires_at is not None and 29 <= (key.expires_at - key.created_at).days <= 30


def test_unknown_scope_is_refused(partner):
    with pytest.raises(CommandError, match="Unknown scopes: events:delete"):
        create_key("--org", partner.slug, "--scopes", "events:delete")
    assert not PartnerApiKey.objects.exists()


def test_unknown_organization_is_refused(db):
    with pytest.raises(CommandError, match="No organization"):
        create_key("--org", "nobody", "--scopes", "events:write")
