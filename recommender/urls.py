from django.urls import path

from recommender.views import model_detail_view, model_list_view, model_train_view, recommendation_preview_view

urlpatterns = [
    path("recommendations/", model_list_view, name="recommendation-models"),
    path("recommendations/models/<int:pk>/", model_detail_view, name="recommendation-model-detail"),
    path("recommendations/train/", model_train_view, name="recommendation-train"),
    path("recommendations/preview/", recommendation_preview_view, name="recommendation-preview"),
]
