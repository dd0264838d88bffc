"""A campaign with one offer and an empty code pool, for the redemption tests."""

from decimal import Decimal

from campaigns.models import Campaign, CodePool
from campaigns.services.offers import code_pool_create, offer_create
from tests.factories import CampaignFactory


def pool_for(budget="100.00", unit_cost="10.00", status=Campaign.Status.RUNNING) -> tuple[Campaign, CodePool]:
    campaign = CampaignFactory(status=status, budget=Decimal(budget))
    offer = offer_create(campaign=campaign, name="课程+代金券", by=None, unit_cost=Decimal(unit_cost))
    return campaign, code_pool_create(offer=offer, name="pool", by=None)
