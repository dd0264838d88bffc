from django.urls import path

from analytics import views

urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("jobs/rollup/", views.job_rollup_start_view, name="job-rollup-start"),
]
