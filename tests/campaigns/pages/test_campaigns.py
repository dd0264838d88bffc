"""Campaign pages through Django's test client: list filters, create flow, co-branding, the audience form.

Review, results and the partner portal are analytics pages: tests/analytics/pages/test_experiments.py."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from campaigns.models import Campaign
from tests.builders.html import text
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


def test_the_list_filters_by_status_and_shows_status_tags(manager_client, platform_org):
    CampaignFactory(organization=platform_org, name="春季联名", status=Campaign.Status.RUNNING)
    CampaignFactory(organization=platform_org, name="秋季草稿")
    page = manager_client.get("/campaigns/", {"status": "running"}).content.decode()
    assert "春季联名" in page and "秋季草稿" not in page
    assert 'data-status="running"' in page


def test_the_list_is_empty_with_an_explanation(manager_client):
    assert "No campaigns yet" in manager_client.get("/campaigns/").content.decode()


def test_a_manager_creates_a_campaign_with_two_variants(manager_client, homely):
    now = timezone.localtime()
    response = manager_client.post(
        "/campaigns/new/",
        {
            "name": "新家课程包",
            "partners": [homely.pk],
            "starts_at": (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (now + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"),
            "budget": "8000",
            "purposes": ["marketing_contact"],
            "allocation_policy": "thompson",
            "attribution_model": "last_touch",
            "attribution_window_days": 7,
            "frequency_cap": 0,
            "control_name": "原版",
            "treatment_name": "赠代金券",
        },
    )
    campaign = Campaign.objects.get(name="新家课程包")
    assert response.status_code == 302 and response["Location"] == f"/campaigns/{campaign.pk}/"
    assert list(campaign.variants.values_list("key", flat=True)) == ["control", "treatment"]
    detail = manager_client.get(response["Location"]).content.decode()
    assert "Submit for review" in detail and "Homely" in detail


def test_co_branding_is_saved_with_a_validated_logo(manager_client, platform_org, homely):
    campaign = CampaignFactory(organization=platform_org)
    campaign.partners.add(homely)
    buffer = io.BytesIO()
    Image.new("RGB", (30, 30), "blue").save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = "logo.png"
    saved = manager_client.post(
        f"/campaigns/{campaign.pk}/co-branding/{homely.pk}/",
        {
            f"p{homely.pk}-display_name": "Homely",
            f"p{homely.pk}-landing_copy_zh": "欢迎",
            f"p{homely.pk}-landing_copy_en": "Welcome",
            f"p{homely.pk}-logo": buffer,
        },
    )
    assert saved.status_code == 302
    logo = manager_client.get(f"/campaigns/{campaign.pk}/logo/{homely.pk}/")
    assert logo.status_code == 200 and logo["Content-Type"] == "image/png"


def test_the_audience_form_names_event_types_and_city_tiers_in_the_readers_language(manager_client, platform_org):
    campaign = CampaignFactory(organization=platform_org)
    english = manager_client.get(f"/campaigns/{campaign.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = manager_client.get(f"/campaigns/{campaign.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    form = f"form[action=/campaigns/{campaign.pk}/audience/]"
    assert "Add to cart" in text(english, form) and "Tier 1 city" in text(english, form)
    assert ">add_to_cart<" not in english
    assert "加入购物车" in text(chinese, form) and "1 线城市" in text(chinese, form)
