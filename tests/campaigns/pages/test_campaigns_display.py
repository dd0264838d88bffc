"""How campaign pages read (Django test client): the stored audience, review checks and KPI cards on the detail page,
Chinese punctuation in the code-pool import problems."""

import re

import pytest

from campaigns.models import Campaign, Role
from campaigns.services.offers import offer_create
from tests.factories import CampaignFactory, SegmentFactory

pytestmark = pytest.mark.django_db


def test_a_stored_audience_reads_as_labelled_rules_with_segment_names(analyst_client, platform_org):
    # Given a campaign whose audience is one segment, two age bands and an event rule
    segment = SegmentFactory(organization=platform_org, key=1, name_zh="夜读者", name_en="Night readers")
    campaign = CampaignFactory(
        organization=platform_org,
        audience={"segment_ids": [segment.pk], "rules": {"age_bands": ["18-24", "25-34"], "event_types": ["purchase"]}},
    )
    # When an analyst (who cannot edit it) opens the campaign
    page = analyst_client.get(f"/campaigns/{campaign.pk}/").content.decode()
    # Then the audience is a definition list of labels and values, never the stored JSON
    assert '<dl class="row mb-0 audience-rules">' in page
    assert '<dt class="col-sm-4">Segments</dt><dd class="col-sm-8">Night readers</dd>' in page
    assert '<dt class="col-sm-4">Age bands</dt><dd class="col-sm-8">18-24, 25-34</dd>' in page
    assert '<dt class="col-sm-4">Did at least once</dt><dd class="col-sm-8">Purchase</dd>' in page
    assert "segment_ids" not in page and "{&#x27;" not in page


def test_an_empty_audience_says_everyone_the_purposes_allow_in_both_languages(analyst_client, platform_org):
    # Given a campaign without audience rules
    campaign = CampaignFactory(organization=platform_org, audience={})
    # When it is opened in English and in Chinese
    english = analyst_client.get(f"/campaigns/{campaign.pk}/").content.decode()
    chinese = analyst_client.get(f"/campaigns/{campaign.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    # Then it says who the audience is instead of showing "{}"
    assert "Everyone the purposes allow" in english and "<pre" not in english
    assert "目的允许的所有人" in chinese


def test_review_checks_are_text_badges_and_kpis_use_the_dashboard_cards(manager_client, platform_org):
    # Given a draft campaign that was just reviewed (it fails: no partner)
    campaign = CampaignFactory(organization=platform_org, status=Campaign.Status.DRAFT)
    # When its page is opened after the review
    page = manager_client.post(f"/campaigns/{campaign.pk}/review/", follow=True).content.decode()
    # Then each check carries a coloured pass/fail badge with words, not an emoji the fonts cannot draw
    assert 'text-bg-danger check-badge">Fail</span>' in page
    assert "✅" not in page and "❌" not in page
    # And the KPI cards are the dashboard's kpi-card structure
    assert 'class="card kpi"' not in page and page.count('class="card kpi-card h-100"') == 4


def test_a_repeated_code_names_its_first_line_in_full_width_brackets_in_chinese(sign_in, platform_org):
    # Given an offer and a pasted list with one code twice
    campaign = CampaignFactory(organization=platform_org)
    offer = offer_create(campaign=campaign, name="收纳课", by=None)
    client = sign_in(Role.CAMPAIGN_MANAGER, platform_org)
    # When a Chinese reader imports it
    page = client.post(
        f"/campaigns/{campaign.pk}/offers/{offer.pk}/code-pools/new/",
        {"name": "重复", "source": "import", "codes": "A1\nA1\n"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    ).content.decode()
    # Then the problem points at the first line in Chinese brackets
    assert "（首次出现在第 1 行）" in page and "(首次" not in page


def test_campaign_and_audience_checkboxes_use_bootstrap_form_checks_like_the_api_key_form(
    manager_client, platform_org, homely
):
    # Given a partner to choose and a draft campaign whose audience is editable
    campaign = CampaignFactory(organization=platform_org)
    # When the new-campaign form and the campaign page are opened
    form = manager_client.get("/campaigns/new/").content.decode()
    detail = manager_client.get(f"/campaigns/{campaign.pk}/").content.decode()
    # Then every checkbox is a labelled Bootstrap form-check, as django-bootstrap5 draws the API key's scopes
    assert '<div class="form-check">' in form and 'class="form-check-input"' in form
    assert 'class="form-check-label"' in form and "Homely" in form
    age_bands = re.findall(r'<input[^>]*name="age_bands"[^>]*>', detail)
    assert len(age_bands) == 6 and all('class="form-check-input"' in tag for tag in age_bands)
