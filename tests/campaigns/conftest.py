"""A platform campaign with Homely as its partner and one offer, for the offer API and page tests."""

from decimal import Decimal

import pytest

from campaigns.services.offers import offer_create
from tests.factories import CampaignFactory


@pytest.fixture
def campaign(platform, partner):
    return CampaignFactory(organization=platform, budget=Decimal("1000.00"), partners=[partner])


@pytest.fixture
def offer(campaign):
    return offer_create(campaign=campaign, name="收纳课+家居券", by=None, unit_cost=Decimal("25.00"))
