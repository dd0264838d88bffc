"""Django admin for behavioural data: events are searched by their external id, never by a person's identifiers."""

from django.contrib import admin

from analytics.models import (
    ConsumerProfile,
    DailyEventRollup,
    Event,
    Forecast,
    ForecastPoint,
    MarketIndicator,
    OverlapMatchToken,
    OverlapQuery,
    Segment,
    SegmentMembership,
    SegmentRun,
)
from campaigns.admin_access import XmktModelAdmin
from xmkt_site.roles import Capability


@admin.register(Event)
class EventAdmin(XmktModelAdmin):
    view_capability = Capability.READ_INSIGHTS
    change_capability = Capability.INGEST_DATA
    list_display = ["external_id", "organization", "type", "consumer", "item", "quantity", "value", "occurred_at"]
    list_filter = ["type", "organization", "currency"]
    search_fields = ["external_id", "consumer__external_ref", "item__external_ref"]
    date_hierarchy = "occurred_at"
    raw_id_fields = ["consumer", "item", "campaign"]
    list_select_related = ["organization", "consumer", "item"]
    show_full_result_count = False  # counting millions of events on every page load is slow on PostgreSQL


@admin.register(DailyEventRollup)
class DailyEventRollupAdmin(XmktModelAdmin):
    """Rebuilt by the rollup job; edits would be overwritten, so the admin only reads."""

    view_capability = Capability.READ_INSIGHTS
    change_capability = Capability.START_JOBS

    list_display = ["date", "organization", "type", "events", "units", "value", "consumers", "updated_at"]
    list_filter = ["type", "organization"]
    date_hierarchy = "date"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ComputedAdmin(XmktModelAdmin):
    """Rows the pipeline computes (profiles, segments, forecasts): the admin reads them; a new run replaces them."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ConsumerProfile)
class ConsumerProfileAdmin(ComputedAdmin):
    view_capability = Capability.READ_INSIGHTS
    change_capability = Capability.START_JOBS
    list_display = ["consumer", "organization", "recency_days", "frequency", "monetary", "tenure_days", "computed_at"]
    list_filter = ["organization"]
    search_fields = ["consumer__external_ref"]
    list_select_related = ["consumer", "organization"]
    show_full_result_count = False


@admin.register(SegmentRun)
class SegmentRunAdmin(ComputedAdmin):
    view_capability = Capability.READ_INSIGHTS
    change_capability = Capability.START_JOBS
    list_display = ["pk", "organization", "k", "silhouette", "davies_bouldin", "consumers", "is_current", "created_at"]
    list_filter = ["organization", "is_current"]
    date_hierarchy = "created_at"


@admin.register(Segment)
class SegmentAdmin(ComputedAdmin):
    view_capability = Capability.READ_INSIGHTS
    change_capability = Capability.START_JOBS
    list_display = ["key", "name_zh", "name_en", "organization", "size", "targetable_size", "share", "is_current"]
    list_filter = ["organization", "is_current"]
    search_fields = ["key", "name_zh", "name_en"]


@admin.register(SegmentMembership)
class SegmentMembershipAdmin(ComputedAdmin):
    view_capability = Capability.READ_INSIGHTS
    change_capability = Capability.START_JOBS
    list_display = ["segment", "consumer", "distance"]
    search_fields = ["consumer__external_ref"]
    list_select_related = ["segment", "consumer"]
    show_full_result_count = False


@admin.register(Forecast)
class ForecastAdmin(ComputedAdmin):
    view_capability = Capability.READ_INSIGHTS
    change_capability = Capability.START_JOBS
    list_display = ["series_kind", "series_key", "metric", "organization", "horizon", "chosen_model", "is_current"]
    list_filter = ["organization", "series_kind", "metric", "is_current"]
    search_fields = ["series_key", "chosen_model"]
    date_hierarchy = "created_at"


@admin.register(ForecastPoint)
class ForecastPointAdmin(ComputedAdmin):
    view_capability = Capability.READ_INSIGHTS
    change_capability = Capability.START_JOBS
    list_display = ["forecast", "date", "actual", "predicted", "lower", "upper"]
    date_hierarchy = "date"
    list_select_related = ["forecast"]


@admin.register(MarketIndicator)
class MarketIndicatorAdmin(XmktModelAdmin):
    """External inputs to forecasts, maintained by hand or imported."""

    view_capability = Capability.READ_INSIGHTS
    change_capability = Capability.START_JOBS

    list_display = ["name", "organization", "date", "value"]
    list_filter = ["organization", "name"]
    search_fields = ["name"]
    date_hierarchy = "date"


@admin.register(OverlapMatchToken)
class OverlapMatchTokenAdmin(ComputedAdmin):
    """Per-agreement matching tokens are keyed hashes: the admin counts them, it never shows one."""

    view_capability = Capability.RUN_OVERLAP
    change_capability = Capability.RUN_OVERLAP

    list_display = ["pk", "agreement", "consumer"]
    list_filter = ["agreement"]
    exclude = ["token"]
    list_select_related = ["agreement", "consumer"]
    show_full_result_count = False


@admin.register(OverlapQuery)
class OverlapQueryAdmin(ComputedAdmin):
    """What each clean-room query released, for the privacy officer. The matched audience itself stays out."""

    view_capability = Capability.MANAGE_PRIVACY

    list_display = [
        "created_at",
        "agreement",
        "api_key",
        "requested_by",
        "audience_size",
        "breakdown",
        "mechanism",
        "epsilon",
    ]
    list_filter = ["agreement", "mechanism", "breakdown"]
    date_hierarchy = "created_at"
    exclude = ["matched_set", "audience_fingerprint"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # released aggregates are the record of what left the platform
