"""Rolling-origin backtest of the forecasting candidates and the automatic choice on Online Retail daily revenue.

    python bench/forecast_backtest.py --path ../shared/data/online_retail.csv.gz --json out.json

Series: net daily revenue in GBP (sales minus cancellations booked that day; rows with a non-positive unit price,
i.e. bad-debt adjustments, left out), reindexed daily with zero days. Netting removes the two giant orders that were
entered and cancelled the same day (£168k on 2011-12-09, £77k on 2011-01-18), which are not demand.
Each origin fits every model on the days before it only (the automatic choice runs its own inner backtest on that
history), forecasts `--horizon` days and is scored by MAE; `rel_mae` is MAE / MAE of the weekly seasonal naive.
Data: Chen, Sain & Guo (2012), J. Database Marketing & Customer Strategy Management 19(3):197-208; UCI data set 352.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _data import DEFAULT_ONLINE_RETAIL_PATH, load_online_retail  # noqa: E402

from analytics.ml.backtest import rolling_origin_windows  # noqa: E402
from analytics.ml.forecasting import (  # noqa: E402
    AutoForecaster,
    closed_weekday_mask,
    default_candidates,
    fit_predict,
    forecast_exog,
)


def net_daily_revenue(raw: pd.DataFrame) -> pd.Series:
    priced = raw[raw["UnitPrice"] > 0]
    daily = priced.groupby(priced["InvoiceDate"].dt.normalize())["line_value"].sum()
    full_range = pd.date_range(daily.index.min(), daily.index.max(), freq="D")
    return daily.reindex(full_range, fill_value=0.0).rename("revenue")


def run(path: Path, horizon: int, lookback_days: int, step: int, region: str | None) -> dict:
    series = net_daily_revenue(load_online_retail(path))
    windows = rolling_origin_windows(
        len(series),
        horizon=horizon,
        n_origins=lookback_days // step + 1,
        step=step,
        min_train=len(series) - lookback_days,
    )
    candidates = default_candidates()
    absolute_errors: dict[str, list[np.ndarray]] = {name: [] for name in [*candidates, "auto"]}
    # Transparency: each candidate with the auto's closed-weekday zeroing applied, to show how much of the auto's
    # margin comes from that step rather than from combining.
    zeroed_errors: dict[str, list[np.ndarray]] = {name: [] for name in candidates}
    seconds: dict[str, float] = dict.fromkeys(absolute_errors, 0.0)
    auto_choices = []
    for window in windows:
        train = series.iloc[: window.origin]
        actual = series.iloc[window.origin : window.end].to_numpy()
        calendar = forecast_exog(train.index, horizon, region=region)
        for name, model in candidates.items():
            started = time.perf_counter()
            predicted = fit_predict(model, train, calendar, horizon).to_numpy()
            absolute_errors[name].append(np.abs(actual - predicted))
            zeroed = np.where(closed_weekday_mask(train, horizon), 0.0, predicted)
            zeroed_errors[name].append(np.abs(actual - zeroed))
            seconds[name] += time.perf_counter() - started
        started = time.perf_counter()
        auto = AutoForecaster(horizon=horizon, candidates=candidates, calendar_region=region).fit(train)
        absolute_errors["auto"].append(np.abs(actual - auto.predict()["forecast"].to_numpy()))
        seconds["auto"] += time.perf_counter() - started
        auto_choices.append(
            {
                "origin": str(series.index[window.origin].date()),
                "chosen": auto.chosen_,
                "weights": {name: round(weight, 3) for name, weight in auto.weights_.items()},
            }
        )
    naive_mae = float(np.mean(absolute_errors["seasonal_naive"]))
    models = {
        name: {"mae": float(np.mean(errors)), "rel_mae": float(np.mean(errors)) / naive_mae, "seconds": seconds[name]}
        for name, errors in absolute_errors.items()
    }
    for name, errors in zeroed_errors.items():
        models[name]["mae_closed_days_zeroed"] = float(np.mean(errors))
    return {
        "series": "Online Retail net daily revenue (GBP)",
        "horizon": horizon,
        "origins": [str(series.index[w.origin].date()) for w in windows],
        "models": models,
        "chosen": "auto",
        "auto_choices": auto_choices,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--path", type=Path, default=DEFAULT_ONLINE_RETAIL_PATH)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--horizon", type=int, default=14)
    parser.add_argument("--lookback-days", type=int, default=120, help="origins lie within the last N days")
    parser.add_argument("--step", type=int, default=7, help="days between origins")
    parser.add_argument("--calendar", default="UK", help="calendar flags for SARIMAX / market model: UK, CN or none")
    args = parser.parse_args()
    region = None if args.calendar.lower() == "none" else args.calendar
    started = time.perf_counter()
    result = run(args.path, args.horizon, args.lookback_days, args.step, region)
    result["seconds"] = time.perf_counter() - started
    models = result["models"]
    best_single = min(scores["mae"] for name, scores in models.items() if name != "auto")
    result["auto_vs_best_single"] = models["auto"]["mae"] / best_single
    origins = result["origins"]
    print(f"{len(origins)} origins {origins[0]} .. {origins[-1]}, horizon {args.horizon} days")
    print(f"{'model':<16}{'MAE':>12}{'rel_mae':>10}{'seconds':>10}{'MAE, closed days zeroed':>26}")
    for name, scores in models.items():
        zeroed = scores.get("mae_closed_days_zeroed")
        zeroed_text = f"{zeroed:>26,.0f}" if zeroed is not None else f"{'':>26}"
        print(f"{name:<16}{scores['mae']:>12,.0f}{scores['rel_mae']:>10.3f}{scores['seconds']:>10.1f}{zeroed_text}")
    print(f"auto MAE / best single candidate MAE = {result['auto_vs_best_single']:.3f} (target <= 0.95)")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    # One BLAS/OpenMP thread: the models are small and a shared 2-core machine punishes spinning threads.
    with threadpool_limits(limits=1):
        main()
