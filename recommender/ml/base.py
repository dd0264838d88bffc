"""The one base every recommender in ``recommender.ml`` shares.

Conventions follow scikit-learn, ``implicit`` and microsoft/recommenders:

* ``__init__`` stores hyperparameters only; ``fit(user_items)`` learns and returns ``self``; learned state
  ends in ``_``.
* ``user_items`` is a ``scipy.sparse`` CSR matrix (users x items) of non-negative weights. Users and items are the
  row / column *indices*; :mod:`recommender.ml.interactions` maps external ids to indices and back.
* ``recommend(user_ids, n, filter_seen=True) -> (item_ids, scores)``, both of shape ``(len(user_ids), n)``. When fewer
  than ``n`` items are eligible the row is padded with item id ``-1`` and score ``-inf``.
* ``save(path)`` / ``load(path)`` pickle the fitted estimator; every learned array is numpy / scipy, so loading never
  imports TensorFlow.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any, Self

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator

PAD_ITEM = -1


def as_user_items(user_items: Any) -> sp.csr_matrix:
    """Validate and return ``user_items`` as a float64 CSR matrix with sorted, summed indices."""
    if not sp.issparse(user_items):
        raise TypeError("user_items must be a scipy.sparse matrix (users x items)")
    matrix = sp.csr_matrix(user_items, dtype=np.float64)
    matrix.sum_duplicates()
    matrix.sort_indices()
    if matrix.nnz and matrix.data.min() < 0:
        raise ValueError("user_items must hold non-negative weights")
    return matrix


def top_n(scores: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices and values of the ``n`` largest finite scores of every row, best first, padded with -1 / -inf."""
    n_rows, n_cols = scores.shape
    take = min(n, n_cols)
    if take == 0:
        return np.full((n_rows, n), PAD_ITEM, dtype=np.int64), np.full((n_rows, n), -np.inf)
    if take < n_cols:
        part = np.argpartition(-scores, take - 1, axis=1)[:, :take]
    else:
        part = np.tile(np.arange(n_cols), (n_rows, 1))
    part_scores = np.take_along_axis(scores, part, axis=1)
    # Stable order: by score descending, then by item index so ties are deterministic.
    order = np.lexsort((part, -part_scores), axis=1)
    ids = np.take_along_axis(part, order, axis=1).astype(np.int64)
    vals = np.take_along_axis(part_scores, order, axis=1).astype(np.float64)
    ids[~np.isfinite(vals)] = PAD_ITEM
    vals[~np.isfinite(vals)] = -np.inf
    if take < n:
        ids = np.hstack([ids, np.full((n_rows, n - take), PAD_ITEM, dtype=np.int64)])
        vals = np.hstack([vals, np.full((n_rows, n - take), -np.inf)])
    return ids, vals


def normalise_rows(scores: np.ndarray) -> np.ndarray:
    """Scale each row by its largest absolute finite value, so components of a blend are comparable."""
    finite = np.where(np.isfinite(scores), np.abs(scores), 0.0)
    peak = finite.max(axis=1, keepdims=True)
    peak[peak == 0] = 1.0
    return scores / peak


class BaseRecommender(BaseEstimator):
    """Shared behaviour: candidate restriction, seen-item filtering, top-n, similar items, explanations, persistence.

    Subclasses implement ``fit`` (calling ``self._set_training_data(user_items)``) and ``_score_rows``; models with an
    item-item weight matrix set ``item_weights_`` (items x items, row = history item, column = scored item) and get
    ``similar_items`` and ``explain`` for free.
    """

    #: whether ``explain`` can name the history items behind a score
    explainable: bool = False

    # ----------------------------------------------------------------------------------------------------- fitting
    def fit(self, user_items: sp.spmatrix, **fit_params: Any) -> Self:  # pragma: no cover - abstract
        raise NotImplementedError

    def _set_training_data(self, user_items: sp.spmatrix) -> sp.csr_matrix:
        matrix = as_user_items(user_items)
        self.user_items_ = matrix
        self.n_users_, self.n_items_ = matrix.shape
        return matrix

    def _check_fitted(self) -> None:
        if not hasattr(self, "user_items_"):
            raise RuntimeError(f"{type(self).__name__} is not fitted yet; call fit(user_items) first")

    # ----------------------------------------------------------------------------------------------------- scoring
    def _score_rows(self, user_ids: np.ndarray, rows: sp.csr_matrix) -> np.ndarray:  # pragma: no cover - abstract
        """Dense scores (len(user_ids) x n_items) for users whose histories are ``rows``."""
        raise NotImplementedError

    def _history_rows(self, user_ids: np.ndarray, user_items: sp.spmatrix | None) -> sp.csr_matrix:
        if user_items is None:
            if len(user_ids) and (user_ids.min() < 0 or user_ids.max() >= self.n_users_):
                raise IndexError("user id outside the training matrix; pass user_items for unseen users")
            return self.user_items_[user_ids]
        rows = as_user_items(user_items)
        if rows.shape[1] != self.n_items_:
            raise ValueError(f"user_items has {rows.shape[1]} items, the model was fitted on {self.n_items_}")
        if rows.shape[0] == len(user_ids):
            return rows
        return rows[user_ids]

    def score(self, user_ids: Any, user_items: sp.spmatrix | None = None) -> np.ndarray:
        """Raw scores for every item, shape (len(user_ids), n_items)."""
        self._check_fitted()
        ids = np.atleast_1d(np.asarray(user_ids, dtype=np.int64))
        return self._score_rows(ids, self._history_rows(ids, user_items))

    def recommend(
        self,
        user_ids: Any,
        n: int = 10,
        filter_seen: bool = True,
        *,
        user_items: sp.spmatrix | None = None,
        items: Any = None,
        filter_items: Any = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-``n`` item indices and scores for each user.

        user_items: histories to score from: rows aligned with ``user_ids`` (a matrix with exactly len(user_ids) rows
            is always taken as aligned), or a full users x items matrix indexed by ``user_ids``; defaults to the
            training matrix. Pass fresh rows to re-rank with events that arrived after training.
        items: candidate restriction, a boolean mask over items or an array of item indices (e.g. one catalogue).
        filter_items: item indices never to recommend (inactive, out of agreement).
        """
        self._check_fitted()
        ids = np.atleast_1d(np.asarray(user_ids, dtype=np.int64))
        rows = self._history_rows(ids, user_items)
        scores = np.array(self._score_rows(ids, rows), dtype=np.float64, copy=True)
        if items is not None:
            mask = self._item_mask(items)
            scores[:, ~mask] = -np.inf
        if filter_items is not None:
            scores[:, np.asarray(filter_items, dtype=np.int64)] = -np.inf
        if filter_seen:
            r, c = rows.nonzero()
            scores[r, c] = -np.inf
        return top_n(scores, n)

    def _item_mask(self, items: Any) -> np.ndarray:
        arr = np.asarray(items)
        if arr.dtype == bool:
            if arr.shape != (self.n_items_,):
                raise ValueError("a boolean item mask must have one entry per item")
            return arr
        mask = np.zeros(self.n_items_, dtype=bool)
        mask[arr.astype(np.int64)] = True
        return mask

    # ------------------------------------------------------------------------------------------- item-item helpers
    def similar_items(self, item_ids: Any, n: int = 10) -> tuple[np.ndarray, np.ndarray]:
        """The ``n`` items most similar to each of ``item_ids`` (the item itself excluded)."""
        self._check_fitted()
        ids = np.atleast_1d(np.asarray(item_ids, dtype=np.int64))
        sims = np.array(self._item_similarity_rows(ids), dtype=np.float64, copy=True)
        sims[np.arange(len(ids)), ids] = -np.inf
        return top_n(sims, n)

    def _item_similarity_rows(self, item_ids: np.ndarray) -> np.ndarray:
        weights = getattr(self, "item_weights_", None)
        if weights is None:
            raise NotImplementedError(f"{type(self).__name__} has no item-item similarity")
        rows = weights[item_ids]
        return rows.toarray() if sp.issparse(rows) else np.asarray(rows)

    def explain(
        self, user_id: int, item_id: int, n: int = 3, *, user_items: sp.spmatrix | None = None
    ) -> list[tuple[int, float]]:
        """History items that contributed most to ``item_id``'s score for ``user_id``: ``[(item, contribution)]``.

        For item-item models the score is ``sum_j x_uj * W[j, item]``, so each term is one history item's share —
        "because you bought X". Models without such a decomposition return ``[]`` (the caller then shows a
        non-personal reason such as "popular now").
        """
        self._check_fitted()
        if not self.explainable:
            return []
        row = self._history_rows(np.array([user_id]), user_items)
        history = row.indices
        if history.size == 0:
            return []
        column = self._pair_weights(history, int(item_id))
        contributions = self._history_values(row) * column
        order = np.argsort(-contributions, kind="stable")[:n]
        return [(int(history[i]), float(contributions[i])) for i in order if contributions[i] > 0]

    def _pair_weights(self, history: np.ndarray, item_id: int) -> np.ndarray:
        """W[j, item_id] for each history item j (the item-item weight the score is built from)."""
        column = self.item_weights_[history, item_id]
        return np.asarray(column.toarray() if sp.issparse(column) else column, dtype=np.float64).ravel()

    def _history_values(self, row: sp.csr_matrix) -> np.ndarray:
        return row.data

    # ------------------------------------------------------------------------------------------------ persistence
    def save(self, path: str | Path) -> None:
        with open(path, "wb") as handle:
            pickle.dump(self, handle, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def load(cls, path: str | Path) -> Self:
        with open(path, "rb") as handle:
            # Only load artefacts our own training pipeline wrote: unpickling runs code.
            model = pickle.load(handle)
        if not isinstance(model, cls):
            raise TypeError(f"{path} holds a {type(model).__name__}, not a {cls.__name__}")
        return model
