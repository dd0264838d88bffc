"""A campaign manager signs in, reads the dashboard in Chinese, switches to English, and visits partners and jobs."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from analytics.models import DailyEventRollup, EventType
from campaigns.models import ApiScope, DataPurpose, Role, TaskRun
from campaigns.services.api_keys import api_key_create
from tests.factories import (
    AgreementFactory,
    ConsentRecordFactory,
    ConsumerFactory,
    MembershipFactory,
    OrganizationFactory,
    PlatformFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"


@pytest.fixture
def demo(transactional_db):
    """A small but real world: a platform, two partners, consumers with consent, 60 days of rollups, jobs."""
    platform = PlatformFactory(slug="zhishi", name="知识星球学院")
    homely = OrganizationFactory(slug="homely", name="Homely 家居")
    OrganizationFactory(slug="skyline", name="Skyline 地产", industry="real_estate")
    AgreementFactory(platform=platform, partner=homely, title="2026 家居联名数据共享协议")
    api_key_create(organization=homely, name="订单同步", scopes=[ApiScope.EVENTS_WRITE, ApiScope.CATALOG_WRITE])
    consumers = ConsumerFactory.create_batch(12_345 // 1000, organization=platform)  # 12 consumers
    for index, consumer in enumerate(consumers):
        ConsentRecordFactory(consumer=consumer, granted=index % 3 != 0)
        ConsentRecordFactory(consumer=consumer, purpose=DataPurpose.MARKETING_CONTACT, granted=index % 2 == 0)
    today = timezone.localdate()
    DailyEventRollup.objects.bulk_create(
        DailyEventRollup(
            organization=platform,
            date=today - timedelta(days=offset),
            type=event_type,
            events=base + (offset * 37) % 90 + (400 if offset % 7 in (5, 6) else 0),
            value=Decimal(base * 99),
        )
        for offset in range(60)
        for event_type, base in ((EventType.VIEW, 1500), (EventType.CLICK, 600), (EventType.PURCHASE, 120))
    )
    now = timezone.now()
    rollup = TaskRun.objects.create(
        task_name="analytics.tasks.rollup.rollup_events",
        organization=platform,
        status=TaskRun.Status.SUCCEEDED,
        progress=100,
        message="Rolled up 130,200 events into 180 daily rows",
        started_at=now - timedelta(minutes=3, seconds=5),
        finished_at=now - timedelta(minutes=2),
    )
    failed = TaskRun.objects.create(
        task_name="analytics.tasks.pipeline.segment_consumers",
        organization=platform,
        status=TaskRun.Status.FAILED,
        progress=35,
        message="connection to server at 127.0.0.1, port 5432 failed",
        error="OperationalError: connection to server at 127.0.0.1, port 5432 failed",
        started_at=now - timedelta(minutes=10),
        finished_at=now - timedelta(minutes=9),
    )
    for run in (rollup, failed):  # requested a few seconds before they started, as a queued job is
        TaskRun.objects.filter(pk=run.pk).update(created_at=run.started_at - timedelta(seconds=4))
    manager = MembershipFactory(organization=platform, role=Role.CAMPAIGN_MANAGER, user__username="manager").user
    MembershipFactory(organization=homely, role=Role.PARTNER_USER, user__username="homely-user")
    events_30_days = sum(row.events for row in DailyEventRollup.objects.filter(date__gt=today - timedelta(days=30)))
    return {"manager": manager, "homely": homely, "events_30_days": events_30_days}


def sign_in(page, live_server, username: str, screenshot=None) -> None:
    page.goto(f"{live_server.url}/")
    page.wait_for_url("**/accounts/login/**")
    if screenshot is not None:
        screenshot(page, "login-zh-hans")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")


def wan(value: int) -> str:
    text = f"{value / 10_000:.2f}".rstrip("0").rstrip(".")
    return f"{text}万" if value >= 10_000 else f"{value:,}"


def test_manager_uses_the_console_in_chinese_and_english(page_in, live_server, demo, screenshot):
    page = page_in("zh-CN")

    # Chinese by default, from the browser's Accept-Language
    sign_in(page, live_server, "manager", screenshot)
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.locator(".js-plotly-plot .main-svg").first.wait_for(state="visible")
    assert page.locator("h1").inner_text() == "仪表盘"
    assert page.locator('[data-kpi="consumers"]').inner_text() == "12"
    assert page.locator('[data-kpi="partners"]').inner_text() == "2"
    assert page.locator('[data-kpi="events"]').inner_text() == wan(demo["events_30_days"])
    assert page.locator(".js-plotly-plot .gtitle").text_content() == "每日事件数"
    assert page.locator(".js-plotly-plot .scatterlayer .trace").count() == 3
    screenshot(page, "dashboard-zh-hans")

    page.get_by_role("link", name="合作伙伴", exact=True).click()
    page.wait_for_url("**/partners/")
    assert page.get_by_role("link", name="Homely 家居").is_visible()
    assert page.locator("#partner-table tbody tr").count() == 2
    screenshot(page, "partners-zh-hans")

    page.get_by_role("link", name="Homely 家居").click()
    assert page.get_by_text("2026 家居联名数据共享协议").is_visible()
    assert page.get_by_role("cell", name="订单同步", exact=True).is_visible()
    screenshot(page, "partner-detail-zh-hans")

    page.get_by_role("link", name="任务", exact=True).click()
    page.wait_for_url("**/jobs/")
    assert page.get_by_text("connection to server at 127.0.0.1, port 5432 failed").first.is_visible()
    assert page.locator('tr[data-status="succeeded"] .status-tag').inner_text() == "成功"
    screenshot(page, "jobs-zh-hans")

    # Switch to English with the language buttons in the top bar
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Jobs"
    assert page.locator('tr[data-status="failed"] .status-tag').inner_text() == "Failed"
    screenshot(page, "jobs-en")

    page.get_by_role("link", name="Partners", exact=True).click()
    page.wait_for_url("**/partners/")
    assert page.get_by_role("columnheader", name="Industry").is_visible()
    assert page.get_by_role("cell", name="Real estate", exact=True).is_visible()
    screenshot(page, "partners-en")

    page.get_by_role("link", name="Dashboard", exact=True).click()
    page.locator(".js-plotly-plot .main-svg").first.wait_for(state="visible")
    assert page.locator(".js-plotly-plot .gtitle").text_content() == "Events per day"
    assert page.locator('[data-kpi="events"]').inner_text() == f"{demo['events_30_days']:,}"
    assert page.get_by_text("Consent rates by purpose").is_visible()
    screenshot(page, "dashboard-en")


def test_manager_creates_an_api_key_and_sees_the_secret_once(page_in, live_server, demo, screenshot):
    page = page_in("en-US")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("manager")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/partners/{demo['homely'].pk}/")
    page.get_by_role("link", name="Create API key").first.click()
    page.get_by_label("Name").fill("Catalogue sync")
    page.get_by_label("Write catalogue items").check()
    screenshot(page, "api-key-form-en")
    page.get_by_role("button", name="Create key").click()

    secret = page.locator("[data-secret]").inner_text()
    assert secret.startswith("xmkt_")
    screenshot(page, "api-key-issued-en")
    page.reload()
    assert page.locator("[data-secret]").count() == 0
    assert page.get_by_text("The secret is no longer available").is_visible()

    # On a tablet the rail shrinks to icons and the page stays usable
    page.set_viewport_size({"width": 820, "height": 1180})
    page.goto(f"{live_server.url}/")
    page.locator(".js-plotly-plot .main-svg").first.wait_for(state="visible")
    assert page.get_by_role("link", name="Partners").is_visible()
    screenshot(page, "dashboard-en-tablet")


def test_partner_user_meets_a_translated_forbidden_page(page_in, live_server, demo, screenshot):
    page = page_in("zh-CN")
    sign_in(page, live_server, "homely-user")
    assert page.locator('[data-kpi="partners"]').inner_text() == "1"  # its own active agreements
    page.goto(f"{live_server.url}/partners/")
    assert page.locator("h1").inner_text() == "无权访问"
    assert page.get_by_text("此页面仅供平台员工使用。").is_visible()
    screenshot(page, "forbidden-zh-hans")


def test_jobs_page_shows_progress_live_and_stops_polling_when_done(page_in, live_server, transactional_db, screenshot):
    # given a running job
    platform = PlatformFactory(slug="zhishi", name="知识星球学院")
    MembershipFactory(organization=platform, role=Role.ANALYST, user__username="analyst")
    run = TaskRun.objects.create(
        task_name="analytics.tasks.rollup.rollup_events",
        organization=platform,
        status=TaskRun.Status.RUNNING,
        progress=40,
        message="Counting events by day",
        started_at=timezone.now(),
    )
    page = page_in("en-US")
    page.goto(f"{live_server.url}/accounts/login/?next=/jobs/")
    page.get_by_label("Username").fill("analyst")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/jobs/")
    row = page.locator(f'tr[data-run="{run.pk}"]')
    assert row.get_by_role("progressbar").get_attribute("aria-valuenow") == "40"

    # when the worker reports progress, the page follows without a reload
    TaskRun.objects.filter(pk=run.pk).update(progress=80, message="Writing daily rollups")
    page.wait_for_function(
        f"document.querySelector('tr[data-run=\"{run.pk}\"] [role=progressbar]').getAttribute('aria-valuenow') === '80'"
    )
    assert "Writing daily rollups" in row.inner_text()
    screenshot(page, "jobs-live-progress-en")

    # and once the run is done the tag turns green and polling stops
    TaskRun.objects.filter(pk=run.pk).update(status=TaskRun.Status.SUCCEEDED, progress=100, finished_at=timezone.now())
    page.locator('#job-table[data-polling="false"]').wait_for()
    assert row.locator(".status-tag").inner_text() == "Succeeded"


def test_manager_issues_and_revokes_a_key_in_chinese_and_reads_its_state_in_english(
    page_in, live_server, demo, screenshot
):
    page = page_in("zh-CN")
    sign_in(page, live_server, "manager")
    partner_page = f"{live_server.url}/partners/{demo['homely'].pk}/"

    # Issue a key in Chinese: the form, the secret shown once, and where the API is documented
    page.goto(partner_page)
    page.get_by_role("link", name="创建 API 密钥").first.click()
    page.get_by_label("名称").fill("订单回传")
    page.get_by_label("写入商品目录").check()
    screenshot(page, "api-key-form-zh-hans")
    page.get_by_role("button", name="创建密钥").click()
    assert page.locator("[data-secret]").inner_text().startswith("xmkt_")
    assert page.locator("[data-api-docs]").inner_text() == "API 参考文档（OpenAPI）"
    screenshot(page, "api-key-issued-zh-hans")

    # Revoke it from the partner page, through the confirmation page
    page.goto(partner_page)
    page.get_by_role("link", name="吊销 订单回传").click()
    assert page.locator("h1").inner_text() == "吊销 API 密钥"
    screenshot(page, "api-key-revoke-zh-hans")
    page.get_by_role("button", name="吊销密钥").click()
    page.wait_for_url(partner_page)
    row = page.locator("tr", has_text="订单回传")
    assert row.locator(".status-tag").inner_text() == "已吊销"
    assert row.get_by_role("link", name="吊销 订单回传").count() == 0

    # The same page in English
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("tr", has_text="订单回传").locator(".status-tag").inner_text() == "Revoked"
    screenshot(page, "partner-detail-en")


def test_manager_imports_a_csv_in_chinese_fixes_it_and_imports_it_in_english(
    page_in, live_server, demo, tmp_path, screenshot
):
    page = page_in("zh-CN")
    sign_in(page, live_server, "manager")
    bad = tmp_path / "catalogue.csv"
    bad.write_text("external_ref,kind,title,price\nsofa-1,product,云朵沙发,3999\nlamp-2,lamp,台灯,199\n", "utf-8")

    # From the Jobs page to the import page, in Chinese; a file with a bad row is refused and the row is named
    page.goto(f"{live_server.url}/jobs/")
    page.get_by_role("link", name="导入数据").click()
    page.wait_for_url("**/imports/")
    page.get_by_label("商品目录").check()
    page.get_by_label("CSV 文件（UTF-8，首行为表头）").set_input_files(str(bad))
    page.get_by_role("button", name="导入", exact=True).click()
    assert "文件中有 1 个问题，未导入任何数据。" in page.locator("#import-problems").inner_text()
    assert page.locator('.import-problem[data-line="3"]').is_visible()
    screenshot(page, "import-refused-zh-hans")

    # Fixed, and imported from the English page: the success message and the history row
    bad.write_text("external_ref,kind,title,price\nsofa-1,product,云朵沙发,3999\nlamp-2,product,台灯,199\n", "utf-8")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    page.get_by_label("Catalogue items").check()
    page.get_by_label("CSV file (UTF-8, header line first)").set_input_files(str(bad))
    page.get_by_role("button", name="Import", exact=True).click()
    page.wait_for_url("**/imports/")
    assert page.get_by_text("Catalogue items imported: 2 new, 0 updated, 0 already there (2 rows).").is_visible()
    assert page.locator('tr[data-ingest="items"]').count() == 1
    screenshot(page, "import-en")


def test_a_user_changes_the_password_from_the_user_menu_in_both_languages(page_in, live_server, demo, screenshot):
    page = page_in("zh-CN")
    sign_in(page, live_server, "manager")
    page.locator("#user-menu").click()
    page.get_by_role("link", name="修改密码").click()
    page.wait_for_url("**/accounts/password/change/")
    screenshot(page, "password-change-zh-hans")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill("a-new-long-passphrase-2026")
    page.get_by_label("Confirm new password").fill("a-new-long-passphrase-2026")
    page.get_by_role("button", name="Change password").click()
    page.wait_for_url("**/accounts/password/change/done/")
    assert page.locator("h1").inner_text() == "Password changed"
    screenshot(page, "password-change-done-en")
