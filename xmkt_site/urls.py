from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from xmkt_site.api.views import PingApi

api_v1 = [
    path("ping/", PingApi.as_view(), name="ping"),
    path("", include("campaigns.api.urls")),
    path("", include("analytics.api.urls")),
    path("", include("recommender.api.urls")),
]

urlpatterns = [
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("campaigns.pages.urls")),
    path("", include("analytics.pages.urls")),
    path("", include("recommender.pages.urls")),
]
