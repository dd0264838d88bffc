"""The ModelVersion registry: one row per evaluated candidate, artefacts for the winner, champion promotion."""

import json
import pickle
import shutil
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from campaigns.models import Consumer
from campaigns.services.task_runs import TaskRunTracker
from recommender.ml import (
    BaseRecommender,
    GroupPopularityRecommender,
    HybridRecommender,
    IdEncoder,
    item_neighbours,
    target_newcomers,
)
from recommender.models import ModelVersion, Recommendation
from recommender.services.candidates import CandidateResult
from recommender.services.datasets import TrainingDataset
from recommender.services.precompute import servable_users

POPULAR_ITEMS = 50
POPULAR_PER_GROUP = 20
MIN_GROUP_USERS = 20  # smaller city groups fall back to "popular now"
SELECTION_METRIC = "ndcg@10"
# Below this many validation newcomers with a held-out purchase one user moves NDCG@10 by several points, so a
# challenger's lead there is noise: the champion keeps serving newcomers.
MIN_NEWCOMER_USERS = 30


@dataclass
class Winner:
    version: ModelVersion
    model: BaseRecommender
    # Fitted on all data when another candidate scores the validation newcomers better than the champion; the
    # consumers with no target-catalogue history get their precomputed lists from it. None: the champion serves them.
    newcomer_model: BaseRecommender | None = None


def _score(result: CandidateResult) -> float:
    metrics = result.validation or result.test
    return float(metrics.get(SELECTION_METRIC, 0.0))


def winner_choose(*, results: list[CandidateResult], champion_label: str | None) -> CandidateResult:
    """Best validation NDCG@10. A challenger replaces the champion's configuration only if strictly better on the same
    validation split; on a tie the champion's configuration is kept (and refreshed with the new data)."""
    best = max(results, key=_score)
    current = next((r for r in results if r.candidate.label == champion_label), None)
    if current is not None and _score(current) >= _score(best):
        return current
    return best


def _newcomer_score(result: CandidateResult) -> float | None:
    metrics = result.newcomers.get("validation") or {}
    if not metrics.get("n_users"):
        return None
    return float(metrics.get(SELECTION_METRIC, 0.0))


def newcomer_choose(*, results: list[CandidateResult], champion: CandidateResult) -> CandidateResult | None:
    """The candidate for consumers new to the target catalogue: best NDCG@10 on the validation newcomer group. The
    champion keeps them unless another candidate is strictly better there on at least MIN_NEWCOMER_USERS newcomers.
    None when no candidate was measured on newcomers (single-catalogue training, or no newcomer with a held-out
    purchase)."""
    scored = [r for r in results if _newcomer_score(r) is not None]
    if not scored:
        return None
    best = max(scored, key=lambda r: _newcomer_score(r) or 0.0)
    if champion in scored and (_newcomer_score(champion) or 0.0) >= (_newcomer_score(best) or 0.0):
        return champion
    if champion in scored and _newcomer_users(best) < MIN_NEWCOMER_USERS:
        return champion
    return best


def _newcomer_users(result: CandidateResult) -> int:
    return int((result.newcomers.get("validation") or {}).get("n_users", 0))


def _newcomer_route(
    *, chosen: CandidateResult, champion: CandidateResult, version: ModelVersion, consumers: int
) -> dict[str, Any]:
    def metric(result: CandidateResult, split: str) -> float | None:
        value = (result.newcomers.get(split) or {}).get(SELECTION_METRIC)
        return None if value is None else round(float(value), 6)

    return {
        "label": chosen.candidate.label,
        "version_id": version.pk,
        "selected_by": f"{SELECTION_METRIC} on validation newcomers",
        "validation_users": _newcomer_users(chosen),
        "min_validation_users": MIN_NEWCOMER_USERS,
        "validation": metric(chosen, "validation"),
        "champion_validation": metric(champion, "validation"),
        "test": metric(chosen, "test"),
        "champion_test": metric(champion, "test"),
        "consumers": consumers,  # consumers with history but none in the target catalogue at training time
    }


def _refit(result: CandidateResult, full_matrix: sp.csr_matrix) -> BaseRecommender:
    model = result.candidate.make()
    if isinstance(model, HybridRecommender) and result.tuned_weights:
        model.set_params(weights=result.tuned_weights)
    return model.fit(full_matrix)


def popular_lists(
    *, dataset: TrainingDataset, full_matrix: sp.csr_matrix, users: IdEncoder, items: IdEncoder
) -> dict[str, Any]:
    """Non-personalised fallbacks: the target catalogue's active items by decayed popularity, overall and per city."""
    mask = dataset.target_mask() & dataset.item_active
    popularity = np.asarray(full_matrix.sum(axis=0)).ravel()
    order = [i for i in np.argsort(-popularity, kind="stable") if mask[i]][:POPULAR_ITEMS]
    result: dict[str, Any] = {
        "all": [[int(items.decode([i])[0]), float(popularity[i])] for i in order],
        "groups": {},
    }
    cities = np.array([dataset.user_groups.get(int(u), "") for u in users.decode(np.arange(full_matrix.shape[0]))])
    counts = {c: int((cities == c).sum()) for c in set(cities.tolist()) if c}
    groups = [c for c, n in counts.items() if n >= MIN_GROUP_USERS]
    if groups:
        model = GroupPopularityRecommender().fit(full_matrix, groups=cities)
        for city in groups:
            ids, scores = model.recommend_for_group(city, n=POPULAR_PER_GROUP, items=mask)
            result["groups"][city] = [
                [int(items.decode([i])[0]), float(s)] for i, s in zip(ids, scores, strict=True) if i >= 0
            ]
    return result


def artifact_dir(version: ModelVersion) -> Path:
    return Path(settings.MEDIA_ROOT) / "models" / version.organization.slug / version.target.slug / str(version.pk)


def artifact_save(
    *,
    version: ModelVersion,
    model: BaseRecommender,
    users: IdEncoder,
    items: IdEncoder,
    neighbours: sp.csr_matrix | None,
) -> str:
    folder = artifact_dir(version)
    folder.mkdir(parents=True, exist_ok=True)
    model.save(folder / "model.pkl")
    np.savez_compressed(
        folder / "encoders.npz",
        users=np.asarray(users.ids_, dtype=np.int64),
        items=np.asarray(items.ids_, dtype=np.int64),
    )
    if neighbours is not None:
        sp.save_npz(folder / "neighbours.npz", neighbours)
    (folder / "version.json").write_text(json.dumps({"id": version.pk, "label": version.label}))
    return str(folder.relative_to(Path(settings.MEDIA_ROOT)))


def model_versions_register(
    *,
    dataset: TrainingDataset,
    results: list[CandidateResult],
    full_matrix: sp.csr_matrix,
    users: IdEncoder,
    items: IdEncoder,
    tracker: TaskRunTracker | None = None,
) -> tuple[list[ModelVersion], Winner]:
    """One candidate row per result; the winner is refitted on all data and gets the artefacts."""
    organization, target = dataset.organization, dataset.target
    champion = ModelVersion.objects.filter(organization=organization, target=target, is_champion=True).first()
    chosen = winner_choose(results=results, champion_label=champion.label if champion else None)
    now = timezone.now()
    data_until = dataset.snapshot_at
    size = {
        "users": int(full_matrix.shape[0]),
        "users_with_events": int((np.diff(full_matrix.indptr) > 0).sum()),
        "items": int(full_matrix.shape[1]),
        "target_items": int(dataset.target_mask().sum()),
        "interactions": int(full_matrix.nnz),
        "events": len(dataset.events),
        "linked_consumers": dataset.linked_consumers,
        "cross_domain": dataset.is_cross_domain,
    }
    versions = []
    for result in results:
        parameters = dict(result.candidate.parameters)
        if result.tuned_weights:
            parameters["weights"] = result.tuned_weights
        metrics: dict[str, Any] = {
            "validation": result.validation,
            "test": result.test,
            "selected_by": SELECTION_METRIC,
        }
        if result.newcomers:
            metrics["newcomers"] = result.newcomers
        version = ModelVersion(
            organization=organization,
            target=target,
            training_run=tracker.run if tracker is not None else None,
            algorithm=type(result.candidate.make()).__name__,
            label=result.candidate.label,
            parameters=parameters,
            metrics=metrics,
            data_size=size,
            fit_seconds=round(result.fit_seconds, 3),
            trained_at=now,
            data_until=data_until,
        )
        version.full_clean()
        versions.append(version)
    ModelVersion.objects.bulk_create(versions)
    winner_version = versions[results.index(chosen)]

    started = time.perf_counter()
    model = _refit(chosen, full_matrix)
    neighbours = item_neighbours(model, full_matrix.shape[1])
    winner_version.artifact_path = artifact_save(
        version=winner_version, model=model, users=users, items=items, neighbours=neighbours
    )
    winner_version.popular_items = popular_lists(dataset=dataset, full_matrix=full_matrix, users=users, items=items)
    winner_version.parameters = {
        **winner_version.parameters,
        "final_fit_seconds": round(time.perf_counter() - started, 3),
    }
    newcomer_model = None
    for_newcomers = newcomer_choose(results=results, champion=chosen)
    if for_newcomers is not None:
        newcomer_version = versions[results.index(for_newcomers)]
        # Newcomers who will get its lists: precompute writes none for those who do not share with the target.
        consumers = len(servable_users(dataset, users, target_newcomers(full_matrix, dataset.target_mask())))
        winner_version.metrics = {
            **winner_version.metrics,
            "newcomer_route": _newcomer_route(
                chosen=for_newcomers, champion=chosen, version=newcomer_version, consumers=consumers
            ),
        }
        if for_newcomers is not chosen:
            started = time.perf_counter()
            newcomer_model = _refit(for_newcomers, full_matrix)
            newcomer_version.artifact_path = artifact_save(
                version=newcomer_version, model=newcomer_model, users=users, items=items, neighbours=None
            )
            newcomer_version.parameters = {
                **newcomer_version.parameters,
                "final_fit_seconds": round(time.perf_counter() - started, 3),
                "serves": "newcomers",
            }
            newcomer_version.save(update_fields=["artifact_path", "parameters", "updated_at"])
    winner_version.save(update_fields=["artifact_path", "popular_items", "parameters", "metrics", "updated_at"])
    return versions, Winner(version=winner_version, model=model, newcomer_model=newcomer_model)


def champion_promote(*, version: ModelVersion) -> ModelVersion:
    """Make `version` the champion of its (organization, target); retire the previous one and its precomputed rows.

    The row lock on the current champion serialises two trainings finishing together; the partial unique constraint
    catches anything that slips past it."""
    with transaction.atomic():
        current = list(
            ModelVersion.objects.select_for_update().filter(
                organization=version.organization_id, target=version.target_id, is_champion=True
            )
        )
        for old in current:
            if old.pk == version.pk:
                continue
            old.is_champion = False
            old.status = ModelVersion.Status.RETIRED
            old.save(update_fields=["is_champion", "status", "updated_at"])
        version.is_champion = True
        version.status = ModelVersion.Status.CHAMPION
        version.full_clean()
        version.save(update_fields=["is_champion", "status", "updated_at"])
    # Rows of earlier versions are no longer served (serving reads the champion's); drop them outside the lock.
    Recommendation.objects.filter(
        consumer__organization_id=version.organization_id, target_id=version.target_id
    ).exclude(model_version=version).delete()
    return version


# --- erasure and retention of artefacts ----------------------------------------------------------------------------

# Learned attributes that hold one row per training user (histories, factors, norms, city labels). Everything else a
# model stores is per item or a scalar.
_PER_USER_ATTRIBUTES = ("user_items_", "training_input_", "user_factors_", "user_norms_", "user_groups_")
# Written in an encoder in place of an erased consumer's id: no consumer has it, so the row is never served again.
ERASED_USER_ID = -1


def _blank_rows(value: Any, rows: np.ndarray) -> Any:
    if sp.issparse(value):
        matrix = sp.csr_matrix(value, copy=True)
        for row in rows:
            matrix.data[matrix.indptr[row] : matrix.indptr[row + 1]] = 0
        matrix.eliminate_zeros()
        return matrix
    array = np.array(value, copy=True)
    array[rows] = "" if array.dtype.kind in "OUS" else 0
    return array


def _model_forget_rows(model: Any, rows: np.ndarray, seen: set[int] | None = None) -> None:
    """Empty the given user rows in every per-user array of a fitted model and of the models inside it."""
    seen = set() if seen is None else seen
    if id(model) in seen:
        return
    seen.add(id(model))
    n_users = getattr(model, "n_users_", None)
    for name, value in list(vars(model).items()):
        if name in _PER_USER_ATTRIBUTES and value is not None and n_users and np.shape(value)[:1] == (n_users,):
            setattr(model, name, _blank_rows(value, rows))
        elif isinstance(value, BaseRecommender):
            _model_forget_rows(value, rows, seen)
        elif isinstance(value, dict | list | tuple):
            for inner in value.values() if isinstance(value, dict) else value:
                if isinstance(inner, BaseRecommender):
                    _model_forget_rows(inner, rows, seen)


def _users_to_forget(*, version: ModelVersion, consumer: Consumer) -> set[int]:
    """Rows of `version` that carry the consumer: their own, or, in a model trained for another organization on this
    one's catalogue, the rows of the linked people (same keyed phone hash) whose history was joined with theirs."""
    if version.organization_id == consumer.organization_id:
        return {consumer.pk}
    if not consumer.phone_hash:
        return set()
    linked = Consumer.objects.filter(organization_id=version.organization_id, phone_hash=consumer.phone_hash)
    return set(linked.values_list("pk", flat=True))


def artefacts_forget_consumer(*, consumer: Consumer) -> list[int]:
    """Rewrite every stored artefact whose training data included the consumer, without them: their id leaves the
    user encoder and their rows (history, factors, group) are emptied in the model. Item-level weights learned from
    everyone keep the consumer's share until the next training replaces the version. Returns the rewritten versions.

    Called inside the erasure transaction: if a rewrite fails the erasure fails with it and can be retried; if the
    erasure rolls back afterwards, the model has only forgotten someone it may still serve by popularity.
    """
    versions = ModelVersion.objects.filter(
        Q(organization_id=consumer.organization_id) | Q(target_id=consumer.organization_id)
    ).exclude(artifact_path="")
    rewritten = []
    for version in versions:
        folder = Path(settings.MEDIA_ROOT) / version.artifact_path
        encoders_path = folder / "encoders.npz"
        if not encoders_path.exists():
            continue
        with np.load(encoders_path) as stored:
            users, items = np.array(stored["users"]), np.array(stored["items"])
        rows = np.flatnonzero(np.isin(users, list(_users_to_forget(version=version, consumer=consumer))))
        if not len(rows):
            continue
        model_path = folder / "model.pkl"
        if model_path.exists():
            model = BaseRecommender.load(model_path)
            _model_forget_rows(model, rows)
            _replace(model_path, lambda handle, model=model: pickle.dump(model, handle, pickle.HIGHEST_PROTOCOL))
        users[rows] = ERASED_USER_ID
        _replace(
            encoders_path,
            lambda handle, users=users, items=items: np.savez_compressed(handle, users=users, items=items),
        )
        size = {**version.data_size, "users_erased": int(version.data_size.get("users_erased", 0)) + len(rows)}
        # update(): updated_at keeps telling when the version was retired, which the artefact retention reads.
        ModelVersion.objects.filter(pk=version.pk).update(data_size=size)
        rewritten.append(version.pk)
    return rewritten


def _replace(path: Path, write) -> None:
    """Write next to the file, then rename over it: a reader never sees half a model."""
    partial = path.with_name(path.name + ".partial")
    with partial.open("wb") as handle:
        write(handle)
    partial.replace(path)


def retired_artefacts_prune(
    *, organization_id: int | None = None, target_id: int | None = None, now: datetime | None = None
) -> int:
    """Delete the artefact folders of non-champion versions untouched for RETIRED_ARTEFACT_RETENTION_DAYS (retired
    champions and candidates that served newcomers), of one (organization, target) pair or of all. The version rows
    and their metrics stay. Returns how many folders were deleted."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.RETIRED_ARTEFACT_RETENTION_DAYS)
    stale = ModelVersion.objects.filter(is_champion=False, updated_at__lt=cutoff).exclude(artifact_path="")
    if organization_id is not None:
        stale = stale.filter(organization_id=organization_id)
    if target_id is not None:
        stale = stale.filter(target_id=target_id)
    pruned = 0
    for version in stale:
        shutil.rmtree(Path(settings.MEDIA_ROOT) / version.artifact_path, ignore_errors=True)
        ModelVersion.objects.filter(pk=version.pk).update(artifact_path="")
        pruned += 1
    return pruned
