"""Campaigns ready for review: partners under agreements, dates, budget, co-branding with a logo, two variants."""

import io
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone
from PIL import Image

from campaigns.models import Campaign, DataPurpose
from campaigns.services.campaigns import campaign_create
from campaigns.services.variants import co_branding_set, variant_create
from tests.factories import AgreementFactory, OrganizationFactory, PlatformFactory


def png(size=(40, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def ready_campaign(platform=None, partners=None, *, policy="fixed_split", agreements=True) -> Campaign:
    """A draft that passes review: partners with agreements, dates, budget, complete co-branding, two variants."""
    platform = platform or PlatformFactory()
    partners = partners if partners is not None else [OrganizationFactory()]
    now = timezone.now()
    campaign = campaign_create(
        organization=platform,
        name="联名活动",
        by=None,
        partners=partners,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=14),
        budget=Decimal("1000"),
        purposes=[DataPurpose.MARKETING_CONTACT],
        data_categories=["purchases"],
        allocation_policy=policy,
        allowed_redirect_hosts=["shop.example"],
    )
    for partner in partners:
        if agreements:
            AgreementFactory(platform=platform, partner=partner, valid_from=date(2026, 1, 1))
        co_branding_set(
            campaign=campaign,
            partner=partner,
            by=None,
            display_name=partner.name,
            logo=png(),
            landing_copy_zh="欢迎",
            landing_copy_en="Welcome",
        )
    variant_create(campaign=campaign, key="control", name="Control", is_control=True, by=None)
    variant_create(campaign=campaign, key="treatment", name="Treatment", by=None)
    return campaign
