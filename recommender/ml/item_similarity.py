"""Item-item weights of a fitted model, as served and explained: the matrix W with score(u, i) = sum_j x_uj W[j, i],
its top-n neighbours per item (request-time re-ranking of precomputed lists), and the history item behind each
recommended item (the "because you bought" reason)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .base import BaseRecommender
from .hybrid import HybridRecommender

NEIGHBOURS_PER_ITEM = 50


def item_item_weights(model: BaseRecommender):
    """W with score(u, i) = sum_j x_uj W[j, i] (up to each component's normalisation for a hybrid), or None.

    A cross-domain model answers with its main estimator's W (the one that scores consumers already active in the
    target catalogue), so fresh events re-rank its lists too; its newcomer estimator is not in the table."""
    weights = getattr(model, "item_weights_", None)
    if weights is None and getattr(model, "estimator_", None) is not None:
        return item_item_weights(model.estimator_)
    if weights is None and isinstance(model, HybridRecommender):
        parts = []
        for name, component in model.components_:
            w = getattr(component, "item_weights_", None)
            if w is not None and model.weights_.get(name, 0.0) > 0:
                w = w.toarray() if sp.issparse(w) else np.asarray(w)
                scale = np.abs(w).max() or 1.0
                parts.append(model.weights_[name] * w / scale)
        weights = sum(parts) if parts else None
    return weights


def item_neighbours(model: BaseRecommender, n_items: int, n: int = NEIGHBOURS_PER_ITEM) -> sp.csr_matrix | None:
    """Top-n item-item weights per item (row j: the items history item j pushes up), for request-time re-ranking."""
    weights = item_item_weights(model)
    if weights is None:
        return None
    rows, cols, vals = [], [], []
    for start in range(0, n_items, 1024):
        block = weights[start : start + 1024]
        block = block.toarray() if sp.issparse(block) else np.array(block, dtype=np.float64)
        block[np.arange(block.shape[0]), np.arange(start, start + block.shape[0])] = 0.0
        take = min(n, n_items - 1) if n_items > 1 else 0
        if take <= 0:
            break
        top = np.argpartition(-block, take - 1, axis=1)[:, :take]
        for offset in range(block.shape[0]):
            for col in top[offset]:
                if block[offset, col] > 0:
                    rows.append(start + offset)
                    cols.append(col)
                    vals.append(block[offset, col])
    return sp.csr_matrix((vals, (rows, cols)), shape=(n_items, n_items))


def history_reasons(
    model: BaseRecommender, weights, rows: sp.csr_matrix, rec_ids: np.ndarray, user_idx: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each (user, recommended item): the history item with the largest share of the score, or -1; and whether
    there is one. `weights` is `item_item_weights(model)`; without it the model explains item by item.

    Item-item scores are sum_j x_uj * W[j, i], so the share of history item j is x_uj * W[j, i]."""
    reason_items = np.full(rec_ids.shape, -1, dtype=np.int64)
    has_reason = np.zeros(rec_ids.shape, dtype=bool)
    for r in range(rec_ids.shape[0]):
        row = rows[r]
        history = row.indices
        recs = rec_ids[r]
        valid = recs >= 0
        if history.size == 0 or not valid.any():
            continue
        if weights is not None:
            block = weights[history][:, recs[valid]]
            block = block.toarray() if sp.issparse(block) else np.asarray(block)
            shares = row.data[:, None] * block
            best = shares.argmax(axis=0)
            positive = shares[best, np.arange(shares.shape[1])] > 0
            chosen = np.where(positive, history[best], -1)
        else:
            chosen = np.array(
                [(lambda e: e[0][0] if e else -1)(model.explain(int(user_idx[r]), int(i), n=1)) for i in recs[valid]]
            )
        reason_items[r, valid] = chosen
        has_reason[r, valid] = chosen >= 0
    return reason_items, has_reason
