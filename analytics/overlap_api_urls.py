"""Clean-room overlap and personal-tag endpoints under /api/v1/."""

from django.urls import path

from analytics import overlap_apis, personal_tag_apis

urlpatterns = [
    path("agreements/<int:pk>/overlap/", overlap_apis.OverlapRunApi.as_view(), name="agreement-overlap"),
    path(
        "consumers/<str:external_ref>/tags/",
        personal_tag_apis.ConsumerTagListApi.as_view(),
        name="consumer-tags",
    ),
    path(
        "consumers/<str:external_ref>/tags/<str:kind>/<str:key>/",
        personal_tag_apis.ConsumerTagDeleteApi.as_view(),
        name="consumer-tag-delete",
    ),
]
