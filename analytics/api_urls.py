"""REST endpoints under /api/v1/."""

from django.urls import path

from analytics.apis import EventBatchIngestApi

urlpatterns = [
    path("events/batch/", EventBatchIngestApi.as_view(), name="events-batch"),
]
