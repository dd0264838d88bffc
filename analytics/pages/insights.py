"""Pages of segments and forecasts, and starting the analytics pipeline from them."""

import csv
import re

import plotly.graph_objects as go
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from kombu.exceptions import OperationalError as KombuOperationalError

from analytics.models import Forecast, Segment
from analytics.selectors.forecasts import forecast_get, forecast_list, forecast_series_choices
from analytics.selectors.segments import (
    segment_get,
    segment_list,
    segment_member_refs,
    segment_run_current,
    segment_size_history,
)
from campaigns.models import TaskRun
from campaigns.services.audit import audit_record
from xmkt_site.charts import figure_html
from xmkt_site.errors import ApplicationError, NotFoundError
from xmkt_site.pages.access import role_required
from xmkt_site.roles import Capability

PAGE_SIZE = 25
FONT = '-apple-system, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif'
PALETTE = ["#1677ff", "#52c41a", "#faad14", "#eb2f96", "#13c2c2", "#722ed1", "#fa541c", "#2f54eb", "#a0d911", "#8c8c8c"]
FEATURE_LABELS = {
    "recency_days": gettext_lazy("Days since last purchase"),
    "frequency": gettext_lazy("Orders"),
    "monetary": gettext_lazy("Net spend"),
    "tenure_days": gettext_lazy("Days since first event"),
    "avg_order_value": gettext_lazy("Average order value"),
    "refund_rate": gettext_lazy("Refund rate"),
    "views": gettext_lazy("Views"),
    "clicks": gettext_lazy("Clicks"),
    "add_to_carts": gettext_lazy("Add to carts"),
    "enrolments": gettext_lazy("Enrolments"),
    "completions": gettext_lazy("Completions"),
    "completion_rate": gettext_lazy("Completion rate"),
    "ratings": gettext_lazy("Ratings"),
    "shares": gettext_lazy("Shares"),
    "partner_event_share": gettext_lazy("Share of events on partner items"),
    "partner_spend_share": gettext_lazy("Share of spend on partner items"),
}
MODEL_LABELS = {
    "seasonal_naive": gettext_lazy("Weekly seasonal naive"),
    "dow_mean_8w": gettext_lazy("Day-of-week mean, 8 weeks"),
    "autoreg": gettext_lazy("Autoregression"),
    "sarimax": gettext_lazy("SARIMAX with weekly season and calendar"),
    "exp_smoothing": gettext_lazy("Exponential smoothing"),
    "market_model": gettext_lazy("Market model (regression)"),
    "combination": gettext_lazy("Weighted combination"),
    "zero": gettext_lazy("Zero (all-zero history)"),
    "recent_mean": gettext_lazy("Mean of the last 7 days"),
}

# Market-model coefficients (analytics.ml.forecasting.MarketModelForecaster.drivers_ and analytics.ml.calendar).
# Weekday dummies are effects against Monday (pandas day_of_week 0), so weekday_1 is Tuesday.
DRIVER_LABELS = {
    "trend_per_week": gettext_lazy("Trend per week"),
    "weekday_1": gettext_lazy("Tuesday (vs Monday)"),
    "weekday_2": gettext_lazy("Wednesday (vs Monday)"),
    "weekday_3": gettext_lazy("Thursday (vs Monday)"),
    "weekday_4": gettext_lazy("Friday (vs Monday)"),
    "weekday_5": gettext_lazy("Saturday (vs Monday)"),
    "weekday_6": gettext_lazy("Sunday (vs Monday)"),
    "cn_festival": gettext_lazy("Shopping festival (6·18, Double 11, Double 12)"),
    "cn_holiday": gettext_lazy("Chinese public holiday"),
    "uk_bank_holiday": gettext_lazy("UK bank holiday"),
    "christmas_shutdown": gettext_lazy("Christmas closure"),
}


def driver_label(name: str) -> str:
    if name in DRIVER_LABELS:
        return str(DRIVER_LABELS[name])
    if name.startswith("indicator__"):
        return _("Indicator: %(name)s") % {"name": name.removeprefix("indicator__")}
    return name


def feature_label(name: str) -> str:
    if name in FEATURE_LABELS:
        return str(FEATURE_LABELS[name])
    if name.startswith("spend_share__"):
        return _("Share of spend: %(category)s") % {"category": name.removeprefix("spend_share__")}
    return name


def segment_description(segment: Segment) -> str:
    """The segment's lead sentence in the reader's language: its share, then up to three features that set it
    apart, by their translated names (the stored description_zh/_en is what the API returns)."""
    parts = []
    for feature, z in segment.distinguishing[:3]:
        values = {
            "feature": feature_label(feature),
            "z": f"{z:+.1f}",
            "median": f"{(segment.median or {}).get(feature, 0):,.4g}",
        }
        if z > 0:
            parts.append(_("%(feature)s higher than average (z=%(z)s, median %(median)s)") % values)
        else:
            parts.append(_("%(feature)s lower than average (z=%(z)s, median %(median)s)") % values)
    share = _("%(share)s of consumers.") % {"share": f"{segment.share:.1%}"}
    chinese = _is_chinese()
    details = ("；" if chinese else "; ").join(parts) if parts else _("Close to the average on every feature.")
    return share + ("" if chinese else " ") + details


SERIES_KEY_LABELS = {
    "category": gettext_lazy("Category: %(name)s"),
    "item": gettext_lazy("Item: %(name)s"),
    "campaign": gettext_lazy("Campaign: %(name)s"),
}


def series_label(kind: str, key: str = "") -> str:
    """A forecast series as readers name it: "Total", "Category: home" (类目：home)."""
    if not key:
        return str(dict(Forecast.SeriesKind.choices).get(kind, kind))
    template = SERIES_KEY_LABELS.get(kind)
    return str(template) % {"name": key} if template else f"{kind}:{key}"


def _series_choice_label(value: str) -> str:
    kind, _sep, key = value.partition(":")
    return series_label(kind, key)


def model_label(name: str) -> str:
    return str(MODEL_LABELS.get(name, name))


def _is_chinese() -> bool:
    return (get_language() or "").lower().startswith("zh")


def segment_name(segment: Segment) -> str:
    return segment.name_zh if _is_chinese() else segment.name_en


def _layout(figure: go.Figure, *, title: str, height: int = 360, **axes) -> None:
    figure.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        margin={"l": 60, "r": 20, "t": 50, "b": 50},
        height=height,
        template="plotly_white",
        font={"family": FONT},
        legend={"orientation": "h", "y": -0.2},
        **axes,
    )


def _html(figure: go.Figure, div_id: str) -> str:
    return figure_html(figure, div_id)


def _segment_or_404(request: HttpRequest, pk: int) -> Segment:
    try:
        return segment_get(organization=request.actor.organization, pk=pk)
    except NotFoundError as error:
        raise Http404(error.message) from error


def _campaign_create_url() -> str | None:
    try:
        return reverse("campaign-create")
    except NoReverseMatch:
        return None


# --- charts -----------------------------------------------------------------------------------------------------


def centroid_chart_html(segments: list[Segment]) -> str:
    """Each segment's centroid relative to the average centroid (1.0 = average), per feature: grouped bars."""
    features = [name for name in segments[0].centroid if not name.startswith(("age_band__", "gender__", "city_tier__"))]
    figure = go.Figure()
    for position, segment in enumerate(segments):
        values = []
        for feature in features:
            mean = sum(s.centroid.get(feature, 0.0) for s in segments) / len(segments)
            values.append(round(segment.centroid.get(feature, 0.0) / mean, 3) if mean else 0.0)
        figure.add_trace(
            go.Bar(
                x=[feature_label(feature) for feature in features],
                y=values,
                name=f"#{segment.key} {segment_name(segment)}",
                marker={"color": PALETTE[position % len(PALETTE)]},
                hovertemplate="%{x}: %{y:.2f}×<extra>%{fullData.name}</extra>",
            )
        )
    _layout(
        figure,
        title=_("Segment centroids relative to the average"),
        barmode="group",
        yaxis={"title": {"text": _("× average")}},
    )
    return _html(figure, "segment-centroid-chart")


def pca_chart_html(run, segments: list[Segment]) -> str:
    sample = run.pca_sample or {}
    names = {segment.key: f"#{segment.key} {segment_name(segment)}" for segment in segments}
    figure = go.Figure()
    for position, segment in enumerate(segments):
        xs = [
            x for x, label in zip(sample.get("x", []), sample.get("segment", []), strict=False) if label == segment.key
        ]
        ys = [
            y for y, label in zip(sample.get("y", []), sample.get("segment", []), strict=False) if label == segment.key
        ]
        figure.add_trace(
            go.Scattergl(
                x=xs, y=ys, mode="markers", name=names[segment.key],
                marker={"size": 5, "opacity": 0.6, "color": PALETTE[position % len(PALETTE)]},
            )
        )  # fmt: skip
    explained = sample.get("explained") or [0, 0]
    _layout(
        figure,
        title=_("Consumers on the two main axes (sample of %(count)s)") % {"count": len(sample.get("x", []))},
        height=420,
        xaxis={"title": {"text": _("Axis 1 (%(share).0f%% of variance)") % {"share": 100 * explained[0]}}},
        yaxis={"title": {"text": _("Axis 2 (%(share).0f%% of variance)") % {"share": 100 * explained[1]}}},
    )
    return _html(figure, "segment-pca-chart")


def distinguishing_chart_html(segment: Segment) -> str:
    rows = segment.distinguishing[:10] or []
    figure = go.Figure(
        go.Bar(
            x=[z for _feature, z in rows][::-1],
            y=[feature_label(feature) for feature, _z in rows][::-1],
            orientation="h",
            marker={"color": ["#1677ff" if z > 0 else "#fa541c" for _feature, z in rows][::-1]},
            hovertemplate="%{y}: z=%{x:+.2f}<extra></extra>",
        )
    )
    _layout(
        figure,
        title=_("What sets this segment apart (z-score against everyone)"),
        height=max(260, 60 + 32 * len(rows)),
        xaxis={"title": {"text": _("z-score")}, "zeroline": True},
    )
    return _html(figure, "segment-distinguishing-chart")


def size_history_chart_html(history: list[dict]) -> str:
    figure = go.Figure(
        go.Scatter(
            x=[row["at"].isoformat() for row in history],
            y=[row["size"] for row in history],
            mode="lines+markers",
            line={"color": "#1677ff"},
            hovertemplate="%{x|%Y-%m-%d %H:%M}: %{y:,}<extra></extra>",
        )
    )
    _layout(
        figure,
        title=_("Segment size by run"),
        height=280,
        yaxis={"rangemode": "tozero", "title": {"text": _("Consumers")}},
    )
    return _html(figure, "segment-size-history-chart")


def forecast_chart_html(forecast: Forecast) -> str:
    points = list(forecast.points.all())
    history = [point for point in points if point.actual is not None]
    future = [point for point in points if point.predicted is not None]
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=[p.date.isoformat() for p in future] + [p.date.isoformat() for p in reversed(future)],
            y=[p.upper for p in future] + [p.lower for p in reversed(future)],
            fill="toself",
            fillcolor="rgba(22,119,255,0.15)",
            line={"width": 0},
            name=_("Prediction interval"),
            hoverinfo="skip",
        )
    )
    figure.add_trace(
        go.Scatter(x=[p.date.isoformat() for p in history], y=[p.actual for p in history], mode="lines",
                   name=_("Actual"), line={"color": "#595959", "width": 1.5})
    )  # fmt: skip
    figure.add_trace(
        go.Scatter(x=[p.date.isoformat() for p in future], y=[p.predicted for p in future], mode="lines",
                   name=_("Forecast"), line={"color": "#1677ff", "width": 2.5})
    )  # fmt: skip
    _layout(
        figure,
        title=_("Actual and forecast, with the prediction interval"),
        height=400,
        xaxis={"title": {"text": _("Date")}, "tickformat": "%Y-%m-%d"},
        yaxis={"title": {"text": str(forecast.get_metric_display())}, "rangemode": "tozero"},
    )
    return _html(figure, "forecast-chart")


def drivers_chart_html(forecast: Forecast) -> str:
    # The intercept is the level, not a driver.
    drivers = [(name, value) for name, value in forecast.drivers.items() if name != "intercept"]
    drivers = sorted(drivers, key=lambda item: abs(item[1]), reverse=True)[:12]
    figure = go.Figure(
        go.Bar(
            x=[value for _name, value in drivers][::-1],
            y=[driver_label(name) for name, _value in drivers][::-1],
            orientation="h",
            marker={"color": ["#52c41a" if value > 0 else "#ff4d4f" for _name, value in drivers][::-1]},
            hovertemplate="%{y}: %{x:+,.3f}<extra></extra>",
        )
    )
    _layout(
        figure,
        title=_("Demand drivers (market-model coefficients)"),
        height=max(260, 60 + 28 * len(drivers)),
        xaxis={"title": {"text": _("Effect per unit of the driver")}},
    )
    return _html(figure, "forecast-drivers-chart")


# The numeric core writes its notes in plain English (it imports no Django); each known shape is re-said here in
# the reader's language, with model names by their labels. An unknown note is shown as written.
_NOTE_PATTERNS = [
    (
        re.compile(r"^the series is all zero; the forecast is zero with a zero-width interval$"),
        lambda m: _("The series is all zero: the forecast is zero, with a zero-width interval."),
    ),
    (
        re.compile(r"^exogenous values missing for some forecast days were carried forward$"),
        lambda m: _("Driver values missing for some forecast days were carried forward."),
    ),
    (
        re.compile(r"^(?P<n>\d+) outlier day\(s\) clipped to median \+ (?P<mads>[\d.]+) MAD$"),
        lambda m: _("%(n)s outlier day(s) clipped to the median + %(mads)s MAD.") % m.groupdict(),
    ),
    (
        re.compile(
            r"^history of (?P<n>\d+) days is too short for a (?P<h>\d+)-day backtest; using (?P<model>\w+) unvalidated$"
        ),
        lambda m: (
            _("%(n)s days of history are too short for a %(h)s-day backtest: %(model)s is used without one.")
            % {"n": m["n"], "h": m["h"], "model": model_label(m["model"])}
        ),
    ),
    (
        re.compile(r"^history of (?P<n>\d+) days is too short for: (?P<models>.+)$"),
        lambda m: (
            _("%(n)s days of history are too short for: %(models)s.")
            % {"n": m["n"], "models": _list_join(model_label(name.strip()) for name in m["models"].split(","))}
        ),
    ),
    (
        re.compile(r"^fell back to the mean of the last \(up to\) 7 days$"),
        lambda m: _("Fell back to the mean of the last (up to) 7 days."),
    ),
    (
        re.compile(r"^(?P<model>\w+) failed in the backtest and was dropped: (?P<error>.+)$"),
        lambda m: (
            _("%(model)s failed in the backtest and was dropped: %(error)s")
            % {"model": model_label(m["model"]), "error": m["error"]}
        ),
    ),
    (
        re.compile(r"^every candidate failed in the backtest; fell back to the mean of the last 7 days$"),
        lambda m: _("Every candidate failed in the backtest: fell back to the mean of the last 7 days."),
    ),
]


def _list_join(parts) -> str:
    return ("、" if _is_chinese() else ", ").join(parts)


def forecast_note(note: str) -> str:
    for pattern, say in _NOTE_PATTERNS:
        match = pattern.match(note)
        if match:
            return say(match)
    return note


def forecast_notes(forecast: Forecast) -> list[str]:
    return [forecast_note(note) for note in forecast.notes or []]


def forecast_explanation(forecast: Forecast) -> str:
    """Why the winner won, in the reader's language, from the stored backtest."""
    rows = {row["model"]: row for row in forecast.backtest}
    if forecast.chosen_model in ("zero", "recent_mean") or not rows:
        notes = ("；" if _is_chinese() else "; ").join(forecast_notes(forecast)) or "—"
        return _("No backtest was possible: %(notes)s") % {"notes": notes}
    chosen = rows.get(forecast.chosen_model) or rows.get("combination")
    singles = [row for name, row in rows.items() if name != "combination" and row["mae"] is not None]
    best_single = min(singles, key=lambda row: row["mae"]) if singles else None
    if forecast.chosen_model == "combination":
        members = "、".join if _is_chinese() else ", ".join
        text = _("A weighted combination of %(members)s had the lowest backtest error (MAE %(mae)s)") % {
            "members": members(f"{model_label(name)} {weight:.0%}" for name, weight in forecast.weights.items()),
            "mae": f"{chosen['mae']:,.2f}",
        }
        if best_single is not None:
            text += _("; the best single model, %(model)s, had %(mae)s") % {
                "model": model_label(best_single["model"]),
                "mae": f"{best_single['mae']:,.2f}",
            }
    else:
        text = _("%(model)s had the lowest backtest error (MAE %(mae)s)") % {
            "model": model_label(forecast.chosen_model),
            "mae": f"{chosen['mae']:,.2f}" if chosen and chosen["mae"] is not None else "—",
        }
    if chosen and chosen.get("rel_mae") is not None:
        text += _("; that is %(ratio)s × the error of the weekly seasonal naive forecast") % {
            "ratio": f"{chosen['rel_mae']:.2f}"
        }
    return text + ("。" if _is_chinese() else ".")


# --- pages ------------------------------------------------------------------------------------------------------

SEGMENT_SORTS = {"key": "key", "-key": "-key", "size": "size", "-size": "-size", "name": "name_en", "-name": "-name_en"}


@role_required(Capability.READ_INSIGHTS)
def segment_list_view(request: HttpRequest) -> HttpResponse:
    organization = request.actor.organization
    run = segment_run_current(organization=organization)
    sort = request.GET.get("sort", "-size")
    segments_all = list(segment_list(organization=organization))
    segments = list(segment_list(organization=organization).order_by(SEGMENT_SORTS.get(sort, "-size")))
    history = segment_size_history(organization=organization, keys=[segment.key for segment in segments])
    rows = []
    for segment in segments:
        sizes = [row["size"] for row in history.get(segment.key, [])]
        change = sizes[-1] - sizes[-2] if len(sizes) >= 2 else None
        rows.append({"segment": segment, "name": segment_name(segment), "change": change, "runs": len(sizes),
                     "top_features": [(feature_label(f), z) for f, z in segment.distinguishing[:3]]})  # fmt: skip
    latest_run = (
        TaskRun.objects.filter(organization=organization, task_name__startswith="analytics.tasks.")
        .filter(task_name__in=["analytics.tasks.pipeline.build_profiles", "analytics.tasks.pipeline.segment_consumers",
                               "analytics.tasks.pipeline.forecast_demand"])
        .order_by("-created_at", "-id").first()
    )  # fmt: skip
    context = {
        "run": run,
        "rows": rows,
        "sort": sort,
        "centroid_chart": centroid_chart_html(segments_all) if segments_all else "",
        "pca_chart": pca_chart_html(run, segments_all) if run and segments_all and run.pca_sample else "",
        "campaign_create_url": _campaign_create_url(),
        "latest_pipeline_run": latest_run,
    }
    return render(request, "analytics/segments/segment_list.html", context)


@role_required(Capability.READ_INSIGHTS)
def segment_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    organization = request.actor.organization
    segment = _segment_or_404(request, pk)
    history = segment_size_history(organization=organization, keys=[segment.key])[segment.key]
    centroid = [
        {"label": feature_label(name), "centroid": value, "median": segment.median.get(name)}
        for name, value in segment.centroid.items()
    ]
    context = {
        "segment": segment,
        "name": segment_name(segment),
        "description": segment_description(segment),
        "centroid": centroid,
        "distinguishing": [(feature_label(feature), z) for feature, z in segment.distinguishing],
        "distinguishing_chart": distinguishing_chart_html(segment) if segment.distinguishing else "",
        "history_chart": size_history_chart_html(history) if len(history) >= 2 else "",
        "campaign_create_url": _campaign_create_url() if segment.is_current else None,
    }
    return render(request, "analytics/segments/segment_detail.html", context)


@role_required(Capability.READ_INSIGHTS)
def segment_export_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Members as CSV: pseudonymous external references of consented consumers only. Audited (ids and counts)."""
    segment = _segment_or_404(request, pk)
    refs = list(segment_member_refs(segment=segment))
    audit_record(
        action="segment.export",
        user=request.user,
        organization=request.actor.organization,
        target=segment,
        metadata={"members": len(refs)},
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="segment-{segment.key}-members.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(["external_ref", "segment_key"])
    for ref in refs:
        writer.writerow([f"'{ref}" if ref[:1] in ("=", "+", "-", "@") else ref, segment.key])
    return response


@require_POST
@role_required(Capability.START_JOBS)
def analytics_run_view(request: HttpRequest) -> HttpResponse:
    from analytics.services.pipeline import pipeline_enqueue

    try:
        runs = pipeline_enqueue(organization=request.actor.organization, by=request.user)
    except KombuOperationalError:
        messages.error(
            request,
            _(
                "The analytics pipeline could not be sent to the workers because the message broker is not reachable. "
                "Check that the broker in CELERY_BROKER_URL is running, then try again."
            ),
        )
    else:
        messages.success(
            request,
            _("The analytics pipeline was queued (jobs #%(first)s–#%(last)s). Progress is on the Jobs page.")
            % {"first": runs[0].pk, "last": runs[-1].pk},
        )
    next_url = request.POST.get("next", "")
    return redirect(next_url if next_url in (reverse("segment-list"), reverse("forecast-list")) else "segment-list")


FORECAST_SORTS = {
    "series": ("series_kind", "series_key", "metric"),
    "-series": ("-series_kind", "-series_key", "metric"),
    "metric": ("metric", "series_kind", "series_key"),
    "-metric": ("-metric", "series_kind", "series_key"),
    "mae": ("mae",),
    "-mae": ("-mae",),
    "model": ("chosen_model",),
    "-model": ("-chosen_model",),
}


@role_required(Capability.READ_INSIGHTS)
def forecast_list_view(request: HttpRequest) -> HttpResponse:
    organization = request.actor.organization
    series = request.GET.get("series", "")
    metric = request.GET.get("metric", "")
    try:
        forecasts = forecast_list(organization=organization, series=series or None, metric=metric or None)
    except ApplicationError:
        forecasts = forecast_list(organization=organization)
        series = metric = ""
    sort = request.GET.get("sort", "series")
    forecasts = forecasts.order_by(*FORECAST_SORTS.get(sort, FORECAST_SORTS["series"]))
    page = Paginator(forecasts, PAGE_SIZE).get_page(request.GET.get("page"))
    total_revenue = forecast_list(organization=organization, series="total", metric="revenue").first()
    context = {
        "page": page,
        "rows": [
            {
                "forecast": f,
                "model": model_label(f.chosen_model),
                "series_label": series_label(f.series_kind, f.series_key),
                "notes": forecast_notes(f),
            }
            for f in page.object_list
        ],
        "series": series,
        "metric": metric,
        "series_choices": [
            (value, _series_choice_label(value)) for value, _label in forecast_series_choices(organization=organization)
        ],
        "metric_choices": Forecast.Metric.choices,
        "is_filtered": bool(series or metric),
        "has_any": Forecast.objects.filter(organization=organization, is_current=True).exists(),
        "headline": total_revenue,
        "headline_chart": forecast_chart_html(total_revenue) if total_revenue else "",
    }
    template = (
        "analytics/forecasts/partials/forecast_table.html" if request.htmx else "analytics/forecasts/forecast_list.html"
    )
    return render(request, template, context)


@role_required(Capability.READ_INSIGHTS)
def forecast_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        forecast = forecast_get(organization=request.actor.organization, pk=pk)
    except NotFoundError as error:
        raise Http404(error.message) from error
    future = [point for point in forecast.points.all() if point.predicted is not None]
    context = {
        "forecast": forecast,
        "model": model_label(forecast.chosen_model),
        "series_label": series_label(forecast.series_kind, forecast.series_key),
        "explanation": forecast_explanation(forecast),
        "notes": forecast_notes(forecast),
        "backtest": [{**row, "label": model_label(row["model"])} for row in forecast.backtest],
        "chart": forecast_chart_html(forecast),
        "drivers_chart": drivers_chart_html(forecast) if forecast.drivers else "",
        "future_total": sum(point.predicted for point in future),
        "future": future,
    }
    return render(request, "analytics/forecasts/forecast_detail.html", context)
