"""Optional interest-topic features: LDA over the tags and descriptions of what each consumer bought or studied."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.decomposition import LatentDirichletAllocation
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.utils import check_random_state

INTEREST_EVENT_TYPES: tuple[str, ...] = ("purchase", "enroll", "complete")


class InterestTopics(BaseEstimator):
    """Fit `n_topics` LDA topics on a consumer × term count matrix, where each consumer's "document" is the text
    (`tags` + `description`/`title`) of the items they bought, enrolled in or completed.

    `fit(events, items)`: events need `consumer_id`, `item_id`, `type`; items are indexed by item id (or have an
    `item_id` column) with a `text` column (join tags and description before calling). Learned: `topic_terms_`
    (list of the `top_terms` words per topic), `vectorizer_`, `lda_`. `transform(events, items)` returns a
    DataFrame indexed by consumer_id with columns `topic_0..` (rows sum to 1) to join onto the features.
    """

    def __init__(
        self, n_topics: int = 8, max_terms: int = 5_000, top_terms: int = 8, random_state: int | None = 0
    ) -> None:
        self.n_topics = n_topics
        self.max_terms = max_terms
        self.top_terms = top_terms
        self.random_state = random_state

    def _consumer_term_counts(self, events: pd.DataFrame, items: pd.DataFrame) -> tuple[sparse.csr_matrix, pd.Index]:
        if "item_id" in items.columns:
            items = items.set_index("item_id")
        interesting = events[events["type"].astype(str).isin(INTEREST_EVENT_TYPES) & events["item_id"].notna()]
        if interesting.empty:
            raise ValueError("no purchase / enrol / complete events with an item: nothing to learn interests from")
        consumers = pd.Index(interesting["consumer_id"].unique())
        item_rows = items.index.get_indexer(interesting["item_id"])
        known = item_rows >= 0
        consumer_rows = consumers.get_indexer(interesting["consumer_id"])[known]
        consumer_items = sparse.csr_matrix(
            (np.ones(known.sum()), (consumer_rows, item_rows[known])), shape=(len(consumers), len(items))
        )
        item_terms = self.vectorizer_.transform(items["text"].fillna("").astype(str))
        return (consumer_items @ item_terms).tocsr(), consumers

    def fit(self, events: pd.DataFrame, items: pd.DataFrame) -> InterestTopics:
        if not events["type"].astype(str).isin(INTEREST_EVENT_TYPES).any():
            raise ValueError("no purchase / enrol / complete events with an item: nothing to learn interests from")
        self.vectorizer_ = CountVectorizer(max_features=self.max_terms, token_pattern=r"(?u)\b\w\w+\b|[\u4e00-\u9fff]")
        texts = (items["text"] if "text" in items.columns else pd.Series(dtype=str)).fillna("").astype(str)
        self.vectorizer_.fit(texts)
        counts, _ = self._consumer_term_counts(events, items)
        self.lda_ = LatentDirichletAllocation(
            n_components=self.n_topics, learning_method="online", random_state=check_random_state(self.random_state)
        ).fit(counts)
        vocabulary = np.asarray(self.vectorizer_.get_feature_names_out())
        self.topic_terms_ = [
            vocabulary[np.argsort(-weights)[: self.top_terms]].tolist() for weights in self.lda_.components_
        ]
        return self

    def transform(self, events: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
        counts, consumers = self._consumer_term_counts(events, items)
        shares = self.lda_.transform(counts)
        return pd.DataFrame(
            shares, index=consumers.rename("consumer_id"), columns=[f"topic_{i}" for i in range(self.n_topics)]
        )
