"""REST endpoints under /api/v1/."""

from django.urls import path

from campaigns.apis import CatalogItemBatchIngestApi, ConsumerBatchIngestApi

urlpatterns = [
    path("consumers/batch/", ConsumerBatchIngestApi.as_view(), name="consumers-batch"),
    path("items/batch/", CatalogItemBatchIngestApi.as_view(), name="items-batch"),
]
