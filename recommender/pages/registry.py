"""Model registry pages: versions with metrics and the champion, metric history, comparison, coverage, one
version's report, the versions as CSV, and Train now."""

import csv

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from kombu.exceptions import OperationalError as KombuOperationalError

from campaigns.selectors.jobs import JOBS_PAGE_SIZE
from recommender.charts import metric_history_chart_html
from recommender.models import ModelVersion
from recommender.selectors.models import (
    champion_comparison,
    champions_for,
    coverage_for,
    latest_comparison,
    metric_history,
    model_version_get,
    model_versions_for,
    parameter_rows,
    targets_for,
    training_run_jobs_page,
    version_metric_table,
)
from recommender.selectors.served import SERVED_LIST_DAYS, served_list_stats
from recommender.services.scheduling import training_targets_for
from xmkt_site.pages.access import role_required
from xmkt_site.roles import Capability
from xmkt_site.spreadsheets import spreadsheet_safe

PAGE_SIZE = 25
CSV_METRICS = ("ndcg@10", "recall@10", "map@10", "coverage")
SPLIT_LABELS = {
    "validation": gettext_lazy("Validation"),
    "test": gettext_lazy("Test"),
    "newcomers.validation": gettext_lazy("Validation, newcomers"),
    "newcomers.test": gettext_lazy("Test, newcomers"),
}
METRIC_LABELS = {
    "ndcg@10": "NDCG@10",
    "recall@10": gettext_lazy("Recall@10"),
    "precision@10": gettext_lazy("Precision@10"),
    "map@10": "MAP@10",
    "hit_rate@10": gettext_lazy("Hit rate@10"),
    "coverage": gettext_lazy("Catalogue coverage"),
    "novelty": gettext_lazy("Novelty"),
    "n_users": gettext_lazy("Consumers measured"),
    "cold_users": gettext_lazy("Consumers who bought a new item"),
}
DATA_SIZE_LABELS = {
    "users": gettext_lazy("Consumers"),
    "users_with_events": gettext_lazy("Consumers with events"),
    "items": gettext_lazy("Items"),
    "target_items": gettext_lazy("Items of the target catalogue"),
    "interactions": gettext_lazy("Interactions"),
    "events": gettext_lazy("Events"),
    "linked_consumers": gettext_lazy("Consumers linked across catalogues"),
    "cross_domain": gettext_lazy("Across catalogues"),
}


@role_required(Capability.READ_MODELS)
def model_list_view(request: HttpRequest) -> HttpResponse:
    organization = request.actor.organization
    target_slug = request.GET.get("target", "")
    status = request.GET.get("status", "")
    sort = request.GET.get("sort", "")
    versions = model_versions_for(organization=organization, target_slug=target_slug, status=status, sort=sort)
    if request.GET.get("export") == "csv":
        return _model_versions_csv(versions)
    champions = champions_for(organization=organization)
    champion = next((c for c in champions if c.target.slug == target_slug), champions[0] if champions else None)
    page = Paginator(versions, PAGE_SIZE).get_page(request.GET.get("page"))
    export_params = request.GET.copy()
    export_params.pop("page", None)
    export_params["export"] = "csv"
    context = {
        "page": page,
        "export_query": export_params.urlencode(),
        "champions": champions,
        "champion": champion,
        "targets": targets_for(organization=organization),
        "target_slug": target_slug,
        "status": status,
        "statuses": ModelVersion.Status.choices,
        "comparison": latest_comparison(champion=champion) if champion else [],
        "coverage": coverage_for(champion=champion) if champion else None,
        "chart_html": metric_history_chart_html(
            metric_history(organization=organization, target=champion.target), champion.target
        )
        if champion
        else "",
        "train_targets": training_targets_for(organization=organization),
        "can_train": request.actor.can(Capability.TRAIN_MODELS),
        "served_lists": served_list_stats(organization=organization),
        "served_days": SERVED_LIST_DAYS,
    }
    return render(request, "recommender/registry/model_list.html", context)


def _model_versions_csv(versions: QuerySet) -> HttpResponse:
    """The filtered versions as CSV (UTF-8 with BOM for spreadsheet programs), metrics unrounded as stored."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="model-versions.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        ["#", _("Model"), _("Algorithm"), _("Catalogue"), _("Status"), _("Champion"), _("Trained at")]
        + [_("Consumers"), _("Items"), _("Interactions"), _("Fit seconds")]
        + [f"{SPLIT_LABELS[split]} {metric_label(name)}" for split in ("validation", "test") for name in CSV_METRICS]
    )
    for version in versions:
        size = version.data_size or {}
        writer.writerow(
            [
                version.pk,
                spreadsheet_safe(version.label),
                spreadsheet_safe(version.algorithm),
                spreadsheet_safe(version.target.slug),
                version.get_status_display(),
                _("Yes") if version.is_champion else _("No"),
                timezone.localtime(version.trained_at).isoformat(timespec="seconds"),
                size.get("users", ""),
                size.get("items", ""),
                size.get("interactions", ""),
                version.fit_seconds,
            ]
            + [_csv_number(version.metric(split, name)) for split in ("validation", "test") for name in CSV_METRICS]
        )
    return response


def _csv_number(value: float | None) -> str | float:
    return "" if value is None else value


def _data_size_order(name: str) -> tuple[int, str]:
    # jsonb keeps no key order: the labelled sizes in reading order, anything else after them by name
    order = list(DATA_SIZE_LABELS)
    return (order.index(name) if name in order else len(order), name)


def metric_label(name: str) -> str:
    if name in METRIC_LABELS:
        return str(METRIC_LABELS[name])
    base = name.removeprefix("cold_")
    if base != name and base in METRIC_LABELS:
        return _("%(metric)s, new items") % {"metric": METRIC_LABELS[base]}
    return name


@role_required(Capability.READ_MODELS)
def model_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    version = model_version_get(organization=request.actor.organization, pk=pk)
    table = version_metric_table(version=version)
    comparison = champion_comparison(version=version)
    route = (version.metrics or {}).get("newcomer_route")
    size = version.data_size or {}
    can_open_jobs = request.actor.can(Capability.VIEW_JOBS)
    context = {
        "version": version,
        "parameters": parameter_rows(version.parameters or {}),
        "data_size": [(DATA_SIZE_LABELS.get(name, name), size[name]) for name in sorted(size, key=_data_size_order)],
        "splits": [SPLIT_LABELS.get(split, split) for split in table.splits],
        "metric_rows": [(metric_label(row.name), row) for row in table.rows],
        "comparison": comparison,
        "compared": [(metric_label(row.name), row) for row in comparison.validation],
        "newcomer_route": route if isinstance(route, dict) and route.get("version_id") != version.pk else None,
        "jobs_page": training_run_jobs_page(actor=request.actor, run=version.training_run, page_size=JOBS_PAGE_SIZE)
        if can_open_jobs
        else None,
    }
    return render(request, "recommender/registry/model_detail.html", context)


@require_POST
@role_required(Capability.TRAIN_MODELS)
def model_train_view(request: HttpRequest) -> HttpResponse:
    from recommender.services.training import training_enqueue

    organization = request.actor.organization
    targets = training_targets_for(organization=organization)
    target = next((o for o in targets if o.slug == request.POST.get("target")), organization)
    try:
        run = training_enqueue(organization=organization, target=target, by=request.user)
    except KombuOperationalError:
        messages.error(
            request, _("The training could not be sent to the workers: the message broker is not reachable.")
        )
    else:
        messages.success(request, _("Training was queued (job #%(id)s).") % {"id": run.pk})
    return redirect("job-list")
