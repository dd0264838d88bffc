import numpy as np
import pandas as pd
import pytest

from analytics.ml.selection import FeatureSelector, HeavyTailScaler, pca_2d


@pytest.fixture
def constructed() -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(0)
    n = 600
    label = rng.integers(0, 2, n)
    signal = label * 3.0 + rng.normal(0, 0.5, n)
    frame = pd.DataFrame(
        {
            "signal": signal,
            "signal_copy": signal * 2.0 + 1.0,  # perfectly rank-correlated with signal
            "constant": np.full(n, 7.0),
            "noise": rng.normal(0, 1, n),
            "money": rng.lognormal(3, 0.3, n) * (1 + 2 * label),
        }
    )
    return frame, label


def test_variance_and_correlation_filters_drop_the_right_columns(constructed):
    frame, _ = constructed

    selector = FeatureSelector().fit(frame)

    assert selector.kept_features_ == ["signal", "noise", "money"]
    assert "near-constant" in selector.dropped_["constant"]
    assert "with signal" in selector.dropped_["signal_copy"]


def test_mutual_information_keeps_the_informative_columns(constructed):
    frame, label = constructed

    selector = FeatureSelector(k=2).fit(frame, label)

    assert selector.kept_features_ == ["signal", "money"]
    assert selector.scores_.index[0] == "signal"
    report = selector.report()
    assert report.loc["noise", "kept"] == False  # noqa: E712 - numpy bool
    assert "mutual_info" in report.loc["noise", "reason"]
    assert list(selector.transform(frame).columns) == ["signal", "money"]


def test_chi2_rejects_negative_features(constructed):
    frame, label = constructed

    with pytest.raises(ValueError, match="non-negative"):
        FeatureSelector(score_func="chi2").fit(frame, label)


def test_heavy_tail_scaler_logs_skewed_columns_and_round_trips():
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"money": rng.lognormal(5, 2, 500), "share": rng.uniform(0, 1, 500)})

    scaler = HeavyTailScaler().fit(frame)
    scaled = scaler.transform(frame)

    assert scaler.log_columns_.tolist() == [True, False]
    assert np.median(scaled, axis=0) == pytest.approx([0.0, 0.0], abs=1e-9)
    np.testing.assert_allclose(scaler.inverse_transform(scaled), frame.to_numpy(), rtol=1e-9)


def test_heavy_tail_scaler_rejects_nan():
    with pytest.raises(ValueError, match="NaN"):
        HeavyTailScaler().fit(pd.DataFrame({"a": [1.0, np.nan]}))


def test_pca_2d_samples_rows_and_reports_explained_variance():
    rng = np.random.default_rng(2)
    matrix = pd.DataFrame(rng.normal(size=(300, 4)))

    coordinates, explained = pca_2d(matrix, sample_size=100)

    assert coordinates.shape == (100, 2) and list(coordinates.columns) == ["pc1", "pc2"]
    assert explained[0] >= explained[1] > 0
