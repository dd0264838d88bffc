"""Sign-in limits beside django-axes' per-username lockout: a limit per client address, and the client address itself
taken from X-Forwarded-For only as deep as the proxies the deployment says it trusts (TRUSTED_PROXY_COUNT)."""

import ipaddress

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit, get_lockout_parameters
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The address of whoever sent the request to the first trusted proxy.

    Each trusted proxy appends the address it received the request from, so with N of them the client's address is the
    N-th entry from the right; anything further left was written by the client and proves nothing. A request with fewer
    entries did not pass through the proxies, and an entry that is not an address is not believed: both fall back to
    the connecting address.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < hops:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-hops]))
    except ValueError:
        return remote


def _groups(request: HttpRequest, credentials: dict | None) -> list[list[str]]:
    parameters = get_lockout_parameters(request, credentials)
    return [[group] if isinstance(group, str) else list(group) for group in parameters]


class SignInLimitHandler(AxesDatabaseHandler):
    """Two limits: AXES_FAILURE_LIMIT for a username from one address, AXES_ADDRESS_FAILURE_LIMIT for one address over
    every username (guessing a few passwords for many accounts).

    axes compares one number with AXES_FAILURE_LIMIT, so each lockout group's failures are reported relative to that
    group's own limit: the result reaches AXES_FAILURE_LIMIT exactly when some group reaches its limit.
    """

    def get_failures(self, request, credentials: dict | None = None) -> int:
        pair_limit = get_failure_limit(request, credentials)
        counted = []
        for group, attempts in zip(
            _groups(request, credentials), self.get_user_attempts(request, credentials), strict=True
        ):
            failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            limit = pair_limit if "username" in group else settings.AXES_ADDRESS_FAILURE_LIMIT
            counted.append(failures - limit + pair_limit)
        return max(counted, default=0)

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        """A correct password clears that username's failures only: otherwise one real account would let its holder
        wipe the address count between rounds of guesses at other accounts."""
        count = 0
        for group, attempts in zip(
            _groups(request, credentials), self.filter_user_attempts(request, credentials), strict=True
        ):
            if "username" in group:
                deleted, _ = attempts.delete()
                count += deleted
        return count
