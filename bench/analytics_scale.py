"""End-to-end scale run of the analytics core on synthetic data: features, selection, segmentation, forecasts.

    python bench/analytics_scale.py --consumers 1000000 --events 20000000 --json out.json

Targets: under 120 s and 8 GB peak RSS on a 2-core machine for 1M consumers / 20M events. Data generation
is timed separately and not counted in `seconds`; peak RSS covers the whole process, generation included.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from analytics.ml.features import EVENT_TYPES, RFM_COLUMNS, build_consumer_features  # noqa: E402
from analytics.ml.forecasting import AutoForecaster, daily_demand  # noqa: E402
from analytics.ml.segmentation import SegmentModel  # noqa: E402
from analytics.ml.selection import FeatureSelector, HeavyTailScaler, pca_2d  # noqa: E402

TYPE_SHARES = {"view": 0.52, "click": 0.15, "add_to_cart": 0.08, "purchase": 0.13, "refund": 0.01,
               "enroll": 0.05, "complete": 0.03, "rating": 0.02, "share": 0.01}  # fmt: skip
N_CATEGORIES = 30
DAYS = 365


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # ru_maxrss is in KiB on Linux


def synthetic_events(n_consumers: int, n_events: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    # Heavy-tailed activity: a few consumers generate many events, as in real platforms.
    activity = rng.lognormal(0.0, 1.2, n_consumers)
    consumer_id = np.searchsorted(np.cumsum(activity / activity.sum()), rng.random(n_events)).astype("int32")
    consumer_id = np.minimum(consumer_id, n_consumers - 1)
    type_codes = rng.choice(len(EVENT_TYPES), n_events, p=[TYPE_SHARES[name] for name in EVENT_TYPES]).astype("int8")
    # Weekly rhythm (quiet Saturday) and an upward trend towards the end of the year.
    day_weight = np.array([1.0, 1.05, 1.1, 1.05, 1.2, 0.5, 0.8])[np.arange(DAYS) % 7] * np.linspace(1.0, 1.6, DAYS)
    day = rng.choice(DAYS, n_events, p=day_weight / day_weight.sum())
    seconds = day.astype("int64") * 86_400 + rng.integers(0, 86_400, n_events)
    occurred_at = np.datetime64("2025-01-06", "s") + seconds.astype("timedelta64[s]")
    is_money = (type_codes == EVENT_TYPES.index("purchase")) | (type_codes == EVENT_TYPES.index("refund"))
    value = np.where(is_money, rng.gamma(1.5, 120.0, n_events).round(2), 0.0)
    category_codes = rng.zipf(1.6, n_events).clip(max=N_CATEGORIES) - 1
    events = pd.DataFrame(
        {
            "consumer_id": consumer_id,
            "type": pd.Categorical.from_codes(type_codes, categories=list(EVENT_TYPES)),
            "value": value,
            "quantity": np.ones(n_events, dtype="int16"),
            "occurred_at": occurred_at,
            "category": pd.Categorical.from_codes(
                category_codes, categories=[f"cat{i:02d}" for i in range(N_CATEGORIES)]
            ),
            "is_partner": rng.random(n_events) < 0.3,
        }
    )
    consumers = pd.DataFrame(
        {
            "age_band": pd.Categorical.from_codes(
                rng.integers(0, 6, n_consumers), categories=["<18", "18-24", "25-34", "35-44", "45-54", "55+"]
            ),
            "gender": pd.Categorical.from_codes(
                rng.integers(0, 4, n_consumers), categories=["female", "male", "other", "unknown"]
            ),
            "city_tier": rng.integers(1, 6, n_consumers).astype("int8"),
        },
        index=pd.RangeIndex(n_consumers, name="consumer_id"),
    )
    return events, consumers


def run(n_consumers: int, n_events: int, n_category_series: int, seed: int) -> dict:
    timings: dict[str, float] = {}

    def timed(stage: str, started: float) -> None:
        timings[stage] = round(time.perf_counter() - started, 2)
        print(f"{stage:<22}{timings[stage]:>8.1f} s   peak RSS {peak_rss_mb():>8,.0f} MB", flush=True)

    started = time.perf_counter()
    events, consumers = synthetic_events(n_consumers, n_events, seed)
    timed("generate", started)

    pipeline_started = time.perf_counter()
    started = time.perf_counter()
    features = build_consumer_features(events, consumers)
    timed("features", started)

    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    sample = features.iloc[np.sort(rng.choice(len(features), min(10_000, len(features)), replace=False))]
    converted = (sample["add_to_carts"] > 0).to_numpy()  # a stand-in conversion label for the relevance step
    selector = FeatureSelector(random_state=seed).fit(sample.drop(columns=["add_to_carts"]), converted)
    timed("feature_selection", started)

    started = time.perf_counter()
    segment_columns = [*RFM_COLUMNS, "avg_order_value", "views", "enrolments", "partner_spend_share"]
    segments = SegmentModel(random_state=seed).fit(features[segment_columns])
    pca_2d(HeavyTailScaler().fit_transform(features[segment_columns]), random_state=seed)
    timed("segmentation", started)

    started = time.perf_counter()
    totals = daily_demand(events)
    by_category = daily_demand(events, by="category")
    timed("daily_series", started)

    started = time.perf_counter()
    revenue_by_category = by_category[[c for c in by_category.columns if c.startswith("revenue__")]]
    top_categories = revenue_by_category.sum().nlargest(n_category_series).index
    series = {name: totals[name] for name in ("units", "orders", "revenue")}
    series.update({name: revenue_by_category[name] for name in top_categories})
    chosen = {name: AutoForecaster(horizon=28).fit(values).chosen_ for name, values in series.items()}
    timed("forecasts", started)

    return {
        "consumers": n_consumers,
        "events": n_events,
        "seconds": round(time.perf_counter() - pipeline_started, 2),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "stages": timings,
        "n_features": features.shape[1],
        "kept_features": selector.kept_features_,
        "n_segments": segments.n_clusters_,
        "segment_names_en": [profile.name_en for profile in segments.profiles_],
        "forecast_series": len(series),
        "forecast_chosen": chosen,
        "cpu_count": os.cpu_count(),
        "load_average_at_end": os.getloadavg(),
    }


def online_retail_segmentation(path: Path) -> dict:
    """Acceptance check on real data: RFM segments of Online Retail customers with two seeds (ARI) and the ratio of
    the highest to the lowest segment's median monetary value. Population: customers with at least one order and a
    positive net spend."""
    from _data import load_online_retail, online_retail_events
    from sklearn.metrics import adjusted_rand_score

    features = build_consumer_features(online_retail_events(load_online_retail(path)), as_of="2011-12-10")
    buyers = features[(features["frequency"] >= 1) & (features["monetary"] > 0)]
    rfm = buyers[list(RFM_COLUMNS)]
    first = SegmentModel(random_state=1).fit(rfm)
    second = SegmentModel(random_state=2).fit(rfm)
    medians = first.profiles_frame()["median"].map(lambda median: median["monetary"])
    result = {
        "customers": len(rfm),
        "k": [first.n_clusters_, second.n_clusters_],
        "adjusted_rand_index": round(float(adjusted_rand_score(first.labels_, second.labels_)), 4),
        "median_monetary_ratio_high_to_low": round(float(medians.max() / medians.min()), 2),
        "segments": [
            {"label": p.label, "size": p.size, "name_zh": p.name_zh, "name_en": p.name_en, "median": p.median}
            for p in first.profiles_
        ],
    }
    print(
        f"Online Retail RFM segments: k={result['k']}, ARI between seeds {result['adjusted_rand_index']} "
        f"(target >= 0.9), median monetary high/low {result['median_monetary_ratio_high_to_low']}x (target >= 5)"
    )
    for segment in result["segments"]:
        print(
            f"  {segment['label']}: {segment['size']:>5}  {segment['name_zh']} / {segment['name_en']}"
            f"  {segment['median']}"
        )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--consumers", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=20_000_000)
    parser.add_argument("--category-series", type=int, default=2, help="category revenue series to forecast")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument(
        "--online-retail",
        type=Path,
        default=None,
        help="also run the segmentation acceptance check on this Online Retail file",
    )
    args = parser.parse_args()
    result = run(args.consumers, args.events, args.category_series, args.seed)
    if args.online_retail:
        result["online_retail_segmentation"] = online_retail_segmentation(args.online_retail)
    print(
        f"total (without generation) {result['seconds']:.1f} s (target < 120), peak RSS {result['peak_rss_mb']:,.0f} MB"
        f" (target < 8192); load average {result['load_average_at_end']}"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    # One BLAS/OpenMP thread: the models are small and a shared 2-core machine punishes spinning threads.
    with threadpool_limits(limits=1):
        main()
