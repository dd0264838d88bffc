"""A privacy administrator works the request queue in Chinese and English in a real browser (Debian's chromium)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.models import Consumer, DataPurpose, Role
from campaigns.services.consent import consent_record
from campaigns.services.privacy import dsr_create
from tests.factories import AgreementFactory, ConsumerFactory, MembershipFactory, OrganizationFactory, PlatformFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"


@pytest.fixture
def privacy_world(transactional_db):
    platform = PlatformFactory(slug="zhishi", name="知识星球学院")
    homely = OrganizationFactory(slug="homely", name="Homely 家居")
    AgreementFactory(platform=platform, partner=homely, title="2026 家居联名数据共享协议")
    consumers = [ConsumerFactory(organization=platform, external_ref=f"learner-{n}") for n in range(8)]
    for consumer in consumers[:6]:
        consent_record(
            consumer=consumer, purpose=DataPurpose.PERSONALIZATION, granted=True, policy_version="2026-01", source="app"
        )
    late = dsr_create(
        organization=platform,
        external_ref="learner-1",
        kind="access",
        received_at=timezone.now() - timedelta(days=20),
    )
    erasure = dsr_create(organization=platform, external_ref="learner-2", kind="erasure")
    MembershipFactory(organization=platform, role=Role.PRIVACY_ADMIN, user__username="privacy")
    return {"late": late, "erasure": erasure}


def sign_in(page, live_server, username: str, *, user_label: str, password_label: str, button: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label(user_label).fill(username)
    page.get_by_label(password_label).fill(PASSWORD)
    page.get_by_role("button", name=button).click()
    page.wait_for_url(f"{live_server.url}/")


def test_privacy_admin_reads_the_overview_and_erases_a_consumer(page_in, live_server, privacy_world, screenshot):
    page = page_in("zh-CN")
    sign_in(page, live_server, "privacy", user_label="用户名", password_label="密码", button="登录")

    page.goto(f"{live_server.url}/privacy/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator('[data-kpi="open-requests"]').inner_text() == "2"
    assert page.locator('tr[data-purpose="personalization"] td.num').last.inner_text() == "75.0%"
    screenshot(page, "privacy-home-zh-hans")

    page.goto(f"{live_server.url}/privacy/requests/")
    late_row = page.locator(f'tr[data-request="{privacy_world["late"].pk}"]')
    assert late_row.get_attribute("data-overdue") == "true"
    assert late_row.locator(".badge.text-bg-danger").is_visible()
    screenshot(page, "privacy-requests-zh-hans")

    page_en = page_in("en-US")
    sign_in(page_en, live_server, "privacy", user_label="Username", password_label="Password", button="Sign in")
    page_en.goto(f"{live_server.url}/privacy/requests/{privacy_world['erasure'].pk}/")
    assert page_en.locator("h1").inner_text() == f"Erasure request #{privacy_world['erasure'].pk}"
    page_en.get_by_role("button", name="Erase the consumer").click()
    page_en.wait_for_load_state()
    assert page_en.get_by_text("erased (only a keyed-hash tombstone remains)").is_visible()
    assert not Consumer.objects.filter(external_ref="learner-2").exists()
    screenshot(page_en, "privacy-request-erased-en")

    page_en.goto(f"{live_server.url}/privacy/audit/")
    assert page_en.locator('tr[data-action="dsr.erase"]').count() == 1
    screenshot(page_en, "privacy-audit-log-en")
