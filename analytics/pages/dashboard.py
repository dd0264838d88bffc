"""Pages over behavioural data: the dashboard and starting the daily rollup from the Jobs page."""

import plotly.graph_objects as go
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from kombu.exceptions import OperationalError as KombuOperationalError

from analytics.models import EventType
from analytics.selectors.dashboard import EventSeries, dashboard_figures
from campaigns.selectors.jobs import task_runs_any_active, task_runs_visible_to
from xmkt_site.charts import figure_html
from xmkt_site.pages.access import role_required
from xmkt_site.roles import Capability

LATEST_JOBS = 5
# One colour per event type, stable across pages and languages.
EVENT_COLOURS = {
    EventType.VIEW: "#8c8c8c",
    EventType.CLICK: "#13c2c2",
    EventType.ADD_TO_CART: "#faad14",
    EventType.PURCHASE: "#1677ff",
    EventType.REFUND: "#ff4d4f",
    EventType.ENROLL: "#52c41a",
    EventType.COMPLETE: "#2f54eb",
    EventType.RATING: "#eb2f96",
    EventType.SHARE: "#722ed1",
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
    figure.update_layout(
        title={"text": _("Events per day"), "x": 0, "xanchor": "left"},
        xaxis={"title": {"text": _("Date")}, "tickformat": "%Y-%m-%d"},
        yaxis={"title": {"text": _("Events")}, "rangemode": "tozero"},
        legend={"title": {"text": _("Event type")}, "orientation": "h", "y": -0.25},
        margin={"l": 60, "r": 20, "t": 50, "b": 40},
        height=380,
        template="plotly_white",
        font={
            "family": '-apple-system, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", '
            "sans-serif"
        },
    )
    return figure_html(figure, "events-per-day-chart")


@role_required(Capability.VIEW_DASHBOARD)
def dashboard_view(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    figures = dashboard_figures(actor=actor, today=timezone.localdate())
    # Jobs are internal machinery: a partner's people see the figures, not the platform's job queue.
    latest_jobs = list(task_runs_visible_to(actor)[:LATEST_JOBS]) if actor.can(Capability.VIEW_JOBS) else None
    context = {
        "figures": figures,
        "chart_html": "" if figures.events.is_empty else events_chart_html(figures.events),
        "latest_jobs": latest_jobs,
        "jobs_polling": bool(latest_jobs) and task_runs_any_active(latest_jobs),
    }
    return render(request, "analytics/dashboard/dashboard.html", context)


@role_required(Capability.VIEW_JOBS)
def dashboard_jobs_view(request: HttpRequest) -> HttpResponse:
    """The dashboard's latest-jobs card alone: polled while one of its jobs is queued or running."""
    latest_jobs = list(task_runs_visible_to(request.actor)[:LATEST_JOBS])
    context = {"latest_jobs": latest_jobs, "jobs_polling": task_runs_any_active(latest_jobs)}
    return render(request, "analytics/dashboard/_latest_jobs.html", context)


@require_POST
@role_required(Capability.START_JOBS)
def job_rollup_start_view(request: HttpRequest) -> HttpResponse:
    from analytics.services.rollup import rollup_enqueue  # written beside this page; imported where it is used

    try:
        run = rollup_enqueue(organization=request.actor.organization, by=request.user)
    except KombuOperationalError:
        messages.error(
            request,
            _(
                "The rollup could not be sent to the workers because the message broker is not reachable. Check that "
                "the broker in CELERY_BROKER_URL is running, then try again."
            ),
        )
    else:
        messages.success(request, _("The daily rollup was queued (job #%(id)s).") % {"id": run.pk})
    return redirect("job-list")
