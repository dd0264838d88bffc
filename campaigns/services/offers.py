"""Offers (course + partner voucher bundles), discount code pools, concurrency-safe redemption, budget and spend."""

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from campaigns.models import Campaign, CatalogItem, CodePool, Consumer, DiscountCode, Offer, Organization, User
from campaigns.services.audit import audit_record
from xmkt_site.errors import ApplicationError, ConflictError

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud and typed
MAX_CODES_PER_CALL = 100_000


def offer_create(
    *,
    campaign: Campaign,
    name: str,
    by: User | None,
    course: CatalogItem | None = None,
    partner: Organization | None = None,
    voucher_item: CatalogItem | None = None,
    voucher_value: Decimal = Decimal("0"),
    bundle_price: Decimal = Decimal("0"),
    unit_cost: Decimal = Decimal("0"),
) -> Offer:
    if course is not None and (course.organization_id != campaign.organization_id or course.kind != "course"):
        raise ApplicationError("The course must be one of the platform's courses.", fields={"course": ["Invalid."]})
    if partner is not None and not campaign.partners.filter(pk=partner.pk).exists():
        raise ApplicationError("The voucher partner must be a party of the campaign.", fields={"partner": ["Invalid."]})
    if voucher_item is not None and (partner is None or voucher_item.organization_id != partner.pk):
        raise ApplicationError(
            "The voucher item must belong to the voucher partner.", fields={"voucher_item": ["Invalid."]}
        )
    offer = Offer(
        campaign=campaign,
        name=name,
        course=course,
        partner=partner,
        voucher_item=voucher_item,
        voucher_value=voucher_value,
        bundle_price=bundle_price,
        unit_cost=unit_cost,
    )
    offer.full_clean()
    offer.save()
    audit_record(action="offer.create", user=by, organization=campaign.organization, target=offer)
    return offer


def code_pool_create(*, offer: Offer, name: str, by: User | None) -> CodePool:
    pool = CodePool(offer=offer, name=name)
    pool.full_clean()
    pool.save()
    audit_record(action="code_pool.create", user=by, organization=offer.campaign.organization, target=pool)
    return pool


@dataclass(frozen=True)
class CodeImport:
    added: int
    duplicates: int


def codes_import(*, pool: CodePool, codes: Iterable[str], by: User | None) -> CodeImport:
    """Add codes; a code already in the pool (or repeated in the input) is counted as a duplicate, not added twice."""
    cleaned = [c.strip().upper() for c in codes if c and c.strip()]
    if len(cleaned) > MAX_CODES_PER_CALL:
        raise ApplicationError(f"At most {MAX_CODES_PER_CALL} codes per import.")
    if any(len(c) > 64 for c in cleaned):
        raise ApplicationError("Codes are at most 64 characters.")
    unique = list(dict.fromkeys(cleaned))
    with transaction.atomic():
        before = pool.codes.count()
        # The unique constraint on (pool, code) settles races with a concurrent import of the same codes.
        DiscountCode.objects.bulk_create(
            [DiscountCode(pool=pool, code=c) for c in unique], ignore_conflicts=True, batch_size=5000
        )
        added = pool.codes.count() - before
    audit_record(
        action="code_pool.import",
        user=by,
        organization=pool.offer.campaign.organization,
        target=pool,
        metadata={"added": added, "duplicates": len(cleaned) - added},
    )
    return CodeImport(added=added, duplicates=len(cleaned) - added)


def codes_generate(*, pool: CodePool, count: int, by: User | None, length: int = 10) -> CodeImport:
    if not 1 <= count <= MAX_CODES_PER_CALL:
        raise ApplicationError(f"Generate between 1 and {MAX_CODES_PER_CALL} codes.")
    if not 6 <= length <= 32:
        raise ApplicationError("Code length must be between 6 and 32.")
    added = 0
    # 32^10 possibilities: collisions are rare, but the loop makes "count" exact even when they happen.
    while added < count:
        batch = {"".join(secrets.choice(CODE_ALPHABET) for _ in range(length)) for _ in range(count - added)}
        added += codes_import(pool=pool, codes=batch, by=by).added
    return CodeImport(added=added, duplicates=0)


def _spend(*, campaign_id: int, amount: Decimal) -> bool:
    """Add `amount` to the campaign's spend unless that would exceed the budget. One conditional UPDATE: no race."""
    if amount <= 0:
        return True
    return (
        Campaign.objects.filter(pk=campaign_id, spent__lte=F("budget") - amount).update(spent=F("spent") + amount) == 1
    )


@transaction.atomic
def code_redeem(*, pool: CodePool, consumer: Consumer | None, redemption_ref: str) -> DiscountCode:
    """Hand out one unredeemed code, at most once per redemption_ref, and charge the offer's cost to the budget.

    Concurrency: on PostgreSQL, `select_for_update(skip_locked=True)` makes parallel redeemers take different rows
    instead of queueing on the same one; the conditional UPDATE (`redeemed_at IS NULL`) is the guarantee that a code is
    redeemed once even where row locks do not exist (SQLite serialises writers anyway).
    """
    if not redemption_ref:
        raise ApplicationError("A redemption reference is required.", fields={"redemption_ref": ["Required."]})
    existing = DiscountCode.objects.filter(pool=pool, redemption_ref=redemption_ref).first()
    if existing is not None:
        return existing
    offer = pool.offer
    campaign = offer.campaign
    if campaign.status != Campaign.Status.RUNNING:
        raise ConflictError("Codes are redeemed only while the campaign runs.", code="campaign_not_running")
    now = timezone.now()
    for _attempt in range(20):
        code = (
            DiscountCode.objects.select_for_update(skip_locked=True)
            .filter(pool=pool, redeemed_at__isnull=True)
            .order_by("id")
            .first()
        )
        if code is None:
            raise ConflictError("The code pool is exhausted.", code="pool_exhausted")
        taken = DiscountCode.objects.filter(pk=code.pk, redeemed_at__isnull=True).update(
            redeemed_at=now, redeemed_by=consumer, redemption_ref=redemption_ref
        )
        if taken:
            break
    else:  # pragma: no cover - needs 20 consecutive lost races
        raise ConflictError("Too much contention on the code pool; retry.", code="pool_busy")
    if not _spend(campaign_id=campaign.pk, amount=offer.unit_cost):
        raise ConflictError("The campaign budget is spent.", code="budget_exhausted")  # rolls the redemption back
    code.refresh_from_db()
    return code


@dataclass(frozen=True)
class PoolStock:
    total: int
    redeemed: int

    @property
    def available(self) -> int:
        return self.total - self.redeemed


def pool_stock(*, pool: CodePool) -> PoolStock:
    total = pool.codes.count()
    return PoolStock(total=total, redeemed=pool.codes.filter(redeemed_at__isnull=False).count())
