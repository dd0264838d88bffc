"""50 parallel redemptions of a 10-code pool redeem exactly 10 (PostgreSQL: real row locks and real parallelism)."""

import os
import threading
from decimal import Decimal

import pytest
from django.db import connection

from campaigns.models import DiscountCode
from campaigns.services.offers import code_redeem, codes_import
from tests.builders.offers import pool_for
from xmkt_site.errors import ConflictError

pytestmark = pytest.mark.django_db(transaction=True)

WORKERS = 50
CODES = 10


def require_postgresql() -> None:
    if connection.vendor != "postgresql":
        reason = "the concurrency test needs PostgreSQL (SQLite serialises writers, so nothing would be tested)"
        if os.environ.get("XMKT_REQUIRE_SERVICES") == "1":
            pytest.fail(f"XMKT_REQUIRE_SERVICES=1 but {reason}")
        pytest.skip(reason)


def test_fifty_parallel_redemptions_of_a_ten_code_pool_redeem_exactly_ten():
    require_postgresql()
    # given a running campaign whose budget covers every code, and a pool of 10 codes
    campaign, pool = pool_for(budget="1000.00", unit_cost="10.00")
    codes_import(pool=pool, codes=[f"CODE{i:02d}" for i in range(CODES)], by=None)
    barrier = threading.Barrier(WORKERS)
    won: list[str] = []
    lost: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def redeem(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            code = code_redeem(pool=pool, consumer=None, redemption_ref=f"order-{index}")
            with lock:
                won.append(code.code)
        except ConflictError as error:
            with lock:
                lost.append(error.code)
        except BaseException as error:  # pragma: no cover - reported below
            with lock:
                errors.append(error)
        finally:
            connection.close()

    # when 50 threads redeem at once
    threads = [threading.Thread(target=redeem, args=(i,)) for i in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then exactly 10 succeed with 10 different codes, the rest hear the pool is exhausted, and spend is 10 × cost
    assert errors == []
    assert len(won) == CODES and len(set(won)) == CODES
    assert lost == ["pool_exhausted"] * (WORKERS - CODES)
    assert DiscountCode.objects.filter(pool=pool, redeemed_at__isnull=False).count() == CODES
    campaign.refresh_from_db()
    assert campaign.spent == Decimal("100.00")
