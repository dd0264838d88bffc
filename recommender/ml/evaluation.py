"""Offline evaluation: data splits and ranking metrics as plain functions.

Metric definitions follow microsoft/recommenders' ``python_evaluation`` with binary relevance ("every held-out item is
relevant"). Each is averaged over the users given, and users with no relevant item must be left out by the caller
(:func:`evaluate_model` does that), as recommenders does by averaging over users present in the ground truth:

* precision@k = |top-k ∩ rel| / k
* recall@k = |top-k ∩ rel| / |rel|
* NDCG@k = sum_{hits at rank r} 1/log2(r+1) / sum_{r=1..min(|rel|,k)} 1/log2(r+1)   (the log base cancels, so this
  equals recommenders' natural-log version)
* MAP@k = sum_{hits at rank r} precision@r / min(|rel|, k) — recommenders' ``map_at_k`` (Spark's
  meanAveragePrecisionAt); not their ``map``, which divides by |rel|.
* hit rate@k = share of users with at least one hit
* catalogue coverage = distinct recommended items / catalogue size
* novelty = mean over recommended items of -log2(share of training users who interacted with the item)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .base import PAD_ITEM


# --------------------------------------------------------------------------------------------------------- splits
def split_temporal(
    frame: pd.DataFrame,
    cutoff: str | pd.Timestamp,
    *,
    time_col: str = "timestamp",
    user_col: str = "user_id",
    item_col: str = "item_id",
    test_users_in_train: bool = True,
    test_items_in_train: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows before ``cutoff`` train, rows at or after it test (optionally only users / items known to training)."""
    when = pd.to_datetime(frame[time_col])
    cut = pd.Timestamp(cutoff)
    train = frame[when < cut]
    test = frame[when >= cut]
    if test_users_in_train:
        test = test[test[user_col].isin(train[user_col])]
    if test_items_in_train:
        test = test[test[item_col].isin(train[item_col])]
    return train, test


def split_leave_last_out(
    frame: pd.DataFrame,
    *,
    n: int = 1,
    time_col: str = "timestamp",
    user_col: str = "user_id",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each user's last ``n`` rows (by time, ties by row order) are test; users with <= n rows stay whole in train."""
    ordered = frame.assign(_t=pd.to_datetime(frame[time_col]), _o=np.arange(len(frame)))
    ordered = ordered.sort_values([user_col, "_t", "_o"], kind="stable")
    from_end = ordered.groupby(user_col, sort=False).cumcount(ascending=False)
    size = ordered.groupby(user_col, sort=False)[user_col].transform("size")
    is_test = (from_end < n) & (size > n)
    test = ordered[is_test].drop(columns=["_t", "_o"])
    train = ordered[~is_test].drop(columns=["_t", "_o"])
    return train.loc[train.index.sort_values()], test.loc[test.index.sort_values()]


def split_stratified(
    frame: pd.DataFrame,
    ratio: float = 0.75,
    *,
    by: str = "item_id",
    seed: int = 42,
    min_rows: int = 1,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Random split inside each group of ``by``: round(ratio * group size) rows train, the rest test.

    This is microsoft/recommenders' ``python_stratified_split`` protocol (shuffle with ``seed``, split every group at
    ``ratio``); the shuffled order differs from theirs, so the exact rows do too. Groups with fewer than ``min_rows``
    rows are dropped.
    """
    if not 0 < ratio < 1:
        raise ValueError("ratio must be between 0 and 1")
    sizes = frame.groupby(by)[by].transform("size")
    kept = frame[sizes >= min_rows]
    shuffled = kept.sample(frac=1.0, random_state=seed)
    position = shuffled.groupby(by, sort=False).cumcount()
    group_size = shuffled.groupby(by, sort=False)[by].transform("size")
    in_train = position < np.round(ratio * group_size)
    train = shuffled[in_train].sort_index()
    test = shuffled[~in_train].sort_index()
    return train, test


def split_stratified_by_item(
    frame: pd.DataFrame, ratio: float = 0.75, *, item_col: str = "item_id", seed: int = 42
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """microsoft/recommenders' protocol, so figures compare with theirs: stratified by item, 75/25, seed 42."""
    return split_stratified(frame, ratio, by=item_col, seed=seed)


# -------------------------------------------------------------------------------------------------------- metrics
def _relevant_sets(relevant: Any, n_users: int) -> list[set[int]]:
    if sp.issparse(relevant):
        csr = sp.csr_matrix(relevant)
        sets = [set(csr.indices[csr.indptr[u] : csr.indptr[u + 1]].tolist()) for u in range(csr.shape[0])]
    else:
        sets = [set(np.asarray(list(r)).astype(np.int64).tolist()) for r in relevant]
    if len(sets) != n_users:
        raise ValueError("recommended and relevant must have one row per user")
    return sets


def _hits(recommended: Any, relevant: Any, k: int) -> tuple[np.ndarray, np.ndarray]:
    recs = np.asarray(recommended, dtype=np.int64)
    if recs.ndim != 2:
        raise ValueError("recommended must be a 2-d array (users x ranked items)")
    recs = recs[:, :k]
    sets = _relevant_sets(relevant, recs.shape[0])
    hits = np.array([[item != PAD_ITEM and item in rel for item in row] for row, rel in zip(recs, sets, strict=True)])
    hits = hits.reshape(recs.shape).astype(np.float64)
    n_relevant = np.array([len(s) for s in sets], dtype=np.float64)
    if (n_relevant == 0).any():
        raise ValueError("every user passed to a metric needs at least one relevant item")
    return hits, n_relevant


def precision_at_k(recommended: Any, relevant: Any, k: int = 10) -> float:
    hits, _ = _hits(recommended, relevant, k)
    return float((hits.sum(axis=1) / k).mean()) if len(hits) else 0.0


def recall_at_k(recommended: Any, relevant: Any, k: int = 10) -> float:
    hits, n_rel = _hits(recommended, relevant, k)
    return float((hits.sum(axis=1) / n_rel).mean()) if len(hits) else 0.0


def ndcg_at_k(recommended: Any, relevant: Any, k: int = 10) -> float:
    hits, n_rel = _hits(recommended, relevant, k)
    if not len(hits):
        return 0.0
    discount = 1.0 / np.log2(np.arange(2, hits.shape[1] + 2))
    dcg = (hits * discount).sum(axis=1)
    ideal_discount = np.cumsum(1.0 / np.log2(np.arange(2, k + 2)))
    idcg = ideal_discount[np.minimum(n_rel, k).astype(int) - 1]
    return float((dcg / idcg).mean())


def map_at_k(recommended: Any, relevant: Any, k: int = 10) -> float:
    hits, n_rel = _hits(recommended, relevant, k)
    if not len(hits):
        return 0.0
    ranks = np.arange(1, hits.shape[1] + 1)
    precision_at_hits = np.cumsum(hits, axis=1) / ranks * hits
    return float((precision_at_hits.sum(axis=1) / np.minimum(n_rel, k)).mean())


def hit_rate_at_k(recommended: Any, relevant: Any, k: int = 10) -> float:
    hits, _ = _hits(recommended, relevant, k)
    return float((hits.sum(axis=1) > 0).mean()) if len(hits) else 0.0


def catalogue_coverage(recommended: Any, n_items: int, k: int = 10) -> float:
    recs = np.asarray(recommended, dtype=np.int64)[:, :k]
    distinct = np.unique(recs[recs != PAD_ITEM])
    return float(len(distinct) / n_items) if n_items else 0.0


def novelty(recommended: Any, item_user_share: Sequence[float] | np.ndarray, k: int = 10) -> float:
    """Mean self-information -log2(p_i) of recommended items, p_i = share of training users with item i."""
    recs = np.asarray(recommended, dtype=np.int64)[:, :k]
    recs = recs[recs != PAD_ITEM]
    if not recs.size:
        return 0.0
    share = np.asarray(item_user_share, dtype=np.float64)[recs]
    share = np.clip(share, 1e-12, 1.0)
    return float((-np.log2(share)).mean())


def evaluate_recommendations(
    recommended: Any,
    relevant: Any,
    *,
    k: int = 10,
    n_items: int | None = None,
    item_user_share: np.ndarray | None = None,
) -> dict[str, float]:
    out = {
        f"precision@{k}": precision_at_k(recommended, relevant, k),
        f"recall@{k}": recall_at_k(recommended, relevant, k),
        f"ndcg@{k}": ndcg_at_k(recommended, relevant, k),
        f"map@{k}": map_at_k(recommended, relevant, k),
        f"hit_rate@{k}": hit_rate_at_k(recommended, relevant, k),
    }
    if n_items is not None:
        out["coverage"] = catalogue_coverage(recommended, n_items, k)
    if item_user_share is not None:
        out["novelty"] = novelty(recommended, item_user_share, k)
    return out


def evaluate_model(
    model: Any,
    train: sp.spmatrix,
    test: sp.spmatrix,
    *,
    k: int = 10,
    users: Iterable[int] | None = None,
    cold_items: np.ndarray | None = None,
    batch_size: int = 2048,
    **recommend_kwargs: Any,
) -> dict[str, float]:
    """Recommend top-``k`` (seen items filtered) to every user with a test item and score against ``test``.

    train / test: users x items matrices on the model's index space; relevance is ``test > 0`` minus items already in
    ``train`` (previously bought items are not "new" relevant items). ``cold_items`` (boolean mask, items with no
    training interaction) adds ``cold_*`` metrics computed only on users whose held-out items include a cold item, with
    only those items relevant, so cold-start quality is reported apart.
    """
    train = sp.csr_matrix(train)
    relevant = sp.csr_matrix(test, dtype=np.float64, copy=True)
    relevant.data[:] = 1.0
    relevant = relevant - relevant.multiply(train > 0)
    relevant.eliminate_zeros()
    candidates = np.flatnonzero(np.diff(relevant.indptr) > 0)
    if users is not None:
        candidates = np.intersect1d(candidates, np.asarray(list(users), dtype=np.int64))
    recs = []
    for start in range(0, len(candidates), batch_size):
        chunk = candidates[start : start + batch_size]
        ids, _ = model.recommend(chunk, n=k, filter_seen=True, user_items=train[chunk], **recommend_kwargs)
        recs.append(ids)
    recommended = np.vstack(recs) if recs else np.empty((0, k), dtype=np.int64)
    share = np.asarray((train > 0).sum(axis=0)).ravel() / max(train.shape[0], 1)
    result = evaluate_recommendations(
        recommended, relevant[candidates], k=k, n_items=train.shape[1], item_user_share=share
    )
    result["n_users"] = float(len(candidates))
    if cold_items is not None:
        cold = sp.csr_matrix(relevant[candidates].multiply(np.asarray(cold_items, dtype=np.float64)[None, :]))
        cold.eliminate_zeros()
        with_cold = np.flatnonzero(np.diff(cold.indptr) > 0)
        result["cold_users"] = float(len(with_cold))
        if len(with_cold):
            cold_metrics = evaluate_recommendations(recommended[with_cold], cold[with_cold], k=k)
            result.update({f"cold_{name}": value for name, value in cold_metrics.items()})
    return result
