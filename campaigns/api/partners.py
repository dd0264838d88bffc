"""Partner APIs: data-sharing agreements, created by the platform's administrators."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from campaigns.models import (
    DataCategory,
    DataPurpose,
    Organization,
)
from xmkt_site.access import actor_for_request
from xmkt_site.api.schema import name_nested_serializers
from xmkt_site.error_codes import ErrorCode
from xmkt_site.errors import ApplicationError
from xmkt_site.roles import Capability, roles_with


class AgreementCreateApi(APIView):
    """Record a signed data-sharing agreement with a partner. Platform administrators only."""

    allowed_roles = roles_with(Capability.MANAGE_AGREEMENTS)
    required_scopes = None

    class InputSerializer(serializers.Serializer):
        partner = serializers.IntegerField()
        title = serializers.CharField(max_length=200)
        purposes = serializers.ListField(child=serializers.ChoiceField(DataPurpose.choices))
        data_categories = serializers.ListField(child=serializers.ChoiceField(DataCategory.choices))
        min_aggregate_size = serializers.IntegerField(min_value=2, default=50)
        valid_from = serializers.DateField()
        valid_until = serializers.DateField(required=False, allow_null=True)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        partner = serializers.IntegerField(source="partner_id")
        title = serializers.CharField()
        status = serializers.CharField()
        min_aggregate_size = serializers.IntegerField()

    @extend_schema(operation_id="agreement_create", request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request):
        from campaigns.services.campaigns import agreement_create

        actor = actor_for_request(request)
        if not actor.is_platform:
            raise ApplicationError(
                "Only the platform records agreements.", code=ErrorCode.PERMISSION_DENIED, status_code=403
            )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        partner = Organization.objects.filter(pk=values.pop("partner"), kind=Organization.Kind.PARTNER).first()
        if partner is None:
            raise ApplicationError("Unknown partner.", fields={"partner": ["Unknown partner."]})
        agreement = agreement_create(platform=actor.organization, partner=partner, by=actor.user, **values)
        return Response(self.OutputSerializer(agreement).data, status=status.HTTP_201_CREATED)


name_nested_serializers(globals())
