"""Behavioural segments: K-means with k chosen by silhouette + Davies-Bouldin, explained and named in zh and en,
with identities kept stable across reruns by matching new centroids to the previous ones (Hungarian assignment)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.metrics import davies_bouldin_score, silhouette_score
from sklearn.utils import check_random_state
from threadpoolctl import threadpool_limits

from analytics.ml.selection import HeavyTailScaler

# (zh, en) words for a feature that sets a segment apart, by direction: z > 0 ("high") and z < 0 ("low").
# recency is inverted on purpose: a low recency in days means a recent buyer.
FEATURE_WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "recency_days": {"low": ("近期", "recent"), "high": ("沉睡", "lapsed")},
    "monetary": {"high": ("高价值", "high-value"), "low": ("低消费", "low-spend")},
    "frequency": {"high": ("高频", "frequent"), "low": ("偶尔购买的", "occasional")},
    "avg_order_value": {"high": ("大单", "big-basket"), "low": ("小额", "small-basket")},
    "tenure_days": {"high": ("老", "long-standing"), "low": ("新", "new")},
    "refund_rate": {"high": ("高退款", "refund-prone")},
    "views": {"high": ("爱浏览的", "browsing")},
    "clicks": {"high": ("高互动", "engaged")},
    "enrolments": {"high": ("爱报课的", "enrolling")},
    "completions": {"high": ("学完课程的", "course-completing")},
    "completion_rate": {"high": ("坚持学习的", "committed")},
    "partner_event_share": {"high": ("偏好合作方的", "partner-leaning")},
    "partner_spend_share": {"high": ("偏好合作方的", "partner-leaning")},
}
# Plain (Chinese, English) names of the features for the stored description; the web pages translate through the
# catalogue instead (analytics.labels.segment_description).
FEATURE_NAMES: dict[str, tuple[str, str]] = {
    "recency_days": ("距上次购买天数", "days since last purchase"),
    "frequency": ("订单数", "orders"),
    "monetary": ("净消费额", "net spend"),
    "tenure_days": ("距首次行为天数", "days since first event"),
    "avg_order_value": ("客单价", "average order value"),
    "refund_rate": ("退款率", "refund rate"),
    "views": ("浏览次数", "views"),
    "clicks": ("点击次数", "clicks"),
    "add_to_carts": ("加购次数", "add-to-carts"),
    "enrolments": ("报名次数", "enrolments"),
    "completions": ("完课次数", "completions"),
    "completion_rate": ("完课率", "completion rate"),
    "ratings": ("评分次数", "ratings"),
    "shares": ("分享次数", "shares"),
    "partner_event_share": ("合作方商品行为占比", "share of events on partner items"),
    "partner_spend_share": ("合作方商品消费占比", "share of spend on partner items"),
}


def feature_names(feature: str) -> tuple[str, str]:
    """(Chinese, English) name of a feature; per-category spend shares name their category."""
    if feature in FEATURE_NAMES:
        return FEATURE_NAMES[feature]
    if feature.startswith("spend_share__"):
        category = feature.removeprefix("spend_share__")
        return f"{category}类目消费占比", f"share of spend on {category}"
    return feature, feature


# Above this |z| a feature counts as setting the segment apart.
DISTINGUISHING_Z = 0.5


@dataclass
class SegmentProfile:
    """What the Django side stores per segment. `label` is the stable identity."""

    label: int
    size: int
    share: float
    centroid: dict[str, float]  # cluster centre mapped back to original units
    median: dict[str, float]  # per-feature median of the members, original units
    distinguishing: list[tuple[str, float]]  # (feature, z-score of the segment mean vs everyone), by |z| desc
    name_zh: str
    name_en: str
    description_zh: str
    description_en: str
    matched_previous: bool = False
    match_distance: float | None = None
    extra: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


def match_segments(previous_centroids: np.ndarray, new_centroids: np.ndarray) -> dict[int, int]:
    """Hungarian assignment minimising the total Euclidean distance: {new row index: previous row index}.

    With more new than previous clusters the extra new ones stay unmatched (absent from the dict), and vice versa.
    """
    previous = np.asarray(previous_centroids, dtype="float64")
    new = np.asarray(new_centroids, dtype="float64")
    if previous.size == 0 or new.size == 0:
        return {}
    distances = np.linalg.norm(new[:, None, :] - previous[None, :, :], axis=2)
    new_rows, previous_rows = linear_sum_assignment(distances)
    return dict(zip(new_rows.tolist(), previous_rows.tolist(), strict=True))


def _segment_name(distinguishing: list[tuple[str, float]], has_buyers: bool) -> tuple[str, str]:
    words: list[tuple[str, str]] = []
    for feature, z in distinguishing:
        direction = "high" if z > 0 else "low"
        word = FEATURE_WORDS.get(feature, {}).get(direction)
        if word is None and feature.startswith("spend_share__") and z > 0:
            category = feature.removeprefix("spend_share__")
            word = (f"偏好{category}的", f"{category}-focused")
        if word is not None and word not in words:
            words.append(word)
        if len(words) == 2:
            break
    noun = ("买家", "buyers") if has_buyers else ("访客", "visitors")
    if not words:
        words = [("普通", "typical")]
    name_zh = "".join(word[0] for word in words) + noun[0]
    name_en = " ".join(word[1] for word in words) + " " + noun[1]
    return name_zh, name_en[0].upper() + name_en[1:]


def _describe(share: float, distinguishing: list[tuple[str, float]], median: dict[str, float]) -> tuple[str, str]:
    parts_en, parts_zh = [], []
    for feature, z in distinguishing[:3]:
        name_zh, name_en = feature_names(feature)
        parts_en.append(
            f"{name_en[0].upper()}{name_en[1:]} {'higher' if z > 0 else 'lower'} than average "
            f"(z={z:+.1f}, median {median[feature]:,.4g})"
        )
        parts_zh.append(f"{name_zh}{'高于' if z > 0 else '低于'}平均（z={z:+.1f}，中位数 {median[feature]:,.4g}）")
    en = f"{share:.1%} of consumers. " + ("; ".join(parts_en) if parts_en else "Close to the average on every feature.")
    zh = f"占全部消费者的 {share:.1%}。" + ("；".join(parts_zh) if parts_zh else "各项特征均接近平均水平。")
    return zh, en


class SegmentModel(ClusterMixin, BaseEstimator):
    """K-means segmentation of a consumer feature frame (rows = consumers, numeric columns in original units).

    k is `n_clusters` when given, else chosen in `k_range` (inclusive): each k is fitted on up to
    `selection_sample_size` rows and scored by silhouette (on up to `silhouette_sample_size` of them) and
    Davies-Bouldin; the k with the best sum of the two ranks wins (ties go to the higher silhouette). The final
    model is fitted on all rows, with MiniBatchKMeans above `minibatch_threshold` rows.

    Labels are stable identities: pass the previous run's centroids (DataFrame, index = label, columns = features,
    original units; `centroids_frame()` of the previous model) to `fit`, and new clusters take the label of the
    previous centroid they are matched to; unmatched new clusters get fresh labels after the largest previous one.
    Without previous centroids, labels are 0..k-1 by decreasing size.

    Learned: `labels_`, `n_clusters_`, `cluster_centers_` (scaled space, row i = label `segment_labels_[i]`),
    `segment_labels_`, `k_scores_` (DataFrame: k, silhouette, davies_bouldin), `scaler_` (HeavyTailScaler),
    `profiles_` (list of SegmentProfile), `feature_names_in_`. `n_threads` caps OpenMP/BLAS threads during fit
    (None = library default).
    """

    def __init__(
        self,
        n_clusters: int | None = None,
        k_range: tuple[int, int] = (2, 12),
        n_init: int = 10,
        selection_sample_size: int = 20_000,
        silhouette_sample_size: int = 5_000,
        minibatch_threshold: int = 100_000,
        random_state: int | np.random.RandomState | None = 0,
        n_threads: int | None = 1,
    ) -> None:
        self.n_clusters = n_clusters
        self.k_range = k_range
        self.n_init = n_init
        self.selection_sample_size = selection_sample_size
        self.silhouette_sample_size = silhouette_sample_size
        self.minibatch_threshold = minibatch_threshold
        self.random_state = random_state
        self.n_threads = n_threads

    def _kmeans(self, k: int, n_rows: int, seed: int) -> KMeans | MiniBatchKMeans:
        if n_rows > self.minibatch_threshold:
            return MiniBatchKMeans(n_clusters=k, n_init=3, batch_size=4096, random_state=seed)
        return KMeans(n_clusters=k, n_init=self.n_init, random_state=seed)

    def _choose_k(self, scaled: np.ndarray, rng: np.random.RandomState) -> int:
        if self.n_clusters is not None:
            self.k_scores_ = pd.DataFrame(columns=["k", "silhouette", "davies_bouldin"])
            return int(self.n_clusters)
        low, high = self.k_range
        high = min(high, len(scaled) - 1)
        if high < low:
            raise ValueError(f"{len(scaled)} consumers are too few for k in {self.k_range}")
        sample = scaled
        if len(scaled) > self.selection_sample_size:
            sample = scaled[rng.choice(len(scaled), self.selection_sample_size, replace=False)]
        rows = []
        for k in range(low, high + 1):
            labels = self._kmeans(k, len(sample), rng.randint(2**31 - 1)).fit_predict(sample)
            if len(np.unique(labels)) < 2:
                continue
            silhouette = silhouette_score(
                sample,
                labels,
                sample_size=min(self.silhouette_sample_size, len(sample)),
                random_state=rng.randint(2**31 - 1),
            )
            rows.append({"k": k, "silhouette": silhouette, "davies_bouldin": davies_bouldin_score(sample, labels)})
        if not rows:
            raise ValueError("no k in the range produced two or more clusters; are the features constant?")
        scores = pd.DataFrame(rows)
        rank_sum = scores["silhouette"].rank(ascending=False) + scores["davies_bouldin"].rank(ascending=True)
        scores["rank_sum"] = rank_sum
        self.k_scores_ = scores
        best = scores.sort_values(["rank_sum", "silhouette"], ascending=[True, False]).iloc[0]
        return int(best["k"])

    def fit(self, X: pd.DataFrame, y: object = None, previous_centroids: pd.DataFrame | None = None) -> SegmentModel:
        # One OpenMP thread by default: a Celery worker already runs one task per core, and oversubscribed OpenMP
        # spin-waiting made K-means 5-10x slower on a loaded 2-core machine.
        with threadpool_limits(limits=self.n_threads):
            return self._fit(X, previous_centroids)

    def _fit(self, X: pd.DataFrame, previous_centroids: pd.DataFrame | None) -> SegmentModel:
        if not isinstance(X, pd.DataFrame) or X.empty:
            raise ValueError("SegmentModel needs a non-empty DataFrame of consumer features")
        if len(X) < 3:
            raise ValueError(f"need at least 3 consumers to segment, got {len(X)}")
        rng = check_random_state(self.random_state)
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        self.scaler_ = HeavyTailScaler().fit(X)
        scaled = self.scaler_.transform(X)
        k = self._choose_k(scaled, rng)
        model = self._kmeans(k, len(scaled), rng.randint(2**31 - 1)).fit(scaled)
        raw_labels = model.labels_
        centers = model.cluster_centers_
        sizes = np.bincount(raw_labels, minlength=k)

        stable_of_raw, distances = self._stable_labels(centers, sizes, previous_centroids)
        order = np.argsort([stable_of_raw[raw] for raw in range(k)])
        self.segment_labels_ = np.array([stable_of_raw[raw] for raw in order])
        self.cluster_centers_ = centers[order]
        self.labels_ = np.array([stable_of_raw[raw] for raw in range(k)])[raw_labels]
        self.n_clusters_ = k
        self.profiles_ = self._profiles(X, scaled, {stable_of_raw[raw]: distances.get(raw) for raw in range(k)})
        return self

    def _stable_labels(
        self, centers: np.ndarray, sizes: np.ndarray, previous_centroids: pd.DataFrame | None
    ) -> tuple[dict[int, int], dict[int, float]]:
        if previous_centroids is None or previous_centroids.empty:
            by_size = np.argsort(-sizes, kind="stable")
            return {int(raw): position for position, raw in enumerate(by_size)}, {}
        previous_scaled = self.scaler_.transform(previous_centroids[list(self.feature_names_in_)])
        matches = match_segments(previous_scaled, centers)
        previous_labels = [int(label) for label in previous_centroids.index]
        stable = {raw: previous_labels[previous_row] for raw, previous_row in matches.items()}
        distances = {
            raw: float(np.linalg.norm(centers[raw] - previous_scaled[previous_row]))
            for raw, previous_row in matches.items()
        }
        next_label = max(previous_labels) + 1
        for raw in np.argsort(-sizes, kind="stable"):
            if int(raw) not in stable:
                stable[int(raw)] = next_label
                next_label += 1
        return stable, distances

    def _profiles(self, X: pd.DataFrame, scaled: np.ndarray, distances: dict[int, float | None]) -> list:
        overall_mean = scaled.mean(axis=0)
        overall_std = scaled.std(axis=0)
        overall_std[overall_std == 0] = 1.0
        centroids_original = self.scaler_.inverse_transform(self.cluster_centers_)
        has_frequency = "frequency" in X.columns
        profiles = []
        for position, label in enumerate(self.segment_labels_):
            members = self.labels_ == label
            z_scores = (scaled[members].mean(axis=0) - overall_mean) / overall_std
            ranked = np.argsort(-np.abs(z_scores), kind="stable")
            distinguishing = [
                (str(self.feature_names_in_[i]), round(float(z_scores[i]), 3))
                for i in ranked
                if abs(z_scores[i]) >= DISTINGUISHING_Z
            ]
            median = X.loc[members].median().astype(float).round(4).to_dict()
            has_buyers = (not has_frequency) or median.get("frequency", 0) > 0
            name_zh, name_en = _segment_name(distinguishing, has_buyers)
            share = float(members.mean())
            description_zh, description_en = _describe(share, distinguishing, median)
            profiles.append(
                SegmentProfile(
                    label=int(label),
                    size=int(members.sum()),
                    share=round(share, 6),
                    centroid=dict(
                        zip(self.feature_names_in_, centroids_original[position].round(4).tolist(), strict=True)
                    ),
                    median=median,
                    distinguishing=distinguishing,
                    name_zh=name_zh,
                    name_en=name_en,
                    description_zh=description_zh,
                    description_en=description_en,
                    matched_previous=distances.get(int(label)) is not None,
                    match_distance=distances.get(int(label)),
                )
            )
        _disambiguate_names(profiles)
        return profiles

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Stable label of the nearest centroid (in the scaled space) for each row."""
        scaled = self.scaler_.transform(X[list(self.feature_names_in_)])
        distances = np.linalg.norm(scaled[:, None, :] - self.cluster_centers_[None, :, :], axis=2)
        return self.segment_labels_[distances.argmin(axis=1)]

    def centroids_frame(self) -> pd.DataFrame:
        """Centroids in original units, index = stable label: what to store and pass back as `previous_centroids`."""
        return pd.DataFrame(
            self.scaler_.inverse_transform(self.cluster_centers_),
            index=pd.Index(self.segment_labels_, name="label"),
            columns=list(self.feature_names_in_),
        )

    def profiles_frame(self) -> pd.DataFrame:
        return pd.DataFrame([profile.as_dict() for profile in self.profiles_]).set_index("label")


def _disambiguate_names(profiles: list[SegmentProfile]) -> None:
    # Two segments can share their leading words; number the later ones so a campaign manager can tell them apart.
    seen: dict[str, int] = {}
    for profile in sorted(profiles, key=lambda p: -p.size):
        count = seen.get(profile.name_en, 0) + 1
        seen[profile.name_en] = count
        if count > 1:
            profile.name_en = f"{profile.name_en} ({count})"
            profile.name_zh = f"{profile.name_zh}（{count}）"
