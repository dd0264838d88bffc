"""The model registry's chart: validation NDCG@10 per training run."""

import plotly.graph_objects as go
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Organization
from recommender.models import ModelVersion
from xmkt_site.charts import figure_html, themed


def _local_wall_clock(moment) -> str:
    """A time for a plotly date axis in the site's time zone: plotly.js drops UTC offsets and shows the digits."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def metric_history_chart_html(versions: list[ModelVersion], target: Organization) -> str:
    """Validation NDCG@10 per training run, one line per candidate configuration; champions marked."""
    figure = go.Figure()
    by_label: dict[str, list[ModelVersion]] = {}
    for version in versions:
        by_label.setdefault(version.label, []).append(version)
    for label, rows in sorted(by_label.items()):
        figure.add_trace(
            go.Scatter(
                x=[_local_wall_clock(v.trained_at) for v in rows],
                y=[v.metric("validation", "ndcg@10") for v in rows],
                mode="lines+markers",
                name=label,
                marker={"symbol": ["star" if v.is_champion else "circle" for v in rows], "size": 9},
                hovertemplate="%{x|%Y-%m-%d %H:%M}: %{y:.4f}<extra>%{fullData.name}</extra>",
            )
        )
    themed(
        figure,
        title=_("Validation NDCG@10 per training, %(target)s") % {"target": target.name},
        height=360,
        xaxis={"title": {"text": _("Trained at")}, "type": "date", "tickformat": "%Y-%m-%d %H:%M"},
        yaxis={"title": {"text": "NDCG@10"}, "rangemode": "tozero"},
        legend={"orientation": "h", "y": -0.25},
    )
    return figure_html(figure, "metric-history-chart")
