"""The dashboard's chart: events per day, one line per event type."""

import plotly.graph_objects as go
from django.utils.translation import gettext as _

from analytics.models import EventType
from analytics.selectors.dashboard import EventSeries
from xmkt_site.charts import Colour, figure_html, themed

# One colour per event type, stable across pages and languages.
EVENT_COLOURS = {
    EventType.VIEW: Colour.GREY,
    EventType.CLICK: Colour.CYAN,
    EventType.ADD_TO_CART: Colour.GOLD,
    EventType.PURCHASE: Colour.BLUE,
    EventType.REFUND: Colour.RED,
    EventType.ENROLL: Colour.GREEN,
    EventType.COMPLETE: Colour.GEEKBLUE,
    EventType.RATING: Colour.MAGENTA,
    EventType.SHARE: Colour.PURPLE,
}


def events_chart_html(series: EventSeries) -> str:
    """An interactive line chart, one line per event type; titles and legend in the request's language."""
    labels = dict(EventType.choices)
    figure = go.Figure()
    for event_type, counts in series.counts_by_type.items():
        figure.add_trace(
            go.Scatter(
                x=[day.isoformat() for day in series.dates],
                y=counts,
                mode="lines",
                name=str(labels[event_type]),
                line={"width": 2, "color": EVENT_COLOURS.get(event_type)},
                hovertemplate="%{x|%Y-%m-%d}: %{y:,}<extra>%{fullData.name}</extra>",
            )
        )
    themed(
        figure,
        title=_("Events per day"),
        height=380,
        xaxis={"title": {"text": _("Date")}, "tickformat": "%Y-%m-%d"},
        yaxis={"title": {"text": _("Events")}, "rangemode": "tozero"},
        legend={"title": {"text": _("Event type")}, "orientation": "h", "y": -0.25},
    )
    return figure_html(figure, "events-per-day-chart")
