"""Experiment pages: submitting a campaign for review, the results page (conversions per arm over time, intervals,
posteriors, sample-ratio banner, weight history), the partner portal (aggregates only, agreement k applied), and the
`/t/<code>` tracking-link redirect."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from analytics.charts.experiments import results_charts
from analytics.ml.experiments import wilson_interval
from analytics.selectors.experiment_readouts import campaign_readouts
from analytics.selectors.experiments import (
    campaign_counts,
    campaign_results,
    conversions_by_day,
    partner_campaign_results,
    weight_history,
)
from analytics.services.attribution import campaign_attribution, campaign_forecast_lift
from analytics.services.experiments import campaign_review_run, tracking_link_follow
from campaigns.models import Campaign
from campaigns.selectors.campaigns import campaign_get, campaign_list
from campaigns.services.audit import audit_record
from xmkt_site.errors import ApplicationError, NotFoundError
from xmkt_site.pages.access import role_required
from xmkt_site.roles import Capability


def _campaign_or_404(request: HttpRequest, pk: int, *, for_write: bool = False) -> Campaign:
    try:
        return campaign_get(actor=request.actor, pk=pk, for_write=for_write)
    except NotFoundError:
        raise Http404(_("Campaign not found.")) from None


@require_POST
@role_required(Capability.MANAGE_CAMPAIGNS, platform_only=True)
def campaign_review_view(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign_or_404(request, pk, for_write=True)
    try:
        campaign = campaign_review_run(campaign=campaign, by=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        if campaign.status == Campaign.Status.APPROVED:
            messages.success(request, _("Review passed: the campaign is approved and can be launched."))
        else:
            messages.warning(request, _("Review failed: see the reasons in the review report."))
    return redirect("campaign-detail", pk=pk)


def _peeking_rows(comparisons: dict, readouts, names: dict[str, str]) -> list[dict]:
    """Per treatment: the fixed-horizon comparison beside the sequential and CUPED read-outs (no statistics here)."""
    cuped = {c.arm: c for c in readouts.cuped}
    return [
        {
            "name": names.get(s.arm, s.arm),
            "key": s.arm,
            "fixed": comparisons.get(s.arm),
            "sequential": s,
            "cuped": cuped.get(s.arm),
        }
        for s in readouts.sequential
    ]


@role_required(Capability.READ_CAMPAIGNS, platform_only=True)
def campaign_results_view(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign_or_404(request, pk)
    results = campaign_results(campaign=campaign)
    report = results.report
    comparisons = {c.arm: c for c in report.comparisons} if report else {}
    rows = []
    for arm in results.arms:
        comparison = comparisons.get(arm.variant.key)
        low, high = wilson_interval(arm.converters, arm.users) if arm.users else (None, None)
        rows.append(
            {
                "arm": arm,
                "rate": arm.converters / arm.users if arm.users else None,
                "low": low,
                "high": high,
                "comparison": comparison,
            }
        )
    readouts = campaign_readouts(campaign=campaign, results=results)
    bandit_srm = readouts.bandit_srm
    srm = report.sample_ratio if report and report.sample_ratio else bandit_srm
    names = {arm.variant.key: arm.variant.name for arm in results.arms}
    history = weight_history(campaign=campaign)
    charts = (
        results_charts(results, conversions=conversions_by_day(campaign=campaign), weights=history)
        if any(a.users for a in results.arms)
        else {}
    )
    context = {
        "campaign": campaign,
        "rows": rows,
        "counts": campaign_counts(campaign=campaign),
        "srm": srm,
        "srm_is_bandit": srm is not None and srm is bandit_srm,
        "srm_applies": results.srm_applies or bandit_srm is not None,
        "readouts": readouts,
        "peeking_rows": _peeking_rows(comparisons, readouts, names),
        "notes": results.notes,
        "charts": charts,
        "attribution": campaign_attribution(campaign=campaign),
        "lift": campaign_forecast_lift(campaign=campaign),
        "history": history[-10:],
    }
    return render(request, "analytics/experiments/results.html", context)


@role_required(Capability.USE_PARTNER_PORTAL)
def partner_campaign_list_view(request: HttpRequest) -> HttpResponse:
    campaigns = campaign_list(organization=request.actor.organization)
    return render(request, "analytics/experiments/partner_list.html", {"campaigns": campaigns})


@role_required(Capability.USE_PARTNER_PORTAL)
def partner_campaign_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign_or_404(request, pk)
    payload = partner_campaign_results(campaign=campaign, partner=request.actor.organization)
    audit_record(
        action="campaign.partner_results_read",
        user=request.user,
        organization=request.actor.organization,
        target=campaign,
        metadata={"k": payload["k"], "suppressed_cells": payload["suppressed_cells"]},
    )
    return render(request, "analytics/experiments/partner_detail.html", {"campaign": campaign, "results": payload})


@require_GET
def tracking_link_view(request: HttpRequest, code: str) -> HttpResponse:
    """Public: redirects only to a destination on one of the campaign's allowed hosts (no open redirect)."""
    destination = tracking_link_follow(code=code[:32], consumer_ref=request.GET.get("c", "")[:128])
    if destination is None:
        raise Http404(_("This link is unknown or no longer active."))
    response = HttpResponseRedirect(destination)
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response
