"""Point-forecast error metrics as plain functions (tested against hand-computed values)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def _paired(actual: ArrayLike, forecast: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    actual_array = np.asarray(actual, dtype="float64").ravel()
    forecast_array = np.asarray(forecast, dtype="float64").ravel()
    if actual_array.shape != forecast_array.shape:
        raise ValueError(f"actual has {actual_array.size} values but forecast has {forecast_array.size}")
    if actual_array.size == 0:
        raise ValueError("cannot score an empty forecast")
    return actual_array, forecast_array


def mean_absolute_error(actual: ArrayLike, forecast: ArrayLike) -> float:
    actual_array, forecast_array = _paired(actual, forecast)
    return float(np.mean(np.abs(actual_array - forecast_array)))


def symmetric_mape(actual: ArrayLike, forecast: ArrayLike) -> float:
    """sMAPE in percent, 0-200: mean of 200·|a−f| / (|a|+|f|); a day where both are 0 counts as a perfect 0."""
    actual_array, forecast_array = _paired(actual, forecast)
    denominator = np.abs(actual_array) + np.abs(forecast_array)
    ratio = np.divide(
        np.abs(actual_array - forecast_array), denominator, out=np.zeros_like(denominator), where=denominator > 0
    )
    return float(200.0 * np.mean(ratio))


def mean_absolute_scaled_error(
    actual: ArrayLike, forecast: ArrayLike, training: ArrayLike, season_length: int = 7
) -> float:
    """MASE: MAE divided by the in-sample MAE of the seasonal naive forecast (lag `season_length`) on `training`.

    Returns inf when the in-sample naive error is zero (a perfectly periodic training series) and the forecast is
    not perfect, 0.0 when both are zero.
    """
    training_array = np.asarray(training, dtype="float64").ravel()
    if training_array.size <= season_length:
        raise ValueError(f"MASE needs more than {season_length} training values, got {training_array.size}")
    scale = float(np.mean(np.abs(training_array[season_length:] - training_array[:-season_length])))
    error = mean_absolute_error(actual, forecast)
    if scale == 0.0:
        return 0.0 if error == 0.0 else float("inf")
    return error / scale
