"""A staff preview computes the served list without serving it, and a list that is not personalised says why: in the
API as a code, on the preview page in the reader's language beside the consumer's consent in force."""

from django.utils import timezone
from rest_framework.test import APIClient

from analytics.models import Event
from campaigns.models import ApiScope, AuditEvent, Consumer, DataPurpose, Role
from recommender.models import RecommendationLog
from recommender.services.pipeline import pipeline_run
from tests.builders.html import texts
from tests.builders.recommender import grant
from tests.factories import AgreementFactory, MembershipFactory, OrganizationFactory, issue_api_key

API = "/api/v1/recommendations/"
PREVIEW = "/recommendations/preview/"


def api_answer(organization, consumer: str, catalog: str = "zhishi") -> dict:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {issue_api_key(organization, [ApiScope.RECOMMENDATIONS_READ])}")
    response = client.get(API, {"consumer": consumer, "catalog": catalog})
    assert response.status_code == 200, response.content
    return response.json()


def preview(client, organization, consumer: str, language: str, catalog: str = "zhishi") -> str:
    client.force_login(MembershipFactory(organization=organization, role=Role.ANALYST).user)
    response = client.get(PREVIEW, {"consumer": consumer, "catalog": catalog}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def previewed_titles(html: str) -> list[str]:
    return texts(html, "#preview-recommendations strong")


def test_a_staff_preview_shows_the_served_list_without_recording_a_served_list(client, world):
    # given a trained champion
    platform, _items, _people = world
    pipeline_run(organization=platform, target=platform)
    # when an analyst previews consumer c0
    html = preview(client, platform, "c0", "en")
    # then the page shows the list, the preview is audited, and no served list was recorded
    assert previewed_titles(html)
    assert AuditEvent.objects.filter(action="recommendations.preview").count() == 1
    assert not RecommendationLog.objects.exists()
    # and it is the very list the API serves (which the API does record)
    served = api_answer(platform, "c0")
    assert previewed_titles(html) == [item["title"] for item in served["items"]]
    assert RecommendationLog.objects.count() == 1


def test_a_personalised_list_has_no_reason_and_a_withdrawal_gives_no_consent(world):
    # given a trained champion and consumer c1 served personally
    platform, _items, people = world
    pipeline_run(organization=platform, target=platform)
    first = api_answer(platform, "c1")
    assert first["personalized"] is True and first["non_personalized_reason"] is None
    # when c1 withdraws personalization consent
    grant(people[1], DataPurpose.PERSONALIZATION, granted=False)
    # then the next answer says why it is not personalised
    second = api_answer(platform, "c1")
    assert second["personalized"] is False and second["non_personalized_reason"] == "no_consent"


def test_a_catalogue_without_a_champion_answers_no_model(world):
    platform, _items, _people = world
    body = api_answer(platform, "c0")
    assert body["personalized"] is False and body["non_personalized_reason"] == "no_model"
    assert body["items"] == [] and body["model_version"] is None


def test_a_consumer_without_history_at_training_is_a_cold_start_until_events_arrive(world):
    # given a consented consumer without events, and a champion trained without them
    platform, items, _people = world
    newcomer = Consumer.objects.create(organization=platform, external_ref="newcomer", city="上海")
    grant(newcomer)
    pipeline_run(organization=platform, target=platform)
    # then they are a cold start
    assert api_answer(platform, "newcomer")["non_personalized_reason"] == "no_history"
    # when they buy something after the training
    Event.objects.create(
        organization=platform,
        consumer=newcomer,
        item=items[0],
        type="purchase",
        occurred_at=timezone.now(),
        external_id="newcomer-1",
    )
    # then their history is newer than the model
    assert api_answer(platform, "newcomer")["non_personalized_reason"] == "new_since_training"


def test_the_preview_says_why_a_list_is_not_personalised_and_shows_consent_in_both_languages(client, world):
    # given a trained champion and consumer c2 who withdrew personalization consent
    platform, _items, people = world
    pipeline_run(organization=platform, target=platform)
    grant(people[2], DataPurpose.PERSONALIZATION, granted=False)
    # when an analyst previews c2 in English and in Chinese
    english = preview(client, platform, "c2", "en")
    chinese = preview(client, platform, "c2", "zh-hans")
    # then popular items show with the cause, and the consent card shows the withdrawal
    assert previewed_titles(english)
    assert 'data-reason="no_consent"' in english
    assert "Why not personalised: No personalization consent in force" in english
    assert "未个性化的原因：没有生效的个性化推荐同意" in chinese
    consent = english.split('data-consent="personalization"', 1)[1].split("</dd>", 1)[0]
    assert "Withdrawn" in consent
    assert "已撤回" in chinese.split('data-consent="personalization"', 1)[1].split("</dd>", 1)[0]


def test_the_preview_empty_state_names_missing_sharing_consent_rather_than_training(client, world):
    # given a partner under an active agreement, and consumer c0 who never consented to sharing with it
    platform, _items, _people = world
    partner = OrganizationFactory(slug="homely", name="Homely")
    AgreementFactory(
        platform=platform, partner=partner, purposes=[DataPurpose.PARTNER_SHARING, DataPurpose.PERSONALIZATION]
    )
    # when an analyst previews c0 on the partner's catalogue
    english = preview(client, platform, "c0", "en", catalog="homely")
    chinese = preview(client, platform, "c0", "zh-hans", catalog="homely")
    # then the empty state names the consent, and the consent card shows the sharing answer is missing
    empty = english.split('id="preview-empty"', 1)[1].split("</div>", 1)[0]
    assert "has not consented to sharing with this catalogue's organization" in empty
    assert "Train a model" not in empty and "train a model" not in empty
    assert "Sharing with Homely" in english
    assert "No record: not consented" in english.split('data-consent="partner_sharing"', 1)[1].split("</dd>", 1)[0]
    assert "该消费者未同意与此目录所属机构共享数据" in chinese


def test_the_preview_empty_state_asks_for_a_training_when_no_model_serves_the_catalogue(client, world):
    platform, _items, _people = world
    english = preview(client, platform, "c0", "en")
    chinese = preview(client, platform, "c0", "zh-hans")
    assert "No model serves this catalogue yet: train a model for this catalogue first." in english
    assert 'data-reason="no_model"' in english
    assert "该目录还没有模型：请先为该目录训练模型。" in chinese


def test_another_organizations_caller_learns_only_that_the_list_is_not_personalised(world):
    # given a trained platform catalogue, a partner under an agreement, and consumer c0 who shares with the partner
    # but has withdrawn personalization consent
    platform, _items, people = world
    pipeline_run(organization=platform, target=platform)
    partner = OrganizationFactory(slug="homely")
    AgreementFactory(platform=platform, partner=partner)
    grant(people[0], DataPurpose.PARTNER_SHARING, recipient=partner)
    grant(people[0], granted=False)
    # when the platform and the partner ask for c0's list
    own = api_answer(platform, "c0")
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {issue_api_key(partner, [ApiScope.RECOMMENDATIONS_READ])}")
    theirs = client.get(API, {"consumer": "c0", "catalog": "zhishi", "consumer_org": platform.slug}).json()
    # then the platform is told the consent is missing, the partner only that the list is not personalised
    assert own["personalized"] is False and own["non_personalized_reason"] == "no_consent"
    assert theirs["personalized"] is False and theirs["non_personalized_reason"] is None


def test_the_preview_shows_history_and_reasons_and_is_audited(client, world):
    platform, _items, _people = world
    pipeline_run(organization=platform, target=platform)
    html = preview(client, platform, "c0", "en")
    assert 'id="preview-history"' in html and "Because you bought" in html
    assert AuditEvent.objects.filter(action="recommendations.preview").exists()
