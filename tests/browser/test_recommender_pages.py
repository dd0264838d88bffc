"""An analyst opens the recommendation models page (empty, then trained), reads the comparison, metric history and
served lists in Chinese and English, and previews one consumer's recommendations with their reasons, and another's
non-personalised list with its cause and consent; opens a model version's report from the versions table."""

import pytest
from django.utils import timezone

from campaigns.models import Consumer, DataPurpose, Role
from recommender.models import ModelVersion, RecommendationFeedback, RecommendationLog
from recommender.services.pipeline import pipeline_run
from recommender.services.serving import serving_cache_clear
from tests.builders.recommender import grant, make_world
from tests.factories import MembershipFactory, PlatformFactory

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
    assert page.locator("#served-lists-empty").is_visible()

    # once the champion served two lists, one shown and clicked: the served-lists section counts them
    champion = ModelVersion.objects.get(organization=world, is_champion=True)
    for ref, kinds in (("c0", ["shown", "clicked"]), ("c1", [])):
        log = RecommendationLog.objects.create(
            organization=world,
            consumer=Consumer.objects.get(organization=world, external_ref=ref),
            target=world,
            model_version=champion,
            personalized=True,
            item_ids=[],
        )
        item = champion.recommendations.filter(consumer=log.consumer).first().item
        for kind in kinds:
            RecommendationFeedback.objects.create(served=log, item=item, kind=kind, occurred_at=timezone.now())
    page.goto(f"{live_server.url}/recommendations/")
    row = page.locator(f'#served-lists-table [data-served-version="{champion.pk}"]')
    assert row.locator("[data-rate=ctr]").inner_text() == "100.0%"
    assert "点击率" in page.locator("#served-lists-table thead").inner_text()
    page.locator("#metric-history-chart .main-svg").first.wait_for()
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
    assert "Click-through rate" in english.locator("#served-lists-table thead").inner_text()
    screenshot(english, "recommendation-models-en")

    # a candidate's report opens from the All model versions table: its metrics and its gap to the champion
    candidate = ModelVersion.objects.filter(organization=world, is_champion=False).first()
    english.locator(f'#versions-table tr[data-version="{candidate.pk}"] a').click()
    english.wait_for_url(f"{live_server.url}/recommendations/models/{candidate.pk}/")
    ndcg = english.locator('#version-metrics tr[data-metric="ndcg@10"] td').first.inner_text()
    assert ndcg == f"{candidate.metric('validation', 'ndcg@10'):.4f}"
    assert f"Champion: {champion.label} #{champion.pk}" in english.locator("#version-champion").inner_text()
    assert english.locator('#champion-comparison tr[data-compared="ndcg@10"]').is_visible()
    screenshot(english, "recommendation-model-detail-en")

    # a consumer who withdrew personalization consent: popular items, the cause, and the consent in force
    grant(Consumer.objects.get(organization=world, external_ref="c2"), DataPurpose.PERSONALIZATION, granted=False)
    english.goto(f"{live_server.url}/recommendations/preview/?consumer=c2&catalog=zhishi")
    assert "No personalization consent in force" in english.locator("#preview-reason").inner_text()
    assert "Withdrawn" in english.locator("[data-consent=personalization]").inner_text()
    assert english.locator("#preview-recommendations li").count() > 0
    screenshot(english, "recommendation-preview-no-consent-en")
    page.goto(f"{live_server.url}/recommendations/preview/?consumer=c2&catalog=zhishi")
    assert "没有生效的个性化推荐同意" in page.locator("#preview-reason").inner_text()
    screenshot(page, "recommendation-preview-no-consent-zh-hans")
