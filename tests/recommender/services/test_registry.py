"""The registry's choices: which candidate serves newcomers to a catalogue, and the neighbour table of every model."""

import numpy as np
import scipy.sparse as sp

from recommender.ml import EASE, CrossDomainRecommender, PopularityRecommender, item_item_weights, item_neighbours
from recommender.services.candidates import Candidate, CandidateResult
from recommender.services.registry import MIN_NEWCOMER_USERS, newcomer_choose


def result(label: str, pooled: float, newcomers: float | None, n_users: int = 40) -> CandidateResult:
    measured = {} if newcomers is None else {"validation": {"ndcg@10": newcomers, "n_users": float(n_users)}}
    return CandidateResult(Candidate(label, PopularityRecommender, {}), {"ndcg@10": pooled}, {}, 0.1, None, measured)


def test_a_candidate_strictly_better_on_validation_newcomers_serves_them():
    champion, other = result("hybrid", 0.40, 0.20), result("cross-domain", 0.38, 0.31)
    assert newcomer_choose(results=[champion, other], champion=champion) is other


def test_the_champion_keeps_newcomers_on_a_tie():
    champion, other = result("hybrid", 0.40, 0.25), result("cross-domain", 0.38, 0.25)
    assert newcomer_choose(results=[other, champion], champion=champion) is champion


def test_the_champion_keeps_newcomers_when_too_few_were_measured_to_trust_a_lead():
    champion = result("hybrid", 0.40, 0.20, n_users=MIN_NEWCOMER_USERS - 1)
    other = result("cross-domain", 0.38, 0.45, n_users=MIN_NEWCOMER_USERS - 1)
    assert newcomer_choose(results=[champion, other], champion=champion) is champion


def test_a_lead_on_just_enough_newcomers_moves_them():
    champion = result("hybrid", 0.40, 0.20, n_users=MIN_NEWCOMER_USERS)
    other = result("cross-domain", 0.38, 0.45, n_users=MIN_NEWCOMER_USERS)
    assert newcomer_choose(results=[champion, other], champion=champion) is other


def test_no_newcomer_choice_without_newcomers_measured_on_validation():
    champion = result("hybrid", 0.40, None)
    unmeasured = result("cross-domain", 0.38, 0.5, n_users=0)  # no newcomer had a held-out purchase
    assert newcomer_choose(results=[champion, unmeasured], champion=champion) is None


def joint_matrix() -> tuple[sp.csr_matrix, np.ndarray]:
    rng = np.random.default_rng(3)
    dense = (rng.random((60, 12)) < 0.3).astype(np.float64)
    return sp.csr_matrix(dense), np.array(["platform"] * 6 + ["partner"] * 6, dtype=object)


def test_the_cross_domain_model_lends_its_main_estimators_weights_to_the_neighbour_table():
    matrix, domains = joint_matrix()
    model = CrossDomainRecommender(
        EASE(l2=10.0), newcomer_estimator=EASE(l2=100.0), target_domain="partner", item_domains=domains
    ).fit(matrix)
    np.testing.assert_array_equal(item_item_weights(model), model.estimator_.item_weights_)
    neighbours = item_neighbours(model, matrix.shape[1], n=3)
    assert neighbours is not None and neighbours.shape == (12, 12)
    assert (np.diff(neighbours.indptr) <= 3).all() and neighbours.diagonal().sum() == 0


def test_a_model_without_item_weights_has_no_neighbour_table():
    matrix, domains = joint_matrix()
    model = CrossDomainRecommender(PopularityRecommender(), item_domains=domains).fit(matrix)
    assert item_item_weights(model) is None and item_neighbours(model, matrix.shape[1]) is None
