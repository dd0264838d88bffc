"""An analyst opens the recommendation models page (empty, then trained), reads the comparison and metric history in
Chinese and English, and previews one consumer's recommendations with their reasons."""

import pytest

from campaigns.models import Role
from recommender.services.serving import serving_cache_clear
from recommender.services.training import pipeline_run
from tests.factories import MembershipFactory, PlatformFactory
from tests.recommender.conftest import make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"


@pytest.fixture
def world(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    serving_cache_clear()
    platform = PlatformFactory(slug="zhishi", name="知识星球学院")
    make_world(platform)
    MembershipFactory(organization=platform, role=Role.ANALYST, user__username="analyst")
    yield platform
    serving_cache_clear()


def sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(f"{live_server.url}/")


def test_analyst_reads_models_and_previews_recommendations_in_chinese_and_english(
    page_in, live_server, world, screenshot
):
    page = page_in("zh-CN")
    sign_in(page, live_server, "analyst")
    # the rail leads to the page; before any training it shows the empty state with "Train now"
    page.goto(f"{live_server.url}/recommendations/")
    assert page.locator("[data-action=train]").is_visible()
    screenshot(page, "recommendation-models-empty-zh-hans")

    # after a training: champion, comparison table, metric history chart and coverage
    pipeline_run(organization=world, target=world)
    page.goto(f"{live_server.url}/recommendations/")
    page.locator("#metric-history-chart .main-svg").first.wait_for()
    assert page.locator("#comparison-table tbody tr").count() >= 5
    assert page.locator("[data-kpi=coverage]").is_visible()
    screenshot(page, "recommendation-models-zh-hans")

    page.goto(f"{live_server.url}/recommendations/preview/?consumer=c0&catalog=zhishi")
    assert page.locator("#preview-recommendations li").count() > 0
    assert "因为您购买过" in page.locator("#preview-recommendations").inner_text()
    screenshot(page, "recommendation-preview-zh-hans")

    english = page_in("en-US")
    sign_in(english, live_server, "analyst")
    english.goto(f"{live_server.url}/recommendations/preview/?consumer=c0&catalog=zhishi")
    assert "Because you bought" in english.locator("#preview-recommendations").inner_text()
    screenshot(english, "recommendation-preview-en")
    english.goto(f"{live_server.url}/recommendations/")
    english.locator("#metric-history-chart .main-svg").first.wait_for()
    screenshot(english, "recommendation-models-en")
