from django.urls import path

from campaigns import campaign_apis as apis

urlpatterns: list = [
    path("campaigns/", apis.CampaignListApi.as_view(), name="campaign-list"),
    path("campaigns/create/", apis.CampaignCreateApi.as_view(), name="campaign-create"),
    path("campaigns/<int:pk>/", apis.CampaignDetailApi.as_view(), name="campaign-detail"),
    path("campaigns/<int:pk>/update/", apis.CampaignUpdateApi.as_view(), name="campaign-update"),
    path("campaigns/<int:pk>/actions/<slug:action>/", apis.CampaignActionApi.as_view(), name="campaign-action"),
    path("campaigns/<int:pk>/audience/", apis.CampaignAudienceSetApi.as_view(), name="campaign-audience-set"),
    path("campaigns/<int:pk>/variants/", apis.VariantCreateApi.as_view(), name="variant-create"),
    path("campaigns/<int:pk>/offers/", apis.OfferCreateApi.as_view(), name="offer-create"),
    path("campaigns/<int:pk>/offers/<int:offer_id>/", apis.OfferUpdateApi.as_view(), name="offer-update"),
    path(
        "campaigns/<int:pk>/offers/<int:offer_id>/code-pools/",
        apis.CodePoolCreateApi.as_view(),
        name="code-pool-create",
    ),
    path("code-pools/<int:pool_id>/redeem/", apis.CodeRedeemApi.as_view(), name="code-redeem"),
    path(
        "campaigns/<int:pk>/co-branding/<int:partner_id>/",
        apis.CoBrandingSetApi.as_view(),
        name="co-branding-set",
    ),
    path("agreements/", apis.AgreementCreateApi.as_view(), name="agreement-create"),
]
