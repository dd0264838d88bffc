"""Erasure reaches free text: request notes and redemption references typed with the consumer's identifiers."""

from decimal import Decimal

import pytest

from campaigns.models import Campaign, DataSubjectRequest, DiscountCode
from campaigns.services.offers import code_pool_create, code_redeem, codes_import, offer_create
from campaigns.services.privacy import dsr_create, dsr_erase, dsr_reject
from tests.builders.privacy import text_values
from tests.factories import CampaignFactory, ConsumerFactory

EXTERNAL_REF = "learner-4711"
PHONE = "+86 138-0013-8000"
EMAIL = "li.hua@example.cn"
TYPED = (EXTERNAL_REF, PHONE, EMAIL, "138-0013-8000")


def _leaks(rows) -> list[str]:
    return [value for row in rows for value in text_values(row) if any(typed in value for typed in TYPED)]


@pytest.fixture
def person(platform):
    return ConsumerFactory(organization=platform, external_ref=EXTERNAL_REF)


@pytest.fixture
def pool(platform):
    campaign = CampaignFactory(organization=platform, status=Campaign.Status.RUNNING, budget=Decimal("100.00"))
    offer = offer_create(campaign=campaign, name="课程+代金券", by=None, unit_cost=Decimal("1.00"))
    pool = code_pool_create(offer=offer, name="pool", by=None)
    codes_import(pool=pool, codes=["A1", "A2", "A3", "A4"], by=None)
    return pool


@pytest.mark.django_db
def test_erasure_scrubs_the_notes_of_every_request_of_the_consumer(platform, person):
    # given an earlier rejected request and an erasure request whose notes carry the phone, e-mail and ref
    earlier = dsr_create(organization=platform, external_ref=EXTERNAL_REF, kind="access", notes=f"called from {PHONE}")
    dsr_reject(request=earlier, reason=f"could not verify {EMAIL}")
    request = dsr_create(
        organization=platform, external_ref=EXTERNAL_REF, kind="erasure", notes=f"{EXTERNAL_REF}, {EMAIL}, {PHONE}"
    )
    # when the erasure is carried out
    dsr_erase(request=request)
    # then no column of either request holds what was typed, and the requests keep their kind, status and dates
    rows = list(DataSubjectRequest.objects.order_by("pk"))
    assert _leaks(rows) == []
    assert [(row.kind, row.status) for row in rows] == [("access", "rejected"), ("erasure", "completed")]
    assert all(row.received_at and row.completed_at for row in rows)


@pytest.mark.django_db
def test_erasure_scrubs_the_redemption_refs_of_the_consumers_codes(platform, person, pool):
    # given a code redeemed by the consumer, one redeemed anonymously with a ref naming them, and someone else's
    code_redeem(pool=pool, consumer=person, redemption_ref=f"order-{PHONE}")
    code_redeem(pool=pool, consumer=None, redemption_ref=f"web:{EXTERNAL_REF}:1")
    other = ConsumerFactory(organization=platform, external_ref="learner-9000")
    code_redeem(pool=pool, consumer=other, redemption_ref="order-9000")
    request = dsr_create(organization=platform, external_ref=EXTERNAL_REF, kind="erasure")
    # when the erasure is carried out
    dsr_erase(request=request)
    # then the consumer's codes stay spent but no longer carry the references; the other redemption is untouched
    codes = list(DiscountCode.objects.filter(pool=pool).order_by("code"))
    assert _leaks(codes) == []
    assert [code.redeemed_at is not None for code in codes] == [True, True, True, False]
    assert DiscountCode.objects.get(pool=pool, redeemed_by=other).redemption_ref == "order-9000"
    assert DiscountCode.objects.filter(pool=pool, redemption_ref__startswith="[erased]").count() == 2
