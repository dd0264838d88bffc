from django.contrib import admin

from recommender.models import ModelVersion, RecommendationFeedback, RecommendationLog


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
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
class RecommendationLogAdmin(admin.ModelAdmin):
    list_display = ("recommendation_id", "organization", "target", "personalized", "served_at")
    list_filter = ("personalized", "target")
    raw_id_fields = ("consumer", "model_version")


@admin.register(RecommendationFeedback)
class RecommendationFeedbackAdmin(admin.ModelAdmin):
    list_display = ("served", "item", "kind", "occurred_at")
    list_filter = ("kind",)
    raw_id_fields = ("served", "item", "campaign")
