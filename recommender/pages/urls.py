from django.urls import path

from recommender.pages import preview, registry

urlpatterns = [
    path("recommendations/", registry.model_list_view, name="recommendation-models"),
    path("recommendations/models/<int:pk>/", registry.model_detail_view, name="recommendation-model-detail"),
    path("recommendations/train/", registry.model_train_view, name="recommendation-train"),
    path("recommendations/preview/", preview.recommendation_preview_view, name="recommendation-preview"),
]
