"""Clean-room overlap endpoint: a partner uploads agreement-keyed hashes and receives aggregates only."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics.services.overlap import BREAKDOWN_ATTRIBUTES, overlap_run
from campaigns.models import ApiScope, DataSharingAgreement
from xmkt_site.access import actor_for_request
from xmkt_site.api.fields import CappedListField
from xmkt_site.errors import NotFoundError
from xmkt_site.roles import Capability, roles_with


@extend_schema_serializer(component_name="OverlapCell")
class OverlapCellSerializer(serializers.Serializer):
    segment = serializers.CharField()
    attribute = serializers.CharField(allow_null=True)
    count = serializers.IntegerField(allow_null=True)
    suppressed = serializers.BooleanField()


class OverlapRunApi(APIView):
    """Run a clean-room overlap under an agreement the caller's organization is the partner of."""

    allowed_roles = roles_with(Capability.RUN_OVERLAP)
    required_scopes = (ApiScope.OVERLAP_RUN,)

    @extend_schema_serializer(component_name="OverlapRunInput")
    class InputSerializer(serializers.Serializer):
        hashed_identifiers = CappedListField(
            child=serializers.RegexField(r"^[0-9a-fA-F]{64}$"),
            allow_empty=False,
            max_length_setting="OVERLAP_MAX_TOKENS",
            help_text="Hex HMAC-SHA256 of normalised phone numbers / e-mail addresses under the agreement's key; at"
            " most OVERLAP_MAX_TOKENS (100,000) per upload.",
        )
        breakdown = serializers.ChoiceField(choices=BREAKDOWN_ATTRIBUTES, required=False, default="")
        epsilon = serializers.FloatField(
            required=False,
            allow_null=True,
            default=None,
            min_value=0.001,
            max_value=10.0,
            help_text="The ε of the Laplace noise, spent from the agreement's budget (also when the query is refused "
            "as a difference query). Every answer is noised: without a value the deployment's default is spent.",
        )

    @extend_schema_serializer(component_name="OverlapRunOutput")
    class OutputSerializer(serializers.Serializer):
        query = serializers.IntegerField(source="query.pk")
        overlap_size = serializers.IntegerField(allow_null=True)
        overlap_suppressed = serializers.BooleanField()
        breakdown = serializers.CharField(source="query.breakdown")
        cells = OverlapCellSerializer(many=True)
        suppressed_cells = serializers.IntegerField()
        min_cell_size = serializers.IntegerField()
        mechanism = serializers.CharField()
        epsilon_spent = serializers.FloatField()
        epsilon_budget = serializers.FloatField(allow_null=True)
        epsilon_remaining = serializers.FloatField(allow_null=True)

    @extend_schema(operation_id="agreement_overlap_run", request=InputSerializer, responses={200: OutputSerializer})
    def post(self, request, pk: int):
        actor = actor_for_request(request)
        agreement = (
            DataSharingAgreement.objects.select_related("platform", "partner")
            .filter(pk=pk, partner=actor.organization)
            .first()
        )
        if agreement is None:
            raise NotFoundError(_("No agreement with this id names your organization as partner."))
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = overlap_run(
            agreement=agreement,
            hashed_identifiers=serializer.validated_data["hashed_identifiers"],
            breakdown=serializer.validated_data["breakdown"],
            epsilon=serializer.validated_data["epsilon"],
            api_key=actor.api_key,
            user=actor.user,
        )
        return Response(self.OutputSerializer(result).data)
