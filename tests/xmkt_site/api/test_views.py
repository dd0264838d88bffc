import pytest
from django.utils import timezone

from campaigns.services.api_keys import api_key_create, api_key_revoke


@pytest.mark.django_db
class TestPing:
    def test_anonymous_caller_gets_401_in_the_error_format(self, api_client):
        response = api_client.get("/api/v1/ping/")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_authenticated"

    def test_partner_key_pings_its_own_organization(self, partner_key_client, partner):
        response = partner_key_client(["events:write"]).get("/api/v1/ping/")
        assert response.status_code == 200
        assert response.json() == {"pong": True, "organization": partner.slug}

    def test_signed_in_manager_pings(self, manager_api_client, platform):
        assert manager_api_client.get("/api/v1/ping/").json()["organization"] == platform.slug

    def test_revoked_key_is_refused(self, api_client, partner):
        issued = api_key_create(organization=partner, name="k", scopes=["events:write"])
        api_key_revoke(api_key=issued.api_key)
        api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {issued.secret}")
        assert api_client.get("/api/v1/ping/").status_code == 401

    def test_expired_key_is_refused(self, api_client, partner):
        issued = api_key_create(organization=partner, name="k", scopes=["events:write"])
        issued.api_key.expires_at = timezone.now() - timezone.timedelta(seconds=1)
        issued.api_key.save()
        api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {issued.secret}")
        assert api_client.get("/api/v1/ping/").status_code == 401

    def test_wrong_secret_with_a_real_prefix_is_refused(self, api_client, partner):
        issued = api_key_create(organization=partner, name="k", scopes=["events:write"])
        api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {issued.secret[:-4]}abcd")
        assert api_client.get("/api/v1/ping/").status_code == 401


@pytest.mark.django_db
def test_only_the_digest_of_a_key_is_stored(partner):
    issued = api_key_create(organization=partner, name="k", scopes=["events:write"])
    issued.api_key.refresh_from_db()
    assert issued.secret not in issued.api_key.hashed_key
    assert issued.api_key.prefix in issued.secret


@pytest.mark.django_db
def test_openapi_schema_is_served(api_client):
    response = api_client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/ping/" in response.content
