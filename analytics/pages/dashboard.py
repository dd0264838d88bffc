"""Pages over behavioural data: the dashboard and starting the daily rollup from the Jobs page."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from kombu.exceptions import OperationalError as KombuOperationalError

from analytics.charts.dashboard import events_chart_html
from analytics.selectors.dashboard import dashboard_figures
from campaigns.selectors.jobs import task_runs_any_active, task_runs_visible_to
from xmkt_site.pages.access import role_required
from xmkt_site.roles import Capability

LATEST_JOBS = 5


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
