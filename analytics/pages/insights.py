"""Pages of segments and forecasts, and starting the analytics pipeline from them."""

import csv
import re

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from kombu.exceptions import OperationalError as KombuOperationalError

from analytics.charts.insights import (
    centroid_chart_html,
    distinguishing_chart_html,
    drivers_chart_html,
    forecast_chart_html,
    pca_chart_html,
    size_history_chart_html,
)
from analytics.labels import feature_label, is_chinese, model_label, segment_description, segment_name, series_label
from analytics.models import Forecast, Segment
from analytics.selectors.forecasts import forecast_get, forecast_list, forecast_series_choices
from analytics.selectors.segments import (
    segment_get,
    segment_list,
    segment_member_refs,
    segment_run_current,
    segment_size_history,
)
from campaigns.models import TaskRun
from campaigns.services.audit import audit_record
from xmkt_site.errors import ApplicationError, NotFoundError
from xmkt_site.pages.access import role_required
from xmkt_site.roles import Capability
from xmkt_site.spreadsheets import spreadsheet_safe

PAGE_SIZE = 25


def _series_choice_label(value: str) -> str:
    kind, _sep, key = value.partition(":")
    return series_label(kind, key)


def _segment_or_404(request: HttpRequest, pk: int) -> Segment:
    try:
        return segment_get(organization=request.actor.organization, pk=pk)
    except NotFoundError as error:
        raise Http404(error.message) from error


def _campaign_create_url() -> str | None:
    try:
        return reverse("campaign-create")
    except NoReverseMatch:
        return None


# The numeric core writes its notes in plain English (it imports no Django); each known shape is re-said here in
# the reader's language, with model names by their labels. An unknown note is shown as written.
_NOTE_PATTERNS = [
    (
        re.compile(r"^the series is all zero; the forecast is zero with a zero-width interval$"),
        lambda m: _("The series is all zero: the forecast is zero, with a zero-width interval."),
    ),
    (
        re.compile(r"^exogenous values missing for some forecast days were carried forward$"),
        lambda m: _("Driver values missing for some forecast days were carried forward."),
    ),
    (
        re.compile(r"^(?P<n>\d+) outlier day\(s\) clipped to median \+ (?P<mads>[\d.]+) MAD$"),
        lambda m: _("%(n)s outlier day(s) clipped to the median + %(mads)s MAD.") % m.groupdict(),
    ),
    (
        re.compile(
            r"^history of (?P<n>\d+) days is too short for a (?P<h>\d+)-day backtest; using (?P<model>\w+) unvalidated$"
        ),
        lambda m: (
            _("%(n)s days of history are too short for a %(h)s-day backtest: %(model)s is used without one.")
            % {"n": m["n"], "h": m["h"], "model": model_label(m["model"])}
        ),
    ),
    (
        re.compile(r"^history of (?P<n>\d+) days is too short for: (?P<models>.+)$"),
        lambda m: (
            _("%(n)s days of history are too short for: %(models)s.")
            % {"n": m["n"], "models": _list_join(model_label(name.strip()) for name in m["models"].split(","))}
        ),
    ),
    (
        re.compile(r"^fell back to the mean of the last \(up to\) 7 days$"),
        lambda m: _("Fell back to the mean of the last (up to) 7 days."),
    ),
    (
        re.compile(r"^(?P<model>\w+) failed in the backtest and was dropped: (?P<error>.+)$"),
        lambda m: (
            _("%(model)s failed in the backtest and was dropped: %(error)s")
            % {"model": model_label(m["model"]), "error": m["error"]}
        ),
    ),
    (
        re.compile(r"^every candidate failed in the backtest; fell back to the mean of the last 7 days$"),
        lambda m: _("Every candidate failed in the backtest: fell back to the mean of the last 7 days."),
    ),
]


def _list_join(parts) -> str:
    return ("、" if is_chinese() else ", ").join(parts)


def forecast_note(note: str) -> str:
    for pattern, say in _NOTE_PATTERNS:
        match = pattern.match(note)
        if match:
            return say(match)
    return note


def forecast_notes(forecast: Forecast) -> list[str]:
    return [forecast_note(note) for note in forecast.notes or []]


def forecast_explanation(forecast: Forecast) -> str:
    """Why the winner won, in the reader's language, from the stored backtest."""
    rows = {row["model"]: row for row in forecast.backtest}
    if forecast.chosen_model in ("zero", "recent_mean") or not rows:
        notes = ("；" if is_chinese() else "; ").join(forecast_notes(forecast)) or "—"
        return _("No backtest was possible: %(notes)s") % {"notes": notes}
    chosen = rows.get(forecast.chosen_model) or rows.get("combination")
    singles = [row for name, row in rows.items() if name != "combination" and row["mae"] is not None]
    best_single = min(singles, key=lambda row: row["mae"]) if singles else None
    if forecast.chosen_model == "combination":
        members = "、".join if is_chinese() else ", ".join
        text = _("A weighted combination of %(members)s had the lowest backtest error (MAE %(mae)s)") % {
            "members": members(f"{model_label(name)} {weight:.0%}" for name, weight in forecast.weights.items()),
            "mae": f"{chosen['mae']:,.2f}",
        }
        if best_single is not None:
            text += _("; the best single model, %(model)s, had %(mae)s") % {
                "model": model_label(best_single["model"]),
                "mae": f"{best_single['mae']:,.2f}",
            }
    else:
        text = _("%(model)s had the lowest backtest error (MAE %(mae)s)") % {
            "model": model_label(forecast.chosen_model),
            "mae": f"{chosen['mae']:,.2f}" if chosen and chosen["mae"] is not None else "—",
        }
    if chosen and chosen.get("rel_mae") is not None:
        text += _("; that is %(ratio)s × the error of the weekly seasonal naive forecast") % {
            "ratio": f"{chosen['rel_mae']:.2f}"
        }
    return text + ("。" if is_chinese() else ".")


# --- pages ------------------------------------------------------------------------------------------------------

SEGMENT_SORTS = {"key": "key", "-key": "-key", "size": "size", "-size": "-size", "name": "name_en", "-name": "-name_en"}


@role_required(Capability.READ_INSIGHTS)
def segment_list_view(request: HttpRequest) -> HttpResponse:
    organization = request.actor.organization
    run = segment_run_current(organization=organization)
    sort = request.GET.get("sort", "-size")
    segments_all = list(segment_list(organization=organization))
    segments = list(segment_list(organization=organization).order_by(SEGMENT_SORTS.get(sort, "-size")))
    history = segment_size_history(organization=organization, keys=[segment.key for segment in segments])
    rows = []
    for segment in segments:
        sizes = [row["size"] for row in history.get(segment.key, [])]
        change = sizes[-1] - sizes[-2] if len(sizes) >= 2 else None
        rows.append({"segment": segment, "name": segment_name(segment), "change": change, "runs": len(sizes),
                     "top_features": [(feature_label(f), z) for f, z in segment.distinguishing[:3]]})  # fmt: skip
    latest_run = (
        TaskRun.objects.filter(organization=organization, task_name__startswith="analytics.tasks.")
        .filter(task_name__in=["analytics.tasks.pipeline.build_profiles", "analytics.tasks.pipeline.segment_consumers",
                               "analytics.tasks.pipeline.forecast_demand"])
        .order_by("-created_at", "-id").first()
    )  # fmt: skip
    context = {
        "run": run,
        "rows": rows,
        "sort": sort,
        "centroid_chart": centroid_chart_html(segments_all) if segments_all else "",
        "pca_chart": pca_chart_html(run, segments_all) if run and segments_all and run.pca_sample else "",
        "campaign_create_url": _campaign_create_url(),
        "latest_pipeline_run": latest_run,
    }
    return render(request, "analytics/segments/segment_list.html", context)


@role_required(Capability.READ_INSIGHTS)
def segment_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    organization = request.actor.organization
    segment = _segment_or_404(request, pk)
    history = segment_size_history(organization=organization, keys=[segment.key])[segment.key]
    centroid = [
        {"label": feature_label(name), "centroid": value, "median": segment.median.get(name)}
        for name, value in segment.centroid.items()
    ]
    context = {
        "segment": segment,
        "name": segment_name(segment),
        "description": segment_description(segment),
        "centroid": centroid,
        "distinguishing": [(feature_label(feature), z) for feature, z in segment.distinguishing],
        "distinguishing_chart": distinguishing_chart_html(segment) if segment.distinguishing else "",
        "history_chart": size_history_chart_html(history) if len(history) >= 2 else "",
        "campaign_create_url": _campaign_create_url() if segment.is_current else None,
    }
    return render(request, "analytics/segments/segment_detail.html", context)


@role_required(Capability.READ_INSIGHTS)
def segment_export_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Members as CSV: pseudonymous external references of consented consumers only. Audited (ids and counts)."""
    segment = _segment_or_404(request, pk)
    refs = list(segment_member_refs(segment=segment))
    audit_record(
        action="segment.export",
        user=request.user,
        organization=request.actor.organization,
        target=segment,
        metadata={"members": len(refs)},
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="segment-{segment.key}-members.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(["external_ref", "segment_key"])
    for ref in refs:
        writer.writerow([spreadsheet_safe(ref), segment.key])
    return response


@require_POST
@role_required(Capability.START_JOBS)
def analytics_run_view(request: HttpRequest) -> HttpResponse:
    from analytics.services.pipeline import pipeline_enqueue

    try:
        runs = pipeline_enqueue(organization=request.actor.organization, by=request.user)
    except KombuOperationalError:
        messages.error(
            request,
            _(
                "The analytics pipeline could not be sent to the workers because the message broker is not reachable. "
                "Check that the broker in CELERY_BROKER_URL is running, then try again."
            ),
        )
    else:
        messages.success(
            request,
            _("The analytics pipeline was queued (jobs #%(first)s–#%(last)s). Progress is on the Jobs page.")
            % {"first": runs[0].pk, "last": runs[-1].pk},
        )
    next_url = request.POST.get("next", "")
    return redirect(next_url if next_url in (reverse("segment-list"), reverse("forecast-list")) else "segment-list")


FORECAST_SORTS = {
    "series": ("series_kind", "series_key", "metric"),
    "-series": ("-series_kind", "-series_key", "metric"),
    "metric": ("metric", "series_kind", "series_key"),
    "-metric": ("-metric", "series_kind", "series_key"),
    "mae": ("mae",),
    "-mae": ("-mae",),
    "model": ("chosen_model",),
    "-model": ("-chosen_model",),
}


@role_required(Capability.READ_INSIGHTS)
def forecast_list_view(request: HttpRequest) -> HttpResponse:
    organization = request.actor.organization
    series = request.GET.get("series", "")
    metric = request.GET.get("metric", "")
    try:
        forecasts = forecast_list(organization=organization, series=series or None, metric=metric or None)
    except ApplicationError:
        forecasts = forecast_list(organization=organization)
        series = metric = ""
    sort = request.GET.get("sort", "series")
    forecasts = forecasts.order_by(*FORECAST_SORTS.get(sort, FORECAST_SORTS["series"]))
    page = Paginator(forecasts, PAGE_SIZE).get_page(request.GET.get("page"))
    total_revenue = forecast_list(organization=organization, series="total", metric="revenue").first()
    context = {
        "page": page,
        "rows": [
            {
                "forecast": f,
                "model": model_label(f.chosen_model),
                "series_label": series_label(f.series_kind, f.series_key),
                "notes": forecast_notes(f),
            }
            for f in page.object_list
        ],
        "series": series,
        "metric": metric,
        "series_choices": [
            (value, _series_choice_label(value)) for value, _label in forecast_series_choices(organization=organization)
        ],
        "metric_choices": Forecast.Metric.choices,
        "is_filtered": bool(series or metric),
        "has_any": Forecast.objects.filter(organization=organization, is_current=True).exists(),
        "headline": total_revenue,
        "headline_chart": forecast_chart_html(total_revenue) if total_revenue else "",
    }
    template = (
        "analytics/forecasts/partials/forecast_table.html" if request.htmx else "analytics/forecasts/forecast_list.html"
    )
    return render(request, template, context)


@role_required(Capability.READ_INSIGHTS)
def forecast_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        forecast = forecast_get(organization=request.actor.organization, pk=pk)
    except NotFoundError as error:
        raise Http404(error.message) from error
    future = [point for point in forecast.points.all() if point.predicted is not None]
    context = {
        "forecast": forecast,
        "model": model_label(forecast.chosen_model),
        "series_label": series_label(forecast.series_kind, forecast.series_key),
        "explanation": forecast_explanation(forecast),
        "notes": forecast_notes(forecast),
        "backtest": [{**row, "label": model_label(row["model"])} for row in forecast.backtest],
        "chart": forecast_chart_html(forecast),
        "drivers_chart": drivers_chart_html(forecast) if forecast.drivers else "",
        "future_total": sum(point.predicted for point in future),
        "future": future,
    }
    return render(request, "analytics/forecasts/forecast_detail.html", context)
