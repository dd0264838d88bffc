"""A running campaign's experiment: assignments, exposures, conversions and changes of arm weights.

Analytics writes these rows; the tables stay in this app so that their names and app label do not change.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .campaigns import AllocationPolicy, Campaign, TrackingLink, Variant
from .consumers import Consumer
from .tenancy import Organization


class Assignment(models.Model):
    """Which arm a consumer got. Sticky: one row per (consumer, campaign), never rewritten."""

    consumer = models.ForeignKey(Consumer, on_delete=models.CASCADE, related_name="campaign_assignments")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="assignments")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="assignments")
    personalized = models.BooleanField(default=False)
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    # The partner whose key asked first, so the aggregates it reads can leave out the people it put there itself;
    # null when the platform assigned the consumer.
    requested_by = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("requested by")
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consumer", "campaign"], name="assignment_unique_consumer_campaign")
        ]
        indexes = [models.Index(fields=["campaign", "variant"])]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")

    def __str__(self) -> str:
        return f"consumer {self.consumer_id} → variant {self.variant_id}"


class Exposure(models.Model):
    """A touch: an impression, a tracking-link click or a recommendation shown in the campaign."""

    class Kind(models.TextChoices):
        IMPRESSION = "impression", _("Impression")
        CLICK = "click", _("Tracking-link click")
        RECOMMENDATION = "recommendation", _("Recommendation")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="exposures")
    consumer = models.ForeignKey(Consumer, on_delete=models.CASCADE, related_name="campaign_exposures")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, null=True, blank=True, related_name="exposures")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.IMPRESSION)
    partner = models.ForeignKey(Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    tracking_link = models.ForeignKey(TrackingLink, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    recommendation_id = models.CharField(max_length=64, blank=True, default="")
    external_id = models.CharField(_("external id"), max_length=128)
    occurred_at = models.DateTimeField(_("occurred at"))
    reported_by = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reported by"),
        help_text=_("The partner whose key reported the row; empty when the platform recorded it."),
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "external_id"], name="exposure_unique_external_id")]
        indexes = [models.Index(fields=["campaign", "consumer", "occurred_at"])]
        verbose_name = _("exposure")
        verbose_name_plural = _("exposures")

    def __str__(self) -> str:
        return f"{self.kind} {self.external_id}"


class Conversion(models.Model):
    """A purchase credited to a campaign; idempotent by (campaign, external_id)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="conversions")
    consumer = models.ForeignKey(Consumer, on_delete=models.CASCADE, related_name="campaign_conversions")
    variant = models.ForeignKey(Variant, on_delete=models.SET_NULL, null=True, blank=True, related_name="conversions")
    partner = models.ForeignKey(Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    recommendation_id = models.CharField(max_length=64, blank=True, default="")
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2, default=Decimal("0"))
    external_id = models.CharField(_("external id"), max_length=128)
    occurred_at = models.DateTimeField(_("occurred at"))
    # Who reported the row, apart from who sold (`partner`): a partner's own reports never enter the aggregates it
    # reads, so it cannot use them to lift a suppressed cell into view.
    reported_by = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reported by"),
        help_text=_("The partner whose key reported the row; empty when the platform recorded it."),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "external_id"], name="conversion_unique_external_id"),
            models.CheckConstraint(condition=Q(value__gte=0), name="conversion_value_not_negative"),
        ]
        indexes = [models.Index(fields=["campaign", "occurred_at"])]
        verbose_name = _("conversion")
        verbose_name_plural = _("conversions")

    def __str__(self) -> str:
        return f"conversion {self.external_id}"


class AllocationChange(models.Model):
    """Every change of arm weights, with the counts it was computed from and the layout it produced."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="allocation_changes")
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now, db_index=True)
    policy = models.CharField(_("policy"), max_length=16, choices=AllocationPolicy.choices)
    weights = models.JSONField(_("weights"), default=dict)  # variant key -> weight
    counts = models.JSONField(default=dict, blank=True)  # variant key -> {"trials", "successes"}
    layout = models.JSONField(default=list, blank=True)
    moved_share = models.FloatField(default=0.0)
    reason = models.CharField(_("reason"), max_length=64, default="reweight")

    class Meta:
        ordering = ["campaign", "changed_at", "id"]
        verbose_name = _("allocation change")
        verbose_name_plural = _("allocation changes")

    def __str__(self) -> str:
        return f"{self.reason} {self.changed_at:%Y-%m-%d %H:%M}"
