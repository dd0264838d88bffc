"""The Jobs page: every background run of the organization, with live progress and retry of failed jobs."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from campaigns.models import TaskRun
from campaigns.selectors.jobs import JOBS_PAGE_SIZE, task_run_list, task_runs_any_active, task_runs_visible_to
from campaigns.services.task_runs import pipeline_task_names, retryable_task_names, task_run_retry
from xmkt_site.errors import ApplicationError
from xmkt_site.pages.access import role_required
from xmkt_site.roles import Capability

PAGE_SIZE = 20
ISSUED_SECRET_SESSION_KEY = "xmkt_issued_api_key"


@require_http_methods(["POST"])
@role_required(Capability.START_JOBS)
def job_retry_view(request: HttpRequest, pk: int) -> HttpResponse:
    run = task_runs_visible_to(request.actor).filter(pk=pk).first()
    if run is None:
        raise Http404("No such job.")
    try:
        task_run_retry(run=run, by=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Job #%(id)s was queued again.") % {"id": run.pk})
    return redirect("job-list")


@role_required(Capability.VIEW_JOBS)
def job_list_view(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    page = Paginator(task_run_list(actor=request.actor, status=status), JOBS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "status": status,
        "statuses": TaskRun.Status.choices,
        "polling": task_runs_any_active(page.object_list),
        "can_start_jobs": request.actor.can(Capability.START_JOBS),
        "retryable_tasks": retryable_task_names(),
        "pipeline_tasks": pipeline_task_names(),
    }
    template = "campaigns/jobs/_table.html" if request.htmx else "campaigns/jobs/list.html"
    return render(request, template, context)
