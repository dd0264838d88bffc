"""API rate limits hold across web processes: the counters live in a cache every process shares, and a deployment that
would run several processes on a per-process cache is refused."""

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache
from django.core.management.base import CommandError
from rest_framework.test import APIRequestFactory

from campaigns.models import PartnerApiKey
from xmkt_site.api.throttling import ApiKeyRateThrottle
from xmkt_site.checks import check_throttle_cache_is_shared
from xmkt_site.management.commands.run_embedded import children_cache_environment

LIMIT = 20  # requests per window, written here rather than read from the settings under test
REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/13")

# One web process: the project's throttle against the cache its environment names, `count` requests for one key.
ONE_PROCESS = """
import json, sys
import django
django.setup()
from rest_framework.test import APIRequestFactory
from campaigns.models import PartnerApiKey
from xmkt_site.api.throttling import ApiKeyRateThrottle
key = PartnerApiKey(prefix="shared01")
allowed = 0
for _ in range(int(sys.argv[1])):
    request = APIRequestFactory().get("/api/v1/ping/")
    request.auth = key
    allowed += ApiKeyRateThrottle().allow_request(request, None)
print(json.dumps({"allowed": allowed}))
"""


def _process_environment(extra: dict[str, str]) -> dict[str, str]:
    # A day's window: the counter is per fixed window, and a minute's window could close between the two processes'
    # requests on a loaded machine, resetting the count the test is about.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "xmkt_site.settings", "API_KEY_THROTTLE_RATE": f"{LIMIT}/day"}
    env.pop("CACHE_URL", None)
    env.update(extra)
    return env


def _web_process(env: dict[str, str], count: int) -> int:
    result = subprocess.run(
        [sys.executable, "-c", ONE_PROCESS, str(count)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])["allowed"]


class _Throttle(ApiKeyRateThrottle):
    """The project's throttle on a cache client of its own, as a separate web process would hold."""

    def __init__(self, cache) -> None:
        self.cache = cache
        self.rate = f"{LIMIT}/min"
        self.num_requests, self.duration = self.parse_rate(self.rate)


def _request(prefix: str):
    request = APIRequestFactory().get("/api/v1/ping/")
    request.auth = PartnerApiKey(prefix=prefix)
    return request


def test_the_embedded_web_processes_share_one_limit(tmp_path, monkeypatch):
    # given the environment `make run` gives its two gunicorn processes (var/ moved to a temporary folder)
    monkeypatch.setattr(settings, "VAR_DIR", tmp_path)
    extra = children_cache_environment(web_workers=2, environ_={})
    env = _process_environment(extra)
    # when one process takes 12 requests of one key and a second process 30 more
    first = _web_process(env, 12)
    second = _web_process(env, 30)
    # then both counted against one limit of 20
    assert (first, second) == (12, LIMIT - 12)


def test_one_embedded_web_process_needs_no_shared_cache():
    assert "CACHE_URL" not in children_cache_environment(web_workers=1, environ_={})


def test_several_embedded_web_processes_on_a_per_process_cache_are_refused():
    with pytest.raises(CommandError, match="CACHE_URL"):
        children_cache_environment(web_workers=2, environ_={"CACHE_URL": "locmemcache://"})


def test_a_chosen_shared_cache_is_kept():
    extra = children_cache_environment(web_workers=2, environ_={"CACHE_URL": "redis://127.0.0.1:6379/1"})
    assert "CACHE_URL" not in extra and extra["WEB_CONCURRENCY"] == "2"


def test_two_cache_clients_on_one_file_cache_count_together(tmp_path):
    # given two web processes' cache clients on one folder, taking turns
    first, second = (_Throttle(FileBasedCache(str(tmp_path), {})) for _ in range(2))
    allowed = [throttle.allow_request(_request("turns01"), None) for _ in range(15) for throttle in (first, second)]
    # then 20 of the 30 requests pass, not 30
    assert sum(allowed) == LIMIT


def test_throttled_answers_say_when_to_retry(tmp_path):
    throttle = _Throttle(FileBasedCache(str(tmp_path), {}))
    for _ in range(LIMIT):
        assert throttle.allow_request(_request("retry01"), None)
    assert not throttle.allow_request(_request("retry01"), None)
    assert 0 < throttle.wait() <= 60


@pytest.fixture
def redis_cache():
    cache = RedisCache(REDIS_TEST_URL, {})
    try:
        cache.get("probe")
    except Exception:  # noqa: BLE001 - any connection failure means there is no Redis to test against
        pytest.skip(f"needs Redis at {REDIS_TEST_URL} (CI runs it)")
    yield cache
    cache.clear()
    cache.close()


def test_concurrent_requests_on_separate_redis_connections_never_exceed_the_limit(redis_cache):
    # given 4 threads, each with its own Redis connection as each web process has, sending 15 requests at once
    throttles = [_Throttle(RedisCache(REDIS_TEST_URL, {})) for _ in range(4)]
    start = threading.Barrier(len(throttles))
    allowed: list[int] = []
    lock = threading.Lock()

    def send(throttle: _Throttle) -> None:
        start.wait()
        passed = sum(throttle.allow_request(_request("redis01"), None) for _ in range(15))
        with lock:
            allowed.append(passed)

    workers = [threading.Thread(target=send, args=(throttle,)) for throttle in throttles]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    # then exactly the limit passes, not the limit per connection and not more when requests race
    assert sum(allowed) == LIMIT


class TestDeploymentCheck:
    def test_several_web_processes_on_a_per_process_cache_fail_the_check(self, settings, monkeypatch):
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
        monkeypatch.setenv("WEB_CONCURRENCY", "4")
        assert [message.id for message in check_throttle_cache_is_shared()] == ["xmkt_site.E001"]

    def test_several_web_processes_on_redis_pass(self, settings, monkeypatch):
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "x"}}
        monkeypatch.setenv("WEB_CONCURRENCY", "4")
        assert check_throttle_cache_is_shared() == []

    def test_one_web_process_may_keep_its_cache(self, settings, monkeypatch):
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
        monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
        assert check_throttle_cache_is_shared() == []


def test_the_embedded_default_cache_folder_is_inside_var(tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "VAR_DIR", tmp_path)
    url = children_cache_environment(web_workers=2, environ_={})["CACHE_URL"]
    assert url.startswith("filecache://") and Path(url.removeprefix("filecache://")).parent == tmp_path
