from django.urls import path

from campaigns import campaign_views as views
from campaigns import offer_views

urlpatterns: list = [
    path("campaigns/", views.campaign_list_view, name="campaign-list"),
    path("campaigns/new/", views.campaign_create_view, name="campaign-create"),
    path("campaigns/<int:pk>/", views.campaign_detail_view, name="campaign-detail"),
    path("campaigns/<int:pk>/edit/", views.campaign_edit_view, name="campaign-edit"),
    path("campaigns/<int:pk>/action/<slug:action>/", views.campaign_action_view, name="campaign-action"),
    path(
        "campaigns/<int:pk>/co-branding/<int:partner_id>/",
        views.campaign_co_branding_view,
        name="campaign-co-branding",
    ),
    path("campaigns/<int:pk>/audience/", views.campaign_audience_view, name="campaign-audience"),
    path("campaigns/<int:pk>/logo/<int:partner_id>/", views.campaign_logo_view, name="campaign-logo"),
    path("campaigns/<int:pk>/offers/new/", offer_views.offer_create_view, name="campaign-offer-create"),
    path("campaigns/<int:pk>/offers/<int:offer_id>/edit/", offer_views.offer_edit_view, name="campaign-offer-edit"),
    path(
        "campaigns/<int:pk>/offers/<int:offer_id>/code-pools/new/",
        offer_views.code_pool_create_view,
        name="campaign-code-pool-create",
    ),
    path(
        "campaigns/<int:pk>/code-pools/<int:pool_id>/add/",
        offer_views.code_pool_add_view,
        name="campaign-code-pool-add",
    ),
]
