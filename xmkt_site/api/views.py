from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from xmkt_site.access import actor_for_request
from xmkt_site.roles import Capability, roles_with


class PingApi(APIView):
    """Authenticated and trivial: the baseline that other endpoints' benchmarks are compared with."""

    allowed_roles = roles_with(Capability.PING_API)
    required_scopes: tuple[str, ...] = ()

    @extend_schema_serializer(component_name="PingOutput")
    class OutputSerializer(serializers.Serializer):
        pong = serializers.BooleanField()
        organization = serializers.CharField()

    @extend_schema(responses=OutputSerializer, operation_id="ping")
    def get(self, request):
        actor = actor_for_request(request)
        return Response(self.OutputSerializer({"pong": True, "organization": actor.organization.slug}).data)
