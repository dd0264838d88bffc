"""What was shown: precomputed top-N lists, the lists the API served and the feedback on them."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, CatalogItem, Consumer, Organization

from .registry import ModelVersion


class Recommendation(models.Model):
    """One precomputed row of a consumer's top-N for a target catalogue, written in bulk by the pipeline."""

    class Reason(models.TextChoices):
        BECAUSE_YOU_BOUGHT = "because", _("Because you bought")
        SEGMENT = "segment", _("Popular in your segment")
        POPULAR = "popular", _("Popular now")

    consumer = models.ForeignKey(Consumer, on_delete=models.CASCADE, related_name="recommendations")
    target = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    model_version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="recommendations")
    rank = models.PositiveSmallIntegerField(_("rank"))
    item = models.ForeignKey(CatalogItem, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(_("score"))
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices, default=Reason.POPULAR)
    reason_item = models.ForeignKey(CatalogItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["consumer", "target", "rank"]
        indexes = [models.Index(fields=["consumer", "target", "model_version", "rank"], name="rec_serving_idx")]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")

    def __str__(self) -> str:
        return f"{self.consumer_id} → {self.item_id} #{self.rank}"


class RecommendationLog(models.Model):
    """One answer of the serving API: which items were served to whom, so feedback can refer to it. Personal data:
    a partner's served lists expire with its agreements' retention (campaigns.services.retention)."""

    retention_timestamp = "served_at"

    recommendation_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")  # the caller's
    consumer = models.ForeignKey(Consumer, on_delete=models.CASCADE, related_name="recommendation_logs")
    target = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    model_version = models.ForeignKey(ModelVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    personalized = models.BooleanField(_("personalised"))
    item_ids = models.JSONField(_("items"), default=list)
    served_at = models.DateTimeField(_("served at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-served_at", "-id"]
        verbose_name = _("served recommendation list")
        verbose_name_plural = _("served recommendation lists")

    def __str__(self) -> str:
        return str(self.recommendation_id)


class RecommendationFeedback(models.Model):
    class Kind(models.TextChoices):
        SHOWN = "shown", _("Shown")
        CLICKED = "clicked", _("Clicked")
        CONVERTED = "converted", _("Converted")

    served = models.ForeignKey(RecommendationLog, on_delete=models.CASCADE, related_name="feedback")
    item = models.ForeignKey(CatalogItem, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    campaign = models.ForeignKey(Campaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    occurred_at = models.DateTimeField(_("occurred at"))
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["served", "item", "kind"], name="recfeedback_unique_served_item_kind"),
        ]
        verbose_name = _("recommendation feedback")
        verbose_name_plural = _("recommendation feedback")

    def __str__(self) -> str:
        return f"{self.kind} {self.item_id}"
