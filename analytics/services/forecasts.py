"""Demand forecasts per organization: total and top categories, in units, orders and revenue.

Each series goes through analytics.ml.forecasting.AutoForecaster (rolling-origin backtest of every candidate, an
automatic choice or combination, intervals from the backtest residuals). A run replaces the organization's
forecasts. A series that cannot be forecast (one day of history, ...) is skipped with its reason in the result;
an all-zero series is stored with the zero forecast the core gives it and its note.
"""

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from django.db import transaction
from django.utils.translation import gettext as _

from analytics.ml.forecasting import DEFAULT_HORIZON, AutoForecaster, daily_demand, default_candidates
from analytics.models import EventType, Forecast, ForecastPoint, MarketIndicator
from analytics.services.frames import events_frame
from campaigns.models import Organization, TaskRun

Progress = Callable[[int, str], None]
METRICS = (Forecast.Metric.REVENUE, Forecast.Metric.UNITS, Forecast.Metric.ORDERS)
HISTORY_POINTS = 120  # days of actuals stored beside each forecast, for the chart


def _no_progress(percent: int, message: str) -> None:
    return None


def market_indicator_frame(*, organization: Organization) -> pd.DataFrame | None:
    """Dated external indicators as regressors: one column per indicator name, indexed by date."""
    rows = list(MarketIndicator.objects.filter(organization=organization).values_list("date", "name", "value"))
    if not rows:
        return None
    frame = pd.DataFrame(rows, columns=["date", "name", "value"])
    wide = frame.pivot_table(index="date", columns="name", values="value", aggfunc="last")
    wide.index = pd.DatetimeIndex(wide.index)
    wide.columns = [f"indicator__{name}" for name in wide.columns]
    return wide


def _explanation(model: AutoForecaster) -> str:
    """Why this model, in plain words (English; pages rebuild it in the reader's language from the same fields)."""
    table = model.backtest_
    if model.chosen_ in ("zero", "recent_mean") or table.empty:
        return "; ".join(model.notes_)
    chosen_row = "combination" if model.chosen_ == "combination" else model.chosen_
    chosen_mae = float(table.loc[chosen_row, "mae"])
    singles = table.drop(index="combination", errors="ignore")
    best_single = singles["mae"].idxmin()
    parts = []
    if model.chosen_ == "combination":
        members = ", ".join(f"{name} ({weight:.0%})" for name, weight in model.weights_.items())
        parts.append(f"A weighted combination of {members} had a backtest MAE of {chosen_mae:,.2f}")
        if best_single in table.index:
            parts.append(
                f"against {float(table.loc[best_single, 'mae']):,.2f} for the best single model, {best_single}"
            )
    else:
        parts.append(f"{model.chosen_} had the lowest backtest MAE, {chosen_mae:,.2f}")
    if "seasonal_naive" in table.index and float(table.loc["seasonal_naive", "mae"]) > 0:
        parts.append(f"{chosen_mae / float(table.loc['seasonal_naive', 'mae']):.2f} × the weekly seasonal naive's")
    return "; ".join(parts) + "."


def _backtest_rows(model: AutoForecaster) -> list[dict[str, Any]]:
    table = model.backtest_
    if table.empty:
        return []
    naive = float(table.loc["seasonal_naive", "mae"]) if "seasonal_naive" in table.index else None
    rows = []
    for name, row in table.sort_values("mae").iterrows():
        rows.append(
            {
                "model": str(name),
                "mae": _finite(row["mae"]),
                "mase": _finite(row["mase"]),
                "smape": _finite(row["smape"]),
                "rel_mae": _finite(row["mae"] / naive) if naive else None,
                "weight": _finite(row.get("weight", 0.0)),
                "chosen": str(name) == model.chosen_ or (model.chosen_ == "combination" and name == "combination"),
            }
        )
    return rows


def _finite(value: Any) -> float | None:
    value = float(value)
    return round(value, 4) if np.isfinite(value) else None


def _series_list(events: pd.DataFrame, top_categories: int) -> list[tuple[str, str, pd.DataFrame]]:
    """(kind, key, daily frame with units/orders/revenue columns) for the total and the top categories by revenue."""
    series = [(Forecast.SeriesKind.TOTAL, "", daily_demand(events))]
    if top_categories > 0 and "category" in events.columns:
        purchases = events[events["type"] == EventType.PURCHASE]
        revenue = purchases.groupby("category", observed=True)["value"].sum().sort_values(ascending=False)
        top = [str(name) for name in revenue.index[:top_categories] if str(name) != "(none)"]
        if top:
            subset = events[events["category"].isin(top)].copy()
            subset["category"] = subset["category"].astype(str)
            wide = daily_demand(subset, by="category")
            for name in top:
                columns = {f"{metric}__{name}": str(metric) for metric in METRICS}
                if all(column in wide.columns for column in columns):
                    series.append((Forecast.SeriesKind.CATEGORY, name, wide[list(columns)].rename(columns=columns)))
    return series


def forecasts_build(
    *,
    organization: Organization,
    task_run: TaskRun | None = None,
    horizon: int = DEFAULT_HORIZON,
    top_categories: int = 3,
    metrics: tuple[str, ...] = tuple(METRICS),
    candidates: list[str] | None = None,
    progress: Progress = _no_progress,
) -> dict[str, Any]:
    """Forecast the organization's daily demand and replace its stored forecasts. `candidates` names a subset of
    analytics.ml.forecasting.default_candidates() (all of them by default; SARIMAX is by far the slowest)."""
    available = default_candidates()
    unknown = sorted(set(candidates or ()) - set(available))
    if unknown:
        raise ValueError(f"unknown forecasting candidate(s) {unknown}; choose from {sorted(available)}")
    chosen_candidates = {name: available[name] for name in candidates} if candidates else None
    progress(5, _("Reading purchases and refunds"))
    events = events_frame(organization=organization, types=[EventType.PURCHASE, EventType.REFUND])
    if not (events["type"] == EventType.PURCHASE).any():
        return {
            "organization": organization.slug,
            "forecasts": 0,
            "skipped": "no_purchases",
            "message": _("No purchases in %(organization)s yet: there is no demand to forecast.")
            % {"organization": organization.name},
        }
    exog = market_indicator_frame(organization=organization)
    all_series = _series_list(events, top_categories)
    jobs = [(kind, key, frame, metric) for kind, key, frame in all_series for metric in metrics]
    built: list[tuple[Forecast, list[ForecastPoint]]] = []
    skipped: list[dict[str, str]] = []
    for position, (kind, key, frame, metric) in enumerate(jobs):
        label = f"{kind}{':' + key if key else ''} {metric}"
        progress(10 + int(80 * position / len(jobs)), _("Forecasting %(series)s") % {"series": label})
        y = frame[str(metric)]
        try:
            model = AutoForecaster(horizon=horizon, candidates=chosen_candidates).fit(y, exog=exog)
            predicted = model.predict()
        except ValueError as error:
            skipped.append({"series": label, "reason": str(error)})
            continue
        chosen_mae = None
        if not model.backtest_.empty:
            row = "combination" if model.chosen_ == "combination" else model.chosen_
            chosen_mae = _finite(model.backtest_.loc[row, "mae"]) if row in model.backtest_.index else None
        forecast = Forecast(
            organization=organization,
            task_run=task_run,
            series_kind=kind,
            series_key=key[:200],
            metric=metric,
            horizon=horizon,
            chosen_model=model.chosen_,
            weights={name: round(float(weight), 4) for name, weight in model.weights_.items()},
            explanation=_explanation(model),
            backtest=_backtest_rows(model),
            drivers={name: float(value) for name, value in (model.drivers_ or {}).items() if np.isfinite(value)},
            notes=list(model.notes_),
            mae=chosen_mae,
            history_days=len(model.history_),
        )
        forecast.full_clean()
        history = model.history_.iloc[-HISTORY_POINTS:]
        points = [ForecastPoint(date=day.date(), actual=round(float(value), 4)) for day, value in history.items()] + [
            ForecastPoint(
                date=day.date(),
                predicted=round(float(row.forecast), 4),
                lower=round(float(row.lower), 4),
                upper=round(float(row.upper), 4),
            )
            for day, row in zip(predicted.index, predicted.itertuples(), strict=True)
        ]
        built.append((forecast, points))

    progress(92, _("Writing forecasts"))
    with transaction.atomic():
        Forecast.objects.filter(organization=organization).delete()
        Forecast.objects.bulk_create([forecast for forecast, _points in built])
        for forecast, points in built:
            for point in points:
                point.forecast = forecast
        ForecastPoint.objects.bulk_create([point for _forecast, points in built for point in points], batch_size=2000)
    summary = ", ".join(
        f"{forecast.series} {forecast.metric}: {forecast.chosen_model}"
        + (f" (MAE {forecast.mae:,.2f})" if forecast.mae is not None else "")
        for forecast, _points in built[:3]
    )
    message = _("%(count)s forecasts") % {"count": len(built)}
    if summary:
        message += f" · {summary}"
    if skipped:
        message += " · " + _("%(count)s series skipped: %(reason)s") % {
            "count": len(skipped),
            "reason": skipped[0]["reason"],
        }
    return {
        "organization": organization.slug,
        "forecasts": len(built),
        "skipped_series": skipped,
        "chosen": {f"{forecast.series} {forecast.metric}": forecast.chosen_model for forecast, _p in built},
        "message": message,
    }
