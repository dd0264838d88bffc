"""Variants: the control and treatments (creative, offer, channel), and co-branding per partner."""

from io import BytesIO

from django.db import transaction

from campaigns.error_codes import CampaignErrorCode
from campaigns.models import Campaign, CoBranding, Offer, Organization, User, Variant
from campaigns.services.audit import audit_record
from xmkt_site.errors import ApplicationError, ConflictError

MAX_LOGO_BYTES = 512 * 1024
LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}


def _require_draft(campaign: Campaign) -> None:
    if campaign.status != Campaign.Status.DRAFT:
        raise ConflictError(
            "Only a draft campaign can be changed; reopen it first.", code=CampaignErrorCode.NOT_EDITABLE
        )


@transaction.atomic
def variant_create(
    *,
    campaign: Campaign,
    key: str,
    name: str,
    by: User | None,
    is_control: bool = False,
    creative: str = "",
    offer: Offer | None = None,
    channel: str = Variant.Channel.WEB,
    weight: float = 0.0,
) -> Variant:
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _require_draft(campaign)
    if offer is not None and offer.campaign_id != campaign.pk:
        raise ApplicationError("The offer belongs to another campaign.", fields={"offer": ["Invalid."]})
    if is_control and campaign.variants.filter(is_control=True).exists():
        raise ConflictError("The campaign already has a control.", code=CampaignErrorCode.CONTROL_EXISTS)
    variant = Variant(
        campaign=campaign,
        key=key,
        name=name,
        is_control=is_control,
        creative=creative,
        offer=offer,
        channel=channel,
        weight=weight,
        position=campaign.variants.count(),
    )
    variant.full_clean()
    variant.save()
    audit_record(action="variant.create", user=by, organization=campaign.organization, target=variant)
    return variant


@transaction.atomic
def variant_delete(*, variant: Variant, by: User | None) -> None:
    _require_draft(variant.campaign)
    audit_record(action="variant.delete", user=by, organization=variant.campaign.organization, target=variant)
    variant.delete()


def logo_validate(data: bytes) -> str:
    """A real PNG or JPEG, at most 512 KB and 2000×2000: returns its content type or raises."""
    from PIL import Image, UnidentifiedImageError  # Pillow loads on the first logo upload, not at web start-up

    if not data:
        raise ApplicationError("The logo is empty.", fields={"logo": ["Empty file."]})
    if len(data) > MAX_LOGO_BYTES:
        raise ApplicationError("The logo is larger than 512 KB.", fields={"logo": ["Larger than 512 KB."]})
    try:
        with Image.open(BytesIO(data)) as image:
            image_format = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ApplicationError("The logo is not a valid image.", fields={"logo": ["Not an image."]}) from None
    if image_format not in LOGO_FORMATS:
        raise ApplicationError("The logo must be a PNG or JPEG.", fields={"logo": ["PNG or JPEG only."]})
    if width > 2000 or height > 2000:
        raise ApplicationError("The logo is larger than 2000×2000 pixels.", fields={"logo": ["Too many pixels."]})
    return LOGO_FORMATS[image_format]


@transaction.atomic
def co_branding_set(
    *,
    campaign: Campaign,
    partner: Organization,
    by: User | None,
    display_name: str | None = None,
    logo: bytes | None = None,
    landing_copy_zh: str | None = None,
    landing_copy_en: str | None = None,
) -> CoBranding:
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _require_draft(campaign)
    if not campaign.partners.filter(pk=partner.pk).exists():
        raise ApplicationError("This partner is not a party of the campaign.", fields={"partner": ["Not a party."]})
    branding, _created = CoBranding.objects.get_or_create(campaign=campaign, partner=partner)
    if display_name is not None:
        branding.display_name = display_name.strip()
    if landing_copy_zh is not None:
        branding.landing_copy_zh = landing_copy_zh.strip()
    if landing_copy_en is not None:
        branding.landing_copy_en = landing_copy_en.strip()
    if logo is not None:
        branding.logo_content_type = logo_validate(logo)
        branding.logo = logo
    branding.full_clean()
    branding.save()
    audit_record(
        action="co_branding.set",
        user=by,
        organization=campaign.organization,
        target=branding,
        metadata={"partner": partner.pk, "logo_bytes": len(logo) if logo else 0},
    )
    return branding
