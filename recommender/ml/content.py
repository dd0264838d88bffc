"""Content-based recommendations: TF-IDF over item text with character n-grams (works for Chinese without a tokenizer).

A user's profile is the weighted sum of the TF-IDF vectors of their history; an item's score is the cosine between it
and the profile. Items with no interactions at all score like any other, which makes this model the bridge for
cold-start items and across catalogues.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Self

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from .base import BaseRecommender
from .interactions import binarize as to_binary


def item_text(title: str = "", description: str = "", tags: Iterable[str] | None = None, category: str = "") -> str:
    """The text the content model reads for one catalogue item."""
    return " ".join(part for part in (title, category, " ".join(tags or ()), description) if part)


class ContentRecommender(BaseRecommender):
    """``fit(user_items, item_texts=[...])`` with one text per item column."""

    explainable = True

    def __init__(
        self,
        ngram_range: tuple[int, int] = (2, 4),
        analyzer: str = "char_wb",
        min_df: int = 1,
        max_features: int | None = 100_000,
        binarize: bool = True,
    ) -> None:
        self.ngram_range = ngram_range
        self.analyzer = analyzer
        self.min_df = min_df
        self.max_features = max_features
        self.binarize = binarize

    def fit(self, user_items: sp.spmatrix, item_texts: Sequence[str] | None = None, **fit_params: Any) -> Self:
        matrix = self._set_training_data(user_items)
        if item_texts is None or len(item_texts) != self.n_items_:
            raise ValueError("ContentRecommender.fit needs item_texts= with one text per item column")
        vectorizer = TfidfVectorizer(
            analyzer=self.analyzer,
            ngram_range=tuple(self.ngram_range),
            min_df=self.min_df,
            max_features=self.max_features,
            sublinear_tf=True,
        )
        texts = [str(t or "").lower() for t in item_texts]
        if not any(t.strip() for t in texts):
            raise ValueError("every item text is empty")
        self.item_vectors_ = normalize(vectorizer.fit_transform(texts)).tocsr()
        self.vectorizer_ = vectorizer
        del matrix
        return self

    def _input(self, rows: sp.csr_matrix) -> sp.csr_matrix:
        return to_binary(rows) if self.binarize else rows

    def _score_rows(self, user_ids: np.ndarray, rows: sp.csr_matrix) -> np.ndarray:
        profiles = normalize(self._input(rows) @ self.item_vectors_)
        return (profiles @ self.item_vectors_.T).toarray()

    def _item_similarity_rows(self, item_ids: np.ndarray) -> np.ndarray:
        return (self.item_vectors_[item_ids] @ self.item_vectors_.T).toarray()

    def _pair_weights(self, history: np.ndarray, item_id: int) -> np.ndarray:
        return (self.item_vectors_[history] @ self.item_vectors_[item_id].T).toarray().ravel()

    def _history_values(self, row: sp.csr_matrix) -> np.ndarray:
        return self._input(row).data
