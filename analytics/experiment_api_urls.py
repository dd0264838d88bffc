from django.urls import path

from analytics import experiment_apis as apis

urlpatterns: list = [
    path("campaigns/<int:pk>/review/", apis.CampaignReviewApi.as_view(), name="campaign-review"),
    path(
        "campaigns/<int:pk>/audience/estimate/",
        apis.CampaignAudienceEstimateApi.as_view(),
        name="campaign-audience-estimate",
    ),
    path("campaigns/<int:pk>/assignment/", apis.CampaignAssignmentApi.as_view(), name="campaign-assignment"),
    path("campaigns/<int:pk>/exposures/", apis.ExposureCreateApi.as_view(), name="campaign-exposures"),
    path("campaigns/<int:pk>/conversions/", apis.ConversionCreateApi.as_view(), name="campaign-conversions"),
    path("campaigns/<int:pk>/results/", apis.CampaignResultsApi.as_view(), name="campaign-results"),
    path("campaigns/<int:pk>/attribution/", apis.CampaignAttributionApi.as_view(), name="campaign-attribution"),
    path("campaigns/<int:pk>/reweight/", apis.CampaignReweightApi.as_view(), name="campaign-reweight"),
    path("campaigns/<int:pk>/tracking-links/", apis.TrackingLinkCreateApi.as_view(), name="tracking-link-create"),
]
