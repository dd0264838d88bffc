from rest_framework.throttling import SimpleRateThrottle

from campaigns.models import PartnerApiKey


class ApiKeyRateThrottle(SimpleRateThrottle):
    """A request budget per partner key; web sessions are limited by login throttling instead.

    One counter per key and window, raised with the cache's `incr`: on Redis that is one atomic INCR, so every web
    process and thread counts against the same limit. (DRF's default keeps a list of timestamps that each request
    reads and writes back, and concurrent requests overwrite each other's entries.) The counters are only shared when
    the cache is: CACHE_URL must point at Redis whenever more than one web process serves the API
    (xmkt_site/checks.py refuses a per-process cache then).
    """

    scope = "api_key"

    def get_cache_key(self, request, view) -> str | None:
        if isinstance(request.auth, PartnerApiKey):
            return self.cache_format % {"scope": self.scope, "ident": request.auth.prefix}
        return None

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window_start = int(self.now // self.duration) * self.duration
        self.window_end = window_start + self.duration
        counter = f"{self.key}:{window_start}"
        # add() only creates the counter; a second process's add() is a no-op, so neither resets the other's count.
        self.cache.add(counter, 0, timeout=self.duration + 1)
        try:
            count = self.cache.incr(counter)
        except ValueError:  # evicted or expired between add() and incr()
            self.cache.add(counter, 1, timeout=self.duration + 1)
            count = 1
        if count > self.num_requests:
            return self.throttle_failure()
        return self.throttle_success()

    def throttle_success(self) -> bool:
        return True

    def wait(self) -> float:
        return max(0.0, self.window_end - self.now)
