"""The TensorFlow model: contract, a planted structure it must learn, and lazy TensorFlow import.

TensorFlow is only needed to fit the model: without it the model's tests skip and the lazy-import test still runs."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from recommender.ml import TFMatrixFactorization

from .contract import ITEM_TEXTS, N_USERS, RecommenderContract, small_user_items


class TestTFMatrixFactorization(RecommenderContract):
    @pytest.fixture(autouse=True)
    def _tensorflow(self) -> None:
        pytest.importorskip("tensorflow", reason="TensorFlow is not installed")

    def make_model(self):
        return TFMatrixFactorization(factors=8, epochs=3, batch_size=64, learning_rate=0.05, random_state=0)

    def test_learns_the_two_taste_groups(self) -> None:
        model = TFMatrixFactorization(factors=8, epochs=40, batch_size=64, learning_rate=0.05, random_state=0)
        model.fit(small_user_items())
        ids, _ = model.recommend(np.arange(N_USERS), n=3)
        in_block = np.concatenate([(ids[:15] < 12), (ids[15:] >= 12)])
        assert in_block.mean() > 0.8
        assert model.loss_history_[-1] < model.loss_history_[0]

    def test_item_content_features_feed_the_item_tower(self) -> None:
        features = np.array([[1.0, 0.0] if "sofa" in t else [0.0, 1.0] for t in ITEM_TEXTS])
        model = TFMatrixFactorization(factors=4, epochs=2, batch_size=64, random_state=0)
        model.fit(small_user_items(), item_features=features)
        assert model.item_factors_.shape == (len(ITEM_TEXTS), 4)


def test_importing_the_package_does_not_import_tensorflow() -> None:
    code = "import sys, recommender.ml; assert 'tensorflow' not in sys.modules, 'tensorflow imported eagerly'"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=str(__import__("pathlib").Path(__file__).parents[3]))
