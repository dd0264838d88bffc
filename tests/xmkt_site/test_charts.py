import json
import re

import plotly.graph_objects as go

from xmkt_site.charts import figure_html, themed


def test_a_figure_becomes_an_empty_div_and_a_json_block_without_inline_code():
    html = figure_html(go.Figure(go.Bar(x=["a", "b"], y=[1, 2])), "demo-chart")
    assert '<div id="demo-chart" class="xmkt-chart" data-figure="demo-chart-figure"></div>' in html
    block = re.search(r'<script type="application/json" id="demo-chart-figure">(.*)</script>', html, re.DOTALL)
    payload = json.loads(block.group(1))
    assert payload["figure"]["data"][0]["y"] == [1, 2]
    assert payload["config"] == {"displaylogo": False, "responsive": True}
    assert "Plotly.newPlot" not in html


def test_text_in_a_figure_cannot_close_the_json_block_early():
    title = "</script><script>alert(1)</script> & more"
    html = figure_html(go.Figure(layout={"title": {"text": title}}), "hostile")
    assert html.count("</script>") == 1
    block = re.search(r'id="hostile-figure">(.*)</script>', html, re.DOTALL).group(1)
    assert json.loads(block)["figure"]["layout"]["title"]["text"] == title


def test_a_themed_figure_has_the_consoles_font_stack_and_a_title_at_the_top_left():
    # UI.md's font stack, written out here rather than read from the code
    font = '-apple-system, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif'
    figure = themed(go.Figure(), title="Orders", height=300, yaxis={"rangemode": "tozero"})
    layout = figure.to_plotly_json()["layout"]
    assert layout["font"] == {"family": font}
    assert layout["title"] == {"text": "Orders", "x": 0, "xanchor": "left"}
    assert layout["height"] == 300 and layout["yaxis"] == {"rangemode": "tozero"}
    assert layout["legend"] == {"orientation": "h", "y": -0.2}


def test_a_chart_may_replace_a_default_of_the_theme():
    figure = themed(go.Figure(), title="t", height=300, legend={"orientation": "h", "y": -0.25})
    assert figure.layout.legend.y == -0.25
