"""Django admin for behavioural data: events are searched by their external id, never by a person's identifiers."""

from django.contrib import admin

from analytics.models import DailyEventRollup, Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["external_id", "organization", "type", "consumer", "item", "quantity", "value", "occurred_at"]
    list_filter = ["type", "organization", "currency"]
    search_fields = ["external_id", "consumer__external_ref", "item__external_ref"]
    date_hierarchy = "occurred_at"
    raw_id_fields = ["consumer", "item", "campaign"]
    list_select_related = ["organization", "consumer", "item"]
    show_full_result_count = False  # counting millions of events on every page load is slow on PostgreSQL


@admin.register(DailyEventRollup)
class DailyEventRollupAdmin(admin.ModelAdmin):
    """Rebuilt by the rollup job; edits would be overwritten, so the admin only reads."""

    list_display = ["date", "organization", "type", "events", "units", "value", "consumers", "updated_at"]
    list_filter = ["type", "organization"]
    date_hierarchy = "date"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
