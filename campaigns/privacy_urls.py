"""Privacy pages: consent, data-subject requests, impact assessments, audit log."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
