from django.urls import path

from analytics import import_views, views

urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("dashboard/jobs/", views.dashboard_jobs_view, name="dashboard-jobs"),
    path("jobs/rollup/", views.job_rollup_start_view, name="job-rollup-start"),
    path("imports/", import_views.import_view, name="data-import"),
    path("imports/template/<slug:kind>.csv", import_views.import_template_view, name="data-import-template"),
]
