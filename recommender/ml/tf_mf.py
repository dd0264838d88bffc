"""The learned model: implicit-feedback matrix factorisation in TensorFlow/Keras with sampled negatives.

Two towers: a user embedding, and an item tower = item embedding (+ a linear map of item content features when given,
so items with few or no interactions still get a meaningful vector). Trained with a BPR pairwise loss: for each
observed (user, item) pair, ``n_negatives`` items drawn uniformly must score lower. After training the embeddings are
copied to numpy arrays, so scoring, saving and loading never touch TensorFlow — it is imported lazily inside ``fit``.
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_random_state

from .base import BaseRecommender


class TFMatrixFactorization(BaseRecommender):
    """Users never seen in training are folded in as the mean item vector of their history."""

    def __init__(
        self,
        factors: int = 32,
        epochs: int = 10,
        batch_size: int = 1024,
        learning_rate: float = 0.01,
        l2: float = 1e-5,
        n_negatives: int = 4,
        random_state: Any = None,
    ) -> None:
        self.factors = factors
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.l2 = l2
        self.n_negatives = n_negatives
        self.random_state = random_state

    def fit(self, user_items: sp.spmatrix, item_features: Any = None, **fit_params: Any) -> Self:
        import tensorflow as tf  # heavy: imported only when this model trains

        matrix = self._set_training_data(user_items)
        rng = check_random_state(self.random_state)
        tf.keras.utils.set_random_seed(int(rng.randint(0, 2**31 - 1)))
        features = None
        if item_features is not None:
            features = np.asarray(item_features.toarray() if sp.issparse(item_features) else item_features, "float32")
            if features.shape[0] != self.n_items_:
                raise ValueError("item_features needs one row per item")

        user_emb = tf.Variable(tf.random.normal((self.n_users_, self.factors), stddev=0.05), name="user")
        item_emb = tf.Variable(tf.random.normal((self.n_items_, self.factors), stddev=0.05), name="item")
        item_bias = tf.Variable(tf.zeros((self.n_items_,)), name="item_bias")
        variables = [user_emb, item_emb, item_bias]
        if features is not None:
            feature_map = tf.Variable(tf.random.normal((features.shape[1], self.factors), stddev=0.05), name="fmap")
            variables.append(feature_map)
            feature_const = tf.constant(features)
        optimizer = tf.keras.optimizers.Adam(self.learning_rate)

        def item_vectors(ids: Any) -> Any:
            vec = tf.gather(item_emb, ids)
            if features is not None:
                vec = vec + tf.matmul(tf.gather(feature_const, ids), feature_map)
            return vec

        def step(users: Any, pos: Any, neg: Any) -> Any:
            with tf.GradientTape() as tape:
                u = tf.gather(user_emb, users)
                p = item_vectors(pos)
                n = item_vectors(neg)  # (batch, n_negatives, factors)
                pos_score = tf.reduce_sum(u * p, axis=1) + tf.gather(item_bias, pos)
                neg_score = tf.einsum("bf,bnf->bn", u, n) + tf.gather(item_bias, neg)
                loss = -tf.reduce_mean(tf.math.log_sigmoid(pos_score[:, None] - neg_score))
                loss += (
                    self.l2
                    * (tf.reduce_sum(u * u) + tf.reduce_sum(p * p) + tf.reduce_sum(n * n))
                    / tf.cast(tf.shape(users)[0], tf.float32)
                )
            grads = tape.gradient(loss, variables)
            optimizer.apply_gradients(zip(grads, variables, strict=True))
            return loss

        users, items = matrix.nonzero()
        users = users.astype(np.int32)
        items = items.astype(np.int32)
        n_steps = self.epochs * -(-len(users) // self.batch_size)
        if n_steps > 50:  # graph tracing costs about a second: worth it only when there are many steps
            step = tf.function(step)
        self.loss_history_ = []
        for _epoch in range(self.epochs):
            order = rng.permutation(len(users))
            total = 0.0
            for start in range(0, len(order), self.batch_size):
                idx = order[start : start + self.batch_size]
                neg = rng.randint(0, self.n_items_, size=(len(idx), self.n_negatives)).astype(np.int32)
                total += float(step(users[idx], items[idx], neg)) * len(idx)
            self.loss_history_.append(total / max(len(order), 1))

        self.user_factors_ = user_emb.numpy().astype(np.float64)
        vectors = item_emb.numpy()
        if features is not None:
            vectors = vectors + features @ feature_map.numpy()
        self.item_factors_ = vectors.astype(np.float64)
        self.item_bias_ = item_bias.numpy().astype(np.float64)
        return self

    def _user_vectors(self, user_ids: np.ndarray, rows: sp.csr_matrix) -> np.ndarray:
        out = np.empty((len(user_ids), self.factors))
        for k, u in enumerate(user_ids):
            if 0 <= u < self.n_users_ and self.user_items_.indptr[u + 1] > self.user_items_.indptr[u]:
                out[k] = self.user_factors_[u]
            else:
                history = rows[k].indices
                out[k] = self.item_factors_[history].mean(axis=0) if len(history) else 0.0
        return out

    def _score_rows(self, user_ids: np.ndarray, rows: sp.csr_matrix) -> np.ndarray:
        return self._user_vectors(user_ids, rows) @ self.item_factors_.T + self.item_bias_[None, :]

    def _item_similarity_rows(self, item_ids: np.ndarray) -> np.ndarray:
        norms = np.linalg.norm(self.item_factors_, axis=1) + 1e-12
        unit = self.item_factors_ / norms[:, None]
        return unit[item_ids] @ unit.T
