"""One redemption_ref, one code: the database refuses a second code with the same reference in a pool, and parallel
redemptions with one reference all receive the same code and charge the budget once (PostgreSQL: real parallelism)."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from campaigns.models import DiscountCode
from campaigns.services.offers import code_pool_create, code_redeem, codes_import
from tests.builders.concurrency import require_postgresql, run_at_once
from tests.builders.offers import pool_for


@pytest.mark.django_db
def test_two_codes_of_a_pool_cannot_carry_the_same_redemption_ref():
    # given a pool where one code was redeemed for order-1
    _campaign, pool = pool_for(budget="1000.00")
    codes_import(pool=pool, codes=["X1", "X2"], by=None)
    code_redeem(pool=pool, consumer=None, redemption_ref="order-1")
    # when a second code is marked with the same reference behind the service's back, the database refuses it
    with pytest.raises(IntegrityError), transaction.atomic():
        DiscountCode.objects.filter(pool=pool, code="X2").update(redemption_ref="order-1")


@pytest.mark.django_db
def test_codes_without_a_redemption_ref_are_not_constrained():
    # given a pool: unredeemed codes all carry the empty reference
    _campaign, pool = pool_for(budget="1000.00")
    codes_import(pool=pool, codes=["X1", "X2", "X3"], by=None)
    # then the empty reference may repeat
    assert DiscountCode.objects.filter(pool=pool, redemption_ref="").count() == 3


@pytest.mark.django_db
def test_the_same_redemption_ref_in_another_pool_is_another_redemption():
    # given two pools of one campaign
    campaign, first_pool = pool_for(budget="1000.00")
    second_pool = code_pool_create(offer=first_pool.offer, name="second", by=None)
    codes_import(pool=first_pool, codes=["A1"], by=None)
    codes_import(pool=second_pool, codes=["B1"], by=None)
    # when both are redeemed for order-1
    first = code_redeem(pool=first_pool, consumer=None, redemption_ref="order-1")
    second = code_redeem(pool=second_pool, consumer=None, redemption_ref="order-1")
    # then each pool hands out its own code and the budget is charged twice (10 + 10)
    assert (first.code, second.code) == ("A1", "B1")
    campaign.refresh_from_db()
    assert campaign.spent == Decimal("20.00")


WORKERS = 30


@pytest.mark.django_db(transaction=True)
def test_thirty_parallel_redemptions_with_one_ref_hand_out_one_code_and_charge_once():
    require_postgresql()
    # given a running campaign and a pool of 10 codes at 10.00 each
    campaign, pool = pool_for(budget="1000.00")
    codes_import(pool=pool, codes=[f"CODE{i:02d}" for i in range(10)], by=None)
    # when 30 threads redeem with the same reference at once
    outcomes = run_at_once(WORKERS, lambda index: code_redeem(pool=pool, consumer=None, redemption_ref="order-42"))
    handed_out = [o.code for o in outcomes if isinstance(o, DiscountCode)]
    errors = [o for o in outcomes if not isinstance(o, DiscountCode)]

    # then every caller receives the same one code, one code is spent, and the budget is charged 10.00 once
    assert errors == []
    assert len(handed_out) == WORKERS and len(set(handed_out)) == 1
    assert DiscountCode.objects.filter(pool=pool, redeemed_at__isnull=False).count() == 1
    campaign.refresh_from_db()
    assert campaign.spent == Decimal("10.00")
