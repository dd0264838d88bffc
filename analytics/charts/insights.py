"""Segment and forecast charts: plotly figures, titles and axes in the reader's language."""

import plotly.graph_objects as go
from django.utils.translation import gettext as _

from analytics.labels import driver_label, feature_label, segment_name
from analytics.models import Forecast, Segment
from xmkt_site.charts import CHART_MARGIN, PALETTE, Colour, figure_html, themed

# Feature names under grouped bars need a little more room than the theme leaves.
MARGIN = {**CHART_MARGIN, "b": 50}
PREDICTION_BAND = "rgba(22,119,255,0.15)"  # Colour.BLUE, light


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
    themed(
        figure,
        title=_("Segment centroids relative to the average"),
        height=360,
        margin=MARGIN,
        barmode="group",
        yaxis={"title": {"text": _("× average")}},
    )
    return figure_html(figure, "segment-centroid-chart")


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
    themed(
        figure,
        title=_("Consumers on the two main axes (sample of %(count)s)") % {"count": len(sample.get("x", []))},
        height=420,
        margin=MARGIN,
        xaxis={"title": {"text": _("Axis 1 (%(share).0f%% of variance)") % {"share": 100 * explained[0]}}},
        yaxis={"title": {"text": _("Axis 2 (%(share).0f%% of variance)") % {"share": 100 * explained[1]}}},
    )
    return figure_html(figure, "segment-pca-chart")


def distinguishing_chart_html(segment: Segment) -> str:
    rows = segment.distinguishing[:10] or []
    figure = go.Figure(
        go.Bar(
            x=[z for _feature, z in rows][::-1],
            y=[feature_label(feature) for feature, _z in rows][::-1],
            orientation="h",
            marker={"color": [Colour.BLUE if z > 0 else Colour.VOLCANO for _feature, z in rows][::-1]},
            hovertemplate="%{y}: z=%{x:+.2f}<extra></extra>",
        )
    )
    themed(
        figure,
        title=_("What sets this segment apart (z-score against everyone)"),
        height=max(260, 60 + 32 * len(rows)),
        margin=MARGIN,
        xaxis={"title": {"text": _("z-score")}, "zeroline": True},
    )
    return figure_html(figure, "segment-distinguishing-chart")


def size_history_chart_html(history: list[dict]) -> str:
    figure = go.Figure(
        go.Scatter(
            x=[row["at"].isoformat() for row in history],
            y=[row["size"] for row in history],
            mode="lines+markers",
            line={"color": Colour.BLUE},
            hovertemplate="%{x|%Y-%m-%d %H:%M}: %{y:,}<extra></extra>",
        )
    )
    themed(
        figure,
        title=_("Segment size by run"),
        height=280,
        margin=MARGIN,
        yaxis={"rangemode": "tozero", "title": {"text": _("Consumers")}},
    )
    return figure_html(figure, "segment-size-history-chart")


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
            fillcolor=PREDICTION_BAND,
            line={"width": 0},
            name=_("Prediction interval"),
            hoverinfo="skip",
        )
    )
    figure.add_trace(
        go.Scatter(x=[p.date.isoformat() for p in history], y=[p.actual for p in history], mode="lines",
                   name=_("Actual"), line={"color": Colour.DARK_GREY, "width": 1.5})
    )  # fmt: skip
    figure.add_trace(
        go.Scatter(x=[p.date.isoformat() for p in future], y=[p.predicted for p in future], mode="lines",
                   name=_("Forecast"), line={"color": Colour.BLUE, "width": 2.5})
    )  # fmt: skip
    themed(
        figure,
        title=_("Actual and forecast, with the prediction interval"),
        height=400,
        margin=MARGIN,
        xaxis={"title": {"text": _("Date")}, "tickformat": "%Y-%m-%d"},
        yaxis={"title": {"text": str(forecast.get_metric_display())}, "rangemode": "tozero"},
    )
    return figure_html(figure, "forecast-chart")


def drivers_chart_html(forecast: Forecast) -> str:
    # The intercept is the level, not a driver.
    drivers = [(name, value) for name, value in forecast.drivers.items() if name != "intercept"]
    drivers = sorted(drivers, key=lambda item: abs(item[1]), reverse=True)[:12]
    figure = go.Figure(
        go.Bar(
            x=[value for _name, value in drivers][::-1],
            y=[driver_label(name) for name, _value in drivers][::-1],
            orientation="h",
            marker={"color": [Colour.GREEN if value > 0 else Colour.RED for _name, value in drivers][::-1]},
            hovertemplate="%{y}: %{x:+,.3f}<extra></extra>",
        )
    )
    themed(
        figure,
        title=_("Demand drivers (market-model coefficients)"),
        height=max(260, 60 + 28 * len(drivers)),
        margin=MARGIN,
        xaxis={"title": {"text": _("Effect per unit of the driver")}},
    )
    return figure_html(figure, "forecast-drivers-chart")
