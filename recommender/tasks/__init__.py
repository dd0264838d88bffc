"""Celery adapters of the recommender; imported here so that autodiscovery registers them."""

from recommender.tasks import training  # noqa: F401
