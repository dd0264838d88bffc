"""Non-personalised baselines: (time-decayed) popularity, globally or per group (segment, city, ...).

Time decay lives in the matrix weights (``interactions_from_events(half_life_days=...)``), so popularity is the column
sum of those weights: with a short half-life it is "what sells now".
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np
import scipy.sparse as sp

from .base import BaseRecommender, top_n


class PopularityRecommender(BaseRecommender):
    """Score of an item = sum of its weights (``count="weight"``) or number of distinct users (``count="users"``)."""

    def __init__(self, count: str = "weight") -> None:
        self.count = count

    def fit(self, user_items: sp.spmatrix, **fit_params: Any) -> Self:
        matrix = self._set_training_data(user_items)
        if self.count not in {"weight", "users"}:
            raise ValueError("count must be 'weight' or 'users'")
        source = matrix if self.count == "weight" else (matrix > 0).astype(np.float64)
        self.item_popularity_ = np.asarray(source.sum(axis=0)).ravel()
        return self

    def _score_rows(self, user_ids: np.ndarray, rows: sp.csr_matrix) -> np.ndarray:
        return np.broadcast_to(self.item_popularity_, (len(user_ids), self.n_items_))

    def _item_similarity_rows(self, item_ids: np.ndarray) -> np.ndarray:
        # "Similar" for a non-personal model: the most popular other items.
        return np.broadcast_to(self.item_popularity_, (len(item_ids), self.n_items_))


class GroupPopularityRecommender(BaseRecommender):
    """Popularity within each user's group, shrunk toward global popularity for small groups.

    score_g(i) = (n_g * share_g(i) + shrinkage * share(i)) / (n_g + shrinkage), where ``share`` is an item's part of all
    weight (globally or in group g) and n_g the number of users in g. Users without a group get global popularity.
    """

    def __init__(self, shrinkage: float = 20.0, count: str = "weight") -> None:
        self.shrinkage = shrinkage
        self.count = count

    def fit(self, user_items: sp.spmatrix, groups: Any = None, **fit_params: Any) -> Self:
        matrix = self._set_training_data(user_items)
        if groups is None:
            raise ValueError("GroupPopularityRecommender.fit needs groups= (one label per user, None for none)")
        labels = np.asarray(groups, dtype=object)
        if labels.shape != (self.n_users_,):
            raise ValueError("groups must have one label per user")
        source = matrix if self.count == "weight" else (matrix > 0).astype(np.float64)
        total = np.asarray(source.sum(axis=0)).ravel()
        global_share = total / max(total.sum(), 1e-12)
        self.global_popularity_ = global_share
        self.user_groups_ = labels
        self.group_popularity_: dict[Any, np.ndarray] = {}
        for group in {g for g in labels.tolist() if g is not None}:
            members = np.flatnonzero(labels == group)
            counts = np.asarray(source[members].sum(axis=0)).ravel()
            share = counts / max(counts.sum(), 1e-12)
            n_g = len(members)
            self.group_popularity_[group] = (n_g * share + self.shrinkage * global_share) / (n_g + self.shrinkage)
        return self

    def popularity_for(self, group: Any) -> np.ndarray:
        self._check_fitted()
        return self.group_popularity_.get(group, self.global_popularity_)

    def _score_rows(self, user_ids: np.ndarray, rows: sp.csr_matrix) -> np.ndarray:
        out = np.empty((len(user_ids), self.n_items_))
        for k, u in enumerate(user_ids):
            group = self.user_groups_[u] if 0 <= u < self.n_users_ else None
            out[k] = self.popularity_for(group)
        return out

    def _item_similarity_rows(self, item_ids: np.ndarray) -> np.ndarray:
        return np.broadcast_to(self.global_popularity_, (len(item_ids), self.n_items_))

    def recommend_for_group(
        self, group: Any, n: int = 10, *, items: Any = None, filter_items: Any = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-``n`` for a group label (non-personalised serving: no user history is read)."""
        scores = np.array(self.popularity_for(group), dtype=np.float64)[None, :]
        if items is not None:
            scores[:, ~self._item_mask(items)] = -np.inf
        if filter_items is not None:
            scores[:, np.asarray(filter_items, dtype=np.int64)] = -np.inf
        ids, vals = top_n(scores, n)
        return ids[0], vals[0]


class TrendingPopularityRecommender(BaseRecommender):
    """Popularity with momentum: what sells now, boosted where it sells more now than it used to.

    ``fit(user_items, baseline_items=...)`` takes the same interactions twice: ``user_items`` built with a short
    half-life (days) and ``baseline_items`` with a long one (weeks). With s(i) and b(i) each item's share of all weight,

        score(i) = s(i) * (s(i) / b(i)) ** momentum

    ``momentum=0`` (or no ``baseline_items``) is plain time-decayed popularity. A seasonal catalogue (Christmas
    decorations in November) is where the momentum term earns its place.
    """

    def __init__(self, momentum: float = 1.0) -> None:
        self.momentum = momentum

    def fit(self, user_items: sp.spmatrix, baseline_items: sp.spmatrix | None = None, **fit_params: Any) -> Self:
        matrix = self._set_training_data(user_items)
        recent = np.asarray(matrix.sum(axis=0)).ravel()
        recent_share = recent / max(recent.sum(), 1e-300)
        scores = recent_share.copy()
        if baseline_items is not None and self.momentum:
            if baseline_items.shape[1] != self.n_items_:
                raise ValueError("baseline_items must have the same items as user_items")
            base = np.asarray(baseline_items.sum(axis=0)).ravel()
            base_share = base / max(base.sum(), 1e-300)
            ratio = np.divide(recent_share, base_share, out=np.zeros_like(recent_share), where=base_share > 0)
            scores = recent_share * ratio**self.momentum
        self.item_popularity_ = scores
        return self

    def _score_rows(self, user_ids: np.ndarray, rows: sp.csr_matrix) -> np.ndarray:
        return np.broadcast_to(self.item_popularity_, (len(user_ids), self.n_items_))

    def _item_similarity_rows(self, item_ids: np.ndarray) -> np.ndarray:
        return np.broadcast_to(self.item_popularity_, (len(item_ids), self.n_items_))
