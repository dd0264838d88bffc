"""Review reasons are stored as codes with parameters and read in the reader's language, on pages and in the API."""

from datetime import date

import pytest
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from campaigns.models import Campaign, Role
from campaigns.services.campaigns import AudienceEstimate, campaign_submit_for_review
from campaigns.services.review_messages import review_message
from tests.builders.campaigns import ready_campaign
from tests.factories import AgreementFactory, CampaignFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def reviewed_without_agreement(platform_org, homely) -> Campaign:
    campaign = CampaignFactory(organization=platform_org)
    campaign.partners.add(homely)
    return campaign_submit_for_review(campaign=campaign, by=None, audience=None)


def page_client(organization, language: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(MembershipFactory(organization=organization, role=Role.CAMPAIGN_MANAGER).user)
    return client


def api_client(organization, language: str) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(MembershipFactory(organization=organization, role=Role.CAMPAIGN_MANAGER).user)
    return client


def test_each_check_is_stored_with_a_code_parameters_and_an_english_reason(platform_org, homely):
    campaign = reviewed_without_agreement(platform_org, homely)
    agreement = next(c for c in campaign.review_report["checks"] if c["key"] == "agreement")
    assert agreement["code"] == "agreement_missing" and agreement["params"] == {"partner": "Homely 家居"}
    assert agreement["reason"] == "No active data-sharing agreement with Homely 家居."
    assert all(c["code"] and c["reason"] for c in campaign.review_report["checks"])


def test_a_reason_is_rendered_in_the_active_language_with_translated_parameters():
    check = {"code": "agreement_incomplete", "params": {"partner": "Homely", "missing": ["purchases", "segments"]}}
    with translation.override("en"):
        english = review_message(check)
    with translation.override("zh-hans"):
        chinese = review_message(check)
    assert english.startswith("The agreement with Homely does not cover:") and "Purchases" in english
    assert chinese.startswith("与 Homely 的协议未涵盖：") and "、" in chinese and "Purchases" not in chinese


def test_a_report_stored_before_codes_existed_keeps_its_text():
    assert review_message({"key": "dates", "passed": False, "reason": "Old text."}) == "Old text."


def test_the_detail_page_shows_the_reasons_in_chinese_for_a_chinese_reader(platform_org, homely):
    campaign = reviewed_without_agreement(platform_org, homely)
    page = page_client(platform_org, "zh-hans").get(f"/campaigns/{campaign.pk}/").content.decode()
    assert "与 Homely 家居 没有生效的数据共享协议。" in page
    assert "尚未估算受众规模。" in page
    assert "No active data-sharing agreement" not in page


def test_the_detail_page_shows_the_same_report_in_english_for_an_english_reader(platform_org, homely):
    campaign = reviewed_without_agreement(platform_org, homely)
    page = page_client(platform_org, "en").get(f"/campaigns/{campaign.pk}/").content.decode()
    assert "No active data-sharing agreement with Homely 家居." in page
    assert "没有生效的数据共享协议" not in page


def test_the_api_returns_a_stable_code_and_a_message_in_the_request_language(platform_org, homely):
    campaign = reviewed_without_agreement(platform_org, homely)
    url = f"/api/v1/campaigns/{campaign.pk}/"
    chinese = api_client(platform_org, "zh-hans").get(url).json()["review_report"]["checks"]
    english = api_client(platform_org, "en").get(url).json()["review_report"]["checks"]
    assert [c["code"] for c in chinese] == [c["code"] for c in english]
    agreement_zh = next(c for c in chinese if c["key"] == "agreement")
    agreement_en = next(c for c in english if c["key"] == "agreement")
    assert agreement_zh["message"] == "与 Homely 家居 没有生效的数据共享协议。"
    assert agreement_en["message"] == "No active data-sharing agreement with Homely 家居."


def test_the_review_api_answers_a_passing_review_in_chinese_with_the_coverage_and_budget(platform_org, homely):
    campaign = ready_campaign(platform_org, [homely], agreements=False)
    AgreementFactory(platform=platform_org, partner=homely, valid_from=date(2026, 1, 1))
    estimate = AudienceEstimate(matching=4, contactable=3)
    campaign = campaign_submit_for_review(campaign=campaign, by=None, audience=estimate)
    assert campaign.status == Campaign.Status.APPROVED
    checks = api_client(platform_org, "zh-hans").get(f"/api/v1/campaigns/{campaign.pk}/").json()["review_report"]
    messages = {c["code"]: c["message"] for c in checks["checks"]}
    assert messages["audience_ok"] == "4 位匹配的消费者中有 3 位同意营销联系（75%）；只有他们会进入受众。"
    assert messages["budget_ok"] == "预算 ¥1,000.00。"


def test_large_audience_counts_read_the_chinese_way_in_chinese_and_with_separators_in_english():
    check = {"code": "audience_ok", "params": {"contactable": 12000, "matching": 48000, "coverage": 0.25}}
    with translation.override("zh-hans"):
        assert review_message(check).startswith("4.8万 位匹配的消费者中有 1.2万 位同意营销联系（25%）")
    with translation.override("en"):
        assert review_message(check).startswith("12,000 of 48,000 matching consumers")
