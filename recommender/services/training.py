"""The training pipeline: dataset -> temporal validation and test splits -> candidates -> registry -> champion ->
precomputed top-N. Each step reports progress to the TaskRun. TensorFlow is imported only when asked for."""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Organization, TaskRun, User
from campaigns.services.task_runs import TaskRunTracker, task_run_enqueue
from recommender.ml import (
    EASE,
    BaseRecommender,
    HybridRecommender,
    IdEncoder,
    ItemKNN,
    PopularityRecommender,
    RP3Beta,
    evaluate_model,
    interactions_from_events,
)
from recommender.services.datasets import TrainingDataset, dataset_build
from xmkt_site.errors import ApplicationError

# What counts as a relevant held-out interaction: the consumer bought or enrolled.
RELEVANT_EVENT_TYPES = ("purchase", "enroll")
VALIDATION_QUANTILE = 0.8  # events in [q80, q90) of time validate, [q90, end] test
TEST_QUANTILE = 0.9
K = 10
TRAINING_TASK_NAME = "recommender.tasks.training.train_recommender"  # registered by recommender.tasks.training


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
    if with_tensorflow:
        from recommender.ml import TFMatrixFactorization

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


def _matrix(frame: pd.DataFrame, users: IdEncoder, items: IdEncoder) -> sp.csr_matrix:
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
        return Split(_matrix(train, users, items), _matrix(held, users, items), cut)

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


def target_newcomers(matrix: sp.csr_matrix, target_mask: np.ndarray) -> np.ndarray:
    """Rows with history, none of it in the target catalogue: consumers new to the catalogue a model serves."""
    history = (sp.csr_matrix(matrix) > 0).astype(np.float64)
    in_target = np.asarray(history @ target_mask.astype(np.float64)).ravel() > 0
    with_history = np.diff(history.indptr) > 0
    return np.flatnonzero(with_history & ~in_target)


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


def _nothing_to_train(*, dataset: TrainingDataset) -> tuple[str, str]:
    """(code, message saying what to do) for a dataset the pipeline cannot train on."""
    if not dataset.target_mask().any():
        return "no_catalogue_items", _(
            "Nothing to train: the catalogue of %(target)s has no items. Import its catalogue, then train again."
        ) % {"target": dataset.target.name}
    if not dataset.user_ids:
        return "no_consent", _(
            "Nothing to train: no consumer of %(organization)s has personalization consent in force. Record or "
            "import their consents, then train again."
        ) % {"organization": dataset.organization.name}
    return "no_events", _(
        "Nothing to train: none of the %(consumers)s consumers with personalization consent in force has an event "
        "with a catalogue item yet. Import events, then train again."
    ) % {"consumers": f"{len(dataset.user_ids):,}"}


def pipeline_run(
    *,
    organization: Organization,
    target: Organization,
    tracker: TaskRunTracker | None = None,
    with_tensorflow: bool = False,
    top_n: int = 20,
) -> dict[str, Any]:
    """Train, register, promote and precompute. Returns a summary for the TaskRun result.

    Progress and result messages are translated when stored (the worker's language) and shown in the reader's
    language on the Jobs page (`|stored_message`), so each is one catalogue message with named parameters."""
    from recommender.services.precompute import recommendations_precompute
    from recommender.services.registry import champion_promote, model_versions_register

    def report(progress: int, message: str) -> None:
        if tracker is not None:
            tracker.progress(progress, message)

    from recommender.services.serving import active_agreement_exists

    if organization.pk != target.pk and not active_agreement_exists(first=organization, second=target):
        raise ApplicationError(
            _(
                "No active data-sharing agreement between %(organization)s and %(target)s: nothing may be trained "
                "across their catalogues."
            )
            % {"organization": organization.name, "target": target.name},
            code="out_of_agreement",
        )
    started = time.perf_counter()
    timings: dict[str, float] = {}
    report(2, _("Building the training set"))
    dataset = dataset_build(organization=organization, target=target)
    users, items = IdEncoder(dataset.user_ids), IdEncoder(dataset.item_ids)
    timings["dataset"] = time.perf_counter() - started
    if dataset.events.empty or not dataset.target_mask().any():
        code, message = _nothing_to_train(dataset=dataset)
        return {"message": message, "trained": False, "nothing_to_train": code, "timings": timings}

    report(10, _("Evaluating candidates"))
    step = time.perf_counter()
    splits = temporal_splits(dataset, users, items)
    candidates = candidate_models(with_tensorflow=with_tensorflow)
    if dataset.is_cross_domain and not any(c.label == CROSS_DOMAIN_LABEL for c in candidates):
        # Settings tuned on the validation split only; the test split stays unseen until the candidate is scored.
        candidates.append(cross_domain_candidate(dataset=dataset, validation=splits[0]))
    results = candidates_evaluate(
        dataset=dataset,
        users=users,
        items=items,
        candidates=candidates,
        progress=lambda f, label: report(10 + int(50 * f), _("Evaluating candidate %(label)s") % {"label": label}),
        splits=splits,
    )
    timings["candidates"] = time.perf_counter() - step

    report(62, _("Fitting the winner on all data"))
    step = time.perf_counter()
    full = interactions_from_events(dataset.events, users=users, items=items).user_items
    versions, winner = model_versions_register(
        dataset=dataset, results=results, full_matrix=full, items=items, users=users, tracker=tracker
    )
    timings["final_fit"] = time.perf_counter() - step

    report(70, _("Precomputing recommendation lists"))
    step = time.perf_counter()
    written = recommendations_precompute(
        version=winner.version,
        model=winner.model,
        newcomer_model=winner.newcomer_model,
        dataset=dataset,
        full_matrix=full,
        users=users,
        items=items,
        top_n=top_n,
    )
    timings["precompute"] = time.perf_counter() - step
    report(95, _("Promoting the champion"))
    champion_promote(version=winner.version)
    timings["total"] = time.perf_counter() - started
    return {
        "message": _("Champion %(label)s #%(id)s promoted; %(rows)s recommendations precomputed")
        % {"label": winner.version.label, "id": winner.version.pk, "rows": f"{written:,}"},
        "newcomers_served_by": (winner.version.metrics.get("newcomer_route") or {}).get("label"),
        "trained": True,
        "champion_version_id": winner.version.pk,
        "versions": [v.pk for v in versions],
        "recommendations": written,
        "users": len(dataset.user_ids),
        "interactions": int(full.nnz),
        "timings": {k: round(v, 2) for k, v in timings.items()},
        "finished_at": timezone.now().isoformat(),
    }


def training_enqueue(
    *, organization: Organization, target: Organization, by: User | None = None, with_tensorflow: bool = False
) -> TaskRun:
    return task_run_enqueue(
        task_name=TRAINING_TASK_NAME,
        organization=organization,
        params={"target_id": target.pk, "with_tensorflow": with_tensorflow},
        by=by,
    )


CROSS_DOMAIN_LABEL = "cross-domain"
CROSS_DOMAIN_CUTS = (0.4, 0.5, 0.6, 0.7, 0.8, 0.9)  # quantiles of event time: window 0 validates, 1-5 test


def cross_domain_windows(
    dataset: TrainingDataset, users: IdEncoder, items: IdEncoder, cuts: tuple[float, ...] = CROSS_DOMAIN_CUTS
) -> tuple[list[Any], list[pd.Timestamp]]:
    """One window per cut: train on the events before it, hold out the purchases/enrolments from it to the next cut
    (the last to the end) by consumers seen in training. Target-catalogue filtering happens in the evaluation."""
    from recommender.ml.cross_domain_eval import Window

    events = dataset.events
    times = events["timestamp"]
    edges = [times.quantile(q) for q in cuts]
    windows = []
    for index, cut in enumerate(edges):
        train = events[times < cut]
        later = times >= cut
        if index + 1 < len(edges):
            later &= times < edges[index + 1]
        held = events[
            later & events["event_type"].isin(RELEVANT_EVENT_TYPES) & events["user_id"].isin(train["user_id"])
        ]
        windows.append(Window(_matrix(train, users, items), _matrix(held, users, items)))
    return windows, edges


def cross_domain_candidate(*, dataset: TrainingDataset, validation: Split | None) -> Candidate:
    """The cross-domain model as a pipeline candidate: EASE over both catalogues, newcomers to the target catalogue
    scored by a second EASE with their own ridge strength and popularity prior, all chosen on the pipeline's
    validation split (defaults when there is none)."""
    from recommender.ml import CrossDomainRecommender
    from recommender.ml.cross_domain_eval import CrossDomainSettings, Window, select_settings, validation_trials

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


def cross_domain_evaluate(
    *, organization: Organization, target: Organization, cuts: tuple[float, ...] = CROSS_DOMAIN_CUTS, n_boot: int = 1000
) -> dict[str, Any]:
    """Joint (both catalogues) vs single-domain vs popularity on the target catalogue, on the consented training set:
    rolling-origin temporal windows at `cuts`, settings chosen on the window before each test window
    (`recommender.ml.cross_domain_eval`). Relevant: purchases and enrolments in the target catalogue."""
    from recommender.ml.cross_domain_eval import cross_domain_rolling_lift

    dataset = dataset_build(organization=organization, target=target)
    users, items = IdEncoder(dataset.user_ids), IdEncoder(dataset.item_ids)
    windows, edges = cross_domain_windows(dataset, users, items, cuts)
    report = cross_domain_rolling_lift(windows, dataset.item_domains, target.slug, k=K, n_boot=n_boot)
    report["data"] = {
        "users": len(dataset.user_ids),
        "linked_consumers": dataset.linked_consumers,
        "events": len(dataset.events),
        "cuts": [edge.isoformat() for edge in edges],
        "relevant": list(RELEVANT_EVENT_TYPES),
    }
    return report
