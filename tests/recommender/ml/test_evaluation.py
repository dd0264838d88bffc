"""Splits and metrics against values computed by hand (microsoft/recommenders definitions, binary relevance)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from recommender.ml import (
    PopularityRecommender,
    catalogue_coverage,
    evaluate_model,
    evaluate_recommendations,
    hit_rate_at_k,
    map_at_k,
    ndcg_at_k,
    novelty,
    precision_at_k,
    recall_at_k,
    split_leave_last_out,
    split_stratified,
    split_stratified_by_item,
    split_temporal,
)

# User 0: relevant {1, 3, 9}; ranked [1, 2, 3, 4] -> hits at ranks 1 and 3.
# User 1: relevant {7};       ranked [5, 6, 8, 7] -> hit at rank 4.
RECOMMENDED = np.array([[1, 2, 3, 4], [5, 6, 8, 7]])
RELEVANT = [{1, 3, 9}, {7}]


def test_precision_at_k() -> None:
    assert precision_at_k(RECOMMENDED, RELEVANT, k=4) == pytest.approx((2 / 4 + 1 / 4) / 2)
    assert precision_at_k(RECOMMENDED, RELEVANT, k=2) == pytest.approx((1 / 2 + 0) / 2)


def test_recall_at_k() -> None:
    assert recall_at_k(RECOMMENDED, RELEVANT, k=4) == pytest.approx((2 / 3 + 1) / 2)


def test_ndcg_at_k() -> None:
    user0 = (1 / math.log2(2) + 1 / math.log2(4)) / (1 / math.log2(2) + 1 / math.log2(3) + 1 / math.log2(4))
    user1 = (1 / math.log2(5)) / 1.0
    assert ndcg_at_k(RECOMMENDED, RELEVANT, k=4) == pytest.approx((user0 + user1) / 2)


def test_ndcg_ideal_is_capped_at_k() -> None:
    # 3 relevant items but k = 2: the ideal list has only 2 places.
    assert ndcg_at_k(np.array([[1, 3]]), [{1, 3, 9}], k=2) == pytest.approx(1.0)


def test_map_at_k_divides_by_min_of_relevant_and_k() -> None:
    user0 = (1 / 1 + 2 / 3) / 3
    user1 = (1 / 4) / 1
    assert map_at_k(RECOMMENDED, RELEVANT, k=4) == pytest.approx((user0 + user1) / 2)
    # k = 2 < |rel| = 3 for user 0: hits in the top 2 are just rank 1 -> 1 / min(3, 2)
    assert map_at_k(RECOMMENDED, RELEVANT, k=2) == pytest.approx((1 / 2 + 0) / 2)


def test_hit_rate_at_k() -> None:
    assert hit_rate_at_k(RECOMMENDED, RELEVANT, k=4) == 1.0
    assert hit_rate_at_k(RECOMMENDED, RELEVANT, k=3) == 0.5


def test_padding_never_counts_as_a_hit() -> None:
    assert precision_at_k(np.array([[1, -1]]), [{1, -1}], k=2) == 0.5


def test_relevance_may_be_a_sparse_matrix() -> None:
    relevant = sp.csr_matrix(([1.0, 1.0, 1.0, 1.0], ([0, 0, 0, 1], [1, 3, 9, 7])), shape=(2, 10))
    assert ndcg_at_k(RECOMMENDED, relevant, k=4) == pytest.approx(ndcg_at_k(RECOMMENDED, RELEVANT, k=4))


def test_a_user_without_relevant_items_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one relevant"):
        recall_at_k(RECOMMENDED, [{1}, set()], k=4)


def test_catalogue_coverage_and_novelty() -> None:
    assert catalogue_coverage(RECOMMENDED, n_items=16, k=4) == 8 / 16
    share = np.full(10, 0.5)
    share[1] = 0.25
    recs = np.array([[1, 2]])
    assert novelty(recs, share, k=2) == pytest.approx((2 + 1) / 2)


def test_evaluate_recommendations_collects_all_metrics() -> None:
    out = evaluate_recommendations(RECOMMENDED, RELEVANT, k=4, n_items=16, item_user_share=np.full(16, 0.5))
    assert set(out) == {"precision@4", "recall@4", "ndcg@4", "map@4", "hit_rate@4", "coverage", "novelty"}


def test_evaluate_model_drops_previously_seen_items_from_relevance_and_reports_cold_items_apart() -> None:
    train = sp.csr_matrix(np.array([[1.0, 0, 0, 0, 0], [1.0, 1.0, 0, 0, 0], [1.0, 1.0, 1.0, 0, 0]]))
    # user 0 buys again item 0 (already bought: not relevant) and item 1; user 1 buys cold item 4.
    test = sp.csr_matrix(np.array([[1.0, 1.0, 0, 0, 0], [0, 0, 0, 0, 1.0], [0, 0, 0, 0, 0]]))
    model = PopularityRecommender().fit(train)
    cold = np.array([False, False, False, False, True])
    out = evaluate_model(model, train, test, k=1, cold_items=cold)
    assert out["n_users"] == 2
    # popularity ranks 0 > 1 > 2 > 3 = 4 (ties by index); user 0 gets item 1 (hit), user 1 gets item 2 (miss)
    assert out["precision@1"] == pytest.approx(0.5)
    assert out["cold_users"] == 1 and out["cold_hit_rate@1"] == 0.0


# ----------------------------------------------------------------------------------------------------- splits
@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "user_id": ["a", "a", "a", "b", "b", "c"],
            "item_id": ["x", "y", "z", "x", "y", "w"],
            "timestamp": pd.to_datetime(
                ["2024-01-01", "2024-01-03", "2024-01-05", "2024-01-02", "2024-01-06", "2024-01-07"]
            ),
        }
    )


def test_split_temporal_keeps_test_users_seen_in_training(frame: pd.DataFrame) -> None:
    train, test = split_temporal(frame, "2024-01-04")
    assert train["timestamp"].max() < pd.Timestamp("2024-01-04") <= test["timestamp"].min()
    assert set(test["user_id"]) == {"a", "b"}  # c appears only after the cutoff
    _, all_test = split_temporal(frame, "2024-01-04", test_users_in_train=False)
    assert len(all_test) == 3


def test_split_leave_last_out_takes_each_users_latest(frame: pd.DataFrame) -> None:
    train, test = split_leave_last_out(frame)
    assert sorted(zip(test["user_id"], test["item_id"], strict=True)) == [("a", "z"), ("b", "y")]
    assert "c" in set(train["user_id"])  # a single interaction stays in training
    assert len(train) + len(test) == len(frame)


def test_split_stratified_by_item_splits_every_item_at_the_ratio() -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"user_id": rng.integers(0, 50, 400), "item_id": np.repeat(np.arange(10), 40)})
    train, test = split_stratified_by_item(frame)
    counts = train.groupby("item_id").size()
    assert (counts == 30).all() and len(test) == 100
    again, _ = split_stratified_by_item(frame)
    pd.testing.assert_frame_equal(train, again)  # seed 42 by default: reproducible
    other, _ = split_stratified(frame, 0.75, by="item_id", seed=7)
    assert not train.index.equals(other.index)


def test_split_stratified_rejects_a_bad_ratio(frame: pd.DataFrame) -> None:
    with pytest.raises(ValueError):
        split_stratified(frame, 1.5)
