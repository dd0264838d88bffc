"""Daily demand forecasting: candidate forecasters and an automatic, backtested combination of them.

Every forecaster follows scikit-learn conventions and works on a daily `pd.Series` with a `DatetimeIndex`
(`prepare_daily_series` reindexes gaps to zero days). `fit(y, exog=None)` returns self and `predict(horizon,
exog_future=None)` returns a `pd.Series` of point forecasts for the `horizon` days after the last observed day.

`AutoForecaster` picks among (and combines) the candidates by a rolling-origin backtest that uses only the data it was
given, so when a caller backtests the AutoForecaster itself, its choice at each origin uses only data before it.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from threadpoolctl import threadpool_limits

from analytics.ml.backtest import rolling_origin_windows
from analytics.ml.calendar import calendar_flags
from analytics.ml.forecast_metrics import mean_absolute_error, mean_absolute_scaled_error, symmetric_mape

DEFAULT_HORIZON = 28
SEASON_LENGTH = 7


def prepare_daily_series(values: pd.Series) -> pd.Series:
    """A float daily series: the index normalised to dates, duplicate dates summed, missing days filled with 0."""
    if not isinstance(values.index, pd.DatetimeIndex):
        raise TypeError("the series needs a DatetimeIndex of days")
    values = values[values.notna() & values.index.notna()]
    if values.empty:
        raise ValueError("the series is empty: there is no history to forecast from")
    daily = values.astype("float64").groupby(values.index.normalize()).sum().sort_index()
    full_range = pd.date_range(daily.index[0], daily.index[-1], freq="D")
    return daily.reindex(full_range, fill_value=0.0).rename(values.name)


def daily_demand(events: pd.DataFrame, *, by: str | None = None) -> pd.DataFrame:
    """Daily `units`, `orders` and `revenue` from an events frame (contract in analytics.ml.features).

    Purchases count positively; refunds subtract their value and quantity from the day they happen (net demand).
    `orders` counts distinct `order_id`s when present, purchase events otherwise. Missing days are zero rows.
    Without `by` the index is the date; with `by` (e.g. "category") the columns are per (measure, group),
    flattened to `<measure>__<group>` names so each column is one series for `AutoForecaster`.
    """
    for column in ("type", "value", "occurred_at"):
        if column not in events.columns:
            raise ValueError(f"events frame is missing column {column!r}")
    kind = events["type"].astype(str) if not isinstance(events["type"].dtype, pd.CategoricalDtype) else events["type"]
    is_purchase = (kind == "purchase").to_numpy()
    is_refund = (kind == "refund").to_numpy()
    relevant = is_purchase | is_refund
    if not relevant.any():
        raise ValueError("no purchase or refund events: there is no demand series to forecast")
    sign = np.where(is_purchase, 1.0, -1.0)[relevant]
    quantity = events["quantity"].to_numpy(dtype="float64")[relevant] if "quantity" in events.columns else 1.0
    frame = pd.DataFrame(
        {
            "date": events["occurred_at"].to_numpy()[relevant].astype("datetime64[D]"),
            "units": sign * quantity,
            "revenue": sign * events["value"].to_numpy(dtype="float64", na_value=0.0)[relevant],
            "orders": np.where(sign > 0, 1.0, 0.0),
        }
    )
    keys = ["date"]
    if by is not None:
        frame[by] = events[by].to_numpy()[relevant]
        keys.append(by)
    if "order_id" in events.columns:
        frame["order_id"] = events["order_id"].to_numpy()[relevant]
        purchases = frame[sign > 0]
        orders = purchases.groupby(keys, observed=True)["order_id"].nunique().astype("float64")
        frame = frame.drop(columns=["order_id"])
    else:
        orders = None
    totals = frame.groupby(keys, observed=True)[["units", "revenue", "orders"]].sum()
    if orders is not None:
        totals["orders"] = orders.reindex(totals.index, fill_value=0.0)
    if by is not None:
        totals = totals.unstack(by, fill_value=0.0)
        totals.columns = [f"{measure}__{group}" for measure, group in totals.columns]
    totals.index = pd.DatetimeIndex(totals.index)
    full_range = pd.date_range(totals.index.min(), totals.index.max(), freq="D")
    return totals.reindex(full_range, fill_value=0.0)


def future_dates(history: pd.Series, horizon: int) -> pd.DatetimeIndex:
    return pd.date_range(history.index[-1] + pd.Timedelta(days=1), periods=horizon, freq="D")


def _as_array(y: pd.Series) -> np.ndarray:
    return np.asarray(y, dtype="float64")


class BaseForecaster(BaseEstimator):
    """Shared plumbing: log transform, the exog contract and the output index."""

    #: fewest days of history this forecaster can be fitted on; `AutoForecaster` skips it below that.
    min_history: int = 1
    #: whether the forecaster reads exogenous columns (calendar flags, campaigns, prices, indicators).
    uses_exog: bool = False

    def _check_history(self, y: pd.Series) -> None:
        if len(y) < self.min_history:
            raise ValueError(f"{type(self).__name__} needs at least {self.min_history} days of history, got {len(y)}")

    def _forward(self, values: np.ndarray) -> np.ndarray:
        # log1p keeps multiplicative weekly patterns additive and tames heavy-tailed spikes; negative days clip to 0.
        return np.log1p(np.clip(values, 0.0, None)) if getattr(self, "log_transform", False) else values

    def _inverse(self, values: np.ndarray) -> np.ndarray:
        return np.expm1(values) if getattr(self, "log_transform", False) else values

    def _output(self, values: np.ndarray, horizon: int) -> pd.Series:
        return pd.Series(self._inverse(np.asarray(values, dtype="float64")), index=future_dates(self.history_, horizon))


class SeasonalNaiveForecaster(BaseForecaster):
    """Repeat the last full season: the forecast for day t+h is the value on the same weekday of the last week."""

    min_history = SEASON_LENGTH

    def __init__(self, season_length: int = SEASON_LENGTH) -> None:
        self.season_length = season_length

    def fit(self, y: pd.Series, exog: pd.DataFrame | None = None) -> SeasonalNaiveForecaster:
        if len(y) < self.season_length:
            raise ValueError(f"seasonal naive needs at least {self.season_length} days of history, got {len(y)}")
        self.history_ = y
        self.last_season_ = _as_array(y)[-self.season_length :]
        return self

    def predict(self, horizon: int, exog_future: pd.DataFrame | None = None) -> pd.Series:
        return self._output(self.last_season_[np.arange(horizon) % self.season_length], horizon)


class DayOfWeekMeanForecaster(BaseForecaster):
    """Mean of the same weekday over the last `weeks` weeks (fewer when the history is shorter)."""

    min_history = SEASON_LENGTH

    def __init__(self, weeks: int = 8, log_transform: bool = False) -> None:
        self.weeks = weeks
        self.log_transform = log_transform

    def fit(self, y: pd.Series, exog: pd.DataFrame | None = None) -> DayOfWeekMeanForecaster:
        self._check_history(y)
        self.history_ = y
        recent = self._forward(_as_array(y)[-self.weeks * SEASON_LENGTH :])
        # Position 0 of the recent window is aligned so that the last value sits at phase SEASON_LENGTH - 1.
        phase = (np.arange(len(recent)) - len(recent)) % SEASON_LENGTH
        self.weekday_means_ = np.array([recent[phase == p].mean() for p in range(SEASON_LENGTH)])
        return self

    def predict(self, horizon: int, exog_future: pd.DataFrame | None = None) -> pd.Series:
        return self._output(self.weekday_means_[np.arange(horizon) % SEASON_LENGTH], horizon)


class AutoRegForecaster(BaseForecaster):
    """statsmodels AutoReg with the lags chosen by `ar_select_order` (information criterion `ic`)."""

    min_history = 4 * SEASON_LENGTH

    def __init__(
        self, max_lag: int = 14, ic: str = "aic", trend: str = "c", seasonal: bool = True, log_transform: bool = False
    ) -> None:
        self.max_lag = max_lag
        self.ic = ic
        self.trend = trend
        self.seasonal = seasonal
        self.log_transform = log_transform

    def fit(self, y: pd.Series, exog: pd.DataFrame | None = None) -> AutoRegForecaster:
        from statsmodels.tsa.ar_model import AutoReg, ar_select_order

        self._check_history(y)
        self.history_ = y
        values = self._forward(_as_array(y))
        max_lag = max(1, min(self.max_lag, len(values) // 3))
        period = SEASON_LENGTH if self.seasonal else None
        selection = ar_select_order(
            values, maxlag=max_lag, ic=self.ic, trend=self.trend, seasonal=self.seasonal, period=period
        )
        self.lags_ = list(selection.ar_lags or [])
        self.model_ = AutoReg(
            values, lags=self.lags_ or 0, trend=self.trend, seasonal=self.seasonal, period=period
        ).fit()
        return self

    def predict(self, horizon: int, exog_future: pd.DataFrame | None = None) -> pd.Series:
        n = len(self.history_)
        return self._output(self.model_.predict(start=n, end=n + horizon - 1), horizon)


class ExponentialSmoothingForecaster(BaseForecaster):
    """statsmodels Holt-Winters `ExponentialSmoothing` (damped additive trend, additive weekly season by default)."""

    min_history = 3 * SEASON_LENGTH

    def __init__(
        self,
        trend: str | None = "add",
        damped_trend: bool = True,
        seasonal: str | None = "add",
        seasonal_periods: int = SEASON_LENGTH,
        log_transform: bool = False,
    ) -> None:
        self.trend = trend
        self.damped_trend = damped_trend
        self.seasonal = seasonal
        self.seasonal_periods = seasonal_periods
        self.log_transform = log_transform

    def fit(self, y: pd.Series, exog: pd.DataFrame | None = None) -> ExponentialSmoothingForecaster:
        from statsmodels.tsa.holtwinters import ExponentialSmoothing

        self._check_history(y)
        self.history_ = y
        model = ExponentialSmoothing(
            self._forward(_as_array(y)),
            trend=self.trend,
            damped_trend=self.damped_trend if self.trend else False,
            seasonal=self.seasonal,
            seasonal_periods=self.seasonal_periods if self.seasonal else None,
            initialization_method="estimated",
        )
        self.model_ = model.fit()
        return self

    def predict(self, horizon: int, exog_future: pd.DataFrame | None = None) -> pd.Series:
        return self._output(self.model_.forecast(horizon), horizon)


def _usable_exog_columns(exog: pd.DataFrame | None) -> list[str]:
    # A flag that never varies in the training window cannot be estimated and makes the design singular.
    if exog is None or exog.empty:
        return []
    return [column for column in exog.columns if np.nanstd(exog[column].to_numpy(dtype="float64")) > 0]


class SarimaxForecaster(BaseForecaster):
    """statsmodels SARIMAX with weekly seasonality and the exogenous flag columns that vary in the history."""

    min_history = 6 * SEASON_LENGTH
    uses_exog = True

    def __init__(
        self,
        order: tuple[int, int, int] = (1, 0, 1),
        seasonal_order: tuple[int, int, int, int] = (1, 0, 1, SEASON_LENGTH),
        trend: str = "c",
        log_transform: bool = False,
    ) -> None:
        self.order = order
        self.seasonal_order = seasonal_order
        self.trend = trend
        self.log_transform = log_transform

    def fit(self, y: pd.Series, exog: pd.DataFrame | None = None) -> SarimaxForecaster:
        from statsmodels.tsa.statespace.sarimax import SARIMAX

        self._check_history(y)
        self.history_ = y
        self.exog_columns_ = _usable_exog_columns(exog)
        exog_values = exog[self.exog_columns_].to_numpy(dtype="float64") if self.exog_columns_ else None
        model = SARIMAX(
            self._forward(_as_array(y)),
            exog=exog_values,
            order=self.order,
            seasonal_order=self.seasonal_order,
            trend=self.trend,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence chatter on short or spiky histories
            self.model_ = model.fit(disp=False)
        return self

    def predict(self, horizon: int, exog_future: pd.DataFrame | None = None) -> pd.Series:
        exog_values = None
        if self.exog_columns_:
            if exog_future is None or len(exog_future) < horizon:
                raise ValueError(f"SARIMAX was fitted with exog {self.exog_columns_}; pass them for {horizon} days")
            exog_values = exog_future[self.exog_columns_].to_numpy(dtype="float64")[:horizon]
        return self._output(self.model_.forecast(horizon, exog=exog_values), horizon)


class MarketModelForecaster(BaseForecaster):
    """Linear "market model": trend + day of week + exogenous drivers, fitted by ridge-stabilised least squares.

    Exogenous columns may be calendar flags, price, promotion, campaign spend or external indicators (a local
    home-sales index, search interest). `drivers_` maps each regressor to its coefficient (per unit of the column,
    on the log1p scale when `log_transform`), which is what the forecast page shows as drivers.
    """

    min_history = 2 * SEASON_LENGTH
    uses_exog = True

    def __init__(self, window_days: int | None = 182, log_transform: bool = False, ridge: float = 1e-3) -> None:
        self.window_days = window_days
        self.log_transform = log_transform
        self.ridge = ridge

    def _design(self, dates: pd.DatetimeIndex, exog: pd.DataFrame | None) -> np.ndarray:
        weeks_since_start = (dates - self.start_date_).days.to_numpy() / SEASON_LENGTH
        weekday = dates.day_of_week.to_numpy()
        columns = [np.ones(len(dates)), weeks_since_start]
        columns += [(weekday == day).astype("float64") for day in range(1, SEASON_LENGTH)]
        if self.exog_columns_:
            columns += [exog[name].to_numpy(dtype="float64") for name in self.exog_columns_]
        return np.column_stack(columns)

    def fit(self, y: pd.Series, exog: pd.DataFrame | None = None) -> MarketModelForecaster:
        self._check_history(y)
        self.history_ = y
        window = y if self.window_days is None else y.iloc[-self.window_days :]
        window_exog = None if exog is None else exog.reindex(window.index)
        self.start_date_ = window.index[0]
        self.exog_columns_ = _usable_exog_columns(window_exog)
        design = self._design(window.index, window_exog)
        target = self._forward(_as_array(window))
        penalty = self.ridge * len(target) * np.eye(design.shape[1])
        penalty[0, 0] = 0.0  # never shrink the intercept
        self.coef_ = np.linalg.solve(design.T @ design + penalty, design.T @ target)
        names = ["intercept", "trend_per_week"] + [f"weekday_{day}" for day in range(1, SEASON_LENGTH)]
        self.drivers_ = dict(zip(names + self.exog_columns_, self.coef_.round(6).tolist(), strict=True))
        return self

    def predict(self, horizon: int, exog_future: pd.DataFrame | None = None) -> pd.Series:
        dates = future_dates(self.history_, horizon)
        if self.exog_columns_ and (exog_future is None or len(exog_future) < horizon):
            raise ValueError(f"market model fitted with exog {self.exog_columns_}; pass them for {horizon} days")
        future_exog = None if exog_future is None else exog_future.iloc[:horizon].set_axis(dates)
        return self._output(self._design(dates, future_exog) @ self.coef_, horizon)


def default_candidates() -> dict[str, BaseForecaster]:
    """The candidate set `AutoForecaster` chooses from when none is given."""
    return {
        "seasonal_naive": SeasonalNaiveForecaster(),
        "dow_mean_8w": DayOfWeekMeanForecaster(weeks=8),
        "autoreg": AutoRegForecaster(),
        "sarimax": SarimaxForecaster(),
        "exp_smoothing": ExponentialSmoothingForecaster(),
        "market_model": MarketModelForecaster(),
    }


def forecast_exog(
    history_index: pd.DatetimeIndex, horizon: int, *, region: str | None = "CN", exog: pd.DataFrame | None = None
) -> pd.DataFrame | None:
    """Exogenous columns for the history days plus `horizon` future days: calendar flags of `region` (None for no
    flags) joined with the caller's `exog` (indexed by date; gaps carried forward, then 0)."""
    full_index = history_index.append(
        pd.date_range(history_index[-1] + pd.Timedelta(days=1), periods=horizon, freq="D")
    )
    parts = []
    if region:
        parts.append(calendar_flags(full_index, region))
    carried_forward = False
    if exog is not None and not exog.empty:
        user = exog.copy()
        user.index = pd.DatetimeIndex(user.index).normalize()
        user = user.groupby(level=0).last().reindex(full_index)
        carried_forward = bool(user.iloc[len(history_index) :].isna().any().any())
        parts.append(user.ffill().fillna(0.0).astype("float64"))
    if not parts:
        return None
    combined = pd.concat(parts, axis=1)
    combined.attrs["carried_forward"] = carried_forward
    return combined


def fit_predict(model: BaseForecaster, train: pd.Series, exog: pd.DataFrame | None, horizon: int) -> pd.Series:
    """Fit a fresh clone of `model` on `train` and forecast `horizon` days. `exog`, when given, covers the training
    days followed by at least `horizon` future days (as built by `forecast_exog`)."""
    n = len(train)
    train_exog = exog.iloc[:n].set_axis(train.index) if exog is not None and model.uses_exog else None
    future_exog = exog.iloc[n : n + horizon] if exog is not None and model.uses_exog else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels convergence and frequency chatter
        return clone(model).fit(train, train_exog).predict(horizon, future_exog)


def winsorize_upper(y: pd.Series, *, mads: float = 3.0, window: int = 4 * SEASON_LENGTH) -> tuple[pd.Series, int]:
    """Clip spikes: a day above the local median + `mads` × MAD (scaled to σ) of the non-zero days in a centred
    `window` is set to that ceiling. Local, because a growing series would otherwise lose its recent level.
    Returns the clipped series and the number of clipped days."""
    values = y.where(y > 0)
    rolling = values.rolling(window, center=True, min_periods=SEASON_LENGTH)
    median = rolling.median()
    spread = (values - median).abs().rolling(window, center=True, min_periods=SEASON_LENGTH).median() * 1.4826
    ceiling = (median + mads * spread).bfill().ffill()
    if ceiling.isna().all():
        return y, 0
    clipped_mask = (y > ceiling).to_numpy()
    return y.where(~clipped_mask, ceiling), int(clipped_mask.sum())


def closed_weekday_mask(history: pd.Series, horizon: int, *, weeks: int = 4) -> np.ndarray:
    """True for each future day whose weekday was exactly zero in each of the last `weeks` weeks (a shop that does
    not trade that day, e.g. Saturdays in Online Retail). All False when the history is shorter than `weeks` weeks."""
    values = _as_array(history)
    if len(values) < weeks * SEASON_LENGTH:
        return np.zeros(horizon, dtype=bool)
    recent_weeks = values[-weeks * SEASON_LENGTH :].reshape(weeks, SEASON_LENGTH)
    closed_by_phase = (recent_weeks == 0).all(axis=0)  # phase p = position p within the last full week
    return closed_by_phase[np.arange(horizon) % SEASON_LENGTH]


class AutoForecaster(BaseEstimator):
    """Choose among candidate forecasters, or combine them, by an inner rolling-origin backtest on the history given
    to `fit` (so it never sees anything after that history), then refit the chosen ones on all of it.

    Procedure: (1) spikes in the training history are clipped (`winsorize_mads`, local median + k·MAD; MAE rewards
    the median, not the mean, of a spiky day); (2) every candidate is backtested on `n_validation_origins` windows of
    `horizon` days, `validation_step` days apart, ending at the last day; (3) `combine`:
    "trimmed" = inverse-MAE weighted mean of every candidate whose validation MAE is no worse than the weekly
    seasonal naive's (the naive itself included), "top_k" = inverse-MAE weights over the `combine_top_k` best,
    kept only if it beats the best single on validation, "best" = the single best; (4) `zero_closed_weekdays`:
    a weekday that was exactly zero in each of the last 4 weeks is forecast as zero (closed days);
    (5) the interval is the point forecast plus the `interval_level` central quantiles of the validation residuals.
    `n_threads` caps BLAS/OpenMP threads during fit (None = library default).

    Learned attributes:
    - `chosen_`: a candidate name, "combination", or the fallbacks "zero" / "recent_mean";
    - `weights_`: candidate name -> weight in the final forecast;
    - `backtest_`: DataFrame of mae, mase, smape, weight per candidate and for the combination;
    - `notes_`: human-readable remarks (fallbacks, skipped or failed candidates, clipped outliers);
    - `drivers_`: market-model coefficients or None;
    - `interval_offsets_`: (lower, upper) residual quantiles added to the point forecast.
    """

    def __init__(
        self,
        horizon: int = DEFAULT_HORIZON,
        candidates: dict[str, BaseForecaster] | None = None,
        n_validation_origins: int = 6,
        validation_step: int = SEASON_LENGTH,
        combine: str = "trimmed",
        combine_top_k: int = 3,
        interval_level: float = 0.8,
        calendar_region: str | None = "CN",
        winsorize_mads: float | None = 3.0,
        zero_closed_weekdays: bool = True,
        n_threads: int | None = 1,
    ) -> None:
        self.horizon = horizon
        self.candidates = candidates
        self.n_validation_origins = n_validation_origins
        self.validation_step = validation_step
        self.combine = combine
        self.combine_top_k = combine_top_k
        self.interval_level = interval_level
        self.calendar_region = calendar_region
        self.winsorize_mads = winsorize_mads
        self.zero_closed_weekdays = zero_closed_weekdays
        self.n_threads = n_threads

    @staticmethod
    def _fit_predict(model: BaseForecaster, train: pd.Series, exog: pd.DataFrame | None, horizon: int) -> np.ndarray:
        return fit_predict(model, train, exog, horizon).to_numpy()

    # -- fit ---------------------------------------------------------------------------------------------------
    def fit(self, y: pd.Series, exog: pd.DataFrame | None = None) -> AutoForecaster:
        # BLAS threads buy nothing on these small matrices and spin-wait badly on a busy worker (`n_threads`).
        with threadpool_limits(limits=self.n_threads):
            return self._fit(y, exog)

    def _fit(self, y: pd.Series, exog: pd.DataFrame | None) -> AutoForecaster:
        history = prepare_daily_series(y)
        self.notes_: list[str] = []
        self.history_ = history
        self.drivers_: dict[str, float] | None = None
        self.weights_: dict[str, float] = {}
        self.models_: dict[str, BaseForecaster] = {}
        self.backtest_ = pd.DataFrame(columns=["mae", "mase", "smape", "weight"], dtype="float64")
        self.interval_offsets_ = (0.0, 0.0)
        n = len(history)
        if n < 2:
            raise ValueError(f"only one day of history ({history.index[0].date()}); forecasting needs at least 2 days")
        if not np.any(_as_array(history)):
            self.chosen_ = "zero"
            self.notes_.append("the series is all zero; the forecast is zero with a zero-width interval")
            return self
        self.exog_ = forecast_exog(history.index, self.horizon, region=self.calendar_region, exog=exog)
        if exog is not None and self.exog_ is not None and self.exog_.attrs.get("carried_forward"):
            self.notes_.append("exogenous values missing for some forecast days were carried forward")
        train = history
        if self.winsorize_mads is not None:
            train, clipped = winsorize_upper(history, mads=self.winsorize_mads)
            if clipped:
                self.notes_.append(f"{clipped} outlier day(s) clipped to median + {self.winsorize_mads:g} MAD")
        self.train_ = train

        candidates = self.candidates if self.candidates is not None else default_candidates()
        eligible = {name: model for name, model in candidates.items() if n >= model.min_history}
        skipped = sorted(set(candidates) - set(eligible))
        if skipped:
            self.notes_.append(f"history of {n} days is too short for: {', '.join(skipped)}")
        if not eligible:
            self.chosen_ = "recent_mean"
            self.recent_mean_ = float(_as_array(train)[-SEASON_LENGTH:].mean())
            self.notes_.append("fell back to the mean of the last (up to) 7 days")
            return self

        self._validate(train, eligible)
        self._fit_final(train, eligible)
        if "market_model" in self.models_:
            self.drivers_ = self.models_["market_model"].drivers_
        elif n >= MarketModelForecaster.min_history:
            self.drivers_ = MarketModelForecaster().fit(train, self._train_exog(train)).drivers_
        return self

    def _train_exog(self, train: pd.Series) -> pd.DataFrame | None:
        return None if self.exog_ is None else self.exog_.iloc[: len(train)].set_axis(train.index)

    def _validate(self, train: pd.Series, eligible: dict[str, BaseForecaster]) -> None:
        n = len(train)
        min_train = max(model.min_history for model in eligible.values())
        windows = rolling_origin_windows(
            n,
            horizon=self.horizon,
            n_origins=self.n_validation_origins,
            step=self.validation_step,
            min_train=min_train,
        )
        if not windows:
            simplest = min(eligible, key=lambda name: eligible[name].min_history)
            self.chosen_ = simplest
            self.weights_ = {simplest: 1.0}
            self.notes_.append(
                f"history of {n} days is too short for a {self.horizon}-day backtest; using {simplest} unvalidated"
            )
            return
        values = _as_array(train)
        actual = np.stack([values[w.origin : w.end] for w in windows])
        predictions: dict[str, np.ndarray] = {}
        for name, model in eligible.items():
            try:
                predictions[name] = np.stack(
                    [self._fit_predict(model, train.iloc[: w.origin], self.exog_, self.horizon) for w in windows]
                )
            except (ValueError, np.linalg.LinAlgError) as error:
                self.notes_.append(f"{name} failed in the backtest and was dropped: {error}")
        if not predictions:
            self.chosen_, self.weights_ = "recent_mean", {}
            self.recent_mean_ = float(values[-SEASON_LENGTH:].mean())
            self.notes_.append("every candidate failed in the backtest; fell back to the mean of the last 7 days")
            return

        def scores(predicted: np.ndarray) -> dict[str, float]:
            return {
                "mae": mean_absolute_error(actual, predicted),
                "mase": float(
                    np.mean(
                        [
                            mean_absolute_scaled_error(actual[i], predicted[i], values[: w.origin])
                            for i, w in enumerate(windows)
                        ]
                    )
                ),
                "smape": symmetric_mape(actual, predicted),
            }

        table = pd.DataFrame({name: scores(predicted) for name, predicted in predictions.items()}).T
        ranked = table["mae"].sort_values().index.tolist()
        best = ranked[0]
        if self.combine == "trimmed":
            naive_mae = table["mae"].get("seasonal_naive", np.inf)
            members = [name for name in ranked if table.loc[name, "mae"] <= naive_mae] or [best]
        elif self.combine == "top_k":
            members = ranked[: max(1, self.combine_top_k)]
        elif self.combine == "best":
            members = [best]
        else:
            raise ValueError(f"combine must be 'trimmed', 'top_k' or 'best', got {self.combine!r}")
        inverse = 1.0 / np.maximum(table.loc[members, "mae"].to_numpy(), 1e-12)
        combination_weights = dict(zip(members, inverse / inverse.sum(), strict=True))
        combined = sum(weight * predictions[name] for name, weight in combination_weights.items())
        if self.zero_closed_weekdays:
            for row, window in enumerate(windows):
                combined[row, closed_weekday_mask(train.iloc[: window.origin], self.horizon)] = 0.0
        table.loc["combination"] = scores(combined)
        use_combination = len(members) > 1 and (
            self.combine == "trimmed" or table.loc["combination", "mae"] < table.loc[best, "mae"]
        )
        if use_combination:
            self.chosen_, self.weights_, chosen_predictions = "combination", combination_weights, combined
        else:
            self.chosen_, self.weights_, chosen_predictions = best, {best: 1.0}, predictions[best].copy()
            if self.zero_closed_weekdays:
                for row, window in enumerate(windows):
                    chosen_predictions[row, closed_weekday_mask(train.iloc[: window.origin], self.horizon)] = 0.0
        table["weight"] = [self.weights_.get(name, 0.0) for name in table.index]
        self.backtest_ = table
        residuals = (actual - chosen_predictions).ravel()
        tail = (1.0 - self.interval_level) / 2.0
        self.interval_offsets_ = (float(np.quantile(residuals, tail)), float(np.quantile(residuals, 1.0 - tail)))

    def _fit_final(self, train: pd.Series, eligible: dict[str, BaseForecaster]) -> None:
        train_exog = self._train_exog(train)
        for name in self.weights_:
            model = clone(eligible[name])
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self.models_[name] = model.fit(train, train_exog if model.uses_exog else None)

    # -- predict -----------------------------------------------------------------------------------------------
    def predict(self, horizon: int | None = None) -> pd.DataFrame:
        """Columns `forecast`, `lower`, `upper` for the `horizon` (≤ the fitted horizon) days after the history."""
        horizon = self.horizon if horizon is None else horizon
        if horizon > self.horizon:
            raise ValueError(f"fitted for {self.horizon} days; refit with a longer horizon to predict {horizon}")
        dates = future_dates(self.history_, horizon)
        if self.chosen_ == "zero":
            point = np.zeros(horizon)
        elif self.chosen_ == "recent_mean":
            point = np.full(horizon, self.recent_mean_)
        else:
            future_exog = None if self.exog_ is None else self.exog_.iloc[len(self.history_) :]
            point = sum(
                weight
                * self.models_[name].predict(horizon, future_exog if self.models_[name].uses_exog else None).to_numpy()
                for name, weight in self.weights_.items()
            )
            if self.zero_closed_weekdays:
                point = np.where(closed_weekday_mask(self.history_, horizon), 0.0, point)
        lower_offset, upper_offset = self.interval_offsets_
        floor = 0.0 if float(self.history_.min()) >= 0 else -np.inf
        return pd.DataFrame(
            {
                "forecast": np.maximum(point, floor),
                "lower": np.maximum(point + lower_offset, floor),
                "upper": np.maximum(point + upper_offset, floor),
            },
            index=dates,
        )
