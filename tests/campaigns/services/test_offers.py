"""Offers and code pools: imports without duplicates, generated codes, one redemption per reference, budget."""

from decimal import Decimal

import pytest

from campaigns.models import Campaign
from campaigns.services.offers import (
    code_redeem,
    codes_generate,
    codes_import,
    pool_stock,
)
from tests.builders.offers import pool_for
from xmkt_site.errors import ConflictError

pytestmark = pytest.mark.django_db


def test_imported_codes_are_unique_within_the_pool():
    _campaign, pool = pool_for()
    first = codes_import(pool=pool, codes=["a1", "A1 ", "b2"], by=None)
    second = codes_import(pool=pool, codes=["B2", "c3"], by=None)
    assert (first.added, first.duplicates) == (2, 1)
    assert (second.added, second.duplicates) == (1, 1)
    assert pool_stock(pool=pool).total == 3


def test_generated_codes_are_exactly_as_many_as_asked():
    _campaign, pool = pool_for()
    assert codes_generate(pool=pool, count=250, by=None).added == 250
    assert len(set(pool.codes.values_list("code", flat=True))) == 250


def test_a_redemption_reference_gets_one_code_however_often_it_is_replayed():
    campaign, pool = pool_for()
    codes_import(pool=pool, codes=["X1", "X2"], by=None)
    first = code_redeem(pool=pool, consumer=None, redemption_ref="order-1")
    again = code_redeem(pool=pool, consumer=None, redemption_ref="order-1")
    assert first.pk == again.pk
    assert pool_stock(pool=pool).redeemed == 1
    campaign.refresh_from_db()
    assert campaign.spent == Decimal("10.00")


def test_an_exhausted_pool_or_budget_refuses_and_rolls_back():
    campaign, pool = pool_for(budget="15.00")
    codes_import(pool=pool, codes=["X1", "X2", "X3"], by=None)
    code_redeem(pool=pool, consumer=None, redemption_ref="a")
    with pytest.raises(ConflictError) as error:
        code_redeem(pool=pool, consumer=None, redemption_ref="b")
    assert error.value.code == "budget_exhausted"
    assert pool_stock(pool=pool).redeemed == 1  # the code taken before the budget check was given back
    _campaign, small = pool_for()
    codes_import(pool=small, codes=["ONLY"], by=None)
    code_redeem(pool=small, consumer=None, redemption_ref="a")
    with pytest.raises(ConflictError) as error:
        code_redeem(pool=small, consumer=None, redemption_ref="b")
    assert error.value.code == "pool_exhausted"


def test_codes_are_redeemed_only_while_the_campaign_runs():
    _campaign, pool = pool_for(status=Campaign.Status.DRAFT)
    codes_import(pool=pool, codes=["X1"], by=None)
    with pytest.raises(ConflictError):
        code_redeem(pool=pool, consumer=None, redemption_ref="a")
