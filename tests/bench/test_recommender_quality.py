"""bench/recommender_quality.py: loaders and end-to-end runs on small files the tests write themselves."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bench import recommender_quality
from bench._recsys_data import load_interactions, load_movielens, load_online_retail

SHARED_RETAIL = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "online_retail.csv.gz"
METRICS = {"ndcg@10", "recall@10", "precision@10", "map@10", "coverage", "fit_seconds"}


def planted_interactions(n_users: int = 60, n_items: int = 30, seed: int = 0) -> pd.DataFrame:
    """Two taste groups with timestamps spread over 60 days; the partner's items (15-29) mirror the platform's."""
    rng = np.random.default_rng(seed)
    rows = []
    start = pd.Timestamp("2024-01-01")
    for u in range(n_users):
        block = 0 if u % 2 else 5
        for _ in range(rng.integers(6, 12)):
            item = block + int(rng.integers(0, 5)) + (15 if rng.random() < 0.5 else 0)
            rows.append((f"u{u}", f"i{item}", start + pd.Timedelta(days=float(rng.uniform(0, 60)))))
    frame = pd.DataFrame(rows, columns=["user_id", "item_id", "timestamp"])
    frame["domain"] = np.where(frame["item_id"].str[1:].astype(int) >= 15, "partner", "platform")
    frame["weight"] = 1.0
    return frame


def write_ml100k(folder: Path) -> Path:
    frame = planted_interactions()
    folder.mkdir()
    with open(folder / "u.data", "w") as handle:
        for row in frame.itertuples():
            handle.write(f"{row.user_id[1:]}\t{row.item_id[1:]}\t{4}\t{int(row.timestamp.timestamp())}\n")
    with open(folder / "u.item", "w", encoding="latin-1") as handle:
        for item in sorted(frame["item_id"].unique()):
            handle.write(f"{item[1:]}|Film {item} (1995)|01-Jan-1995||http://x|0|1\n")
    return folder


def run(tmp_path: Path, *args: str) -> dict:
    out = tmp_path / "out.json"
    report = recommender_quality.main([*args, "--json", str(out), "--quick", "--no-peers", "--quiet"])
    assert json.loads(out.read_text())["champion"] == report["champion"]
    return report


def test_movielens_folder_loads_with_ratings_and_titles(tmp_path: Path) -> None:
    data = load_movielens(write_ml100k(tmp_path / "ml-100k"))
    assert set(data.events.columns) >= {"user_id", "item_id", "event_type", "timestamp", "rating"}
    assert (data.events["event_type"] == "rating").all()
    assert data.item_texts["1"].startswith("Film")


def test_movielens_run_uses_the_stratified_protocol_and_reports_every_metric(tmp_path: Path) -> None:
    folder = write_ml100k(tmp_path / "ml-100k")
    report = run(tmp_path, "--dataset", "movielens", "--path", str(folder), "--models", "popularity,ease,hybrid")
    assert report["split"] == "stratified-item:0.75"
    assert set(report["models"]) == {"popularity", "ease", "hybrid"}
    for metrics in report["models"].values():
        assert set(metrics) >= METRICS
        assert 0.0 <= metrics["ndcg@10"] <= 1.0
    assert report["champion"] in report["models"]
    # The planted taste groups are learnable: EASE must beat popularity on held-out ratings.
    assert report["models"]["ease"]["ndcg@10"] > report["models"]["popularity"]["ndcg@10"]


def test_interactions_csv_with_weight_and_domain(tmp_path: Path) -> None:
    path = tmp_path / "interactions.csv"
    planted_interactions().to_csv(path, index=False)
    data = load_interactions(path)
    assert data.item_domains["i20"] == "partner"
    assert (data.events["quantity"] == 1.0).all()


def test_interactions_csv_needs_the_three_columns(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    pd.DataFrame({"user_id": [1], "item_id": [2]}).to_csv(path, index=False)
    with pytest.raises(ValueError, match="timestamp"):
        load_interactions(path)


def test_interactions_temporal_run_with_a_target_domain_reports_cross_domain_lift(tmp_path: Path) -> None:
    path = tmp_path / "interactions.csv"
    planted_interactions().to_csv(path, index=False)
    report = run(
        tmp_path,
        "--dataset", "interactions", "--path", str(path), "--split", "temporal:2024-02-15",
        "--target-domain", "partner", "--models", "popularity,ease",
    )  # fmt: skip
    cross = report["cross_domain"]
    assert set(cross["models"]) == {"joint", "single", "popularity"}
    assert set(cross["lift"]) == {"both", "new"}


def test_interactions_leave_last_out_run(tmp_path: Path) -> None:
    path = tmp_path / "interactions.csv"
    frame = planted_interactions().drop(columns=["domain", "weight"])
    frame.to_csv(path, index=False)
    report = run(tmp_path, "--dataset", "interactions", "--path", str(path), "--split", "leave-last-out",
                 "--models", "item-knn,user-knn")  # fmt: skip
    # Test users: those whose last item is new to them (a repeat of an earlier item is not a relevant new item).
    ordered = frame.sort_values(["user_id", "timestamp"])
    last = ordered.groupby("user_id").tail(1).set_index("user_id")["item_id"]
    earlier = ordered.drop(ordered.groupby("user_id").tail(1).index).groupby("user_id")["item_id"].agg(set)
    expected = sum(item not in earlier[user] for user, item in last.items())
    assert report["models"]["item-knn"]["n_test_users"] == expected


def write_retail(path: Path) -> None:
    header = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
    rows = [
        "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850,United Kingdom",
        "536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850,United Kingdom",
        "536366,POST,POSTAGE,1,2010-12-01 08:28:00,18.0,17850,United Kingdom",
        "536367,22752,SET 7 BABUSHKA NESTING BOXES,2,2010-12-01 08:34:00,7.65,,United Kingdom",
        "C536379,71053,WHITE METAL LANTERN,-6,2010-12-02 09:41:00,3.39,17850,United Kingdom",
        "536380,84406b,CREAM CUPID HEARTS COAT HANGER,8,2010-12-02 09:41:00,2.75,13047,France",
    ]
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(header + "\n".join(rows) + "\n")


def test_online_retail_loader_drops_guests_and_fees_and_turns_cancellations_into_refunds(tmp_path: Path) -> None:
    path = tmp_path / "retail.csv.gz"
    write_retail(path)
    data = load_online_retail(path)
    events = data.events
    assert set(events["user_id"]) == {"17850", "13047"}  # the guest row is gone
    assert "POST" not in set(events["item_id"])
    refund = events[events["event_type"] == "refund"]
    assert refund[["item_id", "quantity"]].values.tolist() == [["71053", 6]]
    assert "84406B" in set(events["item_id"])  # stock codes upper-cased
    assert data.item_texts["85123A"] == "WHITE HANGING HEART T-LIGHT HOLDER"


def test_shared_online_retail_file_loads() -> None:
    if not SHARED_RETAIL.exists():
        if os.environ.get("XMKT_REQUIRE_SHARED_DATA") == "1":
            pytest.fail(f"XMKT_REQUIRE_SHARED_DATA=1 but {SHARED_RETAIL} is missing")
        pytest.skip(f"shared data {SHARED_RETAIL} is absent on this machine")
    data = load_online_retail(SHARED_RETAIL)
    events = data.events
    assert events["user_id"].nunique() > 4000
    assert events["item_id"].str.match(r"^\d").all()
    assert {"purchase", "refund"} == set(events["event_type"])
    assert events["timestamp"].min() >= pd.Timestamp("2010-12-01")
    assert events["timestamp"].max() < pd.Timestamp("2011-12-10")
