"""Pages: model versions with metrics and the champion, metric history, comparison, coverage, and a preview."""

import plotly.graph_objects as go
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from kombu.exceptions import OperationalError as KombuOperationalError

from campaigns.models import Consumer, Organization, Role
from campaigns.services.audit import audit_record
from recommender.models import ModelVersion
from recommender.selectors.models import (
    champions_for,
    consumer_history,
    coverage_for,
    latest_comparison,
    metric_history,
    model_versions_for,
    preview_consent,
    targets_for,
)
from recommender.selectors.served import SERVED_LIST_DAYS, served_list_stats
from recommender.services.scheduling import training_targets_for
from xmkt_site.charts import figure_html
from xmkt_site.errors import ApplicationError
from xmkt_site.views import role_required

PAGE_ROLES = frozenset({Role.ADMIN, Role.CAMPAIGN_MANAGER, Role.ANALYST})
TRAIN_ROLES = frozenset({Role.ADMIN, Role.CAMPAIGN_MANAGER, Role.ANALYST})
PAGE_SIZE = 25
CHART_FONT = '-apple-system, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif'


def metric_history_chart_html(versions: list[ModelVersion], target: Organization) -> str:
    """Validation NDCG@10 per training run, one line per candidate configuration; champions marked."""
    figure = go.Figure()
    by_label: dict[str, list[ModelVersion]] = {}
    for version in versions:
        by_label.setdefault(version.label, []).append(version)
    for label, rows in sorted(by_label.items()):
        figure.add_trace(
            go.Scatter(
                x=[v.trained_at.isoformat() for v in rows],
                y=[v.metric("validation", "ndcg@10") for v in rows],
                mode="lines+markers",
                name=label,
                marker={"symbol": ["star" if v.is_champion else "circle" for v in rows], "size": 9},
                hovertemplate="%{x|%Y-%m-%d %H:%M}: %{y:.4f}<extra>%{fullData.name}</extra>",
            )
        )
    figure.update_layout(
        title={"text": _("Validation NDCG@10 per training, %(target)s") % {"target": target.name}, "x": 0},
        xaxis={"title": {"text": _("Trained at")}},
        yaxis={"title": {"text": "NDCG@10"}, "rangemode": "tozero"},
        legend={"orientation": "h", "y": -0.25},
        margin={"l": 60, "r": 20, "t": 50, "b": 40},
        height=360,
        template="plotly_white",
        font={"family": CHART_FONT},
    )
    return figure_html(figure, "metric-history-chart")


@role_required(PAGE_ROLES)
def model_list_view(request: HttpRequest) -> HttpResponse:
    organization = request.actor.organization
    target_slug = request.GET.get("target", "")
    status = request.GET.get("status", "")
    sort = request.GET.get("sort", "")
    champions = champions_for(organization=organization)
    champion = next((c for c in champions if c.target.slug == target_slug), champions[0] if champions else None)
    versions = model_versions_for(organization=organization, target_slug=target_slug, status=status, sort=sort)
    page = Paginator(versions, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
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
        "can_train": request.actor.role in TRAIN_ROLES,
        "served_lists": served_list_stats(organization=organization),
        "served_days": SERVED_LIST_DAYS,
    }
    return render(request, "recommender/model_list.html", context)


@require_POST
@role_required(TRAIN_ROLES)
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


@role_required(PAGE_ROLES)
def recommendation_preview_view(request: HttpRequest) -> HttpResponse:
    from recommender.services.serving import recommendations_serve

    organization = request.actor.organization
    consumer_ref = request.GET.get("consumer", "").strip()
    catalogs = training_targets_for(organization=organization)
    catalog_slug = request.GET.get("catalog") or organization.slug
    context = {"consumer_ref": consumer_ref, "catalogs": catalogs, "catalog_slug": catalog_slug}
    if consumer_ref:
        consumer = Consumer.objects.filter(organization=organization, external_ref=consumer_ref).first()
        if consumer is None:
            context["error"] = _("No consumer with this reference.")
        else:
            try:
                # The same list the API would serve, not recorded: a preview is no serve (no feedback, no statistics).
                context["served"] = recommendations_serve(
                    actor=request.actor,
                    consumer_ref=consumer_ref,
                    catalog_slug=catalog_slug,
                    k=10,
                    record_served_list=False,
                )
            except ApplicationError as exc:
                context["error"] = exc.message
                context["error_code"] = exc.code
            context["history"] = consumer_history(consumer=consumer)
            context["consumer"] = consumer
            context["consent"] = preview_consent(
                consumer=consumer, catalog=next((c for c in catalogs if c.slug == catalog_slug), None)
            )
            audit_record(
                action="recommendations.preview",
                user=request.user,
                organization=organization,
                target=consumer,
                metadata={"catalog": catalog_slug, "events": len(context["history"])},
                ip_address=request.META.get("REMOTE_ADDR"),
            )
    return render(request, "recommender/preview.html", context)
