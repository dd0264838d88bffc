"""Erasure reaches the model artefacts: after an erasure request no file of the artefact store holds the consumer's
id or their item history, and artefacts of versions retired long enough ago are pruned."""

import pickle
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from django.utils import timezone

from campaigns.services.privacy import dsr_create, dsr_erase
from recommender.models import ModelVersion
from recommender.services.pipeline import pipeline_run
from recommender.services.registry import retired_artefacts_prune


def _files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def _stored_user_ids(root: Path) -> set[int]:
    """Every consumer id held by an encoder file: encoders.npz keeps the database ids of the users, one per row."""
    ids: set[int] = set()
    for path in root.rglob("encoders.npz"):
        with np.load(path) as stored:
            ids.update(int(i) for i in stored["users"])
    return ids


def _history_rows(model) -> list[sp.csr_matrix]:
    """The per-user interaction matrices inside a stored model, its components included."""
    found, stack = [], [model]
    while stack:
        current = stack.pop()
        for value in vars(current).values():
            if sp.issparse(value) and value.shape[0] == getattr(current, "n_users_", -1):
                found.append(value.tocsr())
            elif hasattr(value, "n_users_"):
                stack.append(value)
            elif isinstance(value, dict):
                stack.extend(v for v in value.values() if hasattr(v, "n_users_"))
    return found


@pytest.mark.django_db
def test_after_erasure_no_artefact_holds_the_consumers_id_or_history(world, settings):
    # given two trainings: a retired version and a champion, both with artefacts on disk that know the consumer
    platform, _items, people = world
    pipeline_run(organization=platform, target=platform)
    pipeline_run(organization=platform, target=platform)
    media = Path(settings.MEDIA_ROOT)
    person = people[3]
    assert person.pk in _stored_user_ids(media)
    rows_before = {}
    for version in ModelVersion.objects.exclude(artifact_path=""):
        with np.load(media / version.artifact_path / "encoders.npz") as stored:
            rows_before[version.pk] = int(np.flatnonzero(stored["users"] == person.pk)[0])
    assert len(rows_before) >= 2
    # when the consumer's erasure request is carried out
    request = dsr_create(organization=platform, external_ref=person.external_ref, kind="erasure")
    dsr_erase(request=request)
    # then no encoder holds their id, no file holds their external ref, and the row that was theirs is empty
    assert person.pk not in _stored_user_ids(media)
    ref = person.external_ref.encode()
    assert [path for path in _files(media) if ref in path.read_bytes()] == []
    for version in ModelVersion.objects.exclude(artifact_path=""):
        model = pickle.loads((media / version.artifact_path / "model.pkl").read_bytes())
        matrices = _history_rows(model)
        assert matrices, version.label
        assert all(matrix[rows_before[version.pk]].nnz == 0 for matrix in matrices)
        assert version.data_size["users_erased"] == 1
    # and other consumers keep their rows
    assert people[4].pk in _stored_user_ids(media)


@pytest.mark.django_db
def test_artefacts_of_versions_retired_longer_than_the_retention_are_pruned(world, settings):
    platform, _items, _people = world
    settings.RETIRED_ARTEFACT_RETENTION_DAYS = 30
    first = pipeline_run(organization=platform, target=platform)["champion_version_id"]
    second = pipeline_run(organization=platform, target=platform)["champion_version_id"]
    media = Path(settings.MEDIA_ROOT)
    retired = ModelVersion.objects.get(pk=first)
    assert retired.status == ModelVersion.Status.RETIRED and (media / retired.artifact_path).is_dir()
    # retired yesterday: kept
    assert retired_artefacts_prune() == 0
    assert (media / retired.artifact_path).is_dir()
    # retired 31 days ago: its folder goes, the champion's stays
    ModelVersion.objects.filter(pk=first).update(updated_at=timezone.now() - timedelta(days=31))
    folder = media / retired.artifact_path
    assert retired_artefacts_prune() == 1
    assert not folder.exists()
    assert ModelVersion.objects.get(pk=first).artifact_path == ""
    assert (media / ModelVersion.objects.get(pk=second).artifact_path / "model.pkl").is_file()


@pytest.mark.django_db
def test_a_training_prunes_the_pairs_artefacts_retired_longer_than_the_retention(world, settings):
    platform, _items, _people = world
    first = pipeline_run(organization=platform, target=platform)["champion_version_id"]
    pipeline_run(organization=platform, target=platform)
    folder = Path(settings.MEDIA_ROOT) / ModelVersion.objects.get(pk=first).artifact_path
    ModelVersion.objects.filter(pk=first).update(updated_at=timezone.now() - timedelta(days=31))
    result = pipeline_run(organization=platform, target=platform)
    assert result["artefacts_pruned"] >= 1
    assert not folder.exists()
