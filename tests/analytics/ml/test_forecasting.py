import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.ar_model import AutoReg, ar_select_order
from statsmodels.tsa.holtwinters import ExponentialSmoothing

from analytics.ml.forecasting import (
    AutoForecaster,
    AutoRegForecaster,
    DayOfWeekMeanForecaster,
    ExponentialSmoothingForecaster,
    MarketModelForecaster,
    SeasonalNaiveForecaster,
    daily_demand,
    default_candidates,
    prepare_daily_series,
    winsorize_upper,
)


def weekly_series(days: int = 120, seed: int = 0) -> pd.Series:
    rng = np.random.default_rng(seed)
    index = pd.date_range("2024-01-01", periods=days, freq="D")  # a Monday
    weekday_level = np.array([100, 110, 120, 115, 130, 0, 60], dtype=float)
    values = weekday_level[index.day_of_week] * (1 + 0.002 * np.arange(days)) + rng.normal(0, 5, days)
    return pd.Series(np.clip(values, 0, None), index=index)


def test_seasonal_naive_repeats_the_last_week():
    series = weekly_series(21)

    forecast = SeasonalNaiveForecaster().fit(series).predict(10)

    np.testing.assert_array_equal(forecast.to_numpy(), np.tile(series.to_numpy()[-7:], 2)[:10])
    assert forecast.index[0] == series.index[-1] + pd.Timedelta(days=1)


def test_day_of_week_mean_averages_the_same_weekday_of_recent_weeks():
    series = weekly_series(35)

    forecast = DayOfWeekMeanForecaster(weeks=2).fit(series).predict(7)

    last_two_weeks = series.to_numpy()[-14:]
    np.testing.assert_allclose(forecast.to_numpy(), (last_two_weeks[:7] + last_two_weeks[7:]) / 2)


def test_autoreg_candidate_equals_statsmodels_used_directly():
    series = weekly_series()
    values = series.to_numpy()

    forecast = AutoRegForecaster(max_lag=14, ic="aic").fit(series).predict(14)

    selected = ar_select_order(values, maxlag=14, ic="aic", trend="c", seasonal=True, period=7).ar_lags
    direct = AutoReg(values, lags=selected, trend="c", seasonal=True, period=7).fit()
    np.testing.assert_allclose(forecast.to_numpy(), direct.predict(start=len(values), end=len(values) + 13))


def test_exponential_smoothing_candidate_equals_statsmodels_used_directly():
    series = weekly_series()

    forecast = ExponentialSmoothingForecaster().fit(series).predict(14)

    direct = ExponentialSmoothing(
        series.to_numpy(),
        trend="add",
        damped_trend=True,
        seasonal="add",
        seasonal_periods=7,
        initialization_method="estimated",
    ).fit()
    np.testing.assert_allclose(forecast.to_numpy(), direct.forecast(14))


def test_market_model_recovers_a_promotion_driver():
    index = pd.date_range("2024-01-01", periods=140, freq="D")
    promotion = pd.DataFrame({"promotion": (np.arange(140) % 10 == 0).astype(float)}, index=index)
    series = pd.Series(100.0 + 50.0 * promotion["promotion"].to_numpy(), index=index)

    model = MarketModelForecaster(log_transform=False, ridge=0.0, window_days=None).fit(series, promotion)

    assert model.drivers_["promotion"] == pytest.approx(50.0)
    assert model.drivers_["trend_per_week"] == pytest.approx(0.0, abs=1e-9)


def test_gaps_become_zero_days():
    sparse = pd.Series([5.0, 7.0], index=pd.to_datetime(["2024-01-01", "2024-01-04"]))

    assert prepare_daily_series(sparse).tolist() == [5.0, 0.0, 0.0, 7.0]


def test_winsorize_clips_a_local_spike_but_keeps_ordinary_days():
    series = weekly_series(84)
    spiked = series.copy()
    spiked.iloc[40] = 10_000.0

    clipped, count = winsorize_upper(spiked)

    assert count >= 1 and clipped.iloc[40] < 1_000
    assert (clipped.drop(clipped.index[40]) <= spiked.drop(spiked.index[40])).all()


def test_auto_forecaster_chooses_from_its_backtest_and_gives_ordered_intervals():
    series = weekly_series(150)
    candidates = {name: model for name, model in default_candidates().items() if name != "sarimax"}  # speed

    auto = AutoForecaster(horizon=14, candidates=candidates, n_validation_origins=3).fit(series)
    forecast = auto.predict()

    assert len(forecast) == 14 and list(forecast.columns) == ["forecast", "lower", "upper"]
    assert (forecast["lower"] <= forecast["forecast"]).all() and (forecast["forecast"] <= forecast["upper"]).all()
    assert auto.chosen_ in [*candidates, "combination"]
    assert sum(auto.weights_.values()) == pytest.approx(1.0)
    assert set(auto.backtest_.columns) >= {"mae", "mase", "smape", "weight"}
    assert auto.drivers_ is not None and "trend_per_week" in auto.drivers_


def test_empty_series_is_a_clear_error():
    with pytest.raises(ValueError, match="empty"):
        AutoForecaster().fit(pd.Series([], index=pd.DatetimeIndex([]), dtype=float))


def test_one_day_history_is_a_clear_error():
    with pytest.raises(ValueError, match="only one day of history"):
        AutoForecaster().fit(pd.Series([3.0], index=pd.to_datetime(["2024-01-01"])))


def test_all_zero_series_forecasts_zero_and_says_so():
    zeros = pd.Series(0.0, index=pd.date_range("2024-01-01", periods=60, freq="D"))

    auto = AutoForecaster(horizon=7).fit(zeros)

    assert auto.chosen_ == "zero"
    assert auto.predict()["forecast"].eq(0).all()
    assert any("all zero" in note for note in auto.notes_)


def test_short_history_falls_back_and_notes_it():
    short = pd.Series([4.0, 6.0, 5.0], index=pd.date_range("2024-01-01", periods=3, freq="D"))

    auto = AutoForecaster(horizon=7).fit(short)

    assert auto.chosen_ == "recent_mean"
    assert auto.predict()["forecast"].tolist() == [5.0] * 7
    assert any("too short" in note for note in auto.notes_)


def test_history_too_short_for_a_backtest_uses_the_simplest_candidate_unvalidated():
    series = weekly_series(20)

    auto = AutoForecaster(horizon=28).fit(series)

    assert auto.chosen_ in {"seasonal_naive", "dow_mean_8w"}
    assert any("unvalidated" in note for note in auto.notes_)
    assert len(auto.predict()) == 28


def test_daily_demand_nets_refunds_counts_orders_and_fills_gaps():
    events = pd.DataFrame(
        {
            "type": ["purchase", "purchase", "refund", "view", "purchase"],
            "value": [10.0, 5.0, 4.0, 0.0, 7.0],
            "quantity": [2, 1, 1, 1, 3],
            "order_id": ["o1", "o1", "r1", None, "o2"],
            "category": ["home", "course", "home", "home", "home"],
            "occurred_at": pd.to_datetime(
                ["2024-01-01 09:00", "2024-01-01 10:00", "2024-01-03", "2024-01-03", "2024-01-04"], format="ISO8601"
            ),
        }
    )

    totals = daily_demand(events)
    by_category = daily_demand(events, by="category")

    assert totals["revenue"].tolist() == [15.0, 0.0, -4.0, 7.0]
    assert totals["units"].tolist() == [3.0, 0.0, -1.0, 3.0]
    assert totals["orders"].tolist() == [1.0, 0.0, 0.0, 1.0]
    assert by_category["revenue__home"].tolist() == [10.0, 0.0, -4.0, 7.0]
    assert by_category["revenue__course"].tolist() == [5.0, 0.0, 0.0, 0.0]


def test_auto_forecaster_passes_caller_exog_to_the_market_model_drivers():
    series = weekly_series(120)
    dates = pd.date_range(series.index[0], periods=120 + 14, freq="D")
    promotion = pd.DataFrame({"promotion": (np.arange(len(dates)) % 9 == 0).astype(float)}, index=dates)
    candidates = {"seasonal_naive": SeasonalNaiveForecaster(), "market_model": MarketModelForecaster()}

    auto = AutoForecaster(horizon=14, candidates=candidates, n_validation_origins=2).fit(
        series + 40.0 * promotion["promotion"].iloc[:120].to_numpy(), exog=promotion
    )

    assert auto.drivers_["promotion"] == pytest.approx(40.0, rel=0.2)
    assert len(auto.predict()) == 14
