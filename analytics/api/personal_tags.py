"""Personal tags on behalf of a consumer: list them, delete one (platform keys with `consents:write`)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics.services.personal_tags import personal_tag_remove, personal_tags_of
from campaigns.models import ApiScope, Consumer, PersonalTagDeletion
from campaigns.services.audit import audit_record
from xmkt_site.access import actor_for_request
from xmkt_site.errors import ApplicationError, NotFoundError
from xmkt_site.roles import Capability, roles_with


def _consumer(actor, external_ref: str) -> Consumer:
    consumer = Consumer.objects.filter(organization=actor.organization, external_ref=external_ref).first()
    if consumer is None:
        raise NotFoundError(_("No consumer with this reference in your organization."))
    return consumer


@extend_schema_serializer(component_name="PersonalTag")
class PersonalTagSerializer(serializers.Serializer):
    kind = serializers.CharField()
    key = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    weight = serializers.FloatField(allow_null=True)


class ConsumerTagListApi(APIView):
    """The tags used to personalise for one consumer: current segment and interest topics, deleted ones left out."""

    allowed_roles = roles_with(Capability.MANAGE_PRIVACY)
    required_scopes = (ApiScope.CONSENTS_WRITE,)

    @extend_schema_serializer(component_name="ConsumerTagListOutput")
    class OutputSerializer(serializers.Serializer):
        consumer = serializers.CharField()
        tags = PersonalTagSerializer(many=True)

    @extend_schema(operation_id="consumer_tags_list", responses={200: OutputSerializer})
    def get(self, request, external_ref: str):
        actor = actor_for_request(request)
        consumer = _consumer(actor, external_ref)
        tags = personal_tags_of(consumer=consumer)
        audit_record(
            action="personal_tag.list",
            user=actor.user,
            api_key=actor.api_key,
            organization=actor.organization,
            metadata={"tags": len(tags)},
        )
        data = {"consumer": consumer.external_ref, "tags": tags}
        return Response(self.OutputSerializer(data).data)


class ConsumerTagDeleteApi(APIView):
    """Delete one tag; it stays out of the next segmentation and topic runs."""

    allowed_roles = roles_with(Capability.MANAGE_PRIVACY)
    required_scopes = (ApiScope.CONSENTS_WRITE,)

    @extend_schema(operation_id="consumer_tags_delete", responses={204: None})
    def delete(self, request, external_ref: str, kind: str, key: str):
        actor = actor_for_request(request)
        consumer = _consumer(actor, external_ref)
        if kind not in PersonalTagDeletion.Kind.values:
            raise ApplicationError(_("Unknown tag kind."), fields={"kind": [_("unknown kind")]})
        personal_tag_remove(consumer=consumer, kind=kind, key=key, by=actor.user, api_key=actor.api_key)
        return Response(status=status.HTTP_204_NO_CONTENT)
