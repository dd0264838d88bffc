"""`Authorization: Api-Key xmkt_<prefix>.<secret>` for partners' machines."""

import hmac
from datetime import timedelta

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from campaigns.models import PartnerApiKey
from campaigns.services.api_keys import api_key_digest, split_api_key

KEYWORD = "Api-Key"
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiKeyClient:
    """Stands in for request.user when a partner key authenticates; it is never a web user."""

    is_authenticated = True
    is_anonymous = False
    is_staff = False
    is_superuser = False
    pk = None

    def __init__(self, api_key: PartnerApiKey) -> None:
        self.api_key = api_key

    def __str__(self) -> str:
        return f"api-key:{self.api_key.prefix}"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header.startswith(KEYWORD + " "):
            return None
        parts = split_api_key(header[len(KEYWORD) + 1 :].strip())
        if parts is None:
            raise exceptions.AuthenticationFailed("Malformed API key.")
        prefix, secret = parts
        api_key = PartnerApiKey.objects.select_related("organization").filter(prefix=prefix).first()
        if api_key is None or not hmac.compare_digest(api_key.hashed_key, api_key_digest(secret)):
            raise exceptions.AuthenticationFailed("Invalid API key.")
        now = timezone.now()
        if api_key.revoked_at is not None:
            raise exceptions.AuthenticationFailed("This API key has been revoked.")
        if api_key.expires_at is not None and api_key.expires_at <= now:
            raise exceptions.AuthenticationFailed("This API key has expired.")
        if not api_key.organization.is_active:
            raise exceptions.AuthenticationFailed("The key's organization is inactive.")
        # Write last_used_at at most once a minute so that a busy key does not turn every read into a write.
        if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION:
            PartnerApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        return ApiKeyClient(api_key), api_key

    def authenticate_header(self, request) -> str:
        return KEYWORD


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "campaigns.api.authentication.ApiKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key xmkt_<prefix>.<secret>`",
        }
