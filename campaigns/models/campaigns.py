"""What we run: co-branded campaigns, each partner's branding in them, their variants and tracking links."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xmkt_site.models import BaseModel

from .tenancy import Organization, User


class AllocationPolicy(models.TextChoices):
    FIXED_SPLIT = "fixed_split", _("Fixed split")
    THOMPSON = "thompson", _("Thompson sampling")
    UCB1 = "ucb1", _("UCB1")
    EPSILON_GREEDY = "epsilon_greedy", _("Epsilon-greedy")


class AttributionModel(models.TextChoices):
    LAST_TOUCH = "last_touch", _("Last touch")
    POSITION_BASED = "position_based", _("Position based (40/20/40)")


class Campaign(BaseModel):
    """A co-branded campaign: its partners, budget, dates, audience, allocation policy and attribution."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        APPROVED = "approved", _("Approved")
        SCHEDULED = "scheduled", _("Scheduled")
        RUNNING = "running", _("Running")
        PAUSED = "paused", _("Paused")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="campaigns")
    partners = models.ManyToManyField(Organization, blank=True, related_name="partner_campaigns")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True, default="")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    budget = models.DecimalField(_("budget"), max_digits=14, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # What the campaign uses, whom it reaches, how it allocates and attributes.
    purposes = models.JSONField(_("purposes"), default=list, blank=True)
    data_categories = models.JSONField(_("data categories"), default=list, blank=True)
    audience = models.JSONField(_("audience"), default=dict, blank=True)  # {"segment_ids": [...], "rules": {...}}
    allocation_policy = models.CharField(
        _("allocation policy"), max_length=16, choices=AllocationPolicy.choices, default=AllocationPolicy.FIXED_SPLIT
    )
    allocation_floor = models.FloatField(
        _("minimum share per arm"), default=0.01, validators=[MinValueValidator(0.01), MaxValueValidator(0.5)]
    )
    salt = models.CharField(max_length=32, blank=True, default="")
    arm_layout = models.JSONField(default=list, blank=True)
    frequency_cap = models.PositiveSmallIntegerField(
        _("frequency cap (running campaigns per consumer)"), default=0, help_text=_("0 means no cap")
    )
    attribution_window_days = models.PositiveSmallIntegerField(
        _("attribution window (days)"), default=7, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    attribution_model = models.CharField(
        _("attribution model"), max_length=16, choices=AttributionModel.choices, default=AttributionModel.LAST_TOUCH
    )
    allowed_redirect_hosts = models.JSONField(_("allowed redirect hosts"), default=list, blank=True)
    spent = models.DecimalField(_("spent"), max_digits=14, decimal_places=2, default=Decimal("0"))
    review_report = models.JSONField(_("review report"), default=dict, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    launched_at = models.DateTimeField(_("launched at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(spent__gte=0), name="campaign_spent_not_negative"),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(starts_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="campaign_ends_after_start",
            ),
            models.CheckConstraint(condition=Q(budget__gte=0), name="campaign_budget_not_negative"),
        ]
        indexes = [models.Index(fields=["organization", "status"])]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.name


class CoBranding(BaseModel):
    """What one partner shows in a campaign: its display name, logo (stored in the row, validated) and landing copy."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="co_brandings")
    partner = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="co_brandings")
    display_name = models.CharField(_("display name"), max_length=200, blank=True, default="")
    logo = models.BinaryField(_("logo"), null=True, blank=True, editable=False)
    logo_content_type = models.CharField(max_length=32, blank=True, default="")
    landing_copy_zh = models.TextField(_("landing copy (Chinese)"), blank=True, default="")
    landing_copy_en = models.TextField(_("landing copy (English)"), blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "partner"], name="cobranding_unique_partner")]
        verbose_name = _("co-branding")
        verbose_name_plural = _("co-brandings")

    def __str__(self) -> str:
        return self.display_name or str(self.partner_id)

    @property
    def missing(self) -> list[str]:
        fields = {
            "display_name": self.display_name,
            "logo": self.logo,
            "landing_copy_zh": self.landing_copy_zh,
            "landing_copy_en": self.landing_copy_en,
        }
        return [name for name, value in fields.items() if not value]


class Variant(BaseModel):
    class Channel(models.TextChoices):
        WEB = "web", _("Web")
        APP = "app", _("App")
        SMS = "sms", _("SMS")
        EMAIL = "email", _("E-mail")
        PARTNER = "partner", _("Partner channel")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="variants")
    key = models.SlugField(_("key"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    is_control = models.BooleanField(_("control"), default=False)
    position = models.PositiveSmallIntegerField(default=0)
    creative = models.TextField(_("creative"), blank=True, default="")
    # Named by string because the offers module imports this one (an offer belongs to a campaign).
    offer = models.ForeignKey(
        "campaigns.Offer", on_delete=models.SET_NULL, null=True, blank=True, related_name="variants"
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.WEB)
    weight = models.FloatField(_("weight"), default=0.0)

    class Meta:
        ordering = ["campaign", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "key"], name="variant_unique_key"),
            models.UniqueConstraint(
                fields=["campaign"], condition=Q(is_control=True), name="variant_one_control_per_campaign"
            ),
            models.CheckConstraint(condition=Q(weight__gte=0, weight__lte=1), name="variant_weight_0_1"),
        ]
        verbose_name = _("variant")
        verbose_name_plural = _("variants")

    def __str__(self) -> str:
        return self.name


class TrackingLink(BaseModel):
    """`/t/<code>` redirects to `destination` (whose host must be allowed by the campaign) and records a click."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="tracking_links")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    partner = models.ForeignKey(Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    code = models.CharField(_("code"), max_length=32, unique=True)
    destination = models.URLField(_("destination"), max_length=500)
    clicks = models.PositiveIntegerField(_("clicks"), default=0)

    class Meta:
        verbose_name = _("tracking link")
        verbose_name_plural = _("tracking links")

    def __str__(self) -> str:
        return self.code
