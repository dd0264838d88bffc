"""Every model passes the shared contract, plus what is particular to it."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from recommender.ml import (
    EASE,
    ContentRecommender,
    CrossDomainRecommender,
    GroupPopularityRecommender,
    HybridRecommender,
    ItemKNN,
    PopularityRecommender,
    RP3Beta,
    TrendingPopularityRecommender,
    UserKNN,
    cross_domain_lift,
    holdout_per_user,
)

from .contract import ITEM_TEXTS, N_ITEMS, N_USERS, RecommenderContract, small_user_items

DOMAINS = np.array(["platform"] * 12 + ["partner"] * 12, dtype=object)


class TestPopularity(RecommenderContract):
    supports_similar_items = True

    def make_model(self):
        return PopularityRecommender()

    def test_items_rank_by_total_weight(self) -> None:
        x = sp.csr_matrix(np.array([[1.0, 5.0, 0.0], [1.0, 0.0, 2.0]]))
        model = PopularityRecommender().fit(x)
        np.testing.assert_array_equal(model.item_popularity_, [2.0, 5.0, 2.0])
        ids, _ = model.recommend([0], n=3, filter_seen=False)
        assert ids[0].tolist() == [1, 0, 2]

    def test_user_count_ignores_weights(self) -> None:
        x = sp.csr_matrix(np.array([[1.0, 5.0, 0.0], [1.0, 0.0, 2.0]]))
        np.testing.assert_array_equal(PopularityRecommender(count="users").fit(x).item_popularity_, [2, 1, 1])


class TestTrendingPopularity(RecommenderContract):
    def make_model(self):
        return TrendingPopularityRecommender(momentum=1.0)

    def fit_params(self):
        return {"baseline_items": small_user_items(seed=1)}

    def test_momentum_boosts_items_gaining_share(self) -> None:
        recent = sp.csr_matrix(np.array([[2.0, 2.0, 0.0]]))
        baseline = sp.csr_matrix(np.array([[1.0, 3.0, 4.0]]))
        model = TrendingPopularityRecommender(momentum=1.0).fit(recent, baseline_items=baseline)
        # shares: recent [.5, .5, 0], baseline [.125, .375, .5] -> .5 * 4, .5 * 4/3, 0
        np.testing.assert_allclose(model.item_popularity_, [2.0, 2 / 3, 0.0])
        assert model.recommend([0], n=2, filter_seen=False)[0][0].tolist() == [0, 1]

    def test_zero_momentum_is_plain_popularity_share(self) -> None:
        recent = sp.csr_matrix(np.array([[3.0, 1.0]]))
        model = TrendingPopularityRecommender(momentum=0.0).fit(recent, baseline_items=recent)
        np.testing.assert_allclose(model.item_popularity_, [0.75, 0.25])


class TestGroupPopularity(RecommenderContract):
    def make_model(self):
        return GroupPopularityRecommender(shrinkage=2.0)

    def fit_params(self):
        return {"groups": np.array(["beijing"] * 15 + ["shanghai"] * 15, dtype=object)}

    def test_each_group_gets_its_own_favourites(self) -> None:
        model = self.make_model().fit(small_user_items(), **self.fit_params())
        beijing, _ = model.recommend_for_group("beijing", n=3)
        shanghai, _ = model.recommend_for_group("shanghai", n=3)
        assert (beijing < 12).all() and (shanghai >= 12).all()

    def test_unknown_group_falls_back_to_global_popularity(self) -> None:
        model = self.make_model().fit(small_user_items(), **self.fit_params())
        np.testing.assert_allclose(model.popularity_for("shenzhen"), model.global_popularity_)

    def test_small_groups_shrink_toward_global(self) -> None:
        x = sp.csr_matrix(np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0], [0.0, 1.0]]))
        model = GroupPopularityRecommender(shrinkage=1.0).fit(x, groups=np.array(["a", "a", "a", "b"], dtype=object))
        # group b: n=1, own share [0, 1], global share [0.75, 0.25] -> (1*[0,1] + 1*[.75,.25]) / 2
        np.testing.assert_allclose(model.popularity_for("b"), [0.375, 0.625])


class TestItemKNN(RecommenderContract):
    def make_model(self):
        return ItemKNN(k=10, shrinkage=1.0)

    def test_similarity_is_shrunk_cosine(self) -> None:
        x = sp.csr_matrix(np.array([[1.0, 1.0, 0.0], [1.0, 0.0, 1.0], [1.0, 1.0, 0.0]]))
        model = ItemKNN(k=None, shrinkage=1.0).fit(x)
        # items 0 and 1: co-count 2, norms sqrt(3) and sqrt(2) -> 2 / (sqrt(6) + 1)
        assert model.item_weights_[0, 1] == pytest.approx(2 / (np.sqrt(6) + 1))
        assert model.item_weights_[1, 2] == 0.0

    def test_each_item_keeps_only_k_neighbours(self) -> None:
        model = ItemKNN(k=3).fit(small_user_items())
        assert (np.diff(model.item_weights_.tocsc().indptr) <= 3).all()

    def test_explain_splits_the_score_into_history_items(self) -> None:
        model = self.make_model().fit(small_user_items())
        ids, scores = model.recommend([0], n=1)
        reasons = model.explain(0, int(ids[0, 0]), n=N_ITEMS)
        assert sum(weight for _, weight in reasons) == pytest.approx(scores[0, 0])


class TestUserKNN(RecommenderContract):
    supports_similar_items = False

    def make_model(self):
        return UserKNN(k=5)

    def test_score_is_similarity_weighted_neighbour_history(self) -> None:
        x = sp.csr_matrix(np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 1.0], [0.0, 0.0, 1.0]]))
        model = UserKNN(k=1).fit(x)
        # user 0's nearest other user is 1 (cosine 2/sqrt(6)); it alone votes for item 2.
        scores = model.score([0])[0]
        assert scores[2] == pytest.approx(2 / np.sqrt(6))


class TestRP3Beta(RecommenderContract):
    def make_model(self):
        return RP3Beta(beta=0.5, k=10)


class TestEASE(RecommenderContract):
    def make_model(self):
        return EASE(l2=5.0)

    def test_weights_solve_the_constrained_ridge_regression(self) -> None:
        x = small_user_items()
        model = EASE(l2=5.0).fit(x)
        b = model.item_weights_
        binary = (x > 0).astype(float).toarray()
        gram = binary.T @ binary
        # Stationarity of ||X - XB||^2 + l2 ||B||^2 with diag(B) = 0: off-diagonal gradient entries vanish.
        gradient = gram @ b - gram + 5.0 * b
        off = ~np.eye(N_ITEMS, dtype=bool)
        np.testing.assert_allclose(gradient[off], 0.0, atol=1e-8)
        assert np.allclose(np.diag(b), 0.0)

    def test_taste_groups_are_recovered(self) -> None:
        model = EASE(l2=1.0).fit(small_user_items())
        ids, _ = model.recommend(np.arange(N_USERS), n=3)
        assert (ids[:15] < 12).mean() > 0.9 and (ids[15:] >= 12).mean() > 0.9


class TestContent(RecommenderContract):
    def make_model(self):
        return ContentRecommender()

    def fit_params(self):
        return {"item_texts": ITEM_TEXTS}

    def test_chinese_titles_match_without_a_tokenizer(self) -> None:
        texts = ["北欧风格实木沙发", "实木沙发 北欧", "考研数学强化课程", "数学课程 考研"]
        x = sp.csr_matrix(np.array([[1.0, 0, 0, 0], [0, 0, 1.0, 0]]))
        model = ContentRecommender().fit(x, item_texts=texts)
        ids, _ = model.recommend([0, 1], n=1)
        assert ids[:, 0].tolist() == [1, 3]
        assert model.similar_items([2], n=1)[0][0, 0] == 3

    def test_items_without_interactions_can_be_recommended(self) -> None:
        texts = ["storage box", "storage box large", "garden hose"]
        x = sp.csr_matrix(np.array([[1.0, 0, 0], [0, 0, 1.0]]))  # item 1 never bought
        ids, _ = ContentRecommender().fit(x, item_texts=texts).recommend([0], n=1)
        assert ids[0, 0] == 1

    def test_texts_must_cover_every_item(self) -> None:
        with pytest.raises(ValueError, match="one text per item"):
            ContentRecommender().fit(small_user_items(), item_texts=["a"])


class TestHybrid(RecommenderContract):
    def make_model(self):
        return HybridRecommender(
            [("ease", EASE(l2=5.0)), ("popularity", PopularityRecommender())], weight_grid=(0.0, 0.5), random_state=0
        )

    def test_fixed_weights_blend_normalised_scores(self) -> None:
        x = small_user_items()
        hybrid = HybridRecommender(
            [("ease", EASE(l2=5.0)), ("popularity", PopularityRecommender())], weights={"ease": 1.0, "popularity": 0.5}
        ).fit(x)
        ease = EASE(l2=5.0).fit(x).score([3])[0]
        pop = PopularityRecommender().fit(x).score([3])[0]
        expected = ease / np.abs(ease).max() + 0.5 * pop / pop.max()
        np.testing.assert_allclose(hybrid.score([3])[0], expected)

    def test_weights_are_tuned_toward_the_useful_component(self) -> None:
        x = small_user_items(seed=3)
        noise = PopularityRecommender()
        hybrid = HybridRecommender(
            [("noise", noise), ("ease", EASE(l2=1.0))], weight_grid=(0.0, 1.0, 5.0), random_state=0
        ).fit(x)
        assert hybrid.weights_["ease"] >= 1.0
        assert hybrid.validation_ndcg_ > 0

    def test_holdout_keeps_at_least_one_item_per_user(self) -> None:
        x = small_user_items()
        train, valid = holdout_per_user(x, 0.5, random_state=0)
        assert (np.diff(train.indptr) >= 1).all()
        assert (train + valid - x).nnz == 0 or abs(train + valid - x).max() < 1e-12
        assert valid.nnz > 0


class TestCrossDomain(RecommenderContract):
    def make_model(self):
        return CrossDomainRecommender(EASE(l2=1.0))

    def fit_params(self):
        return {"item_domains": DOMAINS}

    def test_target_domain_restricts_candidates(self) -> None:
        model = self.make_model().fit(small_user_items(), **self.fit_params())
        ids, _ = model.recommend(np.arange(N_USERS), n=5, target_domain="partner")
        assert (ids >= 12).all()

    def test_user_new_to_the_target_is_served_through_the_other_side(self) -> None:
        # Bridge: people who bought platform item 0 also bought partner item 20.
        rows = [u for u in range(20) for _ in (0, 1)]
        cols = [0 if k == 0 else 20 for u in range(20) for k in (0, 1)]
        rows += [20, 21]
        cols += [5, 14]
        x = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(22, N_ITEMS))
        model = CrossDomainRecommender(EASE(l2=1.0)).fit(x, item_domains=DOMAINS)
        newcomer = sp.csr_matrix(([1.0], ([0], [0])), shape=(1, N_ITEMS))  # platform history only
        ids, _ = model.recommend([99], n=1, user_items=newcomer, target_domain="partner")
        assert ids[0, 0] == 20
        assert model.explain(99, 20, user_items=newcomer)[0][0] == 0

    def test_unknown_domain_is_an_error(self) -> None:
        model = self.make_model().fit(small_user_items(), **self.fit_params())
        with pytest.raises(KeyError):
            model.recommend([0], n=3, target_domain="nowhere")


def test_cross_domain_lift_shows_the_joint_model_serving_newcomers_better_than_single_domain_models() -> None:
    # Platform item p (0-11) is bought with its partner twin p + 12. Newcomers to the partner side have platform
    # history only; their held-out partner purchases are the twins.
    rng = np.random.default_rng(0)
    rows, cols, test_rows, test_cols = [], [], [], []
    for u in range(80):
        picks = rng.choice(12, size=3, replace=False)
        if u < 60:  # active on both sides
            for p in picks[:2]:
                rows += [u, u]
                cols += [p, p + 12]
            test_rows.append(u)
            test_cols.append(picks[2] + 12)
            rows.append(u)
            cols.append(picks[2])
        else:  # new to the partner catalogue
            rows += [u, u]
            cols += [picks[0], picks[1]]
            test_rows += [u, u]
            test_cols += [picks[0] + 12, picks[1] + 12]
    train = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(80, N_ITEMS))
    test = sp.csr_matrix((np.ones(len(test_rows)), (test_rows, test_cols)), shape=(80, N_ITEMS))
    report = cross_domain_lift(lambda: EASE(l2=1.0), train, test, DOMAINS, "partner", k=3)
    assert report["groups"] == {"both": 60, "new": 20}
    assert report["lift"]["new"] > 1.0
    assert report["models"]["joint"]["new"]["ndcg@3"] > report["models"]["popularity"]["new"]["ndcg@3"]
