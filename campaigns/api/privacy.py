"""Privacy REST endpoints: consent capture and history, data-subject requests. One view per operation."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from campaigns.models import (
    ApiScope,
    ConsentRecord,
    Consumer,
    DataCategory,
    DataPurpose,
    DataSubjectRequest,
    Organization,
)
from campaigns.selectors.consent import consent_history, consent_state
from campaigns.selectors.privacy import dsr_get, dsr_is_overdue, dsr_list
from campaigns.services.audit import audit_record
from campaigns.services.consent import ConsentInput, consent_record_batch
from campaigns.services.privacy import dsr_create, dsr_execute, dsr_reject
from xmkt_site.access import Actor, actor_for_request
from xmkt_site.errors import ApplicationError, NotFoundError
from xmkt_site.roles import Capability, roles_with

MAX_CONSENT_BATCH = 10_000


def _audit(actor: Actor, action: str, **kwargs) -> None:
    audit_record(action=action, user=actor.user, api_key=actor.api_key, organization=actor.organization, **kwargs)


# --- consents ----------------------------------------------------------------------------------------------------


class ConsentInputSerializer(serializers.Serializer):
    consumer = serializers.CharField(max_length=128, help_text="The consumer's external_ref in your organization.")
    purpose = serializers.ChoiceField(choices=DataPurpose.choices)
    granted = serializers.BooleanField()
    policy_version = serializers.CharField(max_length=32)
    recipient = serializers.SlugField(
        required=False, allow_null=True, default=None, help_text="Recipient organization's slug (partner_sharing)."
    )
    data_categories = serializers.ListField(
        child=serializers.ChoiceField(choices=DataCategory.choices), required=False, default=list
    )
    source = serializers.CharField(max_length=64, required=False, default="api")
    recorded_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class ConsentBatchInputSerializer(serializers.Serializer):
    consents = ConsentInputSerializer(many=True, allow_empty=False, max_length=MAX_CONSENT_BATCH)


class ConsentOutputSerializer(serializers.ModelSerializer):
    consumer = serializers.CharField(source="consumer.external_ref")
    recipient = serializers.CharField(source="recipient.slug", allow_null=True, default=None)

    class Meta:
        model = ConsentRecord
        fields = [
            "id",
            "consumer",
            "purpose",
            "recipient",
            "granted",
            "data_categories",
            "policy_version",
            "source",
            "recorded_at",
            "received_at",
        ]


class ConsentCreateApi(APIView):
    """Record consent grants or withdrawals: one object, or `{"consents": [...]}` (all or none)."""

    allowed_roles = roles_with(Capability.MANAGE_PRIVACY)
    required_scopes = (ApiScope.CONSENTS_WRITE,)

    @extend_schema_serializer(component_name="ConsentCreateOutput")
    class OutputSerializer(serializers.Serializer):
        created = serializers.IntegerField()
        consents = ConsentOutputSerializer(many=True)

    @extend_schema(
        operation_id="consents_create",
        request=PolymorphicProxySerializer(
            component_name="ConsentCreateRequest",
            serializers=[ConsentInputSerializer, ConsentBatchInputSerializer],
            resource_type_field_name=None,
        ),
        responses={201: OutputSerializer},
    )
    def post(self, request):
        actor = actor_for_request(request)
        is_batch = isinstance(request.data, dict) and "consents" in request.data
        if is_batch:
            serializer = ConsentBatchInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            rows = serializer.validated_data["consents"]
        else:
            serializer = ConsentInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            rows = [serializer.validated_data]
        consumers = {
            c.external_ref: c
            for c in Consumer.objects.filter(
                organization=actor.organization, external_ref__in={row["consumer"] for row in rows}
            ).select_related("organization")
        }
        recipients = {
            o.slug: o
            for o in Organization.objects.filter(slug__in={row["recipient"] for row in rows if row["recipient"]})
        }
        errors: dict[str, list[str]] = {}
        inputs: list[ConsentInput] = []
        for index, row in enumerate(rows):
            prefix = f"consents[{index}]." if is_batch else ""
            consumer = consumers.get(row["consumer"])
            recipient = recipients.get(row["recipient"]) if row["recipient"] else None
            if consumer is None:
                errors[f"{prefix}consumer"] = [_("No consumer with this reference in your organization.")]
            if row["recipient"] and recipient is None:
                errors[f"{prefix}recipient"] = [_("Unknown organization.")]
            if consumer is not None:
                inputs.append(
                    ConsentInput(
                        consumer=consumer,
                        purpose=row["purpose"],
                        granted=row["granted"],
                        policy_version=row["policy_version"],
                        recipient=recipient,
                        data_categories=row["data_categories"],
                        source=row["source"],
                        recorded_at=row["recorded_at"],
                    )
                )
        if errors:
            raise ApplicationError(_("Some consent records are invalid; none was saved."), fields=errors)
        records = consent_record_batch(
            organization=actor.organization, consents=inputs, by=actor.user, api_key=actor.api_key
        )
        data = {"created": len(records), "consents": records}
        return Response(self.OutputSerializer(data).data, status=status.HTTP_201_CREATED)


class ConsumerConsentHistoryApi(APIView):
    """A consumer's consent history (newest first) and the record in force per purpose and recipient."""

    allowed_roles = roles_with(Capability.MANAGE_PRIVACY)
    required_scopes = (ApiScope.CONSENTS_WRITE,)

    @extend_schema_serializer(component_name="ConsentInForce")
    class StateSerializer(serializers.Serializer):
        purpose = serializers.CharField()
        recipient = serializers.CharField(source="recipient.slug", allow_null=True, default=None)
        granted = serializers.BooleanField()
        policy_version = serializers.CharField()
        data_categories = serializers.ListField(child=serializers.CharField())
        recorded_at = serializers.DateTimeField()
        received_at = serializers.DateTimeField()

    @extend_schema_serializer(component_name="ConsumerConsentHistoryOutput")
    class OutputSerializer(serializers.Serializer):
        consumer = serializers.CharField()
        in_force = serializers.ListField(child=serializers.DictField())
        history = ConsentOutputSerializer(many=True)

    @extend_schema(operation_id="consumer_consents_list", responses=OutputSerializer)
    def get(self, request, external_ref: str):
        actor = actor_for_request(request)
        consumer = Consumer.objects.filter(organization=actor.organization, external_ref=external_ref).first()
        if consumer is None:
            raise NotFoundError(_("No consumer with this reference in your organization."))
        history = list(consent_history(consumer=consumer))
        _audit(actor, "consent.history.read", metadata={"records": len(history)})
        data = {
            "consumer": consumer.external_ref,
            "in_force": self.StateSerializer(consent_state(consumer=consumer), many=True).data,
            "history": history,
        }
        return Response(self.OutputSerializer(data).data)


# --- data-subject requests (privacy administrators, web session only) -------------------------------------------


class DataSubjectRequestOutputSerializer(serializers.ModelSerializer):
    consumer = serializers.CharField(source="consumer.external_ref", allow_null=True, default=None)
    overdue = serializers.SerializerMethodField()
    has_export = serializers.SerializerMethodField()

    class Meta:
        model = DataSubjectRequest
        fields = [
            "id",
            "kind",
            "status",
            "consumer",
            "received_at",
            "due_at",
            "completed_at",
            "overdue",
            "has_export",
            "notes",
        ]

    def get_overdue(self, obj: DataSubjectRequest) -> bool:
        return dsr_is_overdue(obj)

    def get_has_export(self, obj: DataSubjectRequest) -> bool:
        return obj.export is not None


class DataSubjectRequestListApi(APIView):
    allowed_roles = roles_with(Capability.MANAGE_PRIVACY)
    required_scopes = None  # personal-data operations stay in the web UI's hands, never a partner key's

    @extend_schema_serializer(component_name="DataSubjectRequestListFilter")
    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(
            choices=["open", *DataSubjectRequest.Status.values], required=False, allow_blank=True
        )
        kind = serializers.ChoiceField(choices=DataSubjectRequest.Kind.choices, required=False, allow_blank=True)

    @extend_schema(
        operation_id="privacy_requests_list",
        parameters=[FilterSerializer],
        responses=DataSubjectRequestOutputSerializer(many=True),
    )
    def get(self, request):
        actor = actor_for_request(request)
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        requests = dsr_list(organization=actor.organization, **filters.validated_data)
        paginator = LimitOffsetPagination()
        page = paginator.paginate_queryset(requests, request, view=self)
        _audit(actor, "dsr.list.read", metadata={"count": len(page)})
        return paginator.get_paginated_response(DataSubjectRequestOutputSerializer(page, many=True).data)


class DataSubjectRequestCreateApi(APIView):
    allowed_roles = roles_with(Capability.MANAGE_PRIVACY)
    required_scopes = None

    @extend_schema_serializer(component_name="DataSubjectRequestCreateInput")
    class InputSerializer(serializers.Serializer):
        consumer = serializers.CharField(max_length=128, help_text="The consumer's external_ref.")
        kind = serializers.ChoiceField(choices=DataSubjectRequest.Kind.choices)
        notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
        received_at = serializers.DateTimeField(required=False, allow_null=True, default=None)

    @extend_schema(
        operation_id="privacy_requests_create",
        request=InputSerializer,
        responses={201: DataSubjectRequestOutputSerializer},
    )
    def post(self, request):
        actor = actor_for_request(request)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        created = dsr_create(
            organization=actor.organization,
            external_ref=data["consumer"],
            kind=data["kind"],
            notes=data["notes"],
            received_at=data["received_at"],
            by=actor.user,
        )
        return Response(DataSubjectRequestOutputSerializer(created).data, status=status.HTTP_201_CREATED)


class DataSubjectRequestDetailApi(APIView):
    allowed_roles = roles_with(Capability.MANAGE_PRIVACY)
    required_scopes = None

    @extend_schema(operation_id="privacy_requests_retrieve", responses=DataSubjectRequestOutputSerializer)
    def get(self, request, pk: int):
        actor = actor_for_request(request)
        found = dsr_get(organization=actor.organization, pk=pk)
        _audit(actor, "dsr.read", target=found)
        return Response(DataSubjectRequestOutputSerializer(found).data)


class DataSubjectRequestExecuteApi(APIView):
    """Carry out an open request: build the access export, or erase the consumer and leave a tombstone."""

    allowed_roles = roles_with(Capability.MANAGE_PRIVACY)
    required_scopes = None

    @extend_schema(operation_id="privacy_requests_execute", request=None, responses=DataSubjectRequestOutputSerializer)
    def post(self, request, pk: int):
        actor = actor_for_request(request)
        found = dsr_get(organization=actor.organization, pk=pk)
        return Response(DataSubjectRequestOutputSerializer(dsr_execute(request=found, by=actor.user)).data)


class DataSubjectRequestRejectApi(APIView):
    allowed_roles = roles_with(Capability.MANAGE_PRIVACY)
    required_scopes = None

    @extend_schema_serializer(component_name="DataSubjectRequestRejectInput")
    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=2000)

    @extend_schema(
        operation_id="privacy_requests_reject", request=InputSerializer, responses=DataSubjectRequestOutputSerializer
    )
    def post(self, request, pk: int):
        actor = actor_for_request(request)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        found = dsr_get(organization=actor.organization, pk=pk)
        rejected = dsr_reject(request=found, reason=serializer.validated_data["reason"], by=actor.user)
        return Response(DataSubjectRequestOutputSerializer(rejected).data)


class DataSubjectRequestExportApi(APIView):
    """The JSON export of a completed access request, as handed to the consumer."""

    allowed_roles = roles_with(Capability.MANAGE_PRIVACY)
    required_scopes = None

    @extend_schema(
        operation_id="privacy_requests_export",
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request, pk: int):
        actor = actor_for_request(request)
        found = dsr_get(organization=actor.organization, pk=pk)
        if found.export is None:
            raise NotFoundError(_("This request has no export."))
        _audit(actor, "dsr.export.download", target=found)
        return Response(found.export)
