"""GET /api/v1/forecasts/?series=...: the caller's organization's current forecasts with points and backtest."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from analytics.models import Forecast
from analytics.services.forecasts import forecasts_build
from campaigns.models import Role
from tests.builders.shop import seed_shop
from tests.factories import MembershipFactory, issue_api_key

pytestmark = pytest.mark.django_db
FAST = ["seasonal_naive", "dow_mean_8w", "market_model"]


@pytest.fixture
def forecast_shop(platform):
    seed_shop(platform, consumers=30, days=50)
    return forecasts_build(organization=platform, horizon=14, top_categories=2, candidates=FAST)


def test_forecasts_of_the_total_and_top_categories_are_stored_with_their_backtest(platform, forecast_shop):
    # then revenue, units and orders of the total and of both categories were forecast
    assert forecast_shop["forecasts"] == 9
    total = Forecast.objects.get(organization=platform, series_kind="total", metric="revenue")
    assert {row["model"] for row in total.backtest} >= set(FAST)
    assert sum(1 for row in total.backtest if row["chosen"]) == 1
    assert total.points.filter(predicted__isnull=False).count() == 14
    assert all(p.lower <= p.predicted <= p.upper for p in total.points.filter(predicted__isnull=False))


def test_the_api_filters_by_series_and_metric(platform, forecast_shop):
    # given an analyst
    client = APIClient()
    client.force_authenticate(MembershipFactory(organization=platform, role=Role.ANALYST).user)

    # when they ask for the total revenue series
    body = client.get(reverse("api:forecast-list"), {"series": "total", "metric": "revenue"}).json()

    # then exactly that forecast comes back with 14 future points and the backtest table
    assert [row["series"] for row in body["results"]] == ["total"]
    row = body["results"][0]
    assert row["metric"] == "revenue" and row["chosen_model"]
    assert sum(1 for point in row["points"] if point["predicted"] is not None) == 14
    assert row["backtest"][0]["mae"] is not None
    # and a category series by name
    body = client.get(reverse("api:forecast-list"), {"series": "category:home"}).json()
    assert {row["metric"] for row in body["results"]} == {"units", "orders", "revenue"}


def test_an_unknown_series_is_a_400_naming_the_parameter(platform, forecast_shop):
    client = APIClient()
    client.force_authenticate(MembershipFactory(organization=platform, role=Role.ANALYST).user)
    response = client.get(reverse("api:forecast-list"), {"series": "planet:mars"})
    assert response.status_code == 400
    assert "series" in response.json()["error"]["fields"]


def test_a_partner_key_reads_only_its_own_organizations_forecasts(platform, partner, forecast_shop):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {issue_api_key(partner, ['campaigns:read'])}")
    assert client.get(reverse("api:forecast-list")).json()["results"] == []


def test_an_all_zero_series_is_stored_as_a_zero_forecast_with_its_note(platform):
    # given purchases whose refunds cancel them every day
    from decimal import Decimal

    from django.utils import timezone

    from analytics.models import Event

    now = timezone.now()
    events = []
    for day in range(20):
        for kind in ("purchase", "refund"):
            occurred_at = now - timezone.timedelta(days=day)
            events.append(
                Event(organization=platform, type=kind, value=Decimal("10"), occurred_at=occurred_at,
                      external_id=f"z-{day}-{kind}")
            )  # fmt: skip
    Event.objects.bulk_create(events)

    # when forecast
    result = forecasts_build(organization=platform, horizon=7, top_categories=0, metrics=("revenue",), candidates=FAST)

    # then the forecast is zero and says why
    forecast = Forecast.objects.get(organization=platform, metric="revenue")
    assert result["forecasts"] == 1 and forecast.chosen_model == "zero"
    assert "all zero" in forecast.notes[0]


def test_market_indicators_are_imported_and_enter_the_market_model_as_drivers(platform, tmp_path):
    # given a shop and a CSV of a daily indicator
    from datetime import timedelta
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    from analytics.models import MarketIndicator

    seed_shop(platform, consumers=30, days=50)
    today = timezone.localdate()
    path = tmp_path / "indicators.csv"
    lines = ["date,name,value"] + [f"{today - timedelta(days=d)},home_sales,{100 + d % 7}" for d in range(60)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    # when imported twice (idempotent) and forecast with the market model
    for _run in range(2):
        call_command("import_market_indicators", str(path), "--org", platform.slug, stdout=StringIO())
    forecasts_build(organization=platform, horizon=7, top_categories=0, metrics=("revenue",), candidates=FAST)

    # then the indicator is stored once per day and appears among the drivers
    assert MarketIndicator.objects.filter(organization=platform).count() == 60
    forecast = Forecast.objects.get(organization=platform, metric="revenue")
    assert "indicator__home_sales" in forecast.drivers
