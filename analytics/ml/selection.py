"""Feature scaling robust to heavy tails, feature selection against a conversion label, and 2-D PCA views."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.decomposition import PCA
from sklearn.feature_selection import chi2, mutual_info_classif
from sklearn.utils import check_random_state


def signed_log1p(values: np.ndarray) -> np.ndarray:
    return np.sign(values) * np.log1p(np.abs(values))


class HeavyTailScaler(TransformerMixin, BaseEstimator):
    """Signed log1p on right-skewed columns (skewness > `skew_threshold`), then centre on the median and divide by
    IQR / 1.349 (σ-equivalent for a normal), falling back to the standard deviation, then 1, when the IQR is zero
    (sparse columns such as refund rate). Money and counts spanning orders of magnitude then weigh like the rest.

    Learned: `log_columns_` (bool per column), `center_`, `scale_`, `feature_names_in_` (for DataFrames).
    """

    def __init__(self, skew_threshold: float = 1.0) -> None:
        self.skew_threshold = skew_threshold

    def fit(self, X: pd.DataFrame | np.ndarray, y: object = None) -> HeavyTailScaler:
        values = self._values(X, fitting=True)
        centred = values - values.mean(axis=0)
        std = values.std(axis=0)
        skewness = np.divide((centred**3).mean(axis=0), std**3, out=np.zeros_like(std), where=std > 0)
        self.log_columns_ = skewness > self.skew_threshold
        logged = self._log(values)
        quartiles = np.percentile(logged, [25, 50, 75], axis=0)
        self.center_ = quartiles[1]
        scale = (quartiles[2] - quartiles[0]) / 1.349
        fallback = logged.std(axis=0)
        scale = np.where(scale > 0, scale, np.where(fallback > 0, fallback, 1.0))
        self.scale_ = scale
        return self

    def _values(self, X: pd.DataFrame | np.ndarray, *, fitting: bool = False) -> np.ndarray:
        if isinstance(X, pd.DataFrame):
            if fitting:
                self.feature_names_in_ = np.asarray(X.columns, dtype=object)
            elif hasattr(self, "feature_names_in_") and list(X.columns) != list(self.feature_names_in_):
                X = X[list(self.feature_names_in_)]
        values = np.asarray(X, dtype="float64")
        if values.ndim != 2 or values.shape[0] == 0:
            raise ValueError(f"expected a non-empty 2-D feature matrix, got shape {values.shape}")
        if not np.isfinite(values).all():
            raise ValueError("features contain NaN or infinite values; fill them before scaling")
        return values

    def _log(self, values: np.ndarray) -> np.ndarray:
        logged = values.copy()
        logged[:, self.log_columns_] = signed_log1p(values[:, self.log_columns_])
        return logged

    def transform(self, X: pd.DataFrame | np.ndarray) -> np.ndarray:
        return (self._log(self._values(X)) - self.center_) / self.scale_

    def inverse_transform(self, X: np.ndarray) -> np.ndarray:
        logged = np.asarray(X, dtype="float64") * self.scale_ + self.center_
        original = logged.copy()
        original[:, self.log_columns_] = np.sign(logged[:, self.log_columns_]) * np.expm1(
            np.abs(logged[:, self.log_columns_])
        )
        return original

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        return np.asarray(self.feature_names_in_, dtype=object)


class FeatureSelector(TransformerMixin, BaseEstimator):
    """Drop near-constant columns, then one of each highly correlated pair, then (when a label is given) keep the
    columns that carry information about it.

    Steps, in order, on a DataFrame `X`:
    1. variance filter: drop columns with a single distinct value or a variance ≤ `variance_threshold`;
    2. correlation filter: for each pair with |Spearman ρ| > `correlation_threshold`, drop the later column (the
       earlier one in column order is kept, so put the columns you prefer first);
    3. relevance (only when `y` is passed to `fit`): score each remaining column against the binary label with
       `score_func` ("mutual_info" or "chi2", chi2 needs non-negative columns) and keep those with score >
       `min_score`, or the `k` best when `k` is set.

    Learned: `kept_features_` (list), `dropped_` (dict column -> reason), `scores_` (Series: relevance score of each
    column that reached step 3; p-values in `p_values_` for chi2), `feature_names_in_`.
    """

    def __init__(
        self,
        variance_threshold: float = 1e-8,
        correlation_threshold: float = 0.95,
        score_func: str = "mutual_info",
        k: int | None = None,
        min_score: float = 0.0,
        random_state: int | np.random.RandomState | None = 0,
    ) -> None:
        self.variance_threshold = variance_threshold
        self.correlation_threshold = correlation_threshold
        self.score_func = score_func
        self.k = k
        self.min_score = min_score
        self.random_state = random_state

    def fit(self, X: pd.DataFrame, y: pd.Series | np.ndarray | None = None) -> FeatureSelector:
        if not isinstance(X, pd.DataFrame) or X.empty:
            raise ValueError("FeatureSelector needs a non-empty DataFrame with named columns")
        if self.score_func not in ("mutual_info", "chi2"):
            raise ValueError(f"score_func must be 'mutual_info' or 'chi2', got {self.score_func!r}")
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        self.dropped_: dict[str, str] = {}
        values = X.astype("float64")

        variances = values.var(axis=0, ddof=0)
        for column in values.columns:
            if values[column].nunique() <= 1 or variances[column] <= self.variance_threshold:
                self.dropped_[column] = f"near-constant (variance {variances[column]:.3g})"
        remaining = [column for column in values.columns if column not in self.dropped_]

        # Spearman: rank correlation is what matters for heavy-tailed money and counts.
        correlation = values[remaining].rank().corr().abs().to_numpy() if remaining else np.empty((0, 0))
        kept_after_correlation: list[str] = []
        for position, column in enumerate(remaining):
            partner = next(
                (
                    kept
                    for kept in kept_after_correlation
                    if correlation[remaining.index(kept), position] > self.correlation_threshold
                ),
                None,
            )
            if partner is None:
                kept_after_correlation.append(column)
            else:
                rho = correlation[remaining.index(partner), position]
                self.dropped_[column] = f"|Spearman ρ| {rho:.3f} with {partner}"

        self.scores_ = pd.Series(dtype="float64")
        self.p_values_ = pd.Series(dtype="float64")
        kept = kept_after_correlation
        if y is not None and kept:
            labels = np.asarray(y).ravel()
            if labels.shape[0] != len(X):
                raise ValueError(f"label has {labels.shape[0]} rows but X has {len(X)}")
            matrix = values[kept].to_numpy()
            if self.score_func == "chi2":
                if (matrix < 0).any():
                    raise ValueError("chi2 needs non-negative features; use score_func='mutual_info'")
                scores, p_values = chi2(matrix, labels)
                self.p_values_ = pd.Series(p_values, index=kept)
            else:
                scores = mutual_info_classif(matrix, labels, random_state=check_random_state(self.random_state))
            self.scores_ = pd.Series(np.nan_to_num(scores), index=kept).sort_values(ascending=False)
            if self.k is not None:
                relevant = list(self.scores_.index[: self.k])
            else:
                relevant = list(self.scores_.index[self.scores_ > self.min_score])
            for column in kept:
                if column not in relevant:
                    self.dropped_[column] = f"{self.score_func} score {self.scores_[column]:.3g} with the label"
            kept = [column for column in kept if column in relevant]
        self.kept_features_ = kept
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        return X[self.kept_features_]

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        return np.asarray(self.kept_features_, dtype=object)

    def report(self) -> pd.DataFrame:
        """One row per input column: kept (bool), reason it was dropped (empty when kept), relevance score."""
        return pd.DataFrame(
            {
                "kept": [column in self.kept_features_ for column in self.feature_names_in_],
                "reason": [self.dropped_.get(column, "") for column in self.feature_names_in_],
                "score": [self.scores_.get(column, np.nan) for column in self.feature_names_in_],
            },
            index=pd.Index(self.feature_names_in_, name="feature"),
        )


def pca_2d(
    X: pd.DataFrame | np.ndarray,
    *,
    sample_size: int | None = 5_000,
    random_state: int | np.random.RandomState | None = 0,
) -> tuple[pd.DataFrame, np.ndarray]:
    """2-D PCA coordinates (columns pc1, pc2) of an already scaled matrix, on a random sample of rows for plotting.

    Returns the coordinates (indexed like the sampled rows of X) and the explained variance ratio of both axes.
    """
    frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X))
    if len(frame) < 2 or frame.shape[1] < 2:
        raise ValueError("a 2-D PCA view needs at least 2 rows and 2 columns")
    if sample_size is not None and len(frame) > sample_size:
        rows = check_random_state(random_state).choice(len(frame), size=sample_size, replace=False)
        frame = frame.iloc[np.sort(rows)]
    pca = PCA(n_components=2, random_state=check_random_state(random_state).randint(2**31 - 1))
    coordinates = pca.fit_transform(frame.to_numpy(dtype="float64"))
    return pd.DataFrame(coordinates, index=frame.index, columns=["pc1", "pc2"]), pca.explained_variance_ratio_
