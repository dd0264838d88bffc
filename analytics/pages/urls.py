"""Analytics pages: the dashboard, imports, segments and forecasts, and the campaign pages built on experiment
statistics (review, results, the partner portal, tracking-link redirects)."""

from django.urls import include, path

from analytics.pages import dashboard, experiments, imports, insights

# The campaign pages analytics serves, mounted in one place under the campaign they belong to.
campaign_insight_patterns = [
    path("review/", experiments.campaign_review_view, name="campaign-review"),
    path("results/", experiments.campaign_results_view, name="campaign-results"),
]

urlpatterns = [
    path("", dashboard.dashboard_view, name="dashboard"),
    path("dashboard/jobs/", dashboard.dashboard_jobs_view, name="dashboard-jobs"),
    path("jobs/rollup/", dashboard.job_rollup_start_view, name="job-rollup-start"),
    path("imports/", imports.import_view, name="data-import"),
    path("imports/template/<slug:kind>.csv", imports.import_template_view, name="data-import-template"),
    path("segments/", insights.segment_list_view, name="segment-list"),
    path("segments/<int:pk>/", insights.segment_detail_view, name="segment-detail"),
    path("segments/<int:pk>/members.csv", insights.segment_export_view, name="segment-export"),
    path("analytics/run/", insights.analytics_run_view, name="analytics-run"),
    path("forecasts/", insights.forecast_list_view, name="forecast-list"),
    path("forecasts/<int:pk>/", insights.forecast_detail_view, name="forecast-detail"),
    path("campaigns/<int:pk>/", include(campaign_insight_patterns)),
    path("partner/campaigns/", experiments.partner_campaign_list_view, name="partner-campaign-list"),
    path("partner/campaigns/<int:pk>/", experiments.partner_campaign_detail_view, name="partner-campaign-detail"),
    path("t/<str:code>", experiments.tracking_link_view, name="tracking-link"),
]
