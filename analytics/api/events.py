"""Partner-facing write API for behavioural events."""

from rest_framework import serializers

from analytics.services.ingestion import event_batch_ingest
from campaigns.api.ingestion import BatchIngestApi, ErasedCountMixin, batch_schema
from campaigns.models import ApiScope
from campaigns.services.ingestion import BatchResult
from xmkt_site.api.fields import EventTimeField


class EventRowSerializer(serializers.Serializer):
    """Documentation of a row only; rows are validated by analytics.services.ingestion."""

    external_id = serializers.CharField(max_length=128, help_text="Unique per organization; a replay is a duplicate.")
    type = serializers.CharField()
    occurred_at = EventTimeField(
        help_text="ISO 8601; without an offset it is read as Asia/Shanghai. From EVENT_TIME_MIN (2000-01-01) to now +"
        " EVENT_TIME_MAX_AHEAD_HOURS (24)."
    )
    consumer = serializers.CharField(required=False, help_text="The consumer's external_ref; omit for a guest.")
    item = serializers.CharField(required=False, help_text="The catalogue item's external_ref.")
    quantity = serializers.IntegerField(required=False, min_value=0)
    value = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, min_value=0)
    currency = serializers.CharField(required=False)
    rating = serializers.IntegerField(required=False, min_value=1, max_value=5)
    campaign = serializers.IntegerField(required=False)


class EventBatchSerializer(serializers.Serializer):
    events = EventRowSerializer(many=True)


class EventBatchOutputSerializer(ErasedCountMixin, serializers.Serializer):
    received = serializers.IntegerField()
    created = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    erased = serializers.IntegerField(
        required=False,
        help_text="Events skipped because they name a consumer erased at their request; present only when > 0.",
    )


class EventBatchIngestApi(BatchIngestApi):
    """Record up to INGEST_MAX_ROWS events of the caller's organization; replays are counted, not duplicated."""

    required_scopes = (ApiScope.EVENTS_WRITE,)
    rows_key = "events"
    OutputSerializer = EventBatchOutputSerializer

    @batch_schema(request=EventBatchSerializer, operation_id="events_batch", output=EventBatchOutputSerializer)
    def post(self, request):
        return super().post(request)

    def ingest(self, **kwargs) -> BatchResult:
        return event_batch_ingest(**kwargs)
