"""Hardening: secure cookies and HSTS off DEBUG, a content security policy, login throttling, keys that cannot be
read back, and no personal data in logs."""

import logging

import pytest
from django.conf import settings
from django.test import Client

from campaigns.models import ApiScope, Consumer, PartnerApiKey, Role
from campaigns.services.api_keys import api_key_create
from tests.factories import MembershipFactory, UserFactory

PASSWORD = "correct-horse-battery"


class TestTransportSecurity:
    def test_cookies_are_secure_and_hsts_is_on_when_debug_is_off(self):
        # given the test settings (DEBUG off, no SECURE_COOKIES override)
        assert settings.DEBUG is False
        assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE and settings.SESSION_COOKIE_HTTPONLY
        assert settings.SECURE_HSTS_SECONDS >= 31_536_000

    def test_an_https_response_carries_hsts_and_a_content_security_policy(self, db):
        response = Client().get("/accounts/login/", secure=True)
        assert response.status_code == 200
        assert response["Strict-Transport-Security"].startswith("max-age=31536000")
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
        script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
        assert "'unsafe-inline'" not in script_src  # no inline script may run, injected or ours
        assert "Content-Security-Policy-Report-Only" in response.headers
        assert response["X-Frame-Options"] == "DENY"

    def test_the_sign_in_form_sets_a_csrf_cookie_that_is_secure(self, db):
        response = Client().get("/accounts/login/", secure=True)
        assert response.cookies["csrftoken"]["secure"] is True


class TestLoginThrottling:
    @pytest.fixture
    def user(self, platform):
        user = UserFactory(username="lena")
        user.set_password(PASSWORD)
        user.save()
        MembershipFactory(user=user, organization=platform, role=Role.ANALYST)
        return user

    def test_five_failures_lock_the_account_out_with_a_translated_message(self, user):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        # given wrong passwords up to the limit (the last one locks)
        for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
            assert client.post("/accounts/login/", {"username": "lena", "password": "wrong"}).status_code == 200
        assert client.post("/accounts/login/", {"username": "lena", "password": "wrong"}).status_code == 429
        # when the right one comes next, then the sign-in page refuses with the lockout message
        response = client.post("/accounts/login/", {"username": "lena", "password": PASSWORD})
        assert response.status_code == 429
        assert "Too many failed sign-in attempts" in response.content.decode()
        chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").post(
            "/accounts/login/", {"username": "lena", "password": PASSWORD}
        )
        assert chinese.status_code == 429
        assert "登录失败次数过多" in chinese.content.decode()

    def test_wrong_current_passwords_on_the_password_change_count_and_sign_the_session_out(self, user):
        # given a signed-in session (borrowed, say) guessing the current password on the password change form
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        guess = {
            "old_password": "wrong",
            "new_password1": "Lantern-Orchid-2026",
            "new_password2": "Lantern-Orchid-2026",
        }
        for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
            assert client.post("/accounts/password/change/", guess).status_code == 200
        # when the guesses reach the sign-in limit
        client.post("/accounts/password/change/", guess)
        # then the session is signed out, and neither the form nor the sign-in page takes the right password now
        assert client.get("/accounts/password/change/").status_code == 302
        assert Client().post("/accounts/login/", {"username": "lena", "password": PASSWORD}).status_code == 429
        user.refresh_from_db()
        assert user.check_password(PASSWORD)

    def test_a_correct_password_before_the_limit_signs_in(self, user):
        client = Client()
        client.post("/accounts/login/", {"username": "lena", "password": "wrong"})
        response = client.post("/accounts/login/", {"username": "lena", "password": PASSWORD})
        assert response.status_code == 302


class TestKeysAreNotRetrievable:
    def test_neither_the_admin_nor_any_api_read_shows_the_secret(self, platform):
        # given a key issued once
        issued = api_key_create(organization=platform, name="crm", scopes=list(ApiScope.values))
        key = PartnerApiKey.objects.get(pk=issued.api_key.pk)
        secret_part = issued.secret.split(".", 1)[1]
        assert secret_part not in key.hashed_key
        # when a superuser opens it in the admin
        staff = UserFactory(is_staff=True, is_superuser=True)
        client = Client()
        client.force_login(staff)
        page = client.get(f"/admin/campaigns/partnerapikey/{key.pk}/change/")
        assert page.status_code == 200
        # then the secret is nowhere, and the schema offers no operation that returns keys
        assert secret_part not in page.content.decode()
        schema = client.get("/api/schema/?format=json").content.decode()
        assert "hashed_key" not in schema and "api-keys" not in schema


class TestNoPersonalDataInLogs:
    def test_consumer_ingestion_logs_no_raw_phone_or_email(self, platform, caplog, partner_key_client):
        # given raw identifiers sent through the API with every logger at DEBUG
        client = partner_key_client([ApiScope.CONSUMERS_WRITE], organization=platform)
        rows = [
            {"external_ref": "p-1", "phone": "+86 138-0013-8000", "email": "Lena.Wu@Example.cn"},
            {"external_ref": "p-2", "phone": "13912345678", "email": "zhang.san@example.com"},
            {"external_ref": "p-3", "phone": "13700000000", "email": "not-an-email"},
        ]
        with caplog.at_level(logging.DEBUG):
            accepted = client.post("/api/v1/consumers/batch/", {"consumers": rows[:2]}, format="json")
            client.post("/api/v1/consumers/batch/", {"consumers": rows}, format="json")  # an invalid batch too
        assert accepted.status_code == 200, accepted.content
        assert Consumer.objects.filter(organization=platform).count() == 2
        # then no log record holds a raw value, in its message or its arguments
        raw = [
            "13800138000",
            "138-0013-8000",
            "lena.wu@example.cn",
            "13912345678",
            "zhang.san@example.com",
            "not-an-email",
            "13700000000",
        ]
        text = "\n".join(f"{r.getMessage()} {r.args!r} {getattr(r, 'request', '')}" for r in caplog.records).lower()
        assert caplog.records, "nothing was logged at DEBUG: the test would prove nothing"
        assert not [value for value in raw if value.lower() in text]
