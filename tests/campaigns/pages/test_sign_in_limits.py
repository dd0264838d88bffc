"""Sign-in limits: one address guessing over many usernames is stopped, not only one username from one address, and
the client address is taken from X-Forwarded-For only as deep as the configured trusted proxies."""

import pytest
from django.test import Client

from campaigns.models import Role
from tests.factories import MembershipFactory, UserFactory

PASSWORD = "correct-horse-battery"
ATTACKER = "203.0.113.7"
COLLEAGUE = "198.51.100.20"
PROXY = "10.0.0.2"


@pytest.fixture(autouse=True)
def limits(settings):
    """Limits written here, not read from the settings under test: 5 per username and address, 15 per address."""
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_ADDRESS_FAILURE_LIMIT = 15
    settings.TRUSTED_PROXY_COUNT = 0
    # Dozens of sign-ins per test: a fast hasher keeps them quick, the limits do not depend on it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings


@pytest.fixture
def member(platform):
    user = UserFactory(username="mei")
    user.set_password(PASSWORD)
    user.save()
    MembershipFactory(user=user, organization=platform, role=Role.ANALYST)
    return user


def _sign_in(address: str, username: str, password: str, **headers) -> int:
    return (
        Client(REMOTE_ADDR=address, **headers)
        .post("/accounts/login/", {"username": username, "password": password})
        .status_code
    )


class TestPerAddressLimit:
    def test_sixteen_failures_over_four_usernames_lock_the_address_out(self, member):
        # given 16 wrong passwords from one address, 4 per username (under the per-username limit of 5)
        for username in ("wang", "li", "zhang", "liu"):
            for _attempt in range(4):
                _sign_in(ATTACKER, username, "wrong")
        # when a correct sign-in for another account comes from that address, then it is refused
        assert _sign_in(ATTACKER, "mei", PASSWORD) == 429
        # and the same sign-in from another address works
        assert _sign_in(COLLEAGUE, "mei", PASSWORD) == 302

    def test_a_successful_sign_in_does_not_reset_the_address_count(self, member):
        # given an attacker who holds one real account and guesses other accounts around its own sign-ins
        for username in ("wang", "li", "zhang"):
            for _attempt in range(4):
                _sign_in(ATTACKER, username, "wrong")
            assert _sign_in(ATTACKER, "mei", PASSWORD) == 302
        for _attempt in range(3):
            _sign_in(ATTACKER, "liu", "wrong")
        # when the address has 15 failures in all, then even the attacker's own account is refused from there
        assert _sign_in(ATTACKER, "mei", PASSWORD) == 429

    def test_failures_under_both_limits_let_a_correct_sign_in_through(self, member):
        for username in ("wang", "li", "zhang"):
            for _attempt in range(4):
                _sign_in(ATTACKER, username, "wrong")
        assert _sign_in(ATTACKER, "mei", PASSWORD) == 302


class TestClientAddressBehindProxies:
    def test_with_one_trusted_proxy_the_forwarded_address_is_locked_out_not_the_proxy(self, member, limits):
        limits.TRUSTED_PROXY_COUNT = 1
        # given every request arriving from the proxy, the attacker's address forwarded by it
        for username in ("wang", "li", "zhang", "liu"):
            for _attempt in range(4):
                _sign_in(PROXY, username, "wrong", HTTP_X_FORWARDED_FOR=ATTACKER)
        # then the attacker's address is locked out, a colleague behind the same proxy is not
        assert _sign_in(PROXY, "mei", PASSWORD, HTTP_X_FORWARDED_FOR=ATTACKER) == 429
        assert _sign_in(PROXY, "mei", PASSWORD, HTTP_X_FORWARDED_FOR=COLLEAGUE) == 302

    def test_with_one_trusted_proxy_a_forged_leftmost_address_is_ignored(self, member, limits):
        limits.TRUSTED_PROXY_COUNT = 1
        # given an attacker who prepends a fresh forged address to each request; the proxy appends the real one
        for number, username in enumerate(("wang", "li", "zhang", "liu") * 4):
            forged = f"192.0.2.{number + 1}, {ATTACKER}"
            _sign_in(PROXY, username, "wrong", HTTP_X_FORWARDED_FOR=forged)
        # then the failures still count against the address the proxy saw
        assert _sign_in(PROXY, "mei", PASSWORD, HTTP_X_FORWARDED_FOR=ATTACKER) == 429

    def test_without_a_trusted_proxy_a_forwarded_header_is_not_believed(self, member):
        # given failures sent straight to the server with a different forged address each time
        for number, username in enumerate(("wang", "li", "zhang", "liu") * 4):
            _sign_in(ATTACKER, username, "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{number + 1}")
        # then they all count against the connecting address
        assert _sign_in(ATTACKER, "mei", PASSWORD) == 429
