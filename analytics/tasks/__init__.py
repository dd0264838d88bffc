"""Celery adapters of analytics, one module per domain; imported here so that autodiscovery registers them."""

from analytics.tasks import experiments, overlap, pipeline, rollup  # noqa: F401
