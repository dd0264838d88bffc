"""The models page shows how served lists did per catalogue and model version: lists, personalised share, feedback,
click-through and conversion rates over the last 30 days."""

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.models import Role
from recommender.models import ModelVersion, RecommendationFeedback, RecommendationLog
from recommender.selectors.served import served_list_stats
from recommender.services.pipeline import pipeline_run
from tests.builders.html import text, texts
from tests.factories import (
    CatalogItemFactory,
    MembershipFactory,
    ModelVersionFactory,
    OrganizationFactory,
    PlatformFactory,
    RecommendationLogFactory,
)

Kind = RecommendationFeedback.Kind


def version(organization, label: str, *, champion: bool, days_ago: int) -> ModelVersion:
    return ModelVersionFactory(
        organization=organization,
        algorithm=label,
        label=label,
        status=ModelVersion.Status.CHAMPION if champion else ModelVersion.Status.RETIRED,
        is_champion=champion,
        trained_at=timezone.now() - timedelta(days=days_ago),
    )


def served(organization, model_version, *, personalized=True, feedback=(), days_ago=0, target=None):
    item = CatalogItemFactory(organization=target or organization)
    log = RecommendationLogFactory(
        organization=organization,
        target=target or organization,
        model_version=model_version,
        personalized=personalized,
        item_ids=[item.pk],
    )
    if days_ago:
        RecommendationLog.objects.filter(pk=log.pk).update(served_at=timezone.now() - timedelta(days=days_ago))
    for kind in feedback:
        RecommendationFeedback.objects.create(served=log, item=item, kind=kind, occurred_at=timezone.now())
    return log


@pytest.fixture
def served_world(db):
    """Zhishi's champion served 4 lists (3 personalised): one shown, clicked and converted; one shown; one clicked
    without a shown event; one without feedback. The previous champion served 2, one shown. Also: one list without a
    model, one 31 days old, and one served to another organization."""
    platform = PlatformFactory(slug="zhishi", name="知识星球学院")
    champion = version(platform, "hybrid", champion=True, days_ago=1)
    previous = version(platform, "ease-l2-300", champion=False, days_ago=10)
    served(platform, champion, feedback=(Kind.SHOWN, Kind.CLICKED, Kind.CONVERTED))
    served(platform, champion, feedback=(Kind.SHOWN,))
    served(platform, champion, feedback=(Kind.CLICKED,))
    served(platform, champion, personalized=False)
    served(platform, previous, feedback=(Kind.SHOWN,))
    served(platform, previous, days_ago=20)
    served(platform, None, personalized=False)
    served(platform, champion, feedback=(Kind.SHOWN, Kind.CLICKED), days_ago=31)
    other = OrganizationFactory(slug="other")
    served(other, version(other, "popularity", champion=True, days_ago=1), feedback=(Kind.CLICKED,))
    return platform, champion, previous


def test_served_lists_are_counted_per_model_version_champion_first_over_the_last_30_days(served_world):
    platform, champion, previous = served_world
    # when the organization's served lists are read
    (catalogue,) = served_list_stats(organization=platform)
    # then the champion comes first, then the previous version, then lists served without a model
    assert catalogue.target == platform
    assert [s.version for s in catalogue.versions] == [champion, previous, None]
    ours, theirs, without = catalogue.versions
    assert (ours.lists, ours.personalised, ours.shown, ours.clicked, ours.converted) == (4, 3, 3, 2, 1)
    assert ours.personalised_share == pytest.approx(0.75)
    assert ours.click_through_rate == pytest.approx(2 / 3)
    assert ours.conversion_rate == pytest.approx(1 / 3)
    assert (theirs.lists, theirs.shown, theirs.clicked, theirs.click_through_rate) == (2, 1, 0, 0.0)
    assert (without.lists, without.personalised_share, without.click_through_rate) == (1, 0.0, None)


def test_another_organization_sees_only_its_own_served_lists(served_world):
    other = OrganizationFactory(slug="other")
    (catalogue,) = served_list_stats(organization=other)
    assert catalogue.target == other and [s.lists for s in catalogue.versions] == [1]


def test_the_models_page_shows_served_lists_per_model_version_in_english_and_chinese(client, served_world):
    # given the served lists above, when an analyst opens the models page in both languages
    platform, champion, previous = served_world
    client.force_login(MembershipFactory(organization=platform, role=Role.ANALYST).user)
    english = client.get("/recommendations/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get("/recommendations/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    # then the section shows the champion's row with its rates, and the previous version's
    assert "Served lists, last 30 days" in english and "近 30 天已提供的推荐列表" in chinese
    assert "Click-through rate" in english and "点击率" in chinese
    row = f"tr[data-served-version={champion.pk}]"
    assert f"hybrid #{champion.pk}" in text(english, row)
    assert "4" in texts(english, f"{row} td.num") and "75.0%" in texts(english, f"{row} td.num")
    assert text(english, f"{row} [data-rate=ctr]") == "66.7%"
    assert text(english, f"{row} [data-rate=conversion]") == "33.3%"
    assert f'data-served-version="{previous.pk}"' in english and 'data-served-version="none"' in english
    assert "No model (popular items)" in english and "无模型（热门商品）" in chinese
    assert 'id="served-lists-empty"' not in english


def test_the_served_lists_section_is_empty_until_the_api_serves_and_previews_do_not_count(client, world):
    # given a trained champion that only a staff preview has used
    platform, _items, _people = world
    pipeline_run(organization=platform, target=platform)
    client.force_login(MembershipFactory(organization=platform, role=Role.ANALYST).user)
    client.get("/recommendations/preview/", {"consumer": "c0", "catalog": "zhishi"})
    # when the models page opens in both languages
    english = client.get("/recommendations/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get("/recommendations/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    # then the section says what it will show and that previews are not counted
    assert 'id="served-lists-empty"' in english
    assert "No lists served in this period" in english and "Previews are not counted." in english
    assert "此期间没有提供推荐列表" in chinese
