"""Reads for the partner pages: which partners an actor may see, their agreements and API keys."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from campaigns.models import Campaign, CatalogItem, Consumer, DataSharingAgreement, Organization, PartnerApiKey
from campaigns.selectors.campaigns import campaigns_visible_to
from xmkt_site.access import Actor

PARTNER_SORTS = {
    "name": "name",
    "-name": "-name",
    "industry": "industry",
    "-industry": "-industry",
    "created": "created_at",
    "-created": "-created_at",
    "keys": "active_key_count",
    "-keys": "-active_key_count",
    "agreements": "active_agreement_count",
    "-agreements": "-active_agreement_count",
}


@dataclass(frozen=True)
class PartnerFilters:
    query: str = ""
    industry: str = ""
    active: str = ""  # "", "yes", "no"
    sort: str = "name"


def partners_visible_to(actor: Actor) -> QuerySet[Organization]:
    """Platform staff see every partner organization; a partner's people see only their own organization."""
    partners = Organization.objects.filter(kind=Organization.Kind.PARTNER)
    if actor.is_platform:
        return partners
    return partners.filter(pk=actor.organization.pk)


def partner_list(*, actor: Actor, filters: PartnerFilters) -> QuerySet[Organization]:
    now = timezone.now()
    partners = partners_visible_to(actor).annotate(
        active_agreement_count=Count(
            "agreements_as_partner",
            filter=Q(agreements_as_partner__status=DataSharingAgreement.Status.ACTIVE),
            distinct=True,
        ),
        active_key_count=Count(
            "api_keys",
            filter=Q(api_keys__revoked_at__isnull=True)
            & (Q(api_keys__expires_at__isnull=True) | Q(api_keys__expires_at__gt=now)),
            distinct=True,
        ),
    )
    if filters.query:
        partners = partners.filter(Q(name__icontains=filters.query) | Q(slug__icontains=filters.query))
    if filters.industry in Organization.Industry.values:
        partners = partners.filter(industry=filters.industry)
    if filters.active == "yes":
        partners = partners.filter(is_active=True)
    elif filters.active == "no":
        partners = partners.filter(is_active=False)
    return partners.order_by(PARTNER_SORTS.get(filters.sort, "name"), "pk")


def partner_get(*, actor: Actor, pk: int) -> Organization:
    """404 rather than 403 for partners the actor may not see, so their existence does not leak."""
    partner = partners_visible_to(actor).filter(pk=pk).first()
    if partner is None:
        raise Http404("No such partner.")
    return partner


def partner_agreements(*, partner: Organization) -> QuerySet[DataSharingAgreement]:
    return DataSharingAgreement.objects.filter(partner=partner).select_related("platform", "signed_by")


def partner_api_keys(*, partner: Organization) -> QuerySet[PartnerApiKey]:
    return PartnerApiKey.objects.filter(organization=partner).select_related("created_by")


def partner_api_key_get(*, partner: Organization, pk: int) -> PartnerApiKey:
    api_key = PartnerApiKey.objects.filter(organization=partner, pk=pk).first()
    if api_key is None:
        raise Http404("No such API key.")
    return api_key


def api_key_state(api_key: PartnerApiKey) -> str:
    """revoked | expired | active, the tag the partner page shows."""
    if api_key.revoked_at is not None:
        return "revoked"
    if api_key.expires_at is not None and api_key.expires_at <= timezone.now():
        return "expired"
    return "active"


@dataclass(frozen=True)
class PartnerActivity:
    consumers: int
    catalog_items: int
    active_items: int
    campaigns_by_status: list[tuple[str, str, int]]  # (status, label, campaigns) of the viewer's campaigns with it


def partner_activity(*, actor: Actor, partner: Organization) -> PartnerActivity:
    """Counts of the records the partner has sent, and the actor's campaigns that include it (a partner's own
    people: every campaign it is in)."""
    items = CatalogItem.objects.filter(organization=partner).aggregate(
        total=Count("id"), active=Count("id", filter=Q(active=True))
    )
    campaigns = campaigns_visible_to(organization=actor.organization).filter(partners=partner)
    counts = dict(campaigns.values("status").annotate(n=Count("id", distinct=True)).values_list("status", "n"))
    by_status = [(value, str(label), counts[value]) for value, label in Campaign.Status.choices if value in counts]
    return PartnerActivity(
        consumers=Consumer.objects.filter(organization=partner).count(),
        catalog_items=items["total"],
        active_items=items["active"],
        campaigns_by_status=by_status,
    )
