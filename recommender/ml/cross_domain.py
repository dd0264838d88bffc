"""Cross-domain recommendation: one model over two (or more) catalogues, served one catalogue at a time.

Items carry a domain label (the catalogue's organisation). The wrapped model is fitted on the joint users x items
matrix of consumers who may be used across catalogues, so its item-item weights (EASE, kNN, RP3beta) or shared
factors (TF MF) connect items of different catalogues. A consumer with no history in the target catalogue is still
scored through what they did in the other one. ``recommend(..., target_domain=D)`` restricts candidates to D.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Self

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone

from .base import BaseRecommender
from .evaluation import evaluate_model
from .popularity import PopularityRecommender


class CrossDomainRecommender(BaseRecommender):
    """``fit(user_items, item_domains=[...])``; ``recommend(user_ids, n, target_domain="partner")``."""

    def __init__(self, estimator: BaseRecommender | None = None) -> None:
        self.estimator = estimator

    @property
    def explainable(self) -> bool:  # type: ignore[override]
        return bool(getattr(self.estimator, "explainable", False))

    def fit(self, user_items: sp.spmatrix, item_domains: Any = None, **fit_params: Any) -> Self:
        matrix = self._set_training_data(user_items)
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
        return self

    def domain_mask(self, domain: Any) -> np.ndarray:
        self._check_fitted()
        mask = self.item_domains_ == domain
        if not mask.any():
            raise KeyError(f"no item in domain {domain!r}")
        return mask

    def _score_rows(self, user_ids: np.ndarray, rows: sp.csr_matrix) -> np.ndarray:
        return self.estimator_.score(user_ids, user_items=rows)

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
        if target_domain is not None:
            mask = self.domain_mask(target_domain)
            if items is not None:
                mask = mask & self._item_mask(items)
            items = mask
        return super().recommend(
            user_ids, n, filter_seen, user_items=user_items, items=items, filter_items=filter_items
        )

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
