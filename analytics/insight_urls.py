"""Pages of segments and forecasts."""

from django.urls import path

from analytics import insight_views as views

urlpatterns = [
    path("segments/", views.segment_list_view, name="segment-list"),
    path("segments/<int:pk>/", views.segment_detail_view, name="segment-detail"),
    path("segments/<int:pk>/members.csv", views.segment_export_view, name="segment-export"),
    path("analytics/run/", views.analytics_run_view, name="analytics-run"),
    path("forecasts/", views.forecast_list_view, name="forecast-list"),
    path("forecasts/<int:pk>/", views.forecast_detail_view, name="forecast-detail"),
]
