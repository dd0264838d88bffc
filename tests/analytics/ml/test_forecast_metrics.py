"""Forecast error metrics (MAE, sMAPE, MASE) against hand computations."""

import math

import pytest

from analytics.ml.forecast_metrics import mean_absolute_error, mean_absolute_scaled_error, symmetric_mape


def test_mae_by_hand():
    assert mean_absolute_error([1, 2, 3], [2, 2, 1]) == pytest.approx((1 + 0 + 2) / 3)


def test_smape_by_hand_with_a_zero_zero_day_counting_as_perfect():
    # |10-8|/(10+8)=1/9, |0-0| -> 0, |5-0|/(5+0)=1 ; times 200, mean over 3
    assert symmetric_mape([10, 0, 5], [8, 0, 0]) == pytest.approx(200 * (1 / 9 + 0 + 1) / 3)


def test_mase_by_hand_with_season_two():
    training = [1, 3, 2, 6, 4]  # naive lag-2 errors: |2-1|, |6-3|, |4-2| -> mean 2
    assert mean_absolute_scaled_error([5, 5], [4, 7], training, season_length=2) == pytest.approx(1.5 / 2)


def test_mase_of_a_perfectly_periodic_training_series():
    assert mean_absolute_scaled_error([1], [1], [1, 2, 1, 2], season_length=2) == 0.0
    assert math.isinf(mean_absolute_scaled_error([1], [2], [1, 2, 1, 2], season_length=2))


def test_metrics_reject_mismatched_or_empty_inputs():
    with pytest.raises(ValueError, match="actual has 2 values but forecast has 1"):
        mean_absolute_error([1, 2], [1])
    with pytest.raises(ValueError, match="empty"):
        symmetric_mape([], [])
    with pytest.raises(ValueError, match="more than 7 training values"):
        mean_absolute_scaled_error([1], [1], [1, 2, 3])
