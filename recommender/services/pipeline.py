"""The training pipeline: dataset -> temporal validation and test splits -> candidates -> registry -> champion ->
precomputed top-N. Each step reports progress to the TaskRun. TensorFlow is imported only when asked for."""

import time
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import DataPurpose, Organization
from campaigns.services.task_runs import TaskRunTracker
from recommender.error_codes import TrainingErrorCode
from recommender.ml import IdEncoder, interactions_from_events
from recommender.services.candidates import (
    CROSS_DOMAIN_LABEL,
    candidate_models,
    candidates_evaluate,
    cross_domain_candidate,
    temporal_splits,
)
from recommender.services.datasets import TrainingDataset, dataset_build
from recommender.services.precompute import recommendations_precompute
from recommender.services.registry import champion_promote, model_versions_register, retired_artefacts_prune
from recommender.services.serving import active_agreement_exists
from xmkt_site.errors import ApplicationError


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

    def report(progress: int, message: str) -> None:
        if tracker is not None:
            tracker.progress(progress, message)

    # Only an agreement that names personalization lets a model learn across the two catalogues.
    if organization.pk != target.pk and not active_agreement_exists(
        first=organization, second=target, purpose=DataPurpose.PERSONALIZATION
    ):
        raise ApplicationError(
            _(
                "No active data-sharing agreement between %(organization)s and %(target)s: nothing may be trained "
                "across their catalogues."
            )
            % {"organization": organization.name, "target": target.name},
            code=TrainingErrorCode.OUT_OF_AGREEMENT,
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
    # Every training of the pair is the nightly moment to let go of artefacts no longer served.
    pruned = retired_artefacts_prune(organization_id=organization.pk, target_id=target.pk)
    timings["total"] = time.perf_counter() - started
    return {
        "message": _("Champion %(label)s #%(id)s promoted; %(rows)s recommendations precomputed")
        % {"label": winner.version.label, "id": winner.version.pk, "rows": f"{written:,}"},
        "newcomers_served_by": (winner.version.metrics.get("newcomer_route") or {}).get("label"),
        "trained": True,
        "champion_version_id": winner.version.pk,
        "versions": [v.pk for v in versions],
        "recommendations": written,
        "artefacts_pruned": pruned,
        "users": len(dataset.user_ids),
        "interactions": int(full.nnz),
        "timings": {k: round(v, 2) for k, v in timings.items()},
        "finished_at": timezone.now().isoformat(),
    }
