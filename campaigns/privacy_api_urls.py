"""Privacy REST endpoints under /api/v1/: consents, data-subject requests."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
