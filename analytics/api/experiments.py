"""Campaigns in flight over the API: review, audience estimate, assignment, exposures, conversions, results,
attribution, re-weighting and tracking links. Partner keys (campaigns:read / campaigns:write) act only on campaigns
they are a party of and read aggregates with their agreement's k applied."""

import math

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics.selectors.experiment_readouts import campaign_readouts
from analytics.selectors.experiments import audience_estimate, campaign_results, partner_campaign_results
from analytics.services.attribution import campaign_attribution, campaign_forecast_lift
from analytics.services.experiments import (
    assignment_get_or_create,
    campaign_review_run,
    campaign_reweight,
    consumer_by_ref,
    consumer_for_partner,
    conversions_record,
    exposures_record,
    tracking_link_create,
)
from campaigns.models import ApiScope
from campaigns.selectors.campaigns import campaign_get
from campaigns.services.audit import audit_record
from campaigns.services.review_messages import review_report_localized
from xmkt_site.access import actor_for_request
from xmkt_site.api.fields import EventTimeField
from xmkt_site.api.schema import name_nested_serializers
from xmkt_site.roles import Capability, roles_with


def _finite(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


class CampaignReviewApi(APIView):
    """Submit a draft for review: the audience is measured and every check is reported with its reason."""

    allowed_roles = roles_with(Capability.MANAGE_CAMPAIGNS)
    required_scopes = None

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        status = serializers.CharField()
        review_report = serializers.SerializerMethodField()

        def get_review_report(self, campaign) -> dict:
            """Each check with its stable `code` and `params` and a `message` in the request's language."""
            return review_report_localized(campaign.review_report)

    @extend_schema(operation_id="campaign_review", request=None, responses=OutputSerializer)
    def post(self, request, pk: int):
        actor = actor_for_request(request)
        campaign = campaign_review_run(campaign=campaign_get(actor=actor, pk=pk, for_write=True), by=actor.user)
        return Response(self.OutputSerializer(campaign).data)


class CampaignAudienceEstimateApi(APIView):
    allowed_roles = roles_with(Capability.ANALYSE_CAMPAIGNS)
    required_scopes = None

    class OutputSerializer(serializers.Serializer):
        matching = serializers.IntegerField()
        contactable = serializers.IntegerField()
        coverage = serializers.FloatField()

    @extend_schema(operation_id="campaign_audience_estimate", responses=OutputSerializer)
    def get(self, request, pk: int):
        actor = actor_for_request(request)
        estimate = audience_estimate(campaign=campaign_get(actor=actor, pk=pk, for_write=True))
        return Response(self.OutputSerializer(estimate).data)


class CampaignAssignmentApi(APIView):
    """The consumer's arm (sticky). A partner key gets it only for consumers who consented to sharing with it; any
    other ref, known or not, answers 403 `no_consent` alike. Not assigned (`no_marketing_consent`) once the
    consumer's marketing_contact consent is no longer in force."""

    allowed_roles = roles_with(Capability.TRACK_CAMPAIGNS)
    required_scopes = (ApiScope.CAMPAIGNS_WRITE,)

    class FilterSerializer(serializers.Serializer):
        # Checked before any lookup: a NUL (which PostgreSQL refuses in a string literal), a lone surrogate or a ref
        # longer than a stored one can match nobody, and is the caller's mistake to hear about.
        consumer = serializers.CharField(max_length=128, trim_whitespace=False, help_text="The consumer's external_ref")

    class OutputSerializer(serializers.Serializer):
        campaign = serializers.IntegerField()
        consumer = serializers.CharField()
        variant = serializers.CharField(allow_null=True)
        assigned = serializers.BooleanField()
        reason = serializers.CharField()
        personalized = serializers.BooleanField()

    @extend_schema(operation_id="campaign_assignment", parameters=[FilterSerializer], responses=OutputSerializer)
    def get(self, request, pk: int):
        actor = actor_for_request(request)
        campaign = campaign_get(actor=actor, pk=pk)
        query = self.FilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        ref = query.validated_data["consumer"]
        if actor.is_platform:
            consumer = consumer_by_ref(organization=campaign.organization, external_ref=ref)
            requested_by = None
        else:
            consumer = consumer_for_partner(
                organization=campaign.organization, external_ref=ref, partner=actor.organization
            )
            requested_by = actor.organization
        result = assignment_get_or_create(campaign=campaign, consumer=consumer, requested_by=requested_by)
        return Response(
            self.OutputSerializer(
                {
                    "campaign": campaign.pk,
                    "consumer": ref,
                    "variant": result.variant.key if result.variant else None,
                    "assigned": result.variant is not None,
                    "reason": result.reason,
                    "personalized": result.personalized,
                }
            ).data
        )


class TouchItemSerializer(serializers.Serializer):
    consumer = serializers.CharField(max_length=128)
    external_id = serializers.CharField(max_length=128)
    occurred_at = EventTimeField(required=False)
    recommendation_id = serializers.CharField(max_length=64, required=False, allow_blank=True)


@extend_schema_serializer(component_name="TrackingBatchOutput")
class BatchOutputSerializer(serializers.Serializer):
    accepted = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    rejected = serializers.ListField(child=serializers.DictField())


class ExposureCreateApi(APIView):
    allowed_roles = roles_with(Capability.TRACK_CAMPAIGNS)
    required_scopes = (ApiScope.CAMPAIGNS_WRITE,)

    class InputSerializer(serializers.Serializer):
        @extend_schema_serializer(component_name="ExposureItem")
        class ItemSerializer(TouchItemSerializer):
            kind = serializers.ChoiceField(["impression", "click", "recommendation"], default="impression")

        exposures = ItemSerializer(many=True, allow_empty=False, max_length=1000)

    @extend_schema(operation_id="exposure_create", request=InputSerializer, responses=BatchOutputSerializer)
    def post(self, request, pk: int):
        actor = actor_for_request(request)
        campaign = campaign_get(actor=actor, pk=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        partner = None if actor.is_platform else actor.organization
        result = exposures_record(campaign=campaign, items=data.validated_data["exposures"], partner=partner)
        return Response(BatchOutputSerializer(result).data, status=status.HTTP_200_OK)


class ConversionCreateApi(APIView):
    """Idempotent by external_id: a replayed batch is accepted as duplicates and changes nothing."""

    allowed_roles = roles_with(Capability.TRACK_CAMPAIGNS)
    required_scopes = (ApiScope.CAMPAIGNS_WRITE,)

    class InputSerializer(serializers.Serializer):
        @extend_schema_serializer(component_name="ConversionItem")
        class ItemSerializer(TouchItemSerializer):
            value = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, default=0)

        conversions = ItemSerializer(many=True, allow_empty=False, max_length=1000)

    @extend_schema(operation_id="conversion_create", request=InputSerializer, responses=BatchOutputSerializer)
    def post(self, request, pk: int):
        actor = actor_for_request(request)
        campaign = campaign_get(actor=actor, pk=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        partner = None if actor.is_platform else actor.organization
        result = conversions_record(campaign=campaign, items=data.validated_data["conversions"], partner=partner)
        return Response(BatchOutputSerializer(result).data)


def results_payload(campaign) -> dict:
    results = campaign_results(campaign=campaign)
    report = results.report
    arms = []
    for arm in results.arms:
        arms.append(
            {
                "variant": arm.variant.key,
                "name": arm.variant.name,
                "is_control": arm.variant.is_control,
                "weight": arm.variant.weight,
                "users": arm.users,
                "exposed": arm.exposed,
                "converters": arm.converters,
                "conversions": arm.conversions,
                "revenue": arm.revenue,
                "conversion_rate": arm.converters / arm.users if arm.users else None,
            }
        )
    comparisons = []
    if report is not None:
        for c in report.comparisons:
            comparisons.append(
                {
                    "variant": c.arm,
                    "enough_data": c.sample.enough_data,
                    "lift": _finite(c.conversion.difference) if c.conversion else None,
                    "ci_low": _finite(c.conversion.ci_low) if c.conversion else None,
                    "ci_high": _finite(c.conversion.ci_high) if c.conversion else None,
                    "p_value": _finite(c.conversion.p_value) if c.conversion else None,
                    "holm_p_value": c.holm_p_value,
                    "significant": c.significant,
                    "probability_to_beat_control": _finite(c.probability_to_beat_control),
                    "expected_loss_vs_control": _finite(c.expected_loss_vs_control),
                }
            )
    readouts = campaign_readouts(campaign=campaign, results=results)
    srm = None
    check, basis = (report.sample_ratio, "fixed_split") if report is not None else (None, None)
    if check is None and readouts.bandit_srm is not None:
        check, basis = readouts.bandit_srm, "weight_history"
    if check is not None:
        srm = {"p_value": _finite(check.p_value), "mismatch": bool(check.mismatch), "basis": basis}
    return {
        "campaign": campaign.pk,
        "control": results.control_key,
        "arms": arms,
        "comparisons": comparisons,
        "sample_ratio": srm,
        "sequential": [
            {
                "variant": s.arm,
                "looks": s.looks,
                "difference": _finite(s.difference),
                "always_valid_p_value": _finite(s.p_value),
                "ci_low": _finite(s.ci_low),
                "ci_high": _finite(s.ci_high),
                "rejected": s.rejected,
                "first_rejected_on": s.first_rejected_on,
            }
            for s in readouts.sequential
        ],
        "cuped": {
            "available": readouts.cuped_available,
            "pre_period_days": readouts.pre_period_days,
            "users_with_pre_spend": readouts.users_with_pre_spend,
            "comparisons": [
                {
                    "variant": c.arm,
                    "difference": _finite(c.adjusted.difference),
                    "ci_low": _finite(c.adjusted.ci_low),
                    "ci_high": _finite(c.adjusted.ci_high),
                    "p_value": _finite(c.adjusted.p_value),
                    "unadjusted_difference": _finite(c.raw.difference),
                    "unadjusted_ci_low": _finite(c.raw.ci_low),
                    "unadjusted_ci_high": _finite(c.raw.ci_high),
                    "theta": _finite(c.theta),
                    "variance_reduction": _finite(c.variance_reduction),
                }
                for c in readouts.cuped
            ],
        },
        "notes": results.notes,
    }


class CampaignResultsApi(APIView):
    """Platform: per-arm results and statistics. Partner key: its agreement-safe aggregates only."""

    allowed_roles = roles_with(Capability.READ_CAMPAIGNS_API)
    required_scopes = (ApiScope.CAMPAIGNS_READ,)

    @extend_schema(operation_id="campaign_results", responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        actor = actor_for_request(request)
        campaign = campaign_get(actor=actor, pk=pk)
        if actor.is_platform:
            return Response(results_payload(campaign))
        payload = partner_campaign_results(campaign=campaign, partner=actor.organization)
        audit_record(
            action="campaign.partner_results_read",
            user=actor.user,
            api_key=actor.api_key,
            organization=actor.organization,
            target=campaign,
            metadata={"k": payload["k"], "suppressed_cells": payload["suppressed_cells"]},
        )
        return Response(payload)


class CampaignAttributionApi(APIView):
    allowed_roles = roles_with(Capability.ANALYSE_CAMPAIGNS)
    required_scopes = None

    @extend_schema(
        operation_id="campaign_attribution",
        parameters=[
            OpenApiParameter("model", str, enum=["last_touch", "position_based"]),
            OpenApiParameter("window_days", int),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request, pk: int):
        actor = actor_for_request(request)
        campaign = campaign_get(actor=actor, pk=pk, for_write=True)
        model = request.query_params.get("model") or None
        if model not in (None, "last_touch", "position_based"):
            model = None
        try:
            window = max(1, min(90, int(request.query_params.get("window_days", 0)))) or None
        except ValueError:
            window = None
        report = campaign_attribution(campaign=campaign, model=model, window_days=window)
        lift = campaign_forecast_lift(campaign=campaign)
        return Response({**report.__dict__, "forecast_lift": lift.__dict__})


class CampaignReweightApi(APIView):
    allowed_roles = roles_with(Capability.MANAGE_CAMPAIGNS)
    required_scopes = None

    @extend_schema(operation_id="campaign_reweight", request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request, pk: int):
        actor = actor_for_request(request)
        change = campaign_reweight(campaign=campaign_get(actor=actor, pk=pk, for_write=True))
        if change is None:
            return Response({"changed": False, "weights": None})
        return Response({"changed": True, "weights": change.weights, "moved_share": change.moved_share})


class TrackingLinkCreateApi(APIView):
    allowed_roles = roles_with(Capability.MANAGE_CAMPAIGNS)
    required_scopes = None

    class InputSerializer(serializers.Serializer):
        destination = serializers.URLField(max_length=500)
        variant = serializers.CharField(required=False, allow_blank=True)
        partner = serializers.IntegerField(required=False, allow_null=True)

    class OutputSerializer(serializers.Serializer):
        code = serializers.CharField()
        destination = serializers.CharField()
        path = serializers.SerializerMethodField()

        def get_path(self, link) -> str:
            return f"/t/{link.code}"

    @extend_schema(operation_id="tracking_link_create", request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request, pk: int):
        actor = actor_for_request(request)
        campaign = campaign_get(actor=actor, pk=pk, for_write=True)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        variant = campaign.variants.filter(key=data.validated_data.get("variant") or "").first()
        partner = campaign.partners.filter(pk=data.validated_data.get("partner") or 0).first()
        link = tracking_link_create(
            campaign=campaign,
            destination=data.validated_data["destination"],
            by=actor.user,
            variant=variant,
            partner=partner,
        )
        return Response(self.OutputSerializer(link).data, status=status.HTTP_201_CREATED)


name_nested_serializers(globals())
