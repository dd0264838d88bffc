"""Running one call from many threads at once against a real database, for the tests of races."""

import os
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection


def require_postgresql() -> None:
    """Skip (or, where CI requires the services, fail) unless the database lets writers run in parallel."""
    if connection.vendor != "postgresql":
        reason = "the concurrency test needs PostgreSQL (SQLite serialises writers, so nothing would be tested)"
        if os.environ.get("XMKT_REQUIRE_SERVICES") == "1":
            pytest.fail(f"XMKT_REQUIRE_SERVICES=1 but {reason}")
        pytest.skip(reason)


def run_at_once(count: int, call: Callable[[int], Any]) -> list[Any]:
    """Start `count` threads that wait at one barrier and then run `call(index)`, each on its own connection.

    Returns, in index order, what each call returned or the exception it raised."""
    barrier = threading.Barrier(count)
    outcomes: list[Any] = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            outcomes[index] = call(index)
        except BaseException as error:  # noqa: BLE001 - handed back to the test, which decides what it means
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes
