"""Cross-domain serving of newcomers and the rolling-origin evaluation that measures it."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from recommender.ml import EASE, CrossDomainRecommender, PopularityRecommender
from recommender.ml.cross_domain_eval import (
    CrossDomainSettings,
    Window,
    cluster_bootstrap,
    cross_domain_rolling_lift,
    evaluate_window,
    ndcg_per_user,
    select_settings,
    summarise,
    window_groups,
)

DOMAINS = np.array(["platform"] * 12 + ["partner"] * 12, dtype=object)
N_ITEMS = 24


def matrix(pairs: list[tuple[int, int]], n_users: int) -> sp.csr_matrix:
    rows, cols = zip(*pairs, strict=True) if pairs else ((), ())
    m = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_users, N_ITEMS))
    m.sum_duplicates()
    m.data[:] = 1.0
    return m


def bridged_history() -> sp.csr_matrix:
    """Twenty people bought platform item 0 and partner item 20; partner item 13 is bought by thirty others."""
    pairs = [(u, i) for u in range(20) for i in (0, 20)] + [(u, 13) for u in range(20, 50)]
    return matrix(pairs, 50)


# ------------------------------------------------------------------------------------------------------ statistics
def test_ndcg_per_user_matches_hand_computed_values() -> None:
    recommended = np.array([[1, 2, 3], [4, 5, 6], [7, -1, -1]])
    relevant = sp.csr_matrix(([1.0, 1.0, 1.0, 1.0], ([0, 1, 1, 2], [2, 9, 4, 8])), shape=(3, 10))
    values = ndcg_per_user(recommended, relevant, k=3)
    # user 0: hit at rank 2 of one relevant item; user 1: hit at rank 1 of two; user 2: no hit
    np.testing.assert_allclose(values, [1 / np.log2(3), 1 / (1 + 1 / np.log2(3)), 0.0])


def test_ndcg_per_user_refuses_a_user_without_relevant_items() -> None:
    with pytest.raises(ValueError):
        ndcg_per_user(np.array([[1, 2]]), sp.csr_matrix((1, 5)), k=2)


def test_the_bootstrap_resamples_whole_users_not_single_rows() -> None:
    # User "a" has four rows of 1, user "b" one row of 0: a replicate holds a, b or both.
    replicates = cluster_bootstrap(np.array([1.0, 1, 1, 1, 0]), np.array(["a"] * 4 + ["b"]), n_boot=200)
    assert set(np.round(replicates, 6)) <= {0.0, 0.8, 1.0}
    assert len(set(np.round(replicates, 6))) == 3


def test_summary_of_identical_values_has_no_spread() -> None:
    stats = summarise(np.full(30, 0.25), np.arange(30))
    assert stats["mean"] == 0.25 and stats["se"] == pytest.approx(0.0) and stats["ci95"] == [0.25, 0.25]
    assert stats["n"] == 30 and stats["users"] == 30


# --------------------------------------------------------------------------------------------- newcomer routing
def test_newcomers_to_the_target_are_scored_by_the_newcomer_estimator() -> None:
    history = bridged_history()
    model = CrossDomainRecommender(
        PopularityRecommender(count="users"), newcomer_estimator=EASE(l2=1.0), target_domain="partner"
    ).fit(history, item_domains=DOMAINS)
    newcomer = matrix([(0, 0)], 1)  # bought platform item 0 only
    regular = matrix([(0, 0), (0, 14)], 1)  # also has partner history
    assert model.newcomers(sp.vstack([newcomer, regular])).tolist() == [True, False]
    assert model.recommend([0], n=1, user_items=newcomer)[0][0, 0] == 20  # through the bridge
    assert model.recommend([0], n=1, user_items=regular)[0][0, 0] == 13  # the popular partner item


def test_without_a_target_domain_nobody_is_routed() -> None:
    model = CrossDomainRecommender(PopularityRecommender(count="users"), newcomer_estimator=EASE(l2=1.0))
    model.fit(bridged_history(), item_domains=DOMAINS)
    ids, _ = model.recommend([0], n=1, user_items=matrix([(0, 0)], 1), target_domain="partner")
    assert ids[0, 0] == 13


def test_the_popularity_prior_ranks_target_items_a_newcomers_history_says_nothing_about() -> None:
    newcomer = matrix([(0, 5)], 1)  # platform item 5: bought with nothing on the partner side
    plain = CrossDomainRecommender(EASE(l2=1.0), target_domain="partner").fit(bridged_history(), item_domains=DOMAINS)
    prior = CrossDomainRecommender(EASE(l2=1.0), target_domain="partner", newcomer_popularity_weight=0.3)
    prior.fit(bridged_history(), item_domains=DOMAINS)
    assert plain.recommend([0], n=1, user_items=newcomer)[0][0, 0] == 12  # all scores 0: first partner item
    assert prior.recommend([0], n=1, user_items=newcomer)[0][0, 0] == 13  # the partner's most popular


def test_a_newcomers_reason_comes_from_the_model_that_scored_them() -> None:
    model = CrossDomainRecommender(
        PopularityRecommender(count="users"), newcomer_estimator=EASE(l2=1.0), target_domain="partner"
    ).fit(bridged_history(), item_domains=DOMAINS)
    newcomer = matrix([(0, 0)], 1)
    assert model.explain(0, 20, user_items=newcomer)[0][0] == 0  # "because you bought platform item 0"
    assert model.explain(0, 13, user_items=matrix([(0, 14)], 1)) == []  # popularity names no history item


def test_batched_reasons_name_the_same_history_item_as_explain() -> None:
    rng = np.random.default_rng(3)
    history = sp.csr_matrix((rng.random((60, N_ITEMS)) < 0.25).astype(np.float64))
    model = CrossDomainRecommender(EASE(l2=5.0), newcomer_estimator=EASE(l2=50.0), target_domain="partner")
    model.fit(history, item_domains=DOMAINS)
    rows = sp.vstack([matrix([(0, 0), (0, 3)], 1), history[:5]]).tocsr()  # a newcomer, then five regulars
    recommended, _ = model.recommend(np.arange(6), n=4, user_items=rows)
    reasons = model.reason_items(rows, recommended)
    for r in range(6):
        for c, item in enumerate(recommended[r]):
            top = model.explain(r, int(item), n=1, user_items=rows[r])
            assert reasons[r, c] == (top[0][0] if top else -1)


def test_batched_reasons_are_not_offered_for_a_model_without_item_weights() -> None:
    model = CrossDomainRecommender(PopularityRecommender(), target_domain="partner").fit(
        bridged_history(), item_domains=DOMAINS
    )
    assert model.reason_items(matrix([(0, 0), (0, 14)], 1), np.array([[13, 12]])) is None


# -------------------------------------------------------------------------------------------------- the protocol
def twin_world(seed: int = 0, n_users: int = 400, n_windows: int = 4) -> list[Window]:
    """Taste t (0-3) picks platform items 3t..3t+2 and their partner twins 12+3t..; partner item 12 is popular with
    everyone. People join the partner side at a random window, so every window has newcomers."""
    rng = np.random.default_rng(seed)
    taste = rng.integers(0, 4, n_users)
    joins = rng.integers(0, n_windows + 1, n_users)
    events: list[list[tuple[int, int]]] = [[] for _ in range(n_windows + 1)]  # events[period]
    for u in range(n_users):
        for period in range(n_windows + 1):
            events[period].append((u, int(3 * taste[u] + rng.integers(0, 3))))
            if period >= joins[u]:
                events[period].append((u, int(12 + 3 * taste[u] + rng.integers(0, 3))))
                if rng.random() < 0.5:
                    events[period].append((u, 12))
    windows = []
    for cut in range(1, n_windows + 1):
        train = matrix([p for period in events[:cut] for p in period], n_users)
        windows.append(Window(train, matrix(events[cut], n_users)))
    return windows


def test_groups_split_users_by_history_before_the_cut() -> None:
    train = matrix([(0, 1), (0, 13), (1, 2), (2, 14)], 4)
    holdout = matrix([(0, 15), (1, 16), (2, 17), (3, 18)], 4)
    groups = window_groups(Window(train, holdout), DOMAINS == "partner")
    assert groups["both"].tolist() == [0] and groups["new"].tolist() == [1]  # 2: target only, 3: not in training


def test_select_settings_takes_the_best_pooled_mean_and_the_first_of_equals() -> None:
    trials = [
        {("joint", 100.0): np.array([0.2]), ("joint", 300.0): np.array([0.4]), ("single", 100.0): np.array([0.3]),
         ("single", 300.0): np.array([0.3]), ("newcomer", (1000.0, 0.0)): np.array([0.1]),
         ("newcomer", (3000.0, 0.1)): np.array([0.5])},
        {("joint", 100.0): np.array([0.9, 0.9]), ("joint", 300.0): np.array([0.1, 0.1]),
         ("single", 100.0): np.array([0.3]), ("single", 300.0): np.array([0.3]),
         ("newcomer", (1000.0, 0.0)): np.array([0.2]), ("newcomer", (3000.0, 0.1)): np.array([0.3])},
    ]  # fmt: skip
    settings, validation = select_settings(trials)
    assert settings == CrossDomainSettings(l2=100.0, newcomer_l2=3000.0, newcomer_popularity_weight=0.1,
                                           single_l2=100.0)  # fmt: skip
    assert validation["joint_both"] == pytest.approx((0.2 + 0.9 + 0.9) / 3)


def test_settings_for_a_window_never_look_at_its_test_period() -> None:
    windows = twin_world()
    report = cross_domain_rolling_lift(windows, DOMAINS, "partner", k=3, n_boot=50)
    rng = np.random.default_rng(1)
    noise = sp.csr_matrix((rng.random((400, N_ITEMS)) < 0.2).astype(np.float64))
    scrambled = [*windows[:-1], Window(windows[-1].train, noise)]
    other = cross_domain_rolling_lift(scrambled, DOMAINS, "partner", k=3, n_boot=50)
    assert other["settings"][-1] == report["settings"][-1]
    assert other["models"]["joint"]["both"]["ndcg@3"] != report["models"]["joint"]["both"]["ndcg@3"]


def test_the_joint_model_serves_newcomers_better_than_popularity_in_a_world_of_twins() -> None:
    report = cross_domain_rolling_lift(twin_world(), DOMAINS, "partner", k=3, n_boot=200)
    assert report["windows"] == 3
    assert report["groups"]["new"] > 30 and report["groups"]["new_simulated"] == report["groups"]["both"]
    for group in ("new", "new_simulated"):
        assert report["difference"][group]["vs"] == "popularity"
        assert report["difference"][group]["ci95"][0] > 0
    new = report["models"]["joint"]["new"]
    assert new["se"] > 0 and new["ci95"][0] < new["ndcg@3"] < new["ci95"][1]


def test_simulated_newcomers_are_scored_by_models_that_never_saw_their_target_history(monkeypatch) -> None:
    fits: list[sp.csr_matrix] = []
    inputs: list[sp.csr_matrix] = []

    class RecordingEASE(EASE):
        def fit(self, user_items, **fit_params):
            fits.append(sp.csr_matrix(user_items))
            return super().fit(user_items, **fit_params)

        def _score_rows(self, user_ids, rows):
            inputs.append(sp.csr_matrix(rows))
            return super()._score_rows(user_ids, rows)

    monkeypatch.setattr("recommender.ml.cross_domain_eval.EASE", RecordingEASE)
    train = matrix([(u, i) for u in range(10) for i in (0, 20)] + [(u, i) for u in range(10, 30) for i in (1, 13)], 30)
    holdout = matrix([(u, 21) for u in range(10)], 30)
    settings = CrossDomainSettings(l2=1.0, newcomer_l2=1.0, newcomer_popularity_weight=0.0, single_l2=1.0)
    scored = evaluate_window(Window(train, holdout), DOMAINS, "partner", settings, k=3, folds=2)
    hidden = scored[("new_simulated", "joint")][0]
    assert sorted(hidden.tolist()) == list(range(10))
    partner = (DOMAINS == "partner").astype(float)
    # Each fold's models were fitted with that fold's partner history removed, and scored it from platform rows only.
    fold_fits = [m for m in fits if (m @ partner)[:10].sum() == 5 * 1.0]
    assert len(fold_fits) >= 2  # joint and newcomer estimator of a fold, at least
    hidden_inputs = [rows for rows in inputs if rows.shape[0] == 5]
    assert hidden_inputs and all((rows @ partner).sum() == 0 for rows in hidden_inputs)
