"""The recommender's records: trained model versions, precomputed top-N lists, served lists and their feedback."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, CatalogItem, Consumer, Organization
from xmkt_site.models import BaseModel


class ModelVersion(BaseModel):
    """One trained model for (organization's consumers, target catalogue), its metrics and where its artefact lives."""

    class Status(models.TextChoices):
        CANDIDATE = "candidate", _("Candidate")
        CHAMPION = "champion", _("Champion")
        RETIRED = "retired", _("Retired")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="model_versions")
    target = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="target_model_versions")
    training_run = models.ForeignKey(
        "campaigns.TaskRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    algorithm = models.CharField(_("algorithm"), max_length=64)
    label = models.CharField(_("label"), max_length=64)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    metrics = models.JSONField(_("metrics"), default=dict, blank=True)  # {"validation": {...}, "test": {...}}
    data_size = models.JSONField(_("data size"), default=dict, blank=True)  # users, items, interactions
    fit_seconds = models.FloatField(_("fit seconds"), default=0.0)
    artifact_path = models.CharField(_("artefact"), max_length=300, blank=True, default="")  # under MEDIA_ROOT
    popular_items = models.JSONField(_("popular items"), default=dict, blank=True)  # {"all": [ids], "groups": {}}
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.CANDIDATE)
    is_champion = models.BooleanField(_("champion"), default=False)
    trained_at = models.DateTimeField(_("trained at"))
    data_until = models.DateTimeField(_("data until"), null=True, blank=True)  # latest event the model has seen

    class Meta:
        ordering = ["-trained_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "target"], condition=Q(is_champion=True), name="modelversion_one_champion"
            ),
            models.CheckConstraint(
                condition=Q(is_champion=False) | Q(status="champion"), name="modelversion_champion_status"
            ),
        ]
        indexes = [models.Index(fields=["organization", "target", "is_champion"])]
        verbose_name = _("model version")
        verbose_name_plural = _("model versions")

    def __str__(self) -> str:
        return f"{self.label} #{self.pk}"

    def metric(self, split: str, name: str) -> float | None:
        value = (self.metrics or {}).get(split, {}).get(name)
        return None if value is None else float(value)


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
