"""Offers through the API: the list with pool stats and spend, and changing terms before launch only."""

from decimal import Decimal

import pytest

from campaigns.models import Campaign, CodePool
from campaigns.services.offers import code_pool_create, code_redeem, codes_import, offer_create
from tests.factories import CampaignFactory, CatalogItemFactory

pytestmark = pytest.mark.django_db


def test_the_offer_list_shows_each_pool_and_the_spend_against_the_budget(manager_api_client, campaign, offer):
    pool = code_pool_create(offer=offer, name="双十一", by=None)
    codes_import(pool=pool, codes=["A1", "A2", "A3"], by=None)
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.RUNNING)
    code_redeem(pool=CodePool.objects.get(pk=pool.pk), consumer=None, redemption_ref="order-1")

    body = manager_api_client.get(f"/api/v1/campaigns/{campaign.pk}/offers/").json()

    assert body["budget"] == "1000.00" and body["spent"] == "25.00" and body["remaining"] == "975.00"
    (row,) = body["offers"]
    assert (row["id"], row["redeemed"], row["spend"]) == (offer.pk, 1, "25.00")
    assert row["pools"] == [{"id": pool.pk, "name": "双十一", "total": 3, "redeemed": 1, "remaining": 2}]


def test_an_offers_terms_change_before_launch_and_only_the_fields_sent(manager_api_client, campaign, offer, partner):
    voucher = CatalogItemFactory(organization=partner, title="收纳柜 100 元券")
    url = f"/api/v1/campaigns/{campaign.pk}/offers/{offer.pk}/"

    response = manager_api_client.patch(url, {"partner": partner.pk, "voucher_item": voucher.pk}, format="json")

    assert response.status_code == 200, response.content
    offer.refresh_from_db()
    assert (offer.partner, offer.voucher_item, offer.unit_cost) == (partner, voucher, Decimal("25.00"))


def test_an_unknown_item_is_refused_naming_the_field(manager_api_client, campaign, offer):
    response = manager_api_client.patch(
        f"/api/v1/campaigns/{campaign.pk}/offers/{offer.pk}/", {"course": 987654}, format="json"
    )
    assert response.status_code == 400
    assert "course" in response.json()["error"]["fields"]


def test_terms_are_frozen_once_the_campaign_runs(manager_api_client, campaign, offer):
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.RUNNING)
    response = manager_api_client.patch(
        f"/api/v1/campaigns/{campaign.pk}/offers/{offer.pk}/", {"unit_cost": "1.00"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "offer_frozen"
    offer.refresh_from_db()
    assert offer.unit_cost == Decimal("25.00")


def test_another_campaigns_offer_is_not_found(manager_api_client, campaign, platform):
    elsewhere = offer_create(campaign=CampaignFactory(organization=platform), name="别处", by=None)
    response = manager_api_client.patch(
        f"/api/v1/campaigns/{campaign.pk}/offers/{elsewhere.pk}/", {"name": "x"}, format="json"
    )
    assert response.status_code == 404
