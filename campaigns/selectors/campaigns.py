"""Reads of campaigns, scoped to who is asking: the platform sees its campaigns, a partner those it is a party of."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from campaigns.models import Campaign, CodePool, Offer, Organization
from xmkt_site.access import Actor
from xmkt_site.errors import NotFoundError

SORTS = {
    "name": "name",
    "-name": "-name",
    "starts_at": "starts_at",
    "-starts_at": "-starts_at",
    "created": "created_at",
    "-created": "-created_at",
    "budget": "budget",
    "-budget": "-budget",
}


def campaigns_visible_to(*, organization: Organization) -> QuerySet:
    if organization.kind == Organization.Kind.PLATFORM:
        return Campaign.objects.filter(organization=organization)
    return Campaign.objects.filter(partners=organization)


def campaign_list(
    *, organization: Organization, status: str = "", partner_id: int | None = None, q: str = "", sort: str = "-created"
) -> QuerySet:
    campaigns = campaigns_visible_to(organization=organization)
    if status:
        campaigns = campaigns.filter(status=status)
    if partner_id:
        campaigns = campaigns.filter(partners__pk=partner_id)
    if q:
        campaigns = campaigns.filter(Q(name__icontains=q) | Q(description__icontains=q))
    return (
        campaigns.annotate(variant_count=Count("variants", distinct=True))
        .prefetch_related("partners")
        .order_by(SORTS.get(sort, "-created_at"), "-id")
        .distinct()
    )


def campaign_get(*, actor: Actor, pk: int, for_write: bool = False) -> Campaign:
    """The campaign if the actor may see it (and change it, with for_write: the platform only); else 404."""
    campaigns = campaigns_visible_to(organization=actor.organization)
    if for_write and not actor.is_platform:
        campaigns = campaigns.none()
    campaign = campaigns.filter(pk=pk).select_related("organization").first()
    if campaign is None:
        raise NotFoundError("Campaign not found.")
    return campaign


def code_pool_get(*, actor: Actor, pk: int) -> CodePool:
    pool = (
        CodePool.objects.filter(pk=pk, offer__campaign__organization=actor.organization)
        .select_related("offer__campaign")
        .first()
    )
    if pool is None:
        raise NotFoundError("Code pool not found.")
    return pool


@dataclass(frozen=True)
class PoolStats:
    pool: CodePool
    total: int
    redeemed: int

    @property
    def remaining(self) -> int:
        return self.total - self.redeemed


@dataclass(frozen=True)
class OfferStats:
    offer: Offer
    pools: list[PoolStats]
    redeemed: int
    spend: Decimal  # redemptions x cost per redemption (the terms are frozen once the campaign launches)


@dataclass(frozen=True)
class BudgetStats:
    budget: Decimal
    spent: Decimal  # what redemptions actually charged (Campaign.spent, one conditional UPDATE each)

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.spent

    @property
    def share_spent(self) -> float | None:
        return float(self.spent / self.budget) if self.budget > 0 else None


def campaign_offer_stats(*, campaign: Campaign) -> tuple[list[OfferStats], BudgetStats]:
    """Each offer with its pools' total / redeemed / remaining codes and spend, and the campaign's spend vs budget."""
    pools = (
        CodePool.objects.filter(offer__campaign=campaign)
        .annotate(total=Count("codes"), redeemed=Count("codes", filter=Q(codes__redeemed_at__isnull=False)))
        .order_by("id")
    )
    by_offer: dict[int, list[PoolStats]] = {}
    for pool in pools:
        by_offer.setdefault(pool.offer_id, []).append(PoolStats(pool, pool.total, pool.redeemed))
    offers = []
    for offer in campaign.offers.select_related("course", "partner", "voucher_item").order_by("id"):
        offer_pools = by_offer.get(offer.pk, [])
        redeemed = sum(p.redeemed for p in offer_pools)
        offers.append(OfferStats(offer, offer_pools, redeemed, offer.unit_cost * redeemed))
    return offers, BudgetStats(budget=campaign.budget, spent=campaign.spent)
