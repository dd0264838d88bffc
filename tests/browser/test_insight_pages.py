"""An analyst reads segments and forecasts in Chinese and English, in a real browser, with screenshots."""

import pytest

from analytics.models import Forecast, Segment
from analytics.services.forecasts import forecasts_build
from analytics.services.profiles import profiles_build
from analytics.services.segments import segments_build
from campaigns.models import Role
from tests.builders.shop import seed_shop
from tests.factories import MembershipFactory, PlatformFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"
FAST = ["seasonal_naive", "dow_mean_8w", "market_model"]


@pytest.fixture
def analysed(transactional_db):
    platform = PlatformFactory(slug="zhishi", name="知识星球学院")
    MembershipFactory(organization=platform, role=Role.ANALYST, user__username="analyst")
    seed_shop(platform, consumers=40, days=42)
    profiles_build(organization=platform)
    segments_build(organization=platform)
    forecasts_build(organization=platform, horizon=14, top_categories=1, candidates=FAST)
    return platform


def sign_in(page, live_server, next_path: str, *, language: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/?next={next_path}")
    page.locator("input[name=username]").fill("analyst")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(f"{live_server.url}{next_path}")


def test_analyst_reads_segments_in_chinese_and_english(page_in, live_server, analysed, screenshot):
    segment = Segment.objects.filter(organization=analysed, is_current=True).order_by("-size").first()
    for locale, language, name, heading in (
        ("zh-CN", "zh-hans", segment.name_zh, "人群分群"),
        ("en-US", "en", segment.name_en, "Segments"),
    ):
        page = page_in(locale)
        sign_in(page, live_server, "/segments/", language=language)
        assert page.locator("h1").inner_text() == heading
        row = page.locator(f'tr[data-segment-key="{segment.key}"]')
        assert name in row.inner_text()
        assert row.locator("[data-size]").inner_text().replace(",", "") == str(segment.size)
        page.locator("#segment-centroid-chart .main-svg").first.wait_for()  # plotly drew the chart
        page.locator("#segment-pca-chart .main-svg").first.wait_for()
        screenshot(page, f"segments-{language}")

        row.get_by_role("link", name=name).click()
        page.wait_for_url(f"**/segments/{segment.pk}/")
        assert page.locator('[data-kpi="size"]').inner_text().replace(",", "") == str(segment.size)
        page.locator("#centroid-table").wait_for()
        screenshot(page, f"segment-detail-{language}")


def test_analyst_reads_a_forecast_with_its_backtest(page_in, live_server, analysed, screenshot):
    forecast = Forecast.objects.get(organization=analysed, series_kind="total", metric="revenue")
    for locale, language, title in (("zh-CN", "zh-hans", "需求预测"), ("en-US", "en", "Forecasts")):
        page = page_in(locale)
        sign_in(page, live_server, "/forecasts/", language=language)
        assert page.locator("h1").inner_text() == title
        page.locator("#forecast-chart .main-svg").first.wait_for()
        assert page.locator('tr[data-series="total"][data-metric="revenue"]').count() == 1
        screenshot(page, f"forecasts-{language}")

        page.goto(f"{live_server.url}/forecasts/{forecast.pk}/")
        chosen = page.locator("#backtest-table tr[data-chosen]")
        assert chosen.count() == 1
        assert page.locator("#backtest-table tbody tr").count() == len(forecast.backtest)
        page.locator("#forecast-chart .main-svg").first.wait_for()
        screenshot(page, f"forecast-detail-{language}")


def test_empty_segments_page_offers_the_run_button(page_in, live_server, transactional_db, screenshot):
    platform = PlatformFactory(slug="zhishi", name="知识星球学院")
    MembershipFactory(organization=platform, role=Role.ANALYST, user__username="analyst")
    page = page_in("en-US")
    sign_in(page, live_server, "/segments/", language="en")
    assert page.get_by_text("No segments yet — run the analytics pipeline").is_visible()
    assert page.get_by_role("button", name="Run the analytics pipeline").is_visible()
    screenshot(page, "segments-empty-en")
