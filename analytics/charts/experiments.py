"""The results page's charts: conversions over time, rate intervals and posteriors per arm, weight history."""

import numpy as np
import plotly.graph_objects as go
from django.utils import timezone
from django.utils.translation import gettext as _
from scipy import stats

from analytics.ml.experiments import wilson_interval
from xmkt_site.charts import Colour, figure_html, themed

# The control arm (listed first) is grey; treatments take the theme's colours.
ARM_COLOURS = [Colour.GREY, Colour.BLUE, Colour.GREEN, Colour.GOLD, Colour.MAGENTA, Colour.PURPLE]


def _html(figure: go.Figure, div_id: str, title: str, height: int = 340) -> str:
    return figure_html(themed(figure, title=title, height=height), div_id)


def results_charts(results, *, conversions: dict, weights: list) -> dict[str, str]:
    """`conversions`: arm key -> [(day, conversions)]; `weights`: the campaign's allocation changes, oldest first."""
    charts: dict[str, str] = {}
    colours = {a.variant.key: ARM_COLOURS[i % len(ARM_COLOURS)] for i, a in enumerate(results.arms)}
    names = {a.variant.key: a.variant.name for a in results.arms}
    if conversions:
        figure = go.Figure()
        for key, points in conversions.items():
            figure.add_trace(
                go.Scatter(
                    x=[d.isoformat() for d, _n in points],
                    y=list(np.cumsum([n for _d, n in points])),
                    mode="lines+markers",
                    name=names.get(key, key),
                    line={"color": colours.get(key)},
                )
            )
        figure.update_xaxes(title_text=_("Date"), tickformat="%Y-%m-%d")
        figure.update_yaxes(title_text=_("Cumulative conversions"), rangemode="tozero")
        charts["conversions"] = _html(figure, "conversions-chart", _("Conversions over time per arm"))
    arms = [a for a in results.arms if a.users > 0]
    if arms:
        figure = go.Figure()
        for arm in arms:
            low, high = wilson_interval(arm.converters, arm.users)
            rate = arm.converters / arm.users
            figure.add_trace(
                go.Scatter(
                    x=[rate],
                    y=[arm.variant.name],
                    mode="markers",
                    marker={"size": 12, "color": colours[arm.variant.key]},
                    error_x={"type": "data", "symmetric": False, "array": [high - rate], "arrayminus": [rate - low]},
                    name=arm.variant.name,
                    showlegend=False,
                )
            )
        figure.update_xaxes(title_text=_("Conversion rate (interval: 95%)"), tickformat=".1%", rangemode="tozero")
        charts["intervals"] = _html(figure, "intervals-chart", _("Conversion rate per arm"), height=260)
        figure = go.Figure()
        top = max(stats.beta.ppf(0.9999, 1 + a.converters, 1 + a.users - a.converters) for a in arms)
        grid = np.linspace(0, min(1.0, top), 400)
        for arm in arms:
            density = stats.beta.pdf(grid, 1 + arm.converters, 1 + arm.users - arm.converters)
            figure.add_trace(
                go.Scatter(
                    x=grid,
                    y=density,
                    mode="lines",
                    fill="tozeroy",
                    name=arm.variant.name,
                    line={"color": colours[arm.variant.key]},
                )
            )
        figure.update_xaxes(title_text=_("Conversion rate"), tickformat=".1%")
        figure.update_yaxes(title_text=_("Posterior density"))
        charts["posterior"] = _html(figure, "posterior-chart", _("Posterior of each arm's conversion rate (Beta)"))
    if weights:
        figure = go.Figure()
        for arm in results.arms:
            figure.add_trace(
                go.Scatter(
                    # Site-local wall-clock time: plotly.js ignores UTC offsets and would show UTC digits.
                    x=[timezone.localtime(h.changed_at).strftime("%Y-%m-%d %H:%M:%S") for h in weights],
                    y=[h.weights.get(arm.variant.key, 0) for h in weights],
                    mode="lines+markers",
                    line={"shape": "hv", "color": colours[arm.variant.key]},
                    name=arm.variant.name,
                )
            )
        figure.update_xaxes(type="date", tickformat="%Y-%m-%d %H:%M")
        figure.update_yaxes(title_text=_("Share of traffic"), tickformat=".0%", range=[0, 1])
        charts["weights"] = _html(figure, "weights-chart", _("Allocation weight history"))
    return charts
