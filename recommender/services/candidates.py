"""The candidate models of a training and how they are scored: temporal validation and test splits of the
training set, each candidate fitted on the split's past and evaluated on its held-out purchases and enrolments
(NDCG@10 and friends), pooled and, for cross-domain training, on the consumers new to the target catalogue."""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from recommender.ml import (
    EASE,
    BaseRecommender,
    CrossDomainRecommender,
    HybridRecommender,
    IdEncoder,
    ItemKNN,
    PopularityRecommender,
    RP3Beta,
    TFMatrixFactorization,
    evaluate_model,
    interactions_from_events,
    target_newcomers,
)
from recommender.ml.cross_domain_eval import CrossDomainSettings, Window, select_settings, validation_trials
from recommender.services.datasets import TrainingDataset

# What counts as a relevant held-out interaction: the consumer bought or enrolled.
RELEVANT_EVENT_TYPES = ("purchase", "enroll")
VALIDATION_QUANTILE = 0.8  # events in [q80, q90) of time validate, [q90, end] test
TEST_QUANTILE = 0.9
K = 10


@dataclass(frozen=True)
class Candidate:
    label: str
    make: Callable[[], BaseRecommender]
    parameters: dict[str, Any]
    tensorflow: bool = False


def _hybrid() -> HybridRecommender:
    return HybridRecommender(
        components=[
            ("ease", EASE(l2=300.0)),
            ("rp3beta", RP3Beta(alpha=1.0, beta=0.5, k=200)),
            ("popularity", PopularityRecommender()),
        ],
        random_state=42,
    )


def candidate_models(*, with_tensorflow: bool = False) -> list[Candidate]:
    """The fast candidates; the TensorFlow two-tower model only on request (it costs minutes, not seconds)."""
    candidates = [
        Candidate("popularity", PopularityRecommender, {}),
        Candidate("ease-l2-300", lambda: EASE(l2=300.0), {"l2": 300.0}),
        Candidate("ease-l2-1000", lambda: EASE(l2=1000.0), {"l2": 1000.0}),
        Candidate("itemknn-k100", lambda: ItemKNN(k=100, shrinkage=10.0), {"k": 100, "shrinkage": 10.0}),
        Candidate("rp3beta", lambda: RP3Beta(alpha=1.0, beta=0.5, k=200), {"alpha": 1.0, "beta": 0.5, "k": 200}),
        Candidate(
            "hybrid", _hybrid, {"components": ["ease-l2-300", "rp3beta", "popularity"], "tuned_on": "validation"}
        ),
    ]
    if with_tensorflow:  # the class imports TensorFlow only when it fits
        candidates.append(
            Candidate(
                "tf-two-tower",
                lambda: TFMatrixFactorization(factors=32, epochs=10, random_state=42),
                {"factors": 32, "epochs": 10},
                tensorflow=True,
            )
        )
    return candidates


@dataclass
class Split:
    train: sp.csr_matrix
    holdout: sp.csr_matrix
    cutoff: pd.Timestamp


def interaction_matrix(frame: pd.DataFrame, users: IdEncoder, items: IdEncoder) -> sp.csr_matrix:
    return interactions_from_events(frame, users=users, items=items).user_items


def temporal_splits(dataset: TrainingDataset, users: IdEncoder, items: IdEncoder) -> tuple[Split | None, Split | None]:
    """Validation: train before q80 of event time, hold out [q80, q90). Test: train before q90, hold out the rest.
    Held-out interactions are purchases/enrolments in the target catalogue by consumers seen in training."""
    events = dataset.events
    if events.empty:
        return None, None
    times = events["timestamp"]
    valid_cut, test_cut = times.quantile(VALIDATION_QUANTILE), times.quantile(TEST_QUANTILE)
    target_items = set(np.asarray(dataset.item_ids)[dataset.target_mask()].tolist())

    def split(cut: pd.Timestamp, end: pd.Timestamp | None) -> Split | None:
        train = events[times < cut]
        held = events[(times >= cut) & ((times < end) if end is not None else True)]
        held = held[
            held["event_type"].isin(RELEVANT_EVENT_TYPES)
            & held["item_id"].isin(target_items)
            & held["user_id"].isin(train["user_id"])
        ]
        if train.empty or held.empty:
            return None
        return Split(interaction_matrix(train, users, items), interaction_matrix(held, users, items), cut)

    return split(valid_cut, test_cut), split(test_cut, None)


def _fit(candidate: Candidate, train: sp.csr_matrix, validation: sp.csr_matrix | None) -> BaseRecommender:
    model = candidate.make()
    if isinstance(model, HybridRecommender) and validation is not None:
        return model.fit(train, validation_items=validation)
    return model.fit(train)


def _evaluate(
    model: BaseRecommender, split: Split, target_mask: np.ndarray, users: np.ndarray | None = None
) -> dict[str, float]:
    metrics = evaluate_model(model, split.train, split.holdout, k=K, items=target_mask, users=users)
    return {name: float(value) for name, value in metrics.items()}


@dataclass
class CandidateResult:
    candidate: Candidate
    validation: dict[str, float]
    test: dict[str, float]
    fit_seconds: float
    tuned_weights: dict[str, float] | None = None
    # Cross-domain datasets only: the same metrics on the consumers with no target-catalogue history before the cut
    # ({"validation": {...}, "test": {...}}); newcomer routing chooses on the validation ones.
    newcomers: dict[str, dict[str, float]] = field(default_factory=dict)


def candidates_evaluate(
    *,
    dataset: TrainingDataset,
    users: IdEncoder,
    items: IdEncoder,
    candidates: list[Candidate],
    progress: Callable[[float, str], None] | None = None,
    splits: tuple[Split | None, Split | None] | None = None,
) -> list[CandidateResult]:
    validation, test = splits if splits is not None else temporal_splits(dataset, users, items)
    mask = dataset.target_mask()
    newcomers = {}
    if dataset.is_cross_domain:
        newcomers = {
            name: target_newcomers(split.train, mask)
            for name, split in (("validation", validation), ("test", test))
            if split is not None
        }
    results = []
    for index, candidate in enumerate(candidates):
        if progress:
            progress(index / max(len(candidates), 1), candidate.label)
        started = time.perf_counter()
        weights = None
        valid_metrics: dict[str, float] = {}
        test_metrics: dict[str, float] = {}
        newcomer_metrics: dict[str, dict[str, float]] = {}
        if validation is not None:
            model = _fit(candidate, validation.train, validation.holdout)
            valid_metrics = _evaluate(model, validation, mask)
            if "validation" in newcomers:
                newcomer_metrics["validation"] = _evaluate(model, validation, mask, newcomers["validation"])
            weights = getattr(model, "weights_", None)
        if test is not None:
            model = candidate.make()
            if isinstance(model, HybridRecommender) and weights is not None:
                model.set_params(weights=weights)
            model.fit(test.train)
            test_metrics = _evaluate(model, test, mask)
            if "test" in newcomers:
                newcomer_metrics["test"] = _evaluate(model, test, mask, newcomers["test"])
        results.append(
            CandidateResult(
                candidate, valid_metrics, test_metrics, time.perf_counter() - started, weights, newcomer_metrics
            )
        )
    return results


CROSS_DOMAIN_LABEL = "cross-domain"


def cross_domain_candidate(*, dataset: TrainingDataset, validation: Split | None) -> Candidate:
    """The cross-domain model as a pipeline candidate: EASE over both catalogues, newcomers to the target catalogue
    scored by a second EASE with their own ridge strength and popularity prior, all chosen on the pipeline's
    validation split (defaults when there is none)."""
    settings = CrossDomainSettings(l2=300.0, newcomer_l2=3000.0, newcomer_popularity_weight=0.0, single_l2=300.0)
    if validation is not None:
        trials = validation_trials(
            Window(validation.train, validation.holdout), dataset.item_domains, dataset.target.slug
        )
        if any(len(values) for values in trials.values()):
            settings, _ = select_settings([trials])
    domains, target = dataset.item_domains, dataset.target.slug
    return Candidate(
        CROSS_DOMAIN_LABEL,
        lambda: CrossDomainRecommender(
            EASE(l2=settings.l2),
            newcomer_estimator=EASE(l2=settings.newcomer_l2),
            target_domain=target,
            newcomer_popularity_weight=settings.newcomer_popularity_weight,
            item_domains=domains,
        ),
        {
            "l2": settings.l2,
            "newcomer_l2": settings.newcomer_l2,
            "newcomer_popularity_weight": settings.newcomer_popularity_weight,
            "tuned_on": "validation",
        },
    )
