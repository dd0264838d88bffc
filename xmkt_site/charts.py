"""Plotly figures as markup that needs no inline script, so the content security policy can forbid inline scripts.

`pio.to_html` writes an inline `<script>` that calls Plotly.newPlot; instead the figure goes into a JSON data block
(`<script type="application/json">`, which browsers never execute) beside an empty div, and static/js/charts.js
draws every such div once plotly.js has loaded, and again after htmx swaps new content in.

Every chart of the console shares one look, `themed`: the title at the top left, the Chinese-first font stack of the
console, a white background and the legend under the plot, in the console's colours.
"""

import json

import plotly.io as pio
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

CHART_CONFIG = {"displaylogo": False, "responsive": True}
CHART_FONT = '-apple-system, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif'
CHART_MARGIN = {"l": 60, "r": 20, "t": 50, "b": 40}
LEGEND_BELOW = {"orientation": "h", "y": -0.2}


class Colour:
    """The console's colours (Ant Design's palette), so a chart's blue is the buttons' blue."""

    BLUE = "#1677ff"
    GREEN = "#52c41a"
    GOLD = "#faad14"
    MAGENTA = "#eb2f96"
    CYAN = "#13c2c2"
    PURPLE = "#722ed1"
    VOLCANO = "#fa541c"
    GEEKBLUE = "#2f54eb"
    LIME = "#a0d911"
    RED = "#ff4d4f"
    GREY = "#8c8c8c"
    DARK_GREY = "#595959"


# Series without a colour of their own (segments, model configurations) take these in turn.
PALETTE = [
    Colour.BLUE,
    Colour.GREEN,
    Colour.GOLD,
    Colour.MAGENTA,
    Colour.CYAN,
    Colour.PURPLE,
    Colour.VOLCANO,
    Colour.GEEKBLUE,
    Colour.LIME,
    Colour.GREY,
]
# The escapes of Django's json_script: no "</script>" or HTML-significant character can end the block early.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def themed(figure, *, title: str, height: int, **layout):
    """The console's look on a plotly figure; `layout` adds axes or replaces a default (margin, legend) the way
    figure.update_layout takes them."""
    figure.update_layout(
        **{
            "title": {"text": title, "x": 0, "xanchor": "left"},
            "margin": CHART_MARGIN,
            "height": height,
            "template": "plotly_white",
            "font": {"family": CHART_FONT},
            "legend": LEGEND_BELOW,
            **layout,
        }
    )
    return figure


def figure_html(figure, div_id: str, config: dict | None = None) -> SafeString:
    figure_json = pio.to_json(figure, validate=True, remove_uids=True)
    payload = f'{{"figure": {figure_json}, "config": {json.dumps(config or CHART_CONFIG)}}}'
    return format_html(
        '<div id="{}" class="xmkt-chart" data-figure="{}-figure"></div>'
        '<script type="application/json" id="{}-figure">{}</script>',
        div_id,
        div_id,
        div_id,
        mark_safe(payload.translate(_JSON_ESCAPES)),  # noqa: S308 (JSON with <, > and & escaped above)
    )
