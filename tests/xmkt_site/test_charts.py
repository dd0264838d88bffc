import json
import re

import plotly.graph_objects as go

from xmkt_site.charts import figure_html


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
