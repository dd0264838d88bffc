"""Privacy REST endpoints under /api/v1/: consents, data-subject requests."""

from django.urls import path

from campaigns import privacy_apis as apis

urlpatterns = [
    path("consents/", apis.ConsentCreateApi.as_view(), name="consent-create"),
    path("consumers/<str:external_ref>/consents/", apis.ConsumerConsentHistoryApi.as_view(), name="consumer-consents"),
    path("privacy/requests/", apis.DataSubjectRequestListApi.as_view(), name="privacy-request-list"),
    path("privacy/requests/create/", apis.DataSubjectRequestCreateApi.as_view(), name="privacy-request-create"),
    path("privacy/requests/<int:pk>/", apis.DataSubjectRequestDetailApi.as_view(), name="privacy-request-detail"),
    path(
        "privacy/requests/<int:pk>/execute/",
        apis.DataSubjectRequestExecuteApi.as_view(),
        name="privacy-request-execute",
    ),
    path(
        "privacy/requests/<int:pk>/reject/", apis.DataSubjectRequestRejectApi.as_view(), name="privacy-request-reject"
    ),
    path(
        "privacy/requests/<int:pk>/export/", apis.DataSubjectRequestExportApi.as_view(), name="privacy-request-export"
    ),
]
