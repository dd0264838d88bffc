"""Rolling-origin backtest windows as a plain function."""

from __future__ import annotations

from typing import NamedTuple


class BacktestWindow(NamedTuple):
    """Train on positions [0, origin); evaluate on [origin, origin + horizon)."""

    origin: int
    end: int


def rolling_origin_windows(
    n_observations: int, *, horizon: int, n_origins: int, step: int = 7, min_train: int = 1
) -> list[BacktestWindow]:
    """The `n_origins` latest windows, `step` apart, the last one ending exactly at `n_observations`, oldest first.

    Windows whose training part would be shorter than `min_train` are dropped, so fewer than `n_origins` windows
    may come back (an empty list when there is no room at all).
    """
    if horizon < 1 or step < 1 or n_origins < 1:
        raise ValueError("horizon, step and n_origins must be positive")
    windows = []
    for back in range(n_origins):
        origin = n_observations - horizon - back * step
        if origin < min_train:
            break
        windows.append(BacktestWindow(origin, origin + horizon))
    return windows[::-1]
