from rest_framework.throttling import SimpleRateThrottle

from campaigns.models import PartnerApiKey


class ApiKeyRateThrottle(SimpleRateThrottle):
    """A request budget per partner key; web sessions are limited by login throttling instead."""

    scope = "api_key"

    def get_cache_key(self, request, view) -> str | None:
        if isinstance(request.auth, PartnerApiKey):
            return self.cache_format % {"scope": self.scope, "ident": request.auth.prefix}
        return None
