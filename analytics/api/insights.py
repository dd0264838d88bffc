"""Read API of segments and forecasts under /api/v1/.

Internal roles read their organization's segments in full (never member lists: those are a CSV export on the page,
audited). Partners (an API key with campaigns:read, or a partner_user) read the platform's current segments only
as aggregates their agreement allows: a size counting the members who consented to sharing with them, suppressed
below the agreement's minimum cell size and counted as suppressed. Forecasts are the caller's own organization's.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics.selectors.forecasts import forecast_list
from analytics.selectors.segments import segment_get, segment_list, segment_run_current, segments_for_partner
from campaigns.models import ApiScope, Role
from campaigns.services.audit import audit_record
from xmkt_site.access import Actor, actor_for_request
from xmkt_site.errors import NotFoundError
from xmkt_site.roles import Capability, roles_with


def _is_partner_view(actor: Actor) -> bool:
    """Machines and partner staff get the agreement view; internal roles (of the platform, or of a partner running
    its own analytics on its own data) read their own organization's segments in full."""
    return actor.is_api_key or actor.role == Role.PARTNER_USER


@extend_schema_serializer(component_name="SegmentSummary")
class SegmentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    key = serializers.IntegerField(help_text="Stable segment number: kept across reruns for the same behaviour.")
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    description_zh = serializers.CharField()
    description_en = serializers.CharField()
    size = serializers.IntegerField()
    targetable_size = serializers.IntegerField(help_text="Members with personalization consent.")
    share = serializers.FloatField()
    centroid = serializers.DictField(child=serializers.FloatField())
    distinguishing = serializers.ListField(child=serializers.ListField())
    kpis = serializers.DictField()
    created_at = serializers.DateTimeField()


@extend_schema_serializer(component_name="PartnerSegmentSummary")
class PartnerSegmentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="segment.pk")
    key = serializers.IntegerField(source="segment.key")
    organization = serializers.CharField(source="segment.organization.slug")
    name_zh = serializers.CharField(source="segment.name_zh")
    name_en = serializers.CharField(source="segment.name_en")
    size = serializers.IntegerField(allow_null=True, help_text="Null when below the agreement's minimum cell size.")
    suppressed = serializers.BooleanField()
    min_cell_size = serializers.IntegerField()


class SegmentListApi(APIView):
    """The current behavioural segments (platform roles), or the aggregates a partner's agreement allows."""

    allowed_roles = roles_with(Capability.READ_INSIGHTS_API)
    required_scopes = (ApiScope.CAMPAIGNS_READ,)

    @extend_schema_serializer(component_name="SegmentListOutput")
    class OutputSerializer(serializers.Serializer):
        segment_run = serializers.DictField(allow_null=True)
        results = serializers.ListField(child=serializers.DictField())
        suppressed = serializers.IntegerField(help_text="Segments whose size is hidden by the minimum cell size.")

    @extend_schema(operation_id="segments_list", responses=OutputSerializer)
    def get(self, request):
        actor = actor_for_request(request)
        if _is_partner_view(actor):
            views, suppressed = segments_for_partner(partner=actor.organization)
            audit_record(
                action="segments.partner_read",
                user=actor.user,
                api_key=actor.api_key,
                organization=actor.organization,
                metadata={"segments": len(views), "suppressed": suppressed},
            )
            return Response(
                {
                    "segment_run": None,
                    "results": PartnerSegmentOutputSerializer(views, many=True).data,
                    "suppressed": suppressed,
                }
            )
        run = segment_run_current(organization=actor.organization)
        segments = list(segment_list(organization=actor.organization))
        return Response(
            {
                "segment_run": None
                if run is None
                else {
                    "id": run.pk,
                    "k": run.k,
                    "silhouette": run.silhouette,
                    "davies_bouldin": run.davies_bouldin,
                    "consumers": run.consumers,
                    "created_at": run.created_at,
                },
                "results": SegmentOutputSerializer(segments, many=True).data,
                "suppressed": 0,
            }
        )


class SegmentDetailApi(APIView):
    """One segment: full profile for its organization's roles, the allowed aggregate for a partner."""

    allowed_roles = roles_with(Capability.READ_INSIGHTS_API)
    required_scopes = (ApiScope.CAMPAIGNS_READ,)

    @extend_schema(operation_id="segments_retrieve", responses=SegmentOutputSerializer)
    def get(self, request, pk: int):
        actor = actor_for_request(request)
        if _is_partner_view(actor):
            views, _suppressed = segments_for_partner(partner=actor.organization)
            view = next((view for view in views if view.segment.pk == pk), None)
            if view is None:
                raise NotFoundError("No such segment visible to your organization.")
            return Response(PartnerSegmentOutputSerializer(view).data)
        segment = segment_get(organization=actor.organization, pk=pk)
        return Response(SegmentOutputSerializer(segment).data)


@extend_schema_serializer(component_name="ForecastPointOutput")
class ForecastPointOutputSerializer(serializers.Serializer):
    date = serializers.DateField()
    actual = serializers.FloatField(allow_null=True)
    predicted = serializers.FloatField(allow_null=True)
    lower = serializers.FloatField(allow_null=True)
    upper = serializers.FloatField(allow_null=True)


class ForecastListApi(APIView):
    """The organization's current demand forecasts, filtered by `series` (`total`, `category:<name>`) and
    `metric` (units | orders | revenue), with points, backtest of every candidate and drivers."""

    allowed_roles = roles_with(Capability.READ_INSIGHTS_API)
    required_scopes = (ApiScope.CAMPAIGNS_READ,)

    @extend_schema_serializer(component_name="ForecastOutput")
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField(source="pk")
        series = serializers.CharField()
        series_kind = serializers.CharField()
        series_key = serializers.CharField()
        metric = serializers.CharField()
        horizon = serializers.IntegerField()
        chosen_model = serializers.CharField()
        weights = serializers.DictField(child=serializers.FloatField())
        mae = serializers.FloatField(allow_null=True)
        explanation = serializers.CharField()
        backtest = serializers.ListField(child=serializers.DictField())
        drivers = serializers.DictField(child=serializers.FloatField())
        notes = serializers.ListField(child=serializers.CharField())
        history_days = serializers.IntegerField()
        created_at = serializers.DateTimeField()
        points = ForecastPointOutputSerializer(many=True)

    @extend_schema(
        operation_id="forecasts_list",
        parameters=[
            OpenApiParameter("series", str, description="`total` or `<kind>:<key>`, e.g. `category:Home`"),
            OpenApiParameter("metric", str, description="units | orders | revenue"),
        ],
        responses=inline_serializer(name="ForecastListOutput", fields={"results": OutputSerializer(many=True)}),
    )
    def get(self, request):
        actor = actor_for_request(request)
        forecasts = forecast_list(
            organization=actor.organization,
            series=request.query_params.get("series") or None,
            metric=request.query_params.get("metric") or None,
        ).prefetch_related("points")
        return Response({"results": self.OutputSerializer(forecasts, many=True).data})
