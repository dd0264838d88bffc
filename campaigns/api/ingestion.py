"""Partner-facing write APIs of the system of record: batch ingestion of consumers and catalogue items."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from campaigns.models import ApiScope
from campaigns.services.ingestion import BatchResult, batch_rows_read, catalog_item_batch_ingest, consumer_batch_ingest
from xmkt_site.access import actor_for_request
from xmkt_site.api.parsers import SafeJSONParser
from xmkt_site.roles import Capability, roles_with


class ErasedCountMixin:
    """`erased` appears only when rows named consumers erased by a data-subject request (they are skipped)."""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not data.get("erased"):
            data.pop("erased", None)
        return data


class BatchOutputSerializer(ErasedCountMixin, serializers.Serializer):
    received = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    erased = serializers.IntegerField(
        required=False,
        help_text="Consumer rows skipped because that person was erased at their request; present only when > 0.",
    )


class BatchUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV with a header line of the same field names as the JSON rows.")


class BatchIngestApi(APIView):
    """One shape for every batch endpoint: `{<rows_key>: [...]}` or a CSV upload in `file`; whole or nothing."""

    allowed_roles = roles_with(Capability.INGEST_DATA)
    parser_classes = [SafeJSONParser, MultiPartParser]
    rows_key = ""
    OutputSerializer = BatchOutputSerializer

    def ingest(self, **kwargs) -> BatchResult:
        raise NotImplementedError

    def post(self, request):
        actor = actor_for_request(request)
        rows, source = batch_rows_read(data=request.data, key=self.rows_key, upload=request.FILES.get("file"))
        result = self.ingest(
            organization=actor.organization, rows=rows, by=actor.user, api_key=actor.api_key, source=source
        )
        return Response(self.OutputSerializer(result).data)


def batch_schema(
    *,
    request: type[serializers.Serializer],
    operation_id: str,
    output: type[serializers.Serializer] = BatchOutputSerializer,
):
    return extend_schema(
        operation_id=operation_id,
        request={"application/json": request, "multipart/form-data": BatchUploadSerializer},
        responses={
            200: output,
            400: OpenApiResponse(description="invalid_rows (every bad row listed), batch_too_large or empty_batch"),
        },
    )


class ConsumerRowSerializer(serializers.Serializer):
    """Documentation of a row only; rows are validated by campaigns.services.ingestion."""

    external_ref = serializers.CharField(max_length=128)
    phone = serializers.CharField(required=False, help_text="Raw; hashed on arrival, never stored.")
    email = serializers.CharField(required=False, help_text="Raw; hashed on arrival, never stored.")
    age_band = serializers.CharField(required=False)
    gender = serializers.CharField(required=False)
    city = serializers.CharField(required=False)
    city_tier = serializers.IntegerField(required=False, min_value=1, max_value=5)


class CatalogItemRowSerializer(serializers.Serializer):
    """Documentation of a row only; rows are validated by campaigns.services.ingestion."""

    external_ref = serializers.CharField(max_length=128)
    kind = serializers.CharField()
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False)
    category = serializers.CharField(required=False)
    tags = serializers.ListField(child=serializers.CharField(), required=False)
    price = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
    currency = serializers.CharField(required=False)
    active = serializers.BooleanField(required=False)


class ConsumerBatchSerializer(serializers.Serializer):
    consumers = ConsumerRowSerializer(many=True)


class CatalogItemBatchSerializer(serializers.Serializer):
    items = CatalogItemRowSerializer(many=True)


class ConsumerBatchIngestApi(BatchIngestApi):
    """Create or update up to INGEST_MAX_ROWS consumers of the caller's organization, matched on external_ref."""

    required_scopes = (ApiScope.CONSUMERS_WRITE,)
    rows_key = "consumers"

    @batch_schema(request=ConsumerBatchSerializer, operation_id="consumers_batch")
    def post(self, request):
        return super().post(request)

    def ingest(self, **kwargs) -> BatchResult:
        return consumer_batch_ingest(**kwargs)


class CatalogItemBatchIngestApi(BatchIngestApi):
    """Create or update up to INGEST_MAX_ROWS catalogue items of the caller's organization, matched on external_ref."""

    required_scopes = (ApiScope.CATALOG_WRITE,)
    rows_key = "items"

    @batch_schema(request=CatalogItemBatchSerializer, operation_id="items_batch")
    def post(self, request):
        return super().post(request)

    def ingest(self, **kwargs) -> BatchResult:
        return catalog_item_batch_ingest(**kwargs)
