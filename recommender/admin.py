from django.contrib import admin

from campaigns.admin_access import XmktModelAdmin
from recommender.models import ModelVersion, RecommendationFeedback, RecommendationLog
from xmkt_site.roles import Capability


@admin.register(ModelVersion)
class ModelVersionAdmin(XmktModelAdmin):
    view_capability = Capability.READ_MODELS
    change_capability = Capability.TRAIN_MODELS
    list_display = ("label", "organization", "target", "status", "is_champion", "trained_at", "fit_seconds")
    list_filter = ("status", "is_champion", "organization", "target")
    # Champion and status change only through training (champion_promote flips them together with the precomputed
    # rows); editing them here would leave serving without rows, falling back to popular items.
    readonly_fields = (
        "status",
        "is_champion",
        "metrics",
        "parameters",
        "data_size",
        "popular_items",
        "artifact_path",
    )


@admin.register(RecommendationLog)
class RecommendationLogAdmin(XmktModelAdmin):
    view_capability = Capability.READ_MODELS
    change_capability = Capability.TRAIN_MODELS
    list_display = ("recommendation_id", "organization", "target", "personalized", "served_at")
    list_filter = ("personalized", "target")
    raw_id_fields = ("consumer", "model_version")


@admin.register(RecommendationFeedback)
class RecommendationFeedbackAdmin(XmktModelAdmin):
    view_capability = Capability.READ_MODELS
    change_capability = Capability.TRAIN_MODELS
    list_display = ("served", "item", "kind", "occurred_at")
    list_filter = ("kind",)
    raw_id_fields = ("served", "item", "campaign")
