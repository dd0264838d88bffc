"""Plotly figures as markup that needs no inline script, so the content security policy can forbid inline scripts.

`pio.to_html` writes an inline `<script>` that calls Plotly.newPlot; instead the figure goes into a JSON data block
(`<script type="application/json">`, which browsers never execute) beside an empty div, and static/js/charts.js
draws every such div once plotly.js has loaded, and again after htmx swaps new content in.
"""

import json

import plotly.io as pio
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

CHART_CONFIG = {"displaylogo": False, "responsive": True}
# The escapes of Django's json_script: no "</script>" or HTML-significant character can end the block early.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


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
