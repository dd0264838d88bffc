"""A campaign manager creates a co-branded campaign in the browser, passes review, launches it, and reads the results
after simulated traffic — in English, then in Chinese; a partner user sees only thresholded aggregates."""

import io
import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from analytics.services.experiments import (
    assignment_get_or_create,
    campaign_reweight,
    conversions_record,
    exposures_record,
)
from campaigns.models import Campaign, DataPurpose, Role
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
def world(transactional_db):
    platform = PlatformFactory(slug="zhishi", name="知识星球学院")
    homely = OrganizationFactory(slug="homely", name="Homely 家居")
    AgreementFactory(
        platform=platform, partner=homely, title="家居联名协议", valid_from=date(2026, 1, 1), min_aggregate_size=20
    )
    consumers = ConsumerFactory.create_batch(60, organization=platform)
    for consumer in consumers:
        ConsentRecordFactory(consumer=consumer, purpose=DataPurpose.MARKETING_CONTACT)
    MembershipFactory(organization=platform, role=Role.CAMPAIGN_MANAGER, user__username="manager")
    MembershipFactory(organization=homely, role=Role.PARTNER_USER, user__username="homely")
    return {"platform": platform, "homely": homely, "consumers": consumers}


def sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(f"{live_server.url}/")


def png_file(tmp_path):
    path = tmp_path / "homely.png"
    buffer = io.BytesIO()
    Image.new("RGB", (120, 40), (22, 119, 255)).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def simulate_traffic(campaign: Campaign, consumers) -> None:
    now = timezone.now()
    for index, consumer in enumerate(consumers):
        variant = assignment_get_or_create(campaign=campaign, consumer=consumer, now=now - timedelta(days=3)).variant
        exposures_record(
            campaign=campaign,
            items=[
                {"consumer": consumer.external_ref, "external_id": f"e{index}", "occurred_at": now - timedelta(days=3)}
            ],
        )
        if index % (2 if variant.key == "treatment" else 5) == 0:
            conversions_record(
                campaign=campaign,
                items=[
                    {
                        "consumer": consumer.external_ref,
                        "external_id": f"o{index}",
                        "value": "199",
                        "occurred_at": now - timedelta(days=index % 3, hours=1),
                    }
                ],
            )


def reweight(campaign: Campaign) -> None:
    campaign_reweight(campaign=campaign, random_state=0)


def test_manager_creates_reviews_launches_and_reads_results(page_in, live_server, world, screenshot, tmp_path):
    page = page_in("en-US")
    sign_in(page, live_server, "manager")

    page.goto(f"{live_server.url}/campaigns/")
    assert page.get_by_text("No campaigns yet").is_visible()
    page.get_by_role("link", name="New campaign").click()
    # static/js/form-controls.js ran (it runs at the end of the body, after the field exists: wait for its class)
    expect(page.locator("#id_name")).to_have_class(re.compile(r"\bform-control\b"))
    expect(page.locator("#id_allocation_policy")).to_have_class(re.compile(r"\bform-select\b"))
    page.locator("#id_name").fill("Home renovation × Homely")
    page.get_by_label("Homely 家居").check()
    start = timezone.localtime() + timedelta(minutes=5)
    page.locator("#id_starts_at").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_ends_at").fill((start + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_budget").fill("20000")
    page.locator("#id_allocation_policy").select_option("thompson")
    page.locator("#id_treatment_name").fill("Course + voucher")
    screenshot(page, "campaign-create-en")
    page.get_by_role("button", name="Create campaign").click()
    page.wait_for_url("**/campaigns/*/")

    campaign = Campaign.objects.get(name="Home renovation × Homely")
    prefix = f"#id_p{world['homely'].pk}"
    expect(page.locator(f"{prefix}-display_name")).to_have_class(re.compile(r"\bform-control-sm\b"))
    page.locator(f"{prefix}-display_name").fill("Homely 家居")
    page.locator(f"{prefix}-logo").set_input_files(str(png_file(tmp_path)))
    page.locator(f"{prefix}-landing_copy_zh").fill("新房装修，家居好礼")
    page.locator(f"{prefix}-landing_copy_en").fill("New home, new furniture")
    page.get_by_role("button", name="Save co-branding").click()
    page.wait_for_load_state()
    assert page.locator(".co-branding img").is_visible()

    page.locator("#submit-review").click()
    page.wait_for_load_state()
    assert page.locator(".review-check").count() >= 6
    assert page.locator('.review-check[data-passed="false"]').count() == 0
    assert page.get_by_text("60 of 60 matching consumers").is_visible()
    screenshot(page, "campaign-detail-approved-en")

    page.locator('[data-action="launch"]').click()
    page.wait_for_load_state()
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.RUNNING
    assert page.locator('h1 .status-tag[data-status="running"]').is_visible()

    simulate_traffic(campaign, world["consumers"])
    reweight(campaign)
    page.get_by_role("link", name="Results").click()
    page.wait_for_url("**/results/")
    page.locator("#conversions-chart .main-svg").first.wait_for(state="visible")
    assert page.locator("#kpi-assigned").inner_text() == "60"
    assert page.locator("#arms-table tbody tr").count() == 2
    assert page.locator("#posterior-chart .scatterlayer .trace").count() == 2
    assert page.locator("#weights-chart").is_visible()
    assert page.get_by_role("cell", name="platform").is_visible()  # attributed revenue per party
    screenshot(page, "campaign-results-en")

    page.get_by_role("button", name="简体中文").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.locator("#posterior-chart .main-svg").first.wait_for(state="visible")
    assert "结果" in page.locator("h1").inner_text()
    screenshot(page, "campaign-results-zh-hans")
    page.goto(f"{live_server.url}/campaigns/")
    assert page.locator('#campaign-table .status-tag[data-status="running"]').inner_text() == "进行中"
    screenshot(page, "campaign-list-zh-hans")


def launched_with_traffic(world, policy: str = "fixed_split") -> Campaign:
    from campaigns.services.campaigns import AudienceEstimate, campaign_launch, campaign_submit_for_review
    from tests.builders.campaigns import ready_campaign

    campaign = ready_campaign(world["platform"], [world["homely"]], agreements=False, policy=policy)
    campaign = campaign_launch(
        campaign=campaign_submit_for_review(campaign=campaign, by=None, audience=AudienceEstimate(60, 60)), by=None
    )
    simulate_traffic(campaign, world["consumers"])
    return campaign


def test_partner_user_sees_own_campaign_with_small_cells_hidden(page_in, live_server, world, screenshot):
    campaign = launched_with_traffic(world)
    page = page_in("zh-CN")
    sign_in(page, live_server, "homely")
    page.goto(f"{live_server.url}/partner/campaigns/{campaign.pk}/")
    assert page.locator("#threshold-note").is_visible()
    assert page.locator("#partner-arms tbody tr").count() == 2
    screenshot(page, "partner-campaign-zh-hans")


def test_manager_adds_an_offer_and_code_pools_in_chinese_then_english(
    page_in, live_server, world, screenshot, tmp_path
):
    from tests.factories import CampaignFactory, CatalogItemFactory

    campaign = CampaignFactory(organization=world["platform"], name="春季联名", budget=5000)
    campaign.partners.add(world["homely"])
    CatalogItemFactory(organization=world["platform"], title="收纳整理入门课")
    CatalogItemFactory(organization=world["homely"], kind="product", title="家居代金券 50 元")
    page = page_in("zh-CN")
    sign_in(page, live_server, "manager")
    page.goto(f"{live_server.url}/campaigns/{campaign.pk}/")
    assert page.get_by_text("暂无优惠").is_visible() or page.locator("#offers .empty-state").is_visible()
    page.locator("#new-offer").click()
    page.locator("#id_name").fill("课程+家居券")
    page.locator("#id_course").select_option(label="收纳整理入门课")
    page.locator("#id_partner").select_option(label="Homely 家居")
    page.locator("#id_voucher_item").select_option(label="Homely 家居 · 家居代金券 50 元")
    page.locator("#id_unit_cost").fill("30")
    screenshot(page, "offer-form-zh-hans")
    page.locator("#offer-form button[type=submit]").click()
    page.wait_for_url("**/campaigns/*/#offers")
    assert page.locator("#offers-table tbody tr").count() == 1

    page.locator(".new-pool").first.click()
    page.locator("#id_name").fill("合作方券码")
    page.locator("#id_source_1").check()
    bad = tmp_path / "codes.csv"
    bad.write_text("code\nHOME-001\nHOME 002\nhome-001\n", encoding="utf-8")
    page.locator("#id_codes_file").set_input_files(str(bad))
    page.locator("#code-pool-form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".import-problem").count() == 2
    assert page.locator('.import-problem[data-line="3"]').is_visible()
    assert "未导入任何券码" in page.locator("#import-problems").inner_text()
    screenshot(page, "code-pool-import-problems-zh-hans")

    english = page_in("en-US")
    sign_in(english, live_server, "manager")
    english.goto(f"{live_server.url}/campaigns/{campaign.pk}/")
    english.locator(".new-pool").first.click()
    english.locator("#id_name").fill("Generated")
    english.locator("#id_generate").fill("250")
    english.get_by_role("button", name="Create code pool").click()
    english.wait_for_url("**/campaigns/*/#offers")
    assert english.locator(".pool-total").first.inner_text() == "250"
    assert english.locator(".pool-remaining").first.inner_text() == "250"
    assert "¥5,000.00" in english.locator("#spend-vs-budget").inner_text()
    screenshot(english, "campaign-offers-en")


def test_results_show_the_peeking_safe_read_out_and_the_bandit_sample_ratio_check(
    page_in, live_server, world, screenshot
):
    campaign = launched_with_traffic(world, policy="thompson")
    page = page_in("zh-CN")
    sign_in(page, live_server, "manager")
    page.goto(f"{live_server.url}/campaigns/{campaign.pk}/results/")
    assert page.locator("#peeking-table tbody tr").count() == 1
    assert "始终有效" in page.locator("#peeking").inner_text()
    assert page.locator('[data-basis="weight-history"]').count() == 1
    screenshot(page, "campaign-results-peeking-zh-hans")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert "Always-valid p" in page.locator("#peeking").inner_text()
    screenshot(page, "campaign-results-peeking-en")


def test_the_primary_actions_stay_right_of_a_long_lead_in_both_languages(page_in, live_server, world, screenshot):
    # Given a draft campaign whose description runs over several lines at 1280 px
    from tests.factories import CampaignFactory

    campaign = CampaignFactory(
        organization=world["platform"],
        name="春季家居联名",
        description="新房装修季的联名活动：课程加家居优惠券，面向近期浏览过收纳与装修课程的学员。" * 4,
    )
    for locale, name in (("en-US", "campaign-detail-long-lead-en"), ("zh-CN", "campaign-detail-long-lead-zh-hans")):
        page = page_in(locale)
        sign_in(page, live_server, "manager")
        # When the manager opens it
        page.goto(f"{live_server.url}/campaigns/{campaign.pk}/")
        heading = page.locator(".page-header .page-heading").bounding_box()
        actions = page.locator(".page-header .page-actions").bounding_box()
        # Then the actions sit on the right of the title block, level with its top, not wrapped under it
        assert actions["x"] >= heading["x"] + heading["width"]
        assert abs(actions["y"] - heading["y"]) < 8
        assert actions["x"] + actions["width"] > 1000
        buttons = [page.locator(selector).bounding_box() for selector in ("#submit-review", '[data-action="cancel"]')]
        assert abs(buttons[0]["y"] - buttons[1]["y"]) < 2  # side by side, not stacked in a narrow column
        expect(page.locator("#submit-review")).to_be_visible()
        screenshot(page, name)
