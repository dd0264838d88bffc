"""Cross-domain recommendation: one model over two (or more) catalogues, served one catalogue at a time.

Items carry a domain label (the catalogue's organisation). The wrapped model is fitted on the joint users x items
matrix of consumers who may be used across catalogues, so its item-item weights (EASE, kNN, RP3beta) or shared
factors (TF MF) connect items of different catalogues. A consumer with no history in the target catalogue is still
scored through what they did in the other one. ``recommend(..., target_domain=D)`` restricts candidates to D.

Newcomers to the target catalogue need different settings from consumers already active there: their scores come
only from the cross-catalogue block of the item-item weights, which a ridge strength tuned for within-catalogue
recommendation shrinks towards nothing. With ``target_domain`` set, rows without target-catalogue history are scored
by ``newcomer_estimator`` (fitted on the same joint matrix, typically EASE with a larger ``l2``), optionally blended
with the target catalogue's popularity as a prior (``newcomer_popularity_weight``). Both are chosen on a validation
window (:mod:`recommender.ml.cross_domain_eval`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Self

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone

from .base import BaseRecommender, normalise_rows
from .evaluation import evaluate_model
from .popularity import PopularityRecommender


class CrossDomainRecommender(BaseRecommender):
    """``fit(user_items, item_domains=[...])``; ``recommend(user_ids, n, target_domain="partner")``.

    estimator: the model over the joint matrix, for everyone with history in the target catalogue.
    newcomer_estimator: fitted on the same joint matrix, scores rows with no history in ``target_domain`` (``None``:
        the estimator scores them too).
    target_domain: the catalogue this model serves: newcomers are judged against it and it is the default candidate
        restriction of ``recommend``. ``None``: no newcomer routing.
    newcomer_popularity_weight: weight of the target catalogue's popularity (distinct users, scaled to [0, 1]) added to
        a newcomer's scores (themselves scaled per row to a largest magnitude of 1).
    item_domains: one label per item, used when ``fit`` is not given ``item_domains=`` (so a pipeline that calls
        ``fit(matrix)`` on every candidate can train this one too).
    """

    def __init__(
        self,
        estimator: BaseRecommender | None = None,
        newcomer_estimator: BaseRecommender | None = None,
        target_domain: Any = None,
        newcomer_popularity_weight: float = 0.0,
        item_domains: Any = None,
    ) -> None:
        self.estimator = estimator
        self.newcomer_estimator = newcomer_estimator
        self.target_domain = target_domain
        self.newcomer_popularity_weight = newcomer_popularity_weight
        self.item_domains = item_domains

    @property
    def explainable(self) -> bool:  # type: ignore[override]
        return bool(getattr(self.estimator, "explainable", False))

    def fit(self, user_items: sp.spmatrix, item_domains: Any = None, **fit_params: Any) -> Self:
        matrix = self._set_training_data(user_items)
        if item_domains is None:
            item_domains = self.item_domains
        if item_domains is None:
            raise ValueError("CrossDomainRecommender.fit needs item_domains= (one label per item)")
        domains = np.asarray(item_domains, dtype=object)
        if domains.shape != (self.n_items_,):
            raise ValueError("item_domains must have one label per item")
        if self.estimator is None:
            raise ValueError("CrossDomainRecommender needs an estimator")
        self.item_domains_ = domains
        self.domains_ = sorted({str(d) for d in domains.tolist()})
        self.estimator_ = clone(self.estimator).fit(matrix, **fit_params)
        self.newcomer_estimator_ = None
        if self.target_domain is not None:
            target = self.domain_mask(self.target_domain)
            users_per_item = np.asarray((matrix > 0).sum(axis=0), dtype=np.float64).ravel() * target
            self.target_popularity_ = users_per_item / (users_per_item.max() or 1.0)
            if self.newcomer_estimator is not None:
                self.newcomer_estimator_ = clone(self.newcomer_estimator).fit(matrix, **fit_params)
        return self

    def newcomers(self, rows: sp.spmatrix) -> np.ndarray:
        """Boolean per row: no history in ``target_domain`` (all False when no target domain is set)."""
        self._check_fitted()
        rows = sp.csr_matrix(rows)
        if self.target_domain is None:
            return np.zeros(rows.shape[0], dtype=bool)
        target = self.domain_mask(self.target_domain).astype(np.float64)
        return np.asarray(rows @ target).ravel() <= 0

    def _routes_newcomers(self) -> bool:
        return self.target_domain is not None and (
            self.newcomer_estimator_ is not None or self.newcomer_popularity_weight > 0
        )

    def _newcomer_scores(self, user_ids: np.ndarray, rows: sp.csr_matrix) -> np.ndarray:
        model = self.newcomer_estimator_ if self.newcomer_estimator_ is not None else self.estimator_
        scores = np.array(model.score(user_ids, user_items=rows), dtype=np.float64)
        if self.newcomer_popularity_weight > 0:
            scores = normalise_rows(scores) + self.newcomer_popularity_weight * self.target_popularity_[None, :]
        return scores

    def domain_mask(self, domain: Any) -> np.ndarray:
        self._check_fitted()
        mask = self.item_domains_ == domain
        if not mask.any():
            raise KeyError(f"no item in domain {domain!r}")
        return mask

    def _score_rows(self, user_ids: np.ndarray, rows: sp.csr_matrix) -> np.ndarray:
        scores = self.estimator_.score(user_ids, user_items=rows)
        if not self._routes_newcomers():
            return scores
        new = self.newcomers(rows)
        if not new.any():
            return scores
        scores = np.array(scores, dtype=np.float64, copy=True)
        scores[new] = self._newcomer_scores(user_ids[new], rows[new])
        return scores

    def recommend(
        self,
        user_ids: Any,
        n: int = 10,
        filter_seen: bool = True,
        *,
        target_domain: Any = None,
        user_items: sp.spmatrix | None = None,
        items: Any = None,
        filter_items: Any = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        if target_domain is None:
            target_domain = self.target_domain
        if target_domain is not None:
            mask = self.domain_mask(target_domain)
            if items is not None:
                mask = mask & self._item_mask(items)
            items = mask
        return super().recommend(
            user_ids, n, filter_seen, user_items=user_items, items=items, filter_items=filter_items
        )

    def explain(
        self, user_id: int, item_id: int, n: int = 3, *, user_items: sp.spmatrix | None = None
    ) -> list[tuple[int, float]]:
        """As the estimator that scored the row: the newcomer estimator for a newcomer (popularity is no reason)."""
        self._check_fitted()
        row = self._history_rows(np.array([user_id]), user_items)
        model = self.estimator_
        if self.newcomer_estimator_ is not None and self.newcomers(row)[0]:
            model = self.newcomer_estimator_
        if not getattr(model, "explainable", False):
            return []
        return model.explain(0, item_id, n, user_items=row)

    def reason_items(self, rows: sp.spmatrix, recommended: np.ndarray) -> np.ndarray | None:
        """Batch ``explain(..., n=1)``: for each row and recommended item, the history item with the largest positive
        share ``x_uj * W[j, i]`` in the item-item weights of the estimator that scored the row, else -1. ``None`` when
        an estimator has no item-item weights (then call ``explain`` per item)."""
        self._check_fitted()
        rows = sp.csr_matrix(rows)
        new = self.newcomers(rows) if self.newcomer_estimator_ is not None else np.zeros(rows.shape[0], dtype=bool)
        models = {False: self.estimator_, True: self.newcomer_estimator_}
        if any(getattr(models[flag], "item_weights_", None) is None for flag in set(new.tolist())):
            return None
        reasons = np.full(recommended.shape, -1, dtype=np.int64)
        for r in range(rows.shape[0]):
            model = models[bool(new[r])]
            row, recs = rows[r], recommended[r]
            valid = recs >= 0
            if row.nnz == 0 or not valid.any():
                continue
            block = model.item_weights_[row.indices][:, recs[valid]]
            block = block.toarray() if sp.issparse(block) else np.asarray(block)
            shares = model._history_values(row)[:, None] * block
            best = shares.argmax(axis=0)
            positive = shares[best, np.arange(shares.shape[1])] > 0
            reasons[r, valid] = np.where(positive, row.indices[best], -1)
        return reasons

    def _item_similarity_rows(self, item_ids: np.ndarray) -> np.ndarray:
        return self.estimator_._item_similarity_rows(item_ids)

    def _pair_weights(self, history: np.ndarray, item_id: int) -> np.ndarray:
        return self.estimator_._pair_weights(history, item_id)

    def _history_values(self, row: sp.csr_matrix) -> np.ndarray:
        return self.estimator_._history_values(row)

    def users_by_domain_history(
        self, target_domain: Any, user_items: sp.spmatrix | None = None
    ) -> dict[str, np.ndarray]:
        """Users with history on both sides (``"both"``) and users with history only outside the target (``"new"``)."""
        matrix = sp.csr_matrix(self.user_items_ if user_items is None else user_items)
        target = self.domain_mask(target_domain).astype(np.float64)
        in_target = np.asarray(matrix @ target).ravel() > 0
        elsewhere = np.asarray(matrix @ (1.0 - target)).ravel() > 0
        return {"both": np.flatnonzero(in_target & elsewhere), "new": np.flatnonzero(~in_target & elsewhere)}


def cross_domain_lift(
    make_estimator: Callable[[], BaseRecommender],
    train: sp.spmatrix,
    test: sp.spmatrix,
    item_domains: Any,
    target_domain: Any,
    *,
    k: int = 10,
    fit_params: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Compare one joint model against a single-domain model (fitted on target-catalogue columns only) and popularity.

    Relevance is the test interactions inside the target catalogue. Users are grouped into ``both`` (training history
    on both sides) and ``new`` (no training history in the target catalogue). Returns per group and model the metrics
    of :func:`evaluate_model`, and ``lift`` = joint NDCG / best single-domain NDCG per group (single-domain model and
    popularity for ``new``, where a single-domain model has nothing personal to go on).
    """
    train = sp.csr_matrix(train, dtype=np.float64)
    test = sp.csr_matrix(test, dtype=np.float64)
    domains = np.asarray(item_domains, dtype=object)
    target = domains == target_domain
    diag = sp.diags(target.astype(np.float64))
    target_test = sp.csr_matrix(test @ diag)
    target_test.eliminate_zeros()
    target_train = sp.csr_matrix(train @ diag)
    target_train.eliminate_zeros()

    joint = CrossDomainRecommender(make_estimator()).fit(train, item_domains=domains, **dict(fit_params or {}))
    single = make_estimator().fit(target_train, **dict(fit_params or {}))
    popular = PopularityRecommender(count="users").fit(target_train)
    groups = joint.users_by_domain_history(target_domain, train)

    report: dict[str, Any] = {"groups": {g: int(len(u)) for g, u in groups.items()}, "models": {}, "lift": {}}
    contenders = (("joint", joint, train), ("single", single, target_train), ("popularity", popular, target_train))
    for name, model, history in contenders:
        report["models"][name] = {}
        for group, users in groups.items():
            report["models"][name][group] = evaluate_model(model, history, target_test, k=k, users=users, items=target)
    key = f"ndcg@{k}"
    for group in groups:
        best_single = max(report["models"]["single"][group][key], report["models"]["popularity"][group][key])
        joint_ndcg = report["models"]["joint"][group][key]
        report["lift"][group] = joint_ndcg / best_single if best_single > 0 else float("inf") if joint_ndcg else 1.0
    return report
