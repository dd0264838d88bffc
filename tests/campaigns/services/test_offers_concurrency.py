"""50 parallel redemptions of a 10-code pool redeem exactly 10 (PostgreSQL: real row locks and real parallelism)."""

from decimal import Decimal

import pytest

from campaigns.models import DiscountCode
from campaigns.services.offers import code_redeem, codes_import
from tests.builders.concurrency import require_postgresql, run_at_once
from tests.builders.offers import pool_for
from xmkt_site.errors import ConflictError

pytestmark = pytest.mark.django_db(transaction=True)

WORKERS = 50
CODES = 10


def test_fifty_parallel_redemptions_of_a_ten_code_pool_redeem_exactly_ten():
    require_postgresql()
    # given a running campaign whose budget covers every code, and a pool of 10 codes
    campaign, pool = pool_for(budget="1000.00", unit_cost="10.00")
    codes_import(pool=pool, codes=[f"CODE{i:02d}" for i in range(CODES)], by=None)
    # when 50 threads redeem at once
    outcomes = run_at_once(
        WORKERS, lambda index: code_redeem(pool=pool, consumer=None, redemption_ref=f"order-{index}")
    )
    won = [o.code for o in outcomes if isinstance(o, DiscountCode)]
    lost = [o.code for o in outcomes if isinstance(o, ConflictError)]
    errors = [o for o in outcomes if not isinstance(o, DiscountCode | ConflictError)]

    # then exactly 10 succeed with 10 different codes, the rest hear the pool is exhausted, and spend is 10 × cost
    assert errors == []
    assert len(won) == CODES and len(set(won)) == CODES
    assert lost == ["pool_exhausted"] * (WORKERS - CODES)
    assert DiscountCode.objects.filter(pool=pool, redeemed_at__isnull=False).count() == CODES
    campaign.refresh_from_db()
    assert campaign.spent == Decimal("100.00")
