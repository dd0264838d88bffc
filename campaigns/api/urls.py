"""/api/v1/ endpoints of the system of record: ingestion, campaigns, offers, agreements, consents, privacy requests."""

from django.urls import path

from campaigns.api import campaigns, ingestion, offers, partners, privacy

urlpatterns = [
    path("consumers/batch/", ingestion.ConsumerBatchIngestApi.as_view(), name="consumers-batch"),
    path("items/batch/", ingestion.CatalogItemBatchIngestApi.as_view(), name="items-batch"),
    path("consents/", privacy.ConsentCreateApi.as_view(), name="consent-create"),
    path(
        "consumers/<str:external_ref>/consents/",
        privacy.ConsumerConsentHistoryApi.as_view(),
        name="consumer-consents",
    ),
    path("privacy/requests/", privacy.DataSubjectRequestListApi.as_view(), name="privacy-request-list"),
    path("privacy/requests/create/", privacy.DataSubjectRequestCreateApi.as_view(), name="privacy-request-create"),
    path("privacy/requests/<int:pk>/", privacy.DataSubjectRequestDetailApi.as_view(), name="privacy-request-detail"),
    path(
        "privacy/requests/<int:pk>/execute/",
        privacy.DataSubjectRequestExecuteApi.as_view(),
        name="privacy-request-execute",
    ),
    path(
        "privacy/requests/<int:pk>/reject/",
        privacy.DataSubjectRequestRejectApi.as_view(),
        name="privacy-request-reject",
    ),
    path(
        "privacy/requests/<int:pk>/export/",
        privacy.DataSubjectRequestExportApi.as_view(),
        name="privacy-request-export",
    ),
    path("campaigns/", campaigns.CampaignListApi.as_view(), name="campaign-list"),
    path("campaigns/create/", campaigns.CampaignCreateApi.as_view(), name="campaign-create"),
    path("campaigns/<int:pk>/", campaigns.CampaignDetailApi.as_view(), name="campaign-detail"),
    path("campaigns/<int:pk>/update/", campaigns.CampaignUpdateApi.as_view(), name="campaign-update"),
    path("campaigns/<int:pk>/actions/<slug:action>/", campaigns.CampaignActionApi.as_view(), name="campaign-action"),
    path("campaigns/<int:pk>/audience/", campaigns.CampaignAudienceSetApi.as_view(), name="campaign-audience-set"),
    path("campaigns/<int:pk>/variants/", campaigns.VariantCreateApi.as_view(), name="variant-create"),
    path(
        "campaigns/<int:pk>/co-branding/<int:partner_id>/",
        campaigns.CoBrandingSetApi.as_view(),
        name="co-branding-set",
    ),
    path("campaigns/<int:pk>/offers/", offers.OfferCreateApi.as_view(), name="offer-create"),
    path("campaigns/<int:pk>/offers/<int:offer_id>/", offers.OfferUpdateApi.as_view(), name="offer-update"),
    path(
        "campaigns/<int:pk>/offers/<int:offer_id>/code-pools/",
        offers.CodePoolCreateApi.as_view(),
        name="code-pool-create",
    ),
    path("code-pools/<int:pool_id>/redeem/", offers.CodeRedeemApi.as_view(), name="code-redeem"),
    path("agreements/", partners.AgreementCreateApi.as_view(), name="agreement-create"),
]
