import numpy as np
import pytest
import scipy.sparse as sp

from analytics.models import Event
from campaigns.models import DataPurpose
from recommender.ml import target_newcomers
from recommender.models import ModelVersion, Recommendation
from recommender.services.datasets import dataset_build
from recommender.services.pipeline import pipeline_run
from tests.builders.recommender import grant
from tests.factories import OrganizationFactory
from xmkt_site.errors import ApplicationError


def test_training_registers_every_candidate_and_promotes_one_champion_with_precomputed_rows(world):
    # given a planted world where everyone consented
    platform, items, people = world
    # when the pipeline runs
    result = pipeline_run(organization=platform, target=platform)
    # then every candidate has a version with validation metrics, exactly one is champion, and its rows exist
    versions = ModelVersion.objects.filter(organization=platform, target=platform)
    assert versions.count() == len(result["versions"]) >= 5
    champion = versions.get(is_champion=True)
    assert champion.status == ModelVersion.Status.CHAMPION
    assert "ndcg@10" in champion.metrics["validation"]
    assert champion.data_size["users"] == len(people)
    rows = Recommendation.objects.filter(model_version=champion)
    assert rows.count() == result["recommendations"] > 0
    bought = set(Event.objects.filter(consumer=people[0]).values_list("item_id", flat=True))
    assert not bought & set(rows.filter(consumer=people[0]).values_list("item_id", flat=True))


def test_a_second_training_retires_the_previous_champion_and_its_rows(world):
    platform, _items, _people = world
    first = pipeline_run(organization=platform, target=platform)["champion_version_id"]
    second = pipeline_run(organization=platform, target=platform)["champion_version_id"]
    assert ModelVersion.objects.get(pk=first).status == ModelVersion.Status.RETIRED
    assert ModelVersion.objects.get(pk=second).is_champion
    assert not Recommendation.objects.filter(model_version_id=first).exists()


def test_withdrawn_personalization_consent_leaves_the_consumer_out_of_the_next_training_set(world):
    # given a consumer who withdrew personalization consent after granting it
    platform, _items, people = world
    grant(people[5], DataPurpose.PERSONALIZATION, granted=False)
    # when the training set is built
    dataset = dataset_build(organization=platform, target=platform)
    # then neither the consumer nor their events are in it, and no rows are precomputed for them
    assert people[5].pk not in dataset.user_ids
    assert people[5].pk not in set(dataset.events["user_id"])
    assert people[4].pk in set(dataset.events["user_id"])
    pipeline_run(organization=platform, target=platform)
    assert not Recommendation.objects.filter(consumer=people[5]).exists()


def test_training_across_catalogues_without_an_active_agreement_is_refused(world):
    platform, _items, _people = world
    stranger = OrganizationFactory(slug="stranger")
    with pytest.raises(ApplicationError):
        pipeline_run(organization=platform, target=stranger)
    assert not ModelVersion.objects.filter(target=stranger).exists()


def test_newcomers_are_consumers_with_history_but_none_in_the_target_catalogue():
    # rows: target and other side; other side only; nothing; a refunded target item (weight 0) and the other side
    rows, cols = [0, 0, 1, 3, 3], [0, 2, 2, 0, 2]
    matrix = sp.csr_matrix(([1.0, 2.0, 1.0, 0.0, 1.0], (rows, cols)), shape=(4, 3))
    assert matrix[3].nnz == 2  # the refunded item's zero is stored
    target = np.array([True, True, False])
    np.testing.assert_array_equal(target_newcomers(matrix, target), [1, 3])
