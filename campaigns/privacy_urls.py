"""Privacy pages: consent, data-subject requests, impact assessments, audit log."""

from django.urls import path

from campaigns import privacy_views as views

urlpatterns = [
    path("privacy/", views.privacy_home_view, name="privacy-home"),
    path("privacy/consents/", views.privacy_consent_lookup_view, name="privacy-consents"),
    path("privacy/requests/", views.privacy_request_list_view, name="privacy-requests"),
    path("privacy/requests/<int:pk>/", views.privacy_request_detail_view, name="privacy-request-detail"),
    path("privacy/requests/<int:pk>/export.json", views.privacy_request_export_view, name="privacy-request-export"),
    path("privacy/audit/", views.privacy_audit_log_view, name="privacy-audit-log"),
    path("privacy/assessments/", views.privacy_assessment_list_view, name="privacy-assessments"),
    path("privacy/assessments/<int:pk>/", views.privacy_assessment_detail_view, name="privacy-assessment-detail"),
    path(
        "privacy/assessments/<int:pk>/export.json",
        views.privacy_assessment_export_view,
        name="privacy-assessment-export",
    ),
    path("privacy/assessments/<int:pk>/print/", views.privacy_assessment_print_view, name="privacy-assessment-print"),
]
