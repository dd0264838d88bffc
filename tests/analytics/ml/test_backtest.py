"""Rolling-origin backtest windows, by hand."""

from analytics.ml.backtest import BacktestWindow, rolling_origin_windows


def test_rolling_origin_windows_by_hand():
    windows = rolling_origin_windows(30, horizon=5, n_origins=3, step=7)

    assert windows == [BacktestWindow(11, 16), BacktestWindow(18, 23), BacktestWindow(25, 30)]


def test_rolling_origin_windows_drop_those_with_too_little_training():
    assert rolling_origin_windows(30, horizon=5, n_origins=5, step=7, min_train=12) == [
        BacktestWindow(18, 23),
        BacktestWindow(25, 30),
    ]
    assert rolling_origin_windows(4, horizon=5, n_origins=2) == []
