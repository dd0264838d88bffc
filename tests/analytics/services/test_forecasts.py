"""Forecasts built from stored events: the total and top categories with their backtest, a zero series, and market
indicators as drivers."""

import pytest

from analytics.models import Forecast
from analytics.services.forecasts import forecasts_build
from tests.builders.shop import FAST_FORECASTERS, seed_shop

pytestmark = pytest.mark.django_db


def test_forecasts_of_the_total_and_top_categories_are_stored_with_their_backtest(platform, forecast_shop):
    # then revenue, units and orders of the total and of both categories were forecast
    assert forecast_shop["forecasts"] == 9
    total = Forecast.objects.get(organization=platform, series_kind="total", metric="revenue")
    assert {row["model"] for row in total.backtest} >= set(FAST_FORECASTERS)
    assert sum(1 for row in total.backtest if row["chosen"]) == 1
    assert total.points.filter(predicted__isnull=False).count() == 14
    assert all(p.lower <= p.predicted <= p.upper for p in total.points.filter(predicted__isnull=False))


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
    result = forecasts_build(
        organization=platform, horizon=7, top_categories=0, metrics=("revenue",), candidates=FAST_FORECASTERS
    )

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
    forecasts_build(
        organization=platform, horizon=7, top_categories=0, metrics=("revenue",), candidates=FAST_FORECASTERS
    )

    # then the indicator is stored once per day and appears among the drivers
    assert MarketIndicator.objects.filter(organization=platform).count() == 60
    forecast = Forecast.objects.get(organization=platform, metric="revenue")
    assert "indicator__home_sales" in forecast.drivers
