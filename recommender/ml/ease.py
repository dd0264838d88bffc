"""EASE (Steck 2019, "Embarrassingly Shallow Autoencoders for Sparse Data"): closed-form item-item regression.

B = I - P diag(1 / diag(P)), P = (X^T X + l2 I)^-1, then B_ii = 0. Scores are x_u B. The item Gram matrix is dense,
so memory is O(n_items^2): fine up to a few tens of thousands of items.
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np
import scipy.linalg
import scipy.sparse as sp

from .neighbors import _ItemItemModel


class EASE(_ItemItemModel):
    """``l2`` is the ridge strength (tuned on validation); ``binarize`` fits on 0/1 instead of weights."""

    def __init__(self, l2: float = 300.0, binarize: bool = True) -> None:
        self.l2 = l2
        self.binarize = binarize

    def fit(self, user_items: sp.spmatrix, **fit_params: Any) -> Self:
        matrix = self._input(self._set_training_data(user_items))
        gram = (matrix.T @ matrix).toarray()
        gram[np.diag_indices_from(gram)] += self.l2
        precision = scipy.linalg.inv(gram, overwrite_a=True, check_finite=False)
        weights = -precision / np.diag(precision)[None, :]
        np.fill_diagonal(weights, 0.0)
        self.item_weights_ = weights
        return self

    def _score_rows(self, user_ids: np.ndarray, rows: sp.csr_matrix) -> np.ndarray:
        return np.asarray(self._input(rows) @ self.item_weights_)
