"""/api/v1/ endpoints of segments and forecasts."""

from django.urls import path

from analytics import insight_apis

urlpatterns = [
    path("segments/", insight_apis.SegmentListApi.as_view(), name="segment-list"),
    path("segments/<int:pk>/", insight_apis.SegmentDetailApi.as_view(), name="segment-detail"),
    path("forecasts/", insight_apis.ForecastListApi.as_view(), name="forecast-list"),
]
