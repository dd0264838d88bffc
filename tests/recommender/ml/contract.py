"""The contract every recommender in recommender.ml honours; each model's test class inherits it."""

from __future__ import annotations

import inspect
from typing import Any, ClassVar

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone

from recommender.ml.base import PAD_ITEM, BaseRecommender

N_USERS, N_ITEMS = 30, 24


def small_user_items(seed: int = 0) -> sp.csr_matrix:
    """Two taste groups (items 0-11 and 12-23) with a little noise, every user with 3-7 items."""
    rng = np.random.default_rng(seed)
    rows, cols = [], []
    for u in range(N_USERS):
        block = 0 if u < N_USERS // 2 else 12
        picks = rng.choice(12, size=rng.integers(3, 8), replace=False) + block
        rows += [u] * len(picks)
        cols += picks.tolist()
    data = rng.integers(1, 4, size=len(rows)).astype(float)
    return sp.csr_matrix((data, (rows, cols)), shape=(N_USERS, N_ITEMS))


ITEM_TEXTS = [f"{'红木 沙发 sofa' if i < 12 else '装修 课程 course'} {i}" for i in range(N_ITEMS)]


class RecommenderContract:
    """Subclasses define ``make_model()`` and optionally ``fit_params()`` / ``supports_similar_items``."""

    supports_similar_items = True

    def make_model(self) -> BaseRecommender:  # pragma: no cover - provided by subclasses
        raise NotImplementedError

    def fit_params(self) -> dict[str, Any]:
        return {}

    @pytest.fixture
    def user_items(self) -> sp.csr_matrix:
        return small_user_items()

    _fitted_cache: ClassVar[dict[type, BaseRecommender]] = {}

    @pytest.fixture
    def fitted(self, user_items: sp.csr_matrix) -> BaseRecommender:
        # One fit per test class (fitting is deterministic and no test mutates the model): keeps the TF tests fast.
        cache = RecommenderContract._fitted_cache
        if type(self) not in cache:
            cache[type(self)] = self.make_model().fit(user_items, **self.fit_params())
        return cache[type(self)]

    def test_init_stores_only_hyperparameters(self) -> None:
        model = self.make_model()
        signature = set(inspect.signature(type(model).__init__).parameters) - {"self"}
        assert set(model.get_params(deep=False)) == signature
        assert not [name for name in vars(model) if name.endswith("_")]

    def test_fit_returns_self_and_learns_underscored_state(self, user_items: sp.csr_matrix) -> None:
        model = self.make_model()
        assert model.fit(user_items, **self.fit_params()) is model
        assert [name for name in vars(model) if name.endswith("_") and not name.startswith("_")]

    def test_clone_gives_an_unfitted_copy_with_the_same_parameters(self, fitted: BaseRecommender) -> None:
        copy = clone(fitted)
        assert not hasattr(copy, "user_items_")
        assert set(copy.get_params(deep=False)) == set(fitted.get_params(deep=False))

    def test_recommend_returns_n_ids_and_scores_per_user(self, fitted: BaseRecommender) -> None:
        ids, scores = fitted.recommend(np.array([0, 5, 20]), n=4)
        assert ids.shape == (3, 4) and scores.shape == (3, 4)
        assert ids.dtype.kind == "i"
        assert ((ids >= 0) & (ids < N_ITEMS)).all()
        assert (np.diff(scores, axis=1) <= 1e-12).all(), "scores must come best first"

    def test_recommend_never_returns_seen_items_when_filtering(
        self, fitted: BaseRecommender, user_items: sp.csr_matrix
    ) -> None:
        users = np.arange(N_USERS)
        ids, _ = fitted.recommend(users, n=5)
        for u in users:
            assert not set(ids[u].tolist()) & set(user_items[u].indices.tolist())

    def test_recommend_can_return_seen_items_without_filtering(self, fitted: BaseRecommender) -> None:
        ids, scores = fitted.recommend([0], n=N_ITEMS, filter_seen=False)
        assert sorted(ids[0].tolist()) == list(range(N_ITEMS))
        assert np.isfinite(scores).all()

    def test_recommend_pads_when_fewer_items_are_eligible(self, fitted: BaseRecommender) -> None:
        ids, scores = fitted.recommend([0], n=5, filter_seen=False, items=np.array([1, 2]))
        assert set(ids[0, :2].tolist()) == {1, 2}
        assert (ids[0, 2:] == PAD_ITEM).all() and np.isneginf(scores[0, 2:]).all()

    def test_recommend_respects_a_boolean_item_mask_and_filter_items(self, fitted: BaseRecommender) -> None:
        mask = np.zeros(N_ITEMS, dtype=bool)
        mask[12:] = True
        ids, _ = fitted.recommend([0, 1], n=6, filter_seen=False, items=mask, filter_items=[12, 13])
        assert (ids >= 14).all()

    def test_recommend_scores_unseen_users_from_given_history(self, fitted: BaseRecommender) -> None:
        history = sp.csr_matrix(([1.0, 1.0], ([0, 0], [14, 15])), shape=(1, N_ITEMS))
        ids, scores = fitted.recommend([N_USERS + 3], n=3, user_items=history)
        assert ids.shape == (1, 3)
        assert not {14, 15} & set(ids[0].tolist())
        assert np.isfinite(scores).all()

    def test_unknown_user_without_history_is_an_error(self, fitted: BaseRecommender) -> None:
        with pytest.raises(IndexError):
            fitted.recommend([N_USERS + 1], n=3)

    def test_unfitted_model_refuses_to_recommend(self) -> None:
        with pytest.raises(RuntimeError, match="not fitted"):
            self.make_model().recommend([0], n=3)

    def test_user_items_must_be_sparse(self) -> None:
        with pytest.raises(TypeError):
            self.make_model().fit(np.ones((3, 3)), **self.fit_params())

    def test_save_and_load_give_the_same_recommendations(self, fitted: BaseRecommender, tmp_path) -> None:
        path = tmp_path / "model.pkl"
        fitted.save(path)
        loaded = type(fitted).load(path)
        np.testing.assert_array_equal(loaded.recommend([0, 1, 2], n=5)[0], fitted.recommend([0, 1, 2], n=5)[0])
        np.testing.assert_allclose(loaded.recommend([0, 1, 2], n=5)[1], fitted.recommend([0, 1, 2], n=5)[1])

    def test_load_refuses_another_class(self, fitted: BaseRecommender, tmp_path) -> None:
        path = tmp_path / "model.pkl"
        fitted.save(path)

        class Other(BaseRecommender):
            pass

        with pytest.raises(TypeError):
            Other.load(path)

    def test_fitting_twice_is_deterministic(self, user_items: sp.csr_matrix) -> None:
        first = self.make_model().fit(user_items, **self.fit_params()).recommend([0, 20], n=5)
        second = self.make_model().fit(user_items, **self.fit_params()).recommend([0, 20], n=5)
        np.testing.assert_array_equal(first[0], second[0])
        np.testing.assert_allclose(first[1], second[1], rtol=1e-6)

    def test_similar_items_exclude_the_item_itself(self, fitted: BaseRecommender) -> None:
        if not self.supports_similar_items:
            with pytest.raises(NotImplementedError):
                fitted.similar_items([0], n=3)
            return
        ids, scores = fitted.similar_items([0, 13], n=3)
        assert ids.shape == (2, 3) and scores.shape == (2, 3)
        assert 0 not in ids[0] and 13 not in ids[1]

    def test_explain_names_only_history_items(self, fitted: BaseRecommender, user_items: sp.csr_matrix) -> None:
        ids, _ = fitted.recommend([0], n=1)
        reasons = fitted.explain(0, int(ids[0, 0]))
        history = set(user_items[0].indices.tolist())
        assert all(item in history and weight > 0 for item, weight in reasons)
        if getattr(fitted, "explainable", False):
            assert reasons, "an explainable model must name at least one history item for its top pick"
