"""A weighted blend of recommenders whose weights are tuned on a validation split carved from the training data."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any, Self

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.utils import check_random_state

from .base import BaseRecommender, normalise_rows, top_n
from .evaluation import ndcg_at_k


def holdout_per_user(
    user_items: sp.spmatrix, fraction: float = 0.2, random_state: Any = None
) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Move a random ``fraction`` of each user's items to a validation matrix (users with >= 2 items keep one)."""
    rng = check_random_state(random_state)
    matrix = sp.csr_matrix(user_items)
    rows, cols = matrix.nonzero()
    data = np.asarray(matrix[rows, cols]).ravel()
    keep = np.ones(len(rows), dtype=bool)
    for u in range(matrix.shape[0]):
        start, end = matrix.indptr[u], matrix.indptr[u + 1]
        size = end - start
        n_out = int(np.floor(fraction * size))
        if size >= 2 and n_out >= 1:
            keep[start + rng.choice(size, size=min(n_out, size - 1), replace=False)] = False
    train = sp.csr_matrix((data[keep], (rows[keep], cols[keep])), shape=matrix.shape)
    valid = sp.csr_matrix((data[~keep], (rows[~keep], cols[~keep])), shape=matrix.shape)
    return train, valid


class HybridRecommender(BaseRecommender):
    """score = sum_c w_c * normalise(score_c), each component's scores scaled per user by their largest magnitude.

    components: ``[(name, estimator), ...]``; the first is the anchor (weight fixed at 1 while tuning).
    weights: ``{name: weight}``; ``None`` tunes them in ``fit``: by coordinate ascent over ``weight_grid`` maximising
        NDCG@``k`` on ``validation_items`` if given, otherwise on a per-user random hold-out of
        ``validation_fraction`` carved from ``user_items`` (then every component is refitted on all of it).
    """

    explainable = True

    def __init__(
        self,
        components: Sequence[tuple[str, BaseRecommender]] = (),
        weights: Mapping[str, float] | None = None,
        weight_grid: Sequence[float] = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5),
        validation_fraction: float = 0.2,
        k: int = 10,
        max_validation_users: int = 5000,
        random_state: Any = None,
    ) -> None:
        self.components = components
        self.weights = weights
        self.weight_grid = weight_grid
        self.validation_fraction = validation_fraction
        self.k = k
        self.max_validation_users = max_validation_users
        self.random_state = random_state

    def fit(
        self,
        user_items: sp.spmatrix,
        validation_items: sp.spmatrix | None = None,
        component_fit_params: Mapping[str, Mapping[str, Any]] | None = None,
        **fit_params: Any,
    ) -> Self:
        matrix = self._set_training_data(user_items)
        if not self.components:
            raise ValueError("HybridRecommender needs at least one component")
        names = [name for name, _ in self.components]
        if len(set(names)) != len(names):
            raise ValueError("component names must be unique")
        params = dict(component_fit_params or {})
        if self.weights is not None:
            self.weights_ = {name: float(self.weights.get(name, 0.0)) for name in names}
            self.components_ = self._fit_components(matrix, params)
            return self
        if validation_items is None:
            train, valid = holdout_per_user(matrix, self.validation_fraction, self.random_state)
            fitted = self._fit_components(train, params)
            self.weights_, self.validation_ndcg_ = self._tune(fitted, train, valid)
            self.components_ = self._fit_components(matrix, params)
        else:
            fitted = self._fit_components(matrix, params)
            self.weights_, self.validation_ndcg_ = self._tune(fitted, matrix, sp.csr_matrix(validation_items))
            self.components_ = fitted
        return self

    def _fit_components(
        self, matrix: sp.csr_matrix, params: Mapping[str, Mapping[str, Any]]
    ) -> list[tuple[str, BaseRecommender]]:
        return [(name, clone(est).fit(matrix, **params.get(name, {}))) for name, est in self.components]

    def _tune(
        self, fitted: list[tuple[str, BaseRecommender]], train: sp.csr_matrix, valid: sp.csr_matrix
    ) -> tuple[dict[str, float], float]:
        relevant = sp.csr_matrix(valid, dtype=np.float64, copy=True)
        relevant.data[:] = 1.0
        relevant = relevant - relevant.multiply(train > 0)
        relevant.eliminate_zeros()
        users = np.flatnonzero(np.diff(relevant.indptr) > 0)
        if len(users) > self.max_validation_users:
            users = np.sort(check_random_state(self.random_state).choice(users, self.max_validation_users, False))
        names = [name for name, _ in fitted]
        if not len(users):
            return {name: float(i == 0) for i, name in enumerate(names)}, float("nan")
        rows = train[users]
        seen_r, seen_c = rows.nonzero()
        parts = []
        for _, est in fitted:
            scores = normalise_rows(np.array(est.score(users, user_items=rows), dtype=np.float64))
            scores[~np.isfinite(scores)] = 0.0
            parts.append(scores)
        rel = relevant[users]

        def quality(w: Sequence[float]) -> float:
            blend = sum(wi * part for wi, part in zip(w, parts, strict=True) if wi)
            if isinstance(blend, int):
                return 0.0
            blend = np.array(blend, dtype=np.float64)
            blend[seen_r, seen_c] = -np.inf
            ids, _ = top_n(blend, self.k)
            return ndcg_at_k(ids, rel, self.k)

        weights = [1.0] + [0.0] * (len(parts) - 1)
        best = quality(weights)
        for _round, c in itertools.product(range(2), range(1, len(parts))):
            for value in self.weight_grid:
                trial = list(weights)
                trial[c] = float(value)
                score = quality(trial)
                if score > best + 1e-12:
                    best, weights = score, trial
        return dict(zip(names, weights, strict=True)), float(best)

    def _score_rows(self, user_ids: np.ndarray, rows: sp.csr_matrix) -> np.ndarray:
        total = np.zeros((len(user_ids), self.n_items_))
        for name, est in self.components_:
            w = self.weights_.get(name, 0.0)
            if w:
                part = normalise_rows(np.array(est.score(user_ids, user_items=rows), dtype=np.float64))
                part[~np.isfinite(part)] = 0.0
                total += w * part
        return total

    def _item_similarity_rows(self, item_ids: np.ndarray) -> np.ndarray:
        for name, est in self.components_:
            if self.weights_.get(name) and getattr(est, "explainable", False):
                return est._item_similarity_rows(item_ids)
        return self.components_[0][1]._item_similarity_rows(item_ids)

    def explain(
        self, user_id: int, item_id: int, n: int = 3, *, user_items: sp.spmatrix | None = None
    ) -> list[tuple[int, float]]:
        """Contributions of history items summed over the explainable components, each scaled by its weight."""
        self._check_fitted()
        rows = self._history_rows(np.array([user_id]), user_items)
        totals: dict[int, float] = {}
        for name, est in self.components_:
            w = self.weights_.get(name, 0.0)
            if not w or not getattr(est, "explainable", False):
                continue
            scale = np.abs(np.asarray(est.score([user_id], user_items=rows))).max() or 1.0
            for item, value in est.explain(user_id, item_id, n=len(rows.indices), user_items=rows):
                totals[item] = totals.get(item, 0.0) + float(w * value / scale)
        ranked = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
        return [(item, value) for item, value in ranked[:n] if value > 0]
