"""/api/v1/ endpoints of analytics: events, segments and forecasts, experiments, clean-room overlap, personal tags."""

from django.urls import path

from analytics.api import events, experiments, insights, overlap, personal_tags

urlpatterns = [
    path("events/batch/", events.EventBatchIngestApi.as_view(), name="events-batch"),
    path("segments/", insights.SegmentListApi.as_view(), name="segment-list"),
    path("segments/<int:pk>/", insights.SegmentDetailApi.as_view(), name="segment-detail"),
    path("forecasts/", insights.ForecastListApi.as_view(), name="forecast-list"),
    path("campaigns/<int:pk>/review/", experiments.CampaignReviewApi.as_view(), name="campaign-review"),
    path(
        "campaigns/<int:pk>/audience/estimate/",
        experiments.CampaignAudienceEstimateApi.as_view(),
        name="campaign-audience-estimate",
    ),
    path("campaigns/<int:pk>/assignment/", experiments.CampaignAssignmentApi.as_view(), name="campaign-assignment"),
    path("campaigns/<int:pk>/exposures/", experiments.ExposureCreateApi.as_view(), name="campaign-exposures"),
    path("campaigns/<int:pk>/conversions/", experiments.ConversionCreateApi.as_view(), name="campaign-conversions"),
    path("campaigns/<int:pk>/results/", experiments.CampaignResultsApi.as_view(), name="campaign-results"),
    path("campaigns/<int:pk>/attribution/", experiments.CampaignAttributionApi.as_view(), name="campaign-attribution"),
    path("campaigns/<int:pk>/reweight/", experiments.CampaignReweightApi.as_view(), name="campaign-reweight"),
    path(
        "campaigns/<int:pk>/tracking-links/",
        experiments.TrackingLinkCreateApi.as_view(),
        name="tracking-link-create",
    ),
    path("agreements/<int:pk>/overlap/", overlap.OverlapRunApi.as_view(), name="agreement-overlap"),
    path("consumers/<str:external_ref>/tags/", personal_tags.ConsumerTagListApi.as_view(), name="consumer-tags"),
    path(
        "consumers/<str:external_ref>/tags/<str:kind>/<str:key>/",
        personal_tags.ConsumerTagDeleteApi.as_view(),
        name="consumer-tag-delete",
    ),
]
