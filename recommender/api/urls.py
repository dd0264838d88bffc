"""REST endpoints under /api/v1/."""

from django.urls import path

from recommender.api.recommendations import ItemSimilarListApi, RecommendationFeedbackCreateApi, RecommendationListApi

urlpatterns = [
    path("recommendations/", RecommendationListApi.as_view(), name="recommendation-list"),
    path(
        "recommendations/<uuid:recommendation_id>/feedback/",
        RecommendationFeedbackCreateApi.as_view(),
        name="recommendation-feedback",
    ),
    path("items/<int:item_id>/similar/", ItemSimilarListApi.as_view(), name="item-similar"),
]
