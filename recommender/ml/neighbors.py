"""Neighbourhood models: item-kNN (cosine with shrinkage), user-kNN (cosine) and RP3beta (graph random walk)."""

from __future__ import annotations

from typing import Any, Self

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from .base import BaseRecommender
from .interactions import binarize as to_binary


def keep_top_k_per_column(weights: np.ndarray, k: int | None) -> sp.csr_matrix:
    """Sparse copy of a dense items x items matrix keeping the ``k`` largest entries of every column."""
    n = weights.shape[0]
    if k is None or k >= n:
        return sp.csr_matrix(weights)
    rows = np.argpartition(-weights, k - 1, axis=0)[:k, :]
    cols = np.broadcast_to(np.arange(n), rows.shape)
    vals = weights[rows, cols]
    keep = vals > 0
    return sp.csr_matrix((vals[keep], (rows[keep], cols[keep])), shape=weights.shape)


class _ItemItemModel(BaseRecommender):
    explainable = True

    def _input(self, matrix: sp.csr_matrix) -> sp.csr_matrix:
        return to_binary(matrix) if getattr(self, "binarize", False) else matrix

    def _score_rows(self, user_ids: np.ndarray, rows: sp.csr_matrix) -> np.ndarray:
        scores = self._input(rows) @ self.item_weights_
        return scores.toarray() if sp.issparse(scores) else np.asarray(scores)

    def _history_values(self, row: sp.csr_matrix) -> np.ndarray:
        return self._input(row).data


class ItemKNN(_ItemItemModel):
    """Item-based CF: sim(i, j) = <x_i, x_j> / (|x_i| |x_j| + shrinkage), each item keeping its ``k`` nearest."""

    def __init__(self, k: int = 100, shrinkage: float = 10.0, binarize: bool = True) -> None:
        self.k = k
        self.shrinkage = shrinkage
        self.binarize = binarize

    def fit(self, user_items: sp.spmatrix, **fit_params: Any) -> Self:
        matrix = self._input(self._set_training_data(user_items))
        gram = (matrix.T @ matrix).toarray()
        norms = np.sqrt(np.diag(gram))
        sims = gram / (np.outer(norms, norms) + self.shrinkage + 1e-12)
        np.fill_diagonal(sims, 0.0)
        self.item_weights_ = keep_top_k_per_column(sims, self.k)
        return self


class RP3Beta(_ItemItemModel):
    """RP3beta (Paudel et al. 2017): 3-step random-walk item transition probabilities, divided by popularity^beta."""

    def __init__(self, alpha: float = 1.0, beta: float = 0.5, k: int = 200, binarize: bool = True) -> None:
        self.alpha = alpha
        self.beta = beta
        self.k = k
        self.binarize = binarize

    def fit(self, user_items: sp.spmatrix, **fit_params: Any) -> Self:
        matrix = self._input(self._set_training_data(user_items))
        p_ui = normalize(matrix, norm="l1", axis=1)
        p_iu = normalize(matrix.T.tocsr(), norm="l1", axis=1)
        if self.alpha != 1.0:
            p_ui = p_ui.power(self.alpha)
            p_iu = p_iu.power(self.alpha)
        walk = (p_iu @ p_ui).toarray()
        popularity = np.asarray((matrix > 0).sum(axis=0)).ravel().astype(np.float64)
        walk /= np.power(np.maximum(popularity, 1.0), self.beta)[None, :]
        np.fill_diagonal(walk, 0.0)
        self.item_weights_ = keep_top_k_per_column(walk, self.k)
        return self


class UserKNN(BaseRecommender):
    """User-based CF: score(u, i) = sum over u's ``k`` most cosine-similar users v of sim(u, v) * x_vi."""

    def __init__(self, k: int = 50, shrinkage: float = 0.0, binarize: bool = True) -> None:
        self.k = k
        self.shrinkage = shrinkage
        self.binarize = binarize

    def _input(self, matrix: sp.csr_matrix) -> sp.csr_matrix:
        return to_binary(matrix) if self.binarize else matrix

    def fit(self, user_items: sp.spmatrix, **fit_params: Any) -> Self:
        matrix = self._input(self._set_training_data(user_items))
        self.user_norms_ = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        self.training_input_ = matrix
        return self

    def _score_rows(self, user_ids: np.ndarray, rows: sp.csr_matrix) -> np.ndarray:
        rows = self._input(rows)
        dots = (rows @ self.training_input_.T).toarray()
        norms = np.sqrt(np.asarray(rows.multiply(rows).sum(axis=1)).ravel())
        sims = dots / (np.outer(norms, self.user_norms_) + self.shrinkage + 1e-12)
        # A training user is not its own neighbour.
        known = (user_ids >= 0) & (user_ids < self.n_users_)
        sims[np.flatnonzero(known), user_ids[known]] = 0.0
        k = min(self.k, sims.shape[1])
        if k < sims.shape[1]:
            cut = np.argpartition(-sims, k - 1, axis=1)[:, k - 1 : k]
            threshold = np.take_along_axis(sims, cut, axis=1)
            sims = np.where(sims >= threshold, sims, 0.0)
        return (sp.csr_matrix(sims) @ self.training_input_).toarray()
