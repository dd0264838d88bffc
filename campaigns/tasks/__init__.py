"""Celery adapters of campaigns, one module per domain; imported here so that autodiscovery registers them."""

from campaigns.tasks import campaigns, retention  # noqa: F401
