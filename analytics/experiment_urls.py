from django.urls import path

from analytics import experiment_views as views

urlpatterns: list = [
    path("campaigns/<int:pk>/review/", views.campaign_review_view, name="campaign-review"),
    path("campaigns/<int:pk>/results/", views.campaign_results_view, name="campaign-results"),
    path("partner/campaigns/", views.partner_campaign_list_view, name="partner-campaign-list"),
    path("partner/campaigns/<int:pk>/", views.partner_campaign_detail_view, name="partner-campaign-detail"),
    path("t/<str:code>", views.tracking_link_view, name="tracking-link"),
]
