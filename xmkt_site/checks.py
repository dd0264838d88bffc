"""System checks for deployment settings that are wrong without looking wrong."""

import os

from django.conf import settings
from django.core import checks

# Backends whose entries live in one process's memory: each web process would keep its own API throttle counters.
PER_PROCESS_CACHE_BACKENDS = frozenset(
    {
        "django.core.cache.backends.locmem.LocMemCache",
        "django.core.cache.backends.dummy.DummyCache",
    }
)


def web_processes() -> int:
    """How many web processes serve this deployment: gunicorn reads WEB_CONCURRENCY as its worker count."""
    try:
        return max(1, int(os.environ.get("WEB_CONCURRENCY", "1")))
    except ValueError:
        return 1


def cache_is_per_process(backend: str) -> bool:
    return backend in PER_PROCESS_CACHE_BACKENDS


@checks.register(checks.Tags.caches)
def check_throttle_cache_is_shared(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    backend = settings.CACHES["default"]["BACKEND"]
    processes = web_processes()
    if processes > 1 and cache_is_per_process(backend):
        return [
            checks.Error(
                f"WEB_CONCURRENCY is {processes} but the cache ({backend}) is per process: each web process would "
                "count API requests on its own, multiplying every key's rate limit.",
                hint="Set CACHE_URL to a cache all web processes share, e.g. redis://127.0.0.1:6379/1.",
                id="xmkt_site.E001",
            )
        ]
    return []


@checks.register(checks.Tags.caches, deploy=True)
def check_deployment_cache_is_shared(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    backend = settings.CACHES["default"]["BACKEND"]
    if cache_is_per_process(backend):
        return [
            checks.Warning(
                f"The cache ({backend}) is per process: API rate limits hold only while one web process runs.",
                hint="Set CACHE_URL to Redis (redis://host:6379/1) before running more than one web process.",
                id="xmkt_site.W001",
            )
        ]
    return []
