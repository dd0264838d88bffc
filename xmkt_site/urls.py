from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from xmkt_site.api.views import PingApi

api_v1 = [
    path("ping/", PingApi.as_view(), name="ping"),
    path("", include("campaigns.api_urls")),
    path("", include("campaigns.privacy_api_urls")),
    path("", include("analytics.api_urls")),
    path("", include("analytics.insight_api_urls")),
    path("", include("campaigns.campaign_api_urls")),
    path("", include("analytics.experiment_api_urls")),
    path("", include("recommender.api_urls")),
    path("", include("analytics.overlap_api_urls")),
]

urlpatterns = [
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("campaigns.urls")),
    path("", include("campaigns.privacy_urls")),
    path("", include("analytics.urls")),
    path("", include("analytics.insight_urls")),
    path("", include("campaigns.campaign_urls")),
    path("", include("analytics.experiment_urls")),
    path("", include("recommender.urls")),
]
