"""A shop with forecasts, shared by the forecast service and API tests."""

import pytest

from analytics.services.forecasts import forecasts_build
from tests.builders.shop import FAST_FORECASTERS, seed_shop


@pytest.fixture
def forecast_shop(platform):
    seed_shop(platform, consumers=30, days=50)
    return forecasts_build(organization=platform, horizon=14, top_categories=2, candidates=FAST_FORECASTERS)
