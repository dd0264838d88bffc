import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from analytics.ml.segmentation import SegmentModel, match_segments


def three_groups(seed: int = 0, per_group: int = 150) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    centres = {"recency_days": [10, 60, 300], "frequency": [20, 5, 1], "monetary": [5_000, 600, 40]}
    rows = []
    for group in range(3):
        rows.append(
            pd.DataFrame(
                {
                    name: np.abs(rng.normal(values[group], values[group] * 0.15, per_group))
                    for name, values in centres.items()
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def test_match_segments_finds_the_permutation():
    previous = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    new = previous[[2, 0, 1]] + 0.1

    assert match_segments(previous, new) == {0: 2, 1: 0, 2: 1}


def test_match_segments_leaves_extra_new_clusters_unmatched():
    matches = match_segments(np.array([[0.0], [10.0]]), np.array([[9.0], [0.5], [50.0]]))

    assert matches == {0: 1, 1: 0}


def test_k_is_chosen_in_range_and_profiles_describe_the_segments():
    data = three_groups()

    model = SegmentModel(k_range=(2, 6), random_state=0).fit(data)

    assert model.n_clusters_ == 3
    assert list(model.k_scores_["k"]) == [2, 3, 4, 5, 6]
    profiles = model.profiles_frame()
    assert profiles["size"].sum() == len(data)
    top = profiles.loc[profiles["median"].map(lambda m: m["monetary"]).idxmax()]
    assert top["centroid"]["monetary"] == pytest.approx(5_000, rel=0.1)
    assert "high-value" in top["name_en"].lower() and "高价值" in top["name_zh"]
    assert top["name_zh"].endswith("买家") and top["description_en"].startswith(f"{top['share']:.1%}")
    assert len(set(profiles["name_en"])) == len(profiles)


def test_two_seeds_agree_on_the_same_data():
    data = three_groups()

    first = SegmentModel(random_state=1).fit(data)
    second = SegmentModel(random_state=2).fit(data)

    assert adjusted_rand_score(first.labels_, second.labels_) >= 0.9


def test_labels_keep_their_identity_when_previous_centroids_are_passed():
    data = three_groups()
    first = SegmentModel(n_clusters=3, random_state=0).fit(data)
    shuffled = data.sample(frac=1.0, random_state=5)

    rerun = SegmentModel(n_clusters=3, random_state=99).fit(shuffled, previous_centroids=first.centroids_frame())

    same_rows = first.labels_[shuffled.index.to_numpy()]
    assert (rerun.labels_ == same_rows).mean() > 0.98
    assert all(profile.matched_previous for profile in rerun.profiles_)
    np.testing.assert_array_equal(rerun.predict(data), first.predict(data))


def test_a_new_cluster_gets_a_fresh_label_after_the_previous_ones():
    data = three_groups()
    two = SegmentModel(n_clusters=2, random_state=0).fit(data)

    three = SegmentModel(n_clusters=3, random_state=0).fit(data, previous_centroids=two.centroids_frame())

    assert sorted(three.segment_labels_.tolist()) == [0, 1, 2]
    assert sum(not profile.matched_previous for profile in three.profiles_) == 1
    assert next(p.label for p in three.profiles_ if not p.matched_previous) == 2


def test_too_few_consumers_is_a_clear_error():
    with pytest.raises(ValueError, match="at least 3 consumers"):
        SegmentModel().fit(pd.DataFrame({"monetary": [1.0, 2.0]}))


def test_online_retail_rfm_segments_are_stable_and_separate_monetary_value(online_retail_path):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))
    from _data import load_online_retail, online_retail_events

    from analytics.ml.features import build_consumer_features

    features = build_consumer_features(online_retail_events(load_online_retail(online_retail_path)), as_of="2011-12-10")
    # RFM population: customers with at least one order and a positive net spend (refund-only accounts excluded).
    rfm = features.loc[
        (features["frequency"] >= 1) & (features["monetary"] > 0), ["recency_days", "frequency", "monetary"]
    ]

    first = SegmentModel(random_state=1).fit(rfm)
    second = SegmentModel(random_state=2).fit(rfm)

    assert adjusted_rand_score(first.labels_, second.labels_) >= 0.9
    medians = first.profiles_frame()["median"].map(lambda m: m["monetary"])
    assert medians.max() >= 5 * medians.min()
